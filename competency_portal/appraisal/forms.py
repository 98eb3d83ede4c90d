"""Forms for appraisals: starting one, objectives, progress, the year-end summary, and actions."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from competency_portal.forms import DatePartsField
from competency_portal.models import ObjectiveStatus


class VersionForm(FlaskForm):
    """A button that acts on the appraisal as the page showed it (agree, sign, remove)."""

    version = HiddenField()


class StartForm(FlaskForm):
    """The year, and (for administrators) who appraises."""

    year = StringField(
        "Appraisal year",
        validators=[
            DataRequired("Enter the appraisal year, for example 2026/27"),
            Length(max=9, message="Enter the year as, for example, 2026/27"),
        ],
    )
    appraiser = SelectField("Appraiser", coerce=int, validate_choice=False)


class ObjectiveForm(FlaskForm):
    """One development objective."""

    title = StringField(
        "Objective",
        validators=[
            DataRequired("Enter a title for the objective"),
            Length(max=200, message="Enter a title of 200 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "What it involves",
        validators=[Optional(), Length(max=5000, message="Enter a description of 5,000 characters or fewer")],
    )
    due_on = DatePartsField("Due date", allow_future=True, earliest=date(2000, 1, 1))
    items = SelectMultipleField("Items this objective addresses", coerce=int)
    version = HiddenField()


class ProgressForm(FlaskForm):
    """Progress on one objective during the year."""

    status = SelectField(
        "Status",
        choices=[(s.value, s.label) for s in ObjectiveStatus],
        validators=[DataRequired("Choose the objective's status")],
    )
    note = TextAreaField(
        "Progress note", validators=[Optional(), Length(max=5000, message="Enter a note of 5,000 characters or fewer")]
    )
    version = HiddenField()


class SummaryForm(FlaskForm):
    """The year-end review's words (the appraiser's)."""

    summary = TextAreaField(
        "Year-end summary",
        validators=[
            DataRequired("Enter the year-end summary"),
            Length(max=10000, message="Enter a summary of 10,000 characters or fewer"),
        ],
    )
    version = HiddenField()


class PackForm(FlaskForm):
    """Ask for the PDR pack (the button carries only the CSRF token)."""
