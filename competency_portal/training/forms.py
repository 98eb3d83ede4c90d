"""Training, registration and DBS forms."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from competency_portal.forms import DatePartsField
from competency_portal.services.training_rules import DBS_LEVELS, NOTE_MAX


class OptionalDatePartsField(DatePartsField):
    """A DatePartsField that may be left blank (all three boxes empty)."""

    def pre_validate(self, form):  # noqa: D102 - WTForms hook
        if not isinstance(self.data, date) and not any(self.parts.values()):
            self.data = None  # left blank (or not sent at all)
            return
        super().pre_validate(form)


class RecordForm(FlaskForm):
    """Record the completion of a training subject."""

    subject = SelectField(
        "Training subject", validate_choice=False, validators=[DataRequired("Choose a training subject")]
    )
    completed_on = DatePartsField("Date completed")
    expires_on = OptionalDatePartsField("Certificate expiry date", allow_future=True)
    note = TextAreaField(
        "Note (optional)",
        validators=[Optional(), Length(max=NOTE_MAX, message=f"Enter a note of {NOTE_MAX:,} characters or fewer")],
    )

    def validate_subject(self, field):  # noqa: D102 - WTForms hook
        if field.data not in {value for value, _ in field.choices if value}:
            raise ValidationError("Choose a training subject from the list")

    def validate_expires_on(self, field):  # noqa: D102 - WTForms hook
        if field.data is not None and self.completed_on.data is not None and field.data <= self.completed_on.data:
            raise ValidationError("The certificate expiry date must be after the date completed")


class RegistrationForm(FlaskForm):
    """Record a professional registration."""

    body = StringField(
        "Registration body",
        validators=[
            DataRequired("Enter the registration body, for example NMC"),
            Length(max=120, message="Enter a registration body of 120 characters or fewer"),
        ],
    )
    number = StringField(
        "Registration number",
        validators=[
            DataRequired("Enter the registration number"),
            Length(max=60, message="Enter a registration number of 60 characters or fewer"),
        ],
    )
    renewal_on = DatePartsField("Renewal date", allow_future=True, earliest=date(2000, 1, 1))


class DbsForm(FlaskForm):
    """Record a DBS check."""

    checked_on = DatePartsField("Date of the DBS check")
    level = SelectField(
        "Level of check",
        choices=[("", "Choose a level")] + list(DBS_LEVELS.items()),
        validate_choice=False,
        validators=[DataRequired("Choose the level of the DBS check")],
    )
    certificate_number = StringField(
        "Certificate number (optional)",
        validators=[
            Optional(),
            Length(max=40, message="Enter a certificate number of 40 characters or fewer"),
            Regexp(
                r"^[A-Za-z0-9 -]+$",
                message="The certificate number must be letters and digits only, as printed on the certificate",
            ),
        ],
    )

    def validate_level(self, field):  # noqa: D102 - WTForms hook
        if field.data not in DBS_LEVELS:
            raise ValidationError("Choose the level of the DBS check")
