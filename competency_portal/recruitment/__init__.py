"""Recruitment: vacancies against person specifications, and fair, recorded shortlisting."""

from flask import Blueprint

bp = Blueprint("recruitment", __name__, template_folder="templates")

from competency_portal.recruitment import views_shortlisting, views_vacancies  # noqa: E402,F401 - registers routes
