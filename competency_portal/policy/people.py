"""Supervision scope, people and evidence: who may see whose record, and who may sign off what."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from competency_portal.models import Deputy, Evidence, EvidenceState, Role, SignOff, Supervision, User, UserRole

# -- roles --------------------------------------------------------------------------------


def holders(session: Session, role: Role) -> list[User]:
    """Active people who hold `role`, by name."""
    return list(
        session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def holds(user: User, role: Role) -> bool:
    """Whether `user` holds `role`."""
    return role in user.roles


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
