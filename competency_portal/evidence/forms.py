"""Evidence, self-assessment and notification forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from competency_portal.forms import DatePartsField
from competency_portal.models import EvidenceType


class EvidenceForm(FlaskForm):
    """Record or change evidence."""

    title = StringField(
        "Title",
        validators=[DataRequired("Enter a title"), Length(max=200, message="Enter a title of 200 characters or fewer")],
    )
    evidence_type = SelectField(
        "Type of evidence",
        choices=[("", "Choose a type")] + [(t.value, t.label) for t in EvidenceType],
        validators=[DataRequired("Choose the type of evidence")],
    )
    activity_date = DatePartsField("Date of the activity")
    description = TextAreaField(
        "Description",
        validators=[
            DataRequired("Describe what you did and what it shows"),
            Length(max=20000, message="Enter a description of 20,000 characters or fewer"),
        ],
    )
    items = SelectMultipleField("Items this evidence shows", coerce=int, validate_choice=False)
    attachments = MultipleFileField("Attachments")
    remove_attachments = SelectMultipleField("Remove attachments", coerce=int, validate_choice=False)

    def validate_items(self, field):  # noqa: D102 - WTForms hook
        from wtforms.validators import ValidationError

        allowed = {value for value, _ in field.choices}
        if not field.data:
            raise ValidationError("Choose at least one item this evidence shows")
        if any(value not in allowed for value in field.data):
            raise ValidationError("One of the chosen items is not in your frameworks; choose again")


class ConfirmForm(FlaskForm):
    """A bare form, for actions confirmed by a button (it carries the CSRF token)."""


class SelfAssessmentForm(FlaskForm):
    """Only the CSRF token: rating fields are named rating-<item id> and note-<item id>."""

    version = HiddenField()


class ShareResponseForm(FlaskForm):
    """A candidate's answer to a panel's request to see their portfolio (two buttons named `choice`)."""

    choice = StringField(
        "Your answer",
        validators=[
            DataRequired("Choose whether to share your verified portfolio"),
            AnyOf(["share", "withhold"], message="Choose whether to share your verified portfolio"),
        ],
    )
