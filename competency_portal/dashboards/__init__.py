"""Dashboards: a person's readiness, a supervisor's team, and the organisation's common gaps."""

from flask import Blueprint

bp = Blueprint("dashboards", __name__, template_folder="templates")

from competency_portal.dashboards import views  # noqa: E402,F401 - registers routes
