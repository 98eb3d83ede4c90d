"""The rules of a vacancy: who adds applications and when, references, and how long the fields may be."""

from __future__ import annotations

import re

from competency_portal import policy
from competency_portal.models import Application, User, Vacancy, VacancyStatus

MIN_PANEL = 2  # NHS practice: at least two shortlisters, the lead included
ADDING_STATUSES = (VacancyStatus.OPEN, VacancyStatus.SHORTLISTING)
REFERENCE = re.compile(r"^C-(\d+)$")
ANONYMISED_NAME = "Anonymised"
BUSY = "Someone else changed this vacancy at the same moment, so nothing was saved. Try again."

LIMITS = {"candidate_name": 200, "email": 254, "supporting_statement": 20_000, "answer": 5_000}


class VacancyError(Exception):
    """A rule refused the change; the message says why, in words for the person."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def reference(number: int) -> str:
    """An application's reference: C-001, C-002 ..."""
    return f"C-{number:03d}"


def next_status(vacancy: Vacancy) -> VacancyStatus | None:
    """The status a vacancy moves to next, or None once it is closed."""
    return Vacancy._NEXT.get(vacancy.status)


def check_can_add(vacancy: Vacancy, actor: User) -> None:
    """Refuse unless `actor` leads the vacancy and it is open or shortlisting."""
    if not policy.is_vacancy_lead(actor, vacancy):
        raise VacancyError("Only the shortlisting lead can add applications.")
    if vacancy.status not in ADDING_STATUSES:
        raise VacancyError(f"Applications cannot be added to a vacancy that is {vacancy.status.value}.")


def application_detail(vacancy: Vacancy, application: Application) -> dict:
    """What the audit trail records about an added application: no name, email or text (it outlives retention)."""
    return {
        "vacancy_id": vacancy.id,
        "reference": application.reference,
        "internal": application.internal,
        "guaranteed_interview": application.guaranteed_interview,
        "criteria_answered": len(application.answers),
        "portfolio_consent": application.portfolio_consent,
    }
