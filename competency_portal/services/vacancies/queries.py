"""What a vacancy holds, and what a recruiter chooses from when opening one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal import policy
from competency_portal.models import (
    Application,
    AuditEvent,
    Domain,
    Framework,
    FrameworkKind,
    FrameworkVersion,
    Item,
    Team,
    User,
    Vacancy,
    VacancyStatus,
)
from competency_portal.services import people
from competency_portal.services.vacancies.rules import REFERENCE

# -- choices ----------------------------------------------------------------------------


def spec_choices(session: Session) -> list[FrameworkVersion]:
    """The current version of every person specification, by title."""
    return list(
        session.scalars(
            select(FrameworkVersion)
            .join(Framework, Framework.id == FrameworkVersion.framework_id)
            .where(
                Framework.kind == FrameworkKind.PERSON_SPECIFICATION,
                FrameworkVersion.revision == Framework.current_revision,
            )
            .order_by(FrameworkVersion.title)
        )
    )


def team_choices(session: Session) -> list[Team]:
    """Every team, by name."""
    return list(session.scalars(select(Team).order_by(Team.name)))


def criteria(session: Session, version_id: int, method: str = "application") -> list[Item]:
    """The criteria of a person-specification version assessed by `method`, in document order."""
    items = session.scalars(
        select(Item)
        .join(Domain, Domain.id == Item.domain_id)
        .where(Item.version_id == version_id)
        .order_by(Domain.position, Item.position)
    ).all()
    return [i for i in items if method in (i.assessed_by or [])]


# -- vacancies and their applications ------------------------------------------------------


def visible(session: Session, user: User) -> list[Vacancy]:
    """The vacancies this person leads or sits on, newest first."""
    return list(
        session.scalars(
            select(Vacancy)
            .where(Vacancy.id.in_(policy.visible_vacancies(user)))
            .order_by(Vacancy.created_at.desc(), Vacancy.id.desc())
        )
    )


def applications(session: Session, vacancy_id: int) -> list[Application]:
    """The vacancy's applications, in the order they were added."""
    return list(
        session.scalars(select(Application).where(Application.vacancy_id == vacancy_id).order_by(Application.id))
    )


def applied_emails(session: Session, vacancy_id: int) -> dict[str, str]:
    """Email -> reference of the applications already held for a vacancy (anonymised ones have none)."""
    return {
        e: r
        for e, r in session.execute(
            select(Application.email, Application.reference).where(
                Application.vacancy_id == vacancy_id, Application.email != ""
            )
        )
    }


def next_reference_number(session: Session, vacancy_id: int) -> int:
    """One more than the highest C-nnn used on the vacancy."""
    numbers = [
        int(m.group(1))
        for r in session.scalars(select(Application.reference).where(Application.vacancy_id == vacancy_id))
        if (m := REFERENCE.match(r))
    ]
    return max(numbers, default=0) + 1


def account_for(session: Session, email: str) -> User | None:
    """The active portal account with this email, for an internal candidate who shares their portfolio."""
    user = people.find_by_email(session, email)
    return user if user is not None and user.active else None


def closed_on(session: Session, vacancy_ids: list[int]) -> dict[int, datetime]:
    """When each vacancy was closed, from the audit trail (the vacancy has no column for it)."""
    if not vacancy_ids:
        return {}
    found: dict[int, datetime] = {}
    rows = session.execute(
        select(AuditEvent.object_id, AuditEvent.at, AuditEvent.detail).where(
            AuditEvent.action == "vacancy_status_changed",
            AuditEvent.object_type == "vacancy",
            AuditEvent.object_id.in_([str(i) for i in vacancy_ids]),
        )
    )
    for object_id, at, detail in rows:
        if (detail or {}).get("to") == VacancyStatus.CLOSED.value:
            found[int(object_id)] = at
    return found
