"""Supervisors' work: the sign-off queue, reviewing evidence, revoking, and naming a deputy."""

from flask import Blueprint

bp = Blueprint("supervision", __name__, url_prefix="/supervision", template_folder="templates")

from competency_portal.supervision import views  # noqa: E402,F401 - registers routes
