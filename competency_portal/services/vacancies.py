"""Vacancies and applications: opening a vacancy, adding applications, moving the status, and
anonymising candidates' data once the retention period has passed.

Candidate names and contact details never go into the audit trail (it is kept for ever and cannot
be edited, so it would defeat anonymisation): records name applications by reference.
Callers commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competency_portal.models import (
    Application,
    AuditEvent,
    CriterionAnswer,
    Framework,
    FrameworkKind,
    FrameworkVersion,
    InvalidTransition,
    Item,
    PanelMember,
    Role,
    Team,
    User,
    UserRole,
    Vacancy,
    VacancyStatus,
)
from competency_portal.services import audit, people, portfolio_consent

MIN_PANEL = 2  # NHS practice: at least two shortlisters, the lead included
ADDING_STATUSES = (VacancyStatus.OPEN, VacancyStatus.SHORTLISTING)
REFERENCE = re.compile(r"^C-(\d+)$")
ANONYMISED_NAME = "Anonymised"

LIMITS = {"candidate_name": 200, "email": 254, "supporting_statement": 20_000, "answer": 5_000}


class VacancyError(Exception):
    """A rule refused the change; the message says why, in words for the person."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


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


def recruiter_choices(session: Session) -> list[User]:
    """Active people with the recruiter role, by name."""
    return list(
        session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.RECRUITER, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def team_choices(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))


def criteria(session: Session, version_id: int, method: str = "application") -> list[Item]:
    """The criteria of a person-specification version assessed by `method`, in document order."""
    from competency_portal.models import Domain

    items = session.scalars(
        select(Item)
        .join(Domain, Domain.id == Item.domain_id)
        .where(Item.version_id == version_id)
        .order_by(Domain.position, Item.position)
    ).all()
    return [i for i in items if method in (i.assessed_by or [])]


# -- vacancies --------------------------------------------------------------------------


@dataclass
class VacancyFields:
    title: str
    band: str | None
    team_id: int | None
    closing_on: date
    spec_version_id: int
    panel_ids: list[int] = field(default_factory=list)


def create_vacancy(session: Session, lead: User, fields: VacancyFields) -> Vacancy:
    """Open a vacancy led by `lead`, with its panel (the lead is always on it)."""
    if Role.RECRUITER not in lead.roles:
        raise VacancyError("Only recruiters can open a vacancy.")
    specs = {v.id: v for v in spec_choices(session)}
    if fields.spec_version_id not in specs:
        raise VacancyError("Choose a person specification from the list", "spec_version_id")
    recruiters = {u.id: u for u in recruiter_choices(session)}
    panel = {lead.id} | {i for i in fields.panel_ids}
    unknown = panel - set(recruiters)
    if unknown:
        raise VacancyError("Choose panel members from the list: they must be active recruiters", "panel")
    if len(panel) < MIN_PANEL:
        raise VacancyError(
            "Choose at least one other recruiter: a panel has at least two shortlisters, you included", "panel"
        )
    if fields.team_id is not None and session.get(Team, fields.team_id) is None:
        raise VacancyError("Choose a team from the list", "team_id")
    vacancy = Vacancy(
        title=fields.title,
        band=fields.band,
        team_id=fields.team_id,
        closing_on=fields.closing_on,
        spec_version_id=fields.spec_version_id,
        lead_id=lead.id,
        status=VacancyStatus.OPEN,
    )
    vacancy.panel = [PanelMember(user_id=uid) for uid in sorted(panel)]
    session.add(vacancy)
    session.flush()
    spec = specs[fields.spec_version_id]
    audit.record(
        session,
        actor_id=lead.id,
        action="vacancy_created",
        object_type="vacancy",
        object_id=vacancy.id,
        detail={
            "title": vacancy.title,
            "band": vacancy.band,
            "team_id": vacancy.team_id,
            "closing_on": vacancy.closing_on.isoformat(),
            "person_specification": spec.framework.slug,
            "spec_revision": spec.revision,
            "lead_id": lead.id,
            "panel": sorted(panel),
        },
    )
    return vacancy


def visible(session: Session, user: User) -> list[Vacancy]:
    """The vacancies this person leads or sits on, newest first."""
    from competency_portal import policy

    return list(
        session.scalars(
            select(Vacancy)
            .where(Vacancy.id.in_(policy.visible_vacancies(user)))
            .order_by(Vacancy.created_at.desc(), Vacancy.id.desc())
        )
    )


def next_status(vacancy: Vacancy) -> VacancyStatus | None:
    return Vacancy._NEXT.get(vacancy.status)


