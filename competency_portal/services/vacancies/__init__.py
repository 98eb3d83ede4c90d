"""Vacancies and applications: opening a vacancy, adding applications, moving the status, and
anonymising candidates' data once the retention period has passed.

`rules` (what may be added when, references, limits), `queries` (choices and what a vacancy
holds), `operations` (opening, moving on, adding applications) and `retention` (anonymising).
Candidate names and contact details never go into the audit trail (it is kept for ever and cannot
be edited, so it would defeat anonymisation): records name applications by reference. Operations
change the session and raise `VacancyError` when they refuse; callers commit.
"""

from competency_portal.services.vacancies.operations import (
    ApplicationFields,
    VacancyFields,
    add_application,
    advance,
    application_detail,
    build_application,
    create_vacancy,
)
from competency_portal.services.vacancies.queries import (
    account_for,
    applications,
    applied_emails,
    closed_on,
    criteria,
    next_reference_number,
    spec_choices,
    team_choices,
    visible,
)
from competency_portal.services.vacancies.retention import PurgeResult, purge
from competency_portal.services.vacancies.rules import (
    ADDING_STATUSES,
    ANONYMISED_NAME,
    BUSY,
    LIMITS,
    MIN_PANEL,
    VacancyError,
    check_can_add,
    next_status,
    reference,
)

__all__ = [
    "ADDING_STATUSES",
    "ANONYMISED_NAME",
    "BUSY",
    "LIMITS",
    "MIN_PANEL",
    "ApplicationFields",
    "PurgeResult",
    "VacancyError",
    "VacancyFields",
    "account_for",
    "add_application",
    "advance",
    "application_detail",
    "applications",
    "applied_emails",
    "build_application",
    "check_can_add",
    "closed_on",
    "create_vacancy",
    "criteria",
    "next_reference_number",
    "next_status",
    "purge",
    "reference",
    "spec_choices",
    "team_choices",
    "visible",
]
