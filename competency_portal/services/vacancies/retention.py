"""Retention: anonymising candidates' data once their vacancy has been closed long enough."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal.models import Application, Vacancy, VacancyStatus
from competency_portal.services import audit
from competency_portal.services.vacancies.queries import closed_on
from competency_portal.services.vacancies.rules import ANONYMISED_NAME


@dataclass
class PurgeResult:
    """What a purge anonymised: the vacancies, and how many applications."""

    vacancies: list[int] = field(default_factory=list)
    applications: int = 0


def purge(session: Session, now: datetime, older_than_days: int) -> PurgeResult:
    """Anonymise the applications of vacancies closed more than `older_than_days` ago.

    Names become "Anonymised"; email, supporting statement and criterion answers are removed; the link
    to a portal account and the consent are cleared. Scores, moderations and decisions are kept,
    with their reasons, for the record. Running it again changes nothing.
    """
    cutoff = now - timedelta(days=older_than_days)
    closed = list(session.scalars(select(Vacancy).where(Vacancy.status == VacancyStatus.CLOSED).order_by(Vacancy.id)))
    when = closed_on(session, [v.id for v in closed])
    result = PurgeResult()
    for vacancy in closed:
        at = when.get(vacancy.id)
        if at is None:
            # Closed without a recorded change (not through the portal): the closing date is the
            # earliest it can have closed, so it is used instead.
            at = datetime.combine(vacancy.closing_on, datetime.min.time(), tzinfo=now.tzinfo)
        if at.tzinfo is None:
            at = at.replace(tzinfo=now.tzinfo)
        if at > cutoff:
            continue
        pending = list(
            session.scalars(
                select(Application).where(Application.vacancy_id == vacancy.id, Application.anonymised_at.is_(None))
            )
        )
        if not pending:
            continue
        ids = [a.id for a in pending]
        for a in pending:
            a.answers.clear()  # delete-orphan: the answers are deleted
            a.candidate_name = ANONYMISED_NAME
            a.email = ""
            a.supporting_statement = ""
            a.internal_user_id = None
            a.portfolio_consent = False
            a.anonymised_at = now
        session.flush()
        audit.record(
            session,
            actor_id=None,
            action="applications_anonymised",
            object_type="vacancy",
            object_id=vacancy.id,
            detail={
                "applications": len(ids),
                "references": sorted(a.reference for a in pending),
                "older_than_days": older_than_days,
                "closed_at": at.isoformat(),
            },
        )
        result.vacancies.append(vacancy.id)
        result.applications += len(ids)
    return result
