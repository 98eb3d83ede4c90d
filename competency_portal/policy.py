"""Who may see and do what: the one place permissions are decided.

Every view declares a rule with `@policy.rule(...)`; the app refuses to start if a route has
none, and `enforce` applies it before the view runs. Object-level questions (may this person see
this evidence?) are answered by the functions below, which views and queries both use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from flask import Flask, abort, request
from flask_login import current_user
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from competency_portal.extensions import login_manager
from competency_portal.models import Deputy, Evidence, EvidenceState, Role, SignOff, Supervision, User

PUBLIC = "public"
SIGNED_IN = "signed_in"
STAFF = "staff"
SUPERVISING = "supervising"  # a supervisor, or a deputy while covering
ADMIN = "admin"
RECRUITER = "recruiter"
RULES = {PUBLIC, SIGNED_IN, STAFF, SUPERVISING, ADMIN, RECRUITER}


def rule(name: str) -> Callable:
    """Declare who may reach a view."""
    if name not in RULES:
        raise ValueError(f"unknown policy rule {name!r}")

    def decorate(view: Callable) -> Callable:
        view.policy_rule = name
        return view

    return decorate


def rule_for(view: Callable) -> str | None:
    """The rule a view declared (following wrappers), or None."""
    while view is not None:
        found = getattr(view, "policy_rule", None)
        if found:
            return found
        view = getattr(view, "__wrapped__", None)
    return None


def init_app(app: Flask, session_factory: Callable[[], Session], today: Callable[[], date]) -> None:
    """Check every route has a rule (at first request) and enforce rules before each view."""

    @app.before_request
    def enforce() -> None:
        if request.endpoint is None or request.endpoint == "static":
            return
        view = app.view_functions[request.endpoint]
        name = rule_for(view)
        if name is None:
            abort(500)  # unreachable once check_routes has passed; never serve an unruled view
        if name == PUBLIC:
            return
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not allowed(session_factory(), current_user, name, today()):
            abort(403)


def check_routes(app: Flask) -> list[str]:
    """Endpoints with no declared rule (the app refuses to start if there are any)."""
    return sorted(ep for ep, view in app.view_functions.items() if ep != "static" and rule_for(view) is None)


def allowed(session: Session, user: User, name: str, today: date) -> bool:
    """Whether a signed-in person passes a route rule."""
    roles = user.roles
    if name == SIGNED_IN:
        return True
    if name == STAFF:
        return Role.STAFF in roles
    if name == ADMIN:
        return Role.ADMIN in roles
    if name == RECRUITER:
        return Role.RECRUITER in roles
    if name == SUPERVISING:
        return Role.SUPERVISOR in roles or is_covering(session, user.id, today)
    return False


def can_set_target_role(user: User) -> bool:
    """Administrators set a person's target role (on the person's administration page)."""
    return Role.ADMIN in user.roles


# -- supervision scope ------------------------------------------------------------------


def is_covering(session: Session, user_id: int, today: date) -> bool:
    """Whether the person is deputising for someone today."""
    return (
        session.scalar(
            select(Deputy.id)
            .where(Deputy.deputy_id == user_id, Deputy.starts_on <= today, Deputy.ends_on >= today)
            .limit(1)
        )
        is not None
    )


def acting_for(session: Session, user_id: int, today: date) -> Select:
    """Ids of the supervisors whose rights this person holds today: themself and anyone they cover."""
    covered = select(Deputy.supervisor_id).where(
        Deputy.deputy_id == user_id, Deputy.starts_on <= today, Deputy.ends_on >= today
    )
    return select(User.id).where(or_(User.id == user_id, User.id.in_(covered)))


def supervisees(session: Session, user_id: int, today: date) -> Select:
    """A query for the ids of people this person supervises today (directly or as a deputy)."""
    return select(Supervision.supervisee_id).where(
        Supervision.supervisor_id.in_(acting_for(session, user_id, today)),
        Supervision.starts_on <= today,
        or_(Supervision.ends_on.is_(None), Supervision.ends_on >= today),
        Supervision.supervisee_id != user_id,
    )


def supervises(session: Session, user: User, person_id: int, today: date) -> bool:
    """Whether `user` supervises (or covers for the supervisor of) `person_id` today."""
    return (
        session.scalar(supervisees(session, user.id, today).where(Supervision.supervisee_id == person_id).limit(1))
        is not None
    )


# -- people and evidence ----------------------------------------------------------------


def can_view_person(session: Session, user: User, person_id: int, today: date) -> bool:
    """Staff see their own record; supervisors their supervisees'; administrators everyone's."""
    return user.id == person_id or Role.ADMIN in user.roles or supervises(session, user, person_id, today)


def can_view_evidence(session: Session, user: User, evidence: Evidence, today: date) -> bool:
    """The owner, the owner's supervisor (or deputy) and administrators."""
    return can_view_person(session, user, evidence.owner_id, today)


