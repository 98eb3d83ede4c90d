"""Pages that belong to no feature: home, accessibility statement, health check, error pages."""

from flask import Blueprint

bp = Blueprint("main", __name__, template_folder="templates")

from competency_portal.main import views, views_jobs  # noqa: E402,F401 - registers routes
