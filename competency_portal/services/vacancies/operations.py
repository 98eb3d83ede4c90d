"""Opening a vacancy, moving it on, and adding applications: each change audited, in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from competency_portal import policy
from competency_portal.models import (
    Application,
    CriterionAnswer,
    InvalidTransition,
    PanelMember,
    Role,
    Team,
    User,
    Vacancy,
    VacancyStatus,
)
from competency_portal.services import audit, people, portfolio_consent
from competency_portal.services.vacancies.queries import (
    account_for,
    applied_emails,
    criteria,
    next_reference_number,
    spec_choices,
)
from competency_portal.services.vacancies.rules import (
    BUSY,
    MIN_PANEL,
    VacancyError,
    application_detail,
    check_can_add,
    reference,
)


def _flush(session: Session) -> None:
    """Write now, so that someone else's change at the same moment is a refusal (BUSY), not an error."""
    try:
        session.flush()
    except (IntegrityError, StaleDataError):
        raise VacancyError(BUSY) from None


# -- vacancies --------------------------------------------------------------------------


@dataclass
class VacancyFields:
    """A new vacancy, as the form gives it."""

    title: str
    band: str | None
    team_id: int | None
    closing_on: date
    spec_version_id: int
    panel_ids: list[int] = field(default_factory=list)


def create_vacancy(session: Session, lead: User, fields: VacancyFields) -> Vacancy:
    """Open a vacancy led by `lead`, with its panel (the lead is always on it)."""
    if not policy.may_lead_recruitment(lead):
        raise VacancyError("Only recruiters can open a vacancy.")
    specs = {v.id: v for v in spec_choices(session)}
    if fields.spec_version_id not in specs:
        raise VacancyError("Choose a person specification from the list", "spec_version_id")
    recruiters = {u.id: u for u in policy.holders(session, Role.RECRUITER)}
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


def advance(session: Session, vacancy: Vacancy, actor: User, to: VacancyStatus, seen_version: int) -> None:
    """Move a vacancy to its next status (the lead only); skipping a step is refused."""
    if not policy.is_vacancy_lead(actor, vacancy):
        raise VacancyError("Only the shortlisting lead can move the vacancy on.")
    if vacancy.lock_version != seen_version:
        raise VacancyError("Someone else changed this vacancy while you were looking at it. Check it and try again.")
    before = vacancy.status
    try:
        vacancy.advance(to)
    except InvalidTransition as exc:
        raise VacancyError(str(exc)) from None
    _flush(session)
    audit.record(
        session,
        actor_id=actor.id,
        action="vacancy_status_changed",
        object_type="vacancy",
        object_id=vacancy.id,
        detail={"from": before.value, "to": to.value},
    )
    _flush(session)


# -- applications -----------------------------------------------------------------------


@dataclass
class ApplicationFields:
    """One application, as the form or a row of an import gives it."""

    candidate_name: str
    email: str
    supporting_statement: str
    internal: bool = False
    guaranteed_interview: bool = False
    portfolio_consent: bool = False
    answers: dict[int, str] = field(default_factory=dict)  # criterion item id -> text


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
    _flush(session)
    audit.record(
        session,
        actor_id=actor.id,
        action="application_added",
        object_type="application",
        object_id=application.id,
        detail=application_detail(vacancy, application),
    )
    if application.internal_user_id:
        portfolio_consent.ask(session, actor, vacancy, application, mail)
    _flush(session)
    return application
