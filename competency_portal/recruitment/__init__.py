"""Recruitment: vacancies against person specifications, and fair, recorded shortlisting."""

from flask import Blueprint

bp = Blueprint("recruitment", __name__, template_folder="templates")
VACANCY = "/recruitment/vacancies/<int:vacancy_id>"  # every page about one vacancy starts here

from competency_portal.recruitment import (  # noqa: E402,F401 - registers routes
    views_applications,
    views_decisions,
    views_exports,
    views_scoring,
    views_shortlist,
    views_vacancies,
)
