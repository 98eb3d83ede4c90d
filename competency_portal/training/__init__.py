"""Mandatory training, professional registration and DBS checks."""

from flask import Blueprint

bp = Blueprint("training", __name__, template_folder="templates")

from competency_portal.training import views  # noqa: E402,F401 - registers routes
