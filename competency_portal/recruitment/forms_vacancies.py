"""Forms for vacancies, applications and the applications import."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from competency_portal.forms import DatePartsField
from competency_portal.services import people, vacancies
from competency_portal.services.staff_import import valid_email


def _int_or_none(value):
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # never a real id: refused by the choice check


class VacancyForm(FlaskForm):
    """A new vacancy."""

    title = StringField(
        "Post title",
        validators=[
            DataRequired("Enter the post title"),
            Length(max=200, message="Enter a post title of 200 characters or fewer"),
        ],
    )
    band = StringField(
        "Band (optional)", validators=[Optional(), Length(max=40, message="Enter a band of 40 characters or fewer")]
    )
    team_id = SelectField("Team (optional)", coerce=_int_or_none, choices=[], validate_choice=False)
    closing_on = DatePartsField("Closing date", earliest=date(2000, 1, 1), allow_future=True)
    spec_version_id = SelectField("Person specification", coerce=_int_or_none, choices=[], validate_choice=False)
    panel = SelectMultipleField("Panel", coerce=int, choices=[], validate_choice=False)

    def validate_team_id(self, field):
        if field.data is not None and str(field.data) not in {str(c.value) for c in field.choices}:
            raise ValidationError("Choose a team from the list")

    def validate_spec_version_id(self, field):
        if field.data is None or str(field.data) not in {str(c.value) for c in field.choices if c.value != ""}:
            raise ValidationError("Choose the person specification the vacancy uses")

    def validate_panel(self, field):
        known = {str(c.value) for c in field.choices}
        if any(str(v) not in known for v in field.data or []):
            raise ValidationError("Choose panel members from the list")


class ApplicationForm(FlaskForm):
    """One application entered by hand (per-criterion answers are read by the view)."""

    candidate_name = StringField(
        "Candidate’s full name",
        validators=[
            DataRequired("Enter the candidate’s name"),
            Length(max=vacancies.LIMITS["candidate_name"], message="Enter a name of 200 characters or fewer"),
        ],
    )
    email = StringField(
        "Candidate’s email address",
        validators=[
            DataRequired("Enter the candidate’s email address"),
            Length(max=vacancies.LIMITS["email"], message="Enter an email address of 254 characters or fewer"),
        ],
    )
    supporting_statement = TextAreaField(
        "Supporting statement",
        validators=[
            DataRequired("Enter the supporting statement"),
            Length(
                max=vacancies.LIMITS["supporting_statement"],
                message="Enter a supporting statement of 20,000 characters or fewer",
            ),
        ],
    )
    internal = BooleanField("Internal candidate: already works here")
    guaranteed_interview = BooleanField("Applies under the guaranteed interview scheme")
    portfolio_consent = BooleanField(
        "The candidate wants to share their verified portfolio with the panel (they are asked to agree in the portal)"
    )

    def validate_email(self, field):
        if field.data and not valid_email(people.normalise_email(field.data)):
            raise ValidationError("Enter an email address in the correct format, like name@example.com")

    def validate_portfolio_consent(self, field):
        if field.data and not self.internal.data:
            raise ValidationError(
                "Only internal candidates can share their portfolio: tick “Internal candidate” too, or untick this"
            )


class ImportForm(FlaskForm):
    """Step 1 of the import: upload a CSV file."""

    file = FileField("Upload a CSV file", validators=[FileRequired("Choose a CSV file to upload")])


class ConfirmImportForm(FlaskForm):
    """Step 2: import the file previewed."""

    token = HiddenField()


class AdvanceForm(FlaskForm):
    """Move the vacancy to its next status."""

    to = HiddenField()
    version = HiddenField()
