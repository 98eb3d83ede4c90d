"""Administration: people, roles, teams, supervision, the staff CSV import, frameworks, sign-in and the audit trail.

Views stay thin: check a form, call a service, commit once (competency_portal/web.py), redirect
with a message. One module per part, all on this blueprint.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

from competency_portal.admin import (  # noqa: E402,F401 - registers routes
    views_api_clients,
    views_audit,
    views_data,
    views_drafts,
    views_frameworks,
    views_import,
    views_jobs,
    views_people,
    views_roles,
    views_sign_in,
    views_supervision,
    views_teams,
)