def can_edit_evidence(user: User, evidence: Evidence) -> bool:
    """Only the owner, and only while the workflow allows changes."""
    return evidence.owner_id == user.id and evidence.editable


def can_decide(session: Session, user: User, evidence: Evidence, today: date) -> bool:
    """The owner's supervisor or their active deputy; never the owner."""
    return (
        evidence.owner_id != user.id
        and evidence.state == EvidenceState.SUBMITTED
        and supervises(session, user, evidence.owner_id, today)
    )


def can_revoke(user: User, sign_off: SignOff) -> bool:
    """The signer, or an administrator; never the evidence's owner."""
    if sign_off.evidence.owner_id == user.id:
        return False
    return sign_off.signer_id == user.id or Role.ADMIN in user.roles


def visible_evidence(session: Session, user: User, today: date) -> Select:
    """A query for the evidence ids this person may see."""
    if Role.ADMIN in user.roles:
        return select(Evidence.id)
    return select(Evidence.id).where(
        or_(Evidence.owner_id == user.id, Evidence.owner_id.in_(supervisees(session, user.id, today)))
    )


def require(condition: bool, status: int = 404) -> None:
    """Stop with `status` (404 by default, so as not to reveal that an object exists)."""
    if not condition:
        abort(status)


# -- recruitment (vacancies) ------------------------------------------------------------
# Recruiters see only the vacancies they lead or sit on. Administrators administer people and
# frameworks, not recruitment: they see a vacancy only if they are its lead or on its panel (and
# hold the recruiter role, which every recruitment route requires). Staff and supervisors never
# see recruitment data.


def on_panel(user: User, vacancy) -> bool:
    """Whether the person leads the vacancy or sits on its panel."""
    return vacancy.lead_id == user.id or any(m.user_id == user.id for m in vacancy.panel)


def can_see_vacancy(user: User, vacancy) -> bool:
    """A recruiter who leads the vacancy or sits on its panel."""
    return Role.RECRUITER in user.roles and on_panel(user, vacancy)


def is_vacancy_lead(user: User, vacancy) -> bool:
    """The shortlisting lead: the one who adds applications, moves the status and decides."""
    return Role.RECRUITER in user.roles and vacancy.lead_id == user.id


def visible_vacancies(user: User) -> Select:
    """A query for the ids of the vacancies this person may see."""
    from sqlalchemy import false

    from competency_portal.models import PanelMember, Vacancy

    if Role.RECRUITER not in user.roles:
        return select(Vacancy.id).where(false())
    on = select(PanelMember.vacancy_id).where(PanelMember.user_id == user.id)
    return select(Vacancy.id).where(or_(Vacancy.lead_id == user.id, Vacancy.id.in_(on)))


@dataclass(frozen=True)
class VacancyRights:
    """What one person may do on one vacancy now: the flags views check and templates show links by.

    Templates never compare roles or owners; they read these. Whether the data allows a step yet
    (every member submitted, nothing left to moderate) is for the services, which say why not.
    """

    lead: bool  # leads the shortlisting: adds applications, moves the status, moderates, decides, agrees
    panel: bool  # sits on the panel, so scores
    add_applications: bool
    advance: bool  # may move the vacancy to its next status now
    score: bool  # may still change their own scores
    sees_scores: bool  # sees the panel's scores, the ranking and the exports
    moderate: bool
    decide: bool
    agree: bool


def vacancy_rights(user: User, vacancy, member) -> VacancyRights:
    """The person's rights on a vacancy they can see; `member` is their PanelMember row, or None."""
    from competency_portal.models import VacancyStatus

    lead = is_vacancy_lead(user, vacancy)
    panel = member is not None and Role.RECRUITER in user.roles
    sees = member.scores_submitted_at is not None if member is not None else lead
    shortlisting = vacancy.status == VacancyStatus.SHORTLISTING and not vacancy.names_visible
    nxt = {
        VacancyStatus.OPEN: True,
        VacancyStatus.SHORTLISTING: vacancy.names_visible,
        VacancyStatus.INTERVIEWING: True,
    }
    return VacancyRights(
        lead=lead,
        panel=panel,
        add_applications=lead and vacancy.status in (VacancyStatus.OPEN, VacancyStatus.SHORTLISTING),
        advance=lead and nxt.get(vacancy.status, False),
        score=panel and member.scores_submitted_at is None and shortlisting,
        sees_scores=sees,
        moderate=lead and sees and shortlisting,
        decide=lead and sees and shortlisting,
        agree=lead and sees and shortlisting,
    )
