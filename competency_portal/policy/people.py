"""Supervision scope, people and evidence: who may see whose record, and who may sign off what.

Besides the questions (`can_view_person`, `can_decide`, ...), the loaders built on them: "the
person (the evidence, the sign-off) this viewer may see, else 404", and who holds a role.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask import abort
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import ORMOption

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


def deputy_candidates(session: Session, supervisor: User) -> list[User]:
    """Whom a supervisor may name to cover for them: the other active supervisors, by name."""
    return [person for person in holders(session, Role.SUPERVISOR) if person.id != supervisor.id]


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


def is_own(user: User, person_id: int) -> bool:
    """Whether the person is looking at their own record (their page says "you", not their name)."""
    return user.id == person_id


def can_view_person(session: Session, user: User, person_id: int, today: date) -> bool:
    """Staff see their own record; supervisors their supervisees'; administrators everyone's."""
    return user.id == person_id or Role.ADMIN in user.roles or supervises(session, user, person_id, today)


def sees_organisation(user: User) -> bool:
    """Whether a person sees the organisation's figures (the organisation view, and the API's figures)."""
    return Role.ADMIN in user.roles


def visible_people(session: Session, user: User, today: date) -> Select:
    """A query for the people `user` may see, as `can_view_person` decides one at a time."""
    people = select(User).where(User.active.is_(True))
    if Role.ADMIN in user.roles:
        return people
    return people.where(or_(User.id == user.id, User.id.in_(supervisees(session, user.id, today))))


def can_view_evidence(session: Session, user: User, evidence: Evidence, today: date) -> bool:
    """The owner, the owner's supervisor (or deputy) and administrators."""
    return can_view_person(session, user, evidence.owner_id, today)


def owns_evidence(user: User, evidence: Evidence) -> bool:
    """Whether the person recorded this evidence (only they change or submit it; never decide on it)."""
    return evidence.owner_id == user.id


def can_edit_evidence(user: User, evidence: Evidence) -> bool:
    """Only the owner, and only while the workflow allows changes."""
    return owns_evidence(user, evidence) and evidence.editable


def can_submit_evidence(user: User, evidence: Evidence) -> bool:
    """The owner, while the evidence is a draft or has been returned for changes."""
    return owns_evidence(user, evidence) and evidence.state in (EvidenceState.DRAFT, EvidenceState.RETURNED)


def can_review(session: Session, user: User, evidence: Evidence, today: date) -> bool:
    """Who may open the review page: someone who may see the evidence and did not record it."""
    return not owns_evidence(user, evidence) and can_view_evidence(session, user, evidence, today)


def can_decide(session: Session, user: User, evidence: Evidence, today: date) -> bool:
    """The owner's supervisor or their active deputy; never the owner."""
    return (
        not owns_evidence(user, evidence)
        and evidence.state == EvidenceState.SUBMITTED
        and supervises(session, user, evidence.owner_id, today)
    )


def can_revoke(user: User, sign_off: SignOff) -> bool:
    """The signer, or an administrator; never the evidence's owner."""
    if owns_evidence(user, sign_off.evidence):
        return False
    return sign_off.signer_id == user.id or Role.ADMIN in user.roles


def visible_evidence(session: Session, user: User, today: date) -> Select:
    """A query for the evidence ids this person may see."""
    if Role.ADMIN in user.roles:
        return select(Evidence.id)
    return select(Evidence.id).where(
        or_(Evidence.owner_id == user.id, Evidence.owner_id.in_(supervisees(session, user.id, today)))
    )


# -- loaders: the object this viewer may see, else 404 ----------------------------------------
# 404 rather than 403 (as `routes.require` does), so as not to reveal that the object exists.


def person_for(session: Session, viewer: User, person_id: int, today: date) -> User:
    """The person whose record the viewer may see (`can_view_person`), else 404."""
    person = session.get(User, person_id)
    if person is None or not can_view_person(session, viewer, person.id, today):
        abort(404)
    return person


def evidence_for(
    session: Session,
    viewer: User,
    evidence_id: int,
    today: date,
    *,
    purpose: str = "see",
    options: Sequence[ORMOption] = (),
) -> Evidence:
    """Evidence the viewer may open for `purpose`, loaded with `options`, else 404.

    "see": `can_view_evidence`; "own": only their own (to change or submit it); "review": the
    review page (`can_review`).
    """
    evidence = session.scalar(select(Evidence).where(Evidence.id == evidence_id).options(*options))
    if evidence is None:
        abort(404)
    allowed = {
        "see": lambda: can_view_evidence(session, viewer, evidence, today),
        "own": lambda: owns_evidence(viewer, evidence),
        "review": lambda: can_review(session, viewer, evidence, today),
    }[purpose]
    if not allowed():
        abort(404)
    return evidence


def sign_off_for_revoking(session: Session, viewer: User, sign_off_id: int) -> SignOff:
    """A sign-off the viewer may revoke (`can_revoke`), with its evidence, else 404."""
    sign_off = session.scalar(select(SignOff).where(SignOff.id == sign_off_id).options(selectinload(SignOff.evidence)))
    if sign_off is None or not can_revoke(viewer, sign_off):
        abort(404)
    return sign_off