def advance(session: Session, vacancy: Vacancy, actor: User, to: VacancyStatus, seen_version: int) -> None:
    """Move a vacancy to its next status (the lead only); skipping a step is refused."""
    if vacancy.lead_id != actor.id:
        raise VacancyError("Only the shortlisting lead can move the vacancy on.")
    if vacancy.lock_version != seen_version:
        raise VacancyError("Someone else changed this vacancy while you were looking at it. Check it and try again.")
    before = vacancy.status
    try:
        vacancy.advance(to)
    except InvalidTransition as exc:
        raise VacancyError(str(exc)) from None
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="vacancy_status_changed",
        object_type="vacancy",
        object_id=vacancy.id,
        detail={"from": before.value, "to": to.value},
    )


# -- applications -----------------------------------------------------------------------


@dataclass
class ApplicationFields:
    candidate_name: str
    email: str
    supporting_statement: str
    internal: bool = False
    guaranteed_interview: bool = False
    portfolio_consent: bool = False
    answers: dict[int, str] = field(default_factory=dict)  # criterion item id -> text


def applications(session: Session, vacancy_id: int) -> list[Application]:
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


def reference(number: int) -> str:
    return f"C-{number:03d}"


def account_for(session: Session, email: str) -> User | None:
    """The active portal account with this email, for an internal candidate who shares their portfolio."""
    user = people.find_by_email(session, email)
    return user if user is not None and user.active else None


def check_can_add(vacancy: Vacancy, actor: User) -> None:
    if vacancy.lead_id != actor.id:
        raise VacancyError("Only the shortlisting lead can add applications.")
    if vacancy.status not in ADDING_STATUSES:
        raise VacancyError(f"Applications cannot be added to a vacancy that is {vacancy.status.value}.")


def build_application(
    session: Session, vacancy: Vacancy, fields: ApplicationFields, ref: str, criterion_ids: set[int]
) -> Application:
    """An application (not yet added). A wish to share links the candidate's portal account; only they can consent."""
    linked = account_for(session, fields.email) if fields.internal and fields.portfolio_consent else None
    if fields.portfolio_consent and linked is None:
        raise VacancyError(
            "Portfolio sharing needs an internal candidate with an active portal account under this email address",
            "portfolio_consent",
        )
    unknown = set(fields.answers) - criterion_ids
    if unknown:
        raise VacancyError("Answers can only be given for criteria assessed at application")
    application = Application(
        vacancy_id=vacancy.id,
        reference=ref,
        candidate_name=fields.candidate_name,
        email=people.normalise_email(fields.email),
        supporting_statement=fields.supporting_statement,
        internal=fields.internal,
        guaranteed_interview=fields.guaranteed_interview,
        internal_user_id=linked.id if linked else None,
        portfolio_consent=False,
    )
    application.answers = [
        CriterionAnswer(item_id=i, text=t) for i, t in sorted(fields.answers.items()) if t and t.strip()
    ]
    return application


def add_application(
    session: Session, vacancy: Vacancy, actor: User, fields: ApplicationFields, mail: dict | None = None
) -> Application:
    """Add one application with the next reference (the lead only, while open or shortlisting).

    An internal candidate who wants to share their portfolio is asked to agree in the portal (`mail`: email them too).
    """
    check_can_add(vacancy, actor)
    if people.normalise_email(fields.email) in applied_emails(session, vacancy.id):
        raise VacancyError("An application with this email address has already been added to this vacancy", "email")
    ids = {c.id for c in criteria(session, vacancy.spec_version_id)}
    application = build_application(
        session, vacancy, fields, reference(next_reference_number(session, vacancy.id)), ids
    )
    session.add(application)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="application_added",
        object_type="application",
        object_id=application.id,
        detail=_application_detail(vacancy, application),
    )
    if application.internal_user_id:
        portfolio_consent.ask(session, actor, vacancy, application, mail)
    return application


def _application_detail(vacancy: Vacancy, application: Application) -> dict:
    # No name, email or text: the audit trail outlives the retention period.
    return {
        "vacancy_id": vacancy.id,
        "reference": application.reference,
        "internal": application.internal,
        "guaranteed_interview": application.guaranteed_interview,
        "criteria_answered": len(application.answers),
        "portfolio_consent": application.portfolio_consent,
    }


# -- retention --------------------------------------------------------------------------


@dataclass
class PurgeResult:
    vacancies: list[int] = field(default_factory=list)
    applications: int = 0


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


def count_applications(session: Session, vacancy_id: int) -> int:
    return (
        session.scalar(select(func.count()).select_from(Application).where(Application.vacancy_id == vacancy_id)) or 0
    )
