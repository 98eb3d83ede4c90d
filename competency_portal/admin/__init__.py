"""Administration: people, roles, teams, supervision, the staff CSV import and the audit trail."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

from competency_portal.admin import views  # noqa: E402,F401 - registers routes
