"""Forms for shortlisting: score sheets, moderation, decisions and agreeing the shortlist."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from competency_portal.models import Outcome
from competency_portal.shortlisting.scores import DECISION_REASON_MAX, SCORE_LABELS

SCORE_CHOICES = [(str(v), f"{v}: {label}") for v, label in SCORE_LABELS.items()]


class ScoreSheetForm(FlaskForm):
    """A member's scores for one application; the fields are score-<item id> and reason-<item id>, read by the view."""


class ActionForm(FlaskForm):
    """A button that changes something (submit scores, agree the shortlist): only the CSRF token."""


class ModerationForm(FlaskForm):
    """The agreed score where the panel disagreed, and why."""

    value = RadioField("Agreed score", choices=SCORE_CHOICES, validators=[InputRequired("Choose the agreed score")])
    reason = TextAreaField(
        "Why the panel agreed this score",
        validators=[
            DataRequired("Say why the panel agreed this score"),
            Length(max=DECISION_REASON_MAX, message=f"Keep the reason to {DECISION_REASON_MAX:,} characters or fewer"),
        ],
    )


class DecisionForm(FlaskForm):
    """The lead's decision on one application, with the reason."""

    outcome = SelectField(
        "Decision",
        choices=[("", "Choose a decision")] + [(o.value, o.label) for o in Outcome],
        validators=[DataRequired("Choose shortlist, reserve or not shortlisted")],
    )
    reason = TextAreaField(
        "Reason for the decision",
        validators=[
            DataRequired("Give the reason for the decision"),
            Length(max=DECISION_REASON_MAX, message=f"Keep the reason to {DECISION_REASON_MAX:,} characters or fewer"),
        ],
    )
