"""Forms for decisions, revocation and naming a deputy."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from competency_portal.forms import DatePartsField
from competency_portal.models import Decision


class DecisionForm(FlaskForm):
    """The overall decision; per-item levels are fields named level-<item id> and comment-<item id>."""

    decision = RadioField(
        "Your decision",
        choices=[(d.value, d.label) for d in Decision],
        validators=[DataRequired("Choose sign off, return or reject")],
    )
    comment = TextAreaField(
        "Comment", validators=[Length(max=5000, message="Enter a comment of 5,000 characters or fewer")]
    )
    version = HiddenField()


class RevokeForm(FlaskForm):
    """Why a sign-off is withdrawn."""

    reason = TextAreaField(
        "Reason for revoking",
        validators=[
            DataRequired("Give the reason for revoking the sign-off"),
            Length(max=2000, message="Enter a reason of 2,000 characters or fewer"),
        ],
    )


class DeputyForm(FlaskForm):
    """Who covers, and when."""

    deputy = SelectField("Deputy", coerce=int, validators=[DataRequired("Choose who will cover")])
    starts_on = DatePartsField("Start date", allow_future=True)
    ends_on = DatePartsField("End date", allow_future=True)
