"""Appraisal (PDR): review cycles, objectives from the gap analysis, progress, signatures, PDF."""

from flask import Blueprint

bp = Blueprint("appraisal", __name__, template_folder="templates")

from competency_portal.appraisal import changes, views  # noqa: E402,F401 - registers routes
