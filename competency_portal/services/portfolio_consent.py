"""An internal candidate's own consent to share their verified portfolio with a shortlisting panel.

A recruiter can only ask: when an application says the candidate wants to share, it is linked to
the candidate's portal account and the candidate is told. The panel sees nothing until the
candidate agrees, here, signed in as themself; they may decline, or stop sharing at any time.
Declining or stopping unlinks the account, so the request leaves their list and the panel's view.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal.models import Application, User, Vacancy, VacancyStatus
from competency_portal.services import audit, notify


class ShareNotFound(LookupError):
    """No share request of this person's has that id (someone else's, or gone): the view answers 404."""


class ShareRefused(ValueError):
    """A response that cannot be taken now; the message says why."""


@dataclass(frozen=True)
class ShareRequest:
    """A panel's request to see one person's verified portfolio, and whether they agreed."""

    application_id: int
    vacancy_title: str
    vacancy_band: str | None
    vacancy_status: VacancyStatus
    shared: bool

    @property
    def can_share(self) -> bool:
        """Sharing is possible until the vacancy closes."""
        return self.vacancy_status != VacancyStatus.CLOSED


def ask(session: Session, actor: User, vacancy: Vacancy, application: Application, mail: dict | None = None) -> None:
    """Tell a linked internal candidate that the panel asks to see their portfolio (inside the caller's transaction)."""
    candidate = session.get(User, application.internal_user_id)
    notify.notify(
        session,
        candidate,
        f"The shortlisting panel for {vacancy.title} asks to see your verified portfolio. "
        "Nothing is shared until you agree.",
        about=("sharing", None),
        mail=mail,
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="portfolio_share_requested",
        object_type="application",
        object_id=application.id,
        subject_id=candidate.id,
        detail={"vacancy_id": vacancy.id, "reference": application.reference},
    )


def requests_for(session: Session, user: User) -> list[ShareRequest]:
    """Every open request to see this person's portfolio, newest first."""
    rows = session.execute(
        select(Application.id, Vacancy.title, Vacancy.band, Vacancy.status, Application.portfolio_consent)
        .join(Vacancy, Vacancy.id == Application.vacancy_id)
        .where(Application.internal_user_id == user.id, Application.anonymised_at.is_(None))
        .order_by(Application.id.desc())
    ).all()
    return [ShareRequest(*row) for row in rows]


def respond(session: Session, user: User, application_id: int, share: bool) -> Application:
    """The candidate shares (share=True), or declines or stops sharing (False).

    Raises ShareNotFound for anyone else's request.
    """
    application = session.scalar(
        select(Application)
        .where(
            Application.id == application_id,
            Application.internal_user_id == user.id,
            Application.anonymised_at.is_(None),
        )
        .with_for_update()
    )
    if application is None:
        raise ShareNotFound(application_id)
    vacancy = session.get(Vacancy, application.vacancy_id)
    detail = {"vacancy_id": vacancy.id, "reference": application.reference}
    if share:
        if vacancy.status == VacancyStatus.CLOSED:
            raise ShareRefused(f"{vacancy.title} has closed, so your portfolio can no longer be shared for it.")
        if not application.portfolio_consent:
            application.portfolio_consent = True
            audit.record(
                session,
                actor_id=user.id,
                action="portfolio_shared",
                object_type="application",
                object_id=application.id,
                subject_id=user.id,
                detail=detail,
            )
        return application
    was_shared = application.portfolio_consent
    application.portfolio_consent = False
    application.internal_user_id = None
    audit.record(
        session,
        actor_id=user.id,
        action="portfolio_sharing_stopped" if was_shared else "portfolio_share_declined",
        object_type="application",
        object_id=application.id,
        subject_id=user.id,
        detail=detail,
    )
    return application
