"""Recruitment: who recruits, which vacancies a recruiter sees, and what they may do on each.

Loaders (`vacancy_for`, `application_for`) return the object the viewer may see, or stop with 404
so as not to reveal that it exists; `rights_on` says what the viewer may do on a vacancy now.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from competency_portal.models import Application, PanelMember, Role, User, Vacancy, VacancyStatus
from competency_portal.policy.people import holders, holds
from competency_portal.policy.routes import require

# -- recruiters -------------------------------------------------------------------------


def may_lead_recruitment(user: User) -> bool:
    """Recruiters open vacancies (and lead them) and sit on panels."""
    return holds(user, Role.RECRUITER)


def panel_candidates(session: Session, lead: User) -> list[User]:
    """Whom the lead may put on a vacancy's panel besides themself: the other active recruiters, by name."""
    return [person for person in holders(session, Role.RECRUITER) if person.id != lead.id]


# -- vacancies --------------------------------------------------------------------------
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


def sees_panel_scores(vacancy, member, user_id: int) -> bool:
    """Whether someone who may see the vacancy sees the panel's scores: once they have submitted
    their own (`member` is their PanelMember row), or as its lead when not scoring."""
    return member.scores_submitted_at is not None if member is not None else vacancy.lead_id == user_id


# -- loaders ----------------------------------------------------------------------------


def vacancy_for(session: Session, viewer: User, vacancy_id: int) -> Vacancy:
    """The vacancy, if the viewer leads it or sits on its panel (404 otherwise)."""
    vacancy = session.get(Vacancy, vacancy_id)
    require(vacancy is not None and can_see_vacancy(viewer, vacancy))
    return vacancy


def rights_on(viewer: User, vacancy, panel=None) -> VacancyRights:
    """The viewer's rights on a vacancy they may see.

    Their panel row is looked for in `panel` (the vacancy's PanelMember rows, when a page has
    already loaded them), else in `vacancy.panel`.
    """
    rows = vacancy.panel if panel is None else panel
    member = next((m for m in rows if m.user_id == viewer.id), None)
    return vacancy_rights(viewer, vacancy, member)


def application_for(session: Session, vacancy: Vacancy, application_id: int) -> Application:
    """One of the vacancy's applications (404 for any other, so as not to reveal it exists)."""
    application = session.get(Application, application_id)
    require(application is not None and application.vacancy_id == vacancy.id)
    return application
