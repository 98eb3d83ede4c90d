"""A person's own portfolio: evidence, self-assessment and notifications."""

from flask import Blueprint

bp = Blueprint("evidence", __name__, template_folder="templates")

from competency_portal.evidence import views, views_sharing  # noqa: E402,F401 - registers routes
