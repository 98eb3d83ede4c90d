"""Appraisal (PDR): who may see a review, who takes part in it, who starts one and chooses its appraiser.

The person and their appraiser take part: they change the objectives, agree them, record
progress and sign. Administrators may see every review (and start one, choosing the appraiser)
but take no part. Everyone else is told the review does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from competency_portal.models import Appraisal, AppraisalState, Objective, ProgressNote, Role, User
from competency_portal.policy.people import can_view_person, supervises
from competency_portal.policy.routes import require

PERSON = "person"
APPRAISER = "appraiser"


def appraisal_side(user: User, appraisal: Appraisal) -> str | None:
    """The side the person takes: PERSON or APPRAISER; None for anyone else."""
    if user.id == appraisal.user_id:
        return PERSON
    if user.id == appraisal.appraiser_id:
        return APPRAISER
    return None


def is_appraiser(user: User, appraisal: Appraisal) -> bool:
    """Whether `user` is the appraisal's appraiser (who writes the year-end summary)."""
    return appraisal_side(user, appraisal) == APPRAISER


def takes_part(user: User, appraisal: Appraisal) -> bool:
    """Whether `user` takes part (the person or the appraiser)."""
    return appraisal_side(user, appraisal) is not None


def can_view_appraisal(user: User, appraisal: Appraisal) -> bool:
    """The person, their appraiser and administrators."""
    return takes_part(user, appraisal) or Role.ADMIN in user.roles


def can_start_appraisal(session: Session, actor: User, person: User, today: date) -> bool:
    """The person's supervisor (or their deputy), or an administrator; never the person themself."""
    if actor.id == person.id:
        return False
    return Role.ADMIN in actor.roles or supervises(session, actor, person.id, today)


def chooses_appraiser(user: User) -> bool:
    """Administrators choose the appraiser (from the supervisors); a supervisor who starts one holds it."""
    return Role.ADMIN in user.roles


# -- loaders ------------------------------------------------------------------------------


def appraisal_for(session: Session, viewer: User, appraisal_id: int) -> Appraisal:
    """The appraisal (with its people, objectives and progress notes) if `viewer` may see it; else 404."""
    appraisal = session.scalar(
        select(Appraisal)
        .where(Appraisal.id == appraisal_id)
        .options(
            selectinload(Appraisal.person),
            selectinload(Appraisal.appraiser),
            selectinload(Appraisal.objectives).selectinload(Objective.progress).selectinload(ProgressNote.author),
        )
    )
    require(appraisal is not None and can_view_appraisal(viewer, appraisal))
    return appraisal


def appraisal_to_change(session: Session, viewer: User, appraisal_id: int) -> Appraisal:
    """The appraisal, for its person or appraiser: 404 to those who may not see it, 403 to others who may."""
    appraisal = appraisal_for(session, viewer, appraisal_id)
    require(takes_part(viewer, appraisal), 403)
    return appraisal


def appraisee_for(session: Session, viewer: User, person_id: int, today: date) -> User:
    """The person whose appraisal `viewer` may start; else 404."""
    person = session.get(User, person_id)
    require(person is not None and can_start_appraisal(session, viewer, person, today))
    return person


# -- what the review page offers ----------------------------------------------------------


@dataclass(frozen=True)
class AppraisalRights:
    """What one person may do on one appraisal now: the flags the review page shows its controls by.

    Whether the review's content allows a step (a summary written, words unchanged since the other
    side signed) is for the services, which say why not.
    """

    party: bool  # the person or the appraiser
    side: str | None  # "person" or "appraiser"; None for an administrator looking on
    change: bool  # change, add and remove objectives (until both have signed)
    record_progress: bool  # once the objectives are agreed
    agreed: bool  # this side has agreed the objectives
    write_summary: bool  # the appraiser, once the objectives are agreed
    sign: bool  # either side, once the objectives are agreed
    signed: bool  # this side's signature is on the review (perhaps over words since changed)
    sees_dashboard: bool  # may open the person's dashboard


def appraisal_rights(session: Session, viewer: User, appraisal: Appraisal, today: date) -> AppraisalRights:
    """The viewer's rights on an appraisal they can see."""
    side = appraisal_side(viewer, appraisal)
    party = side is not None
    agreed = appraisal.state == AppraisalState.AGREED
    return AppraisalRights(
        party=party,
        side=side,
        change=party and appraisal.state != AppraisalState.SIGNED,
        record_progress=party and agreed,
        agreed=party and bool(getattr(appraisal, f"agreed_by_{side}_at")),
        write_summary=side == APPRAISER and agreed,
        sign=party and agreed,
        signed=party and bool(getattr(appraisal, f"signed_by_{side}_at")),
        sees_dashboard=can_view_person(session, viewer, appraisal.user_id, today),
    )
