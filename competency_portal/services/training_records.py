"""Recording mandatory training, professional registration and DBS checks.

Each is a new row (records are never overwritten; the newest counts) and is audited. Nothing
here commits: the caller does.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal.models import DbsCheck, Registration, TrainingRecord, TrainingSubject, User
from competency_portal.services import audit
from competency_portal.services.training_rules import DBS_LEVELS, NOTE_MAX


class TrainingError(ValueError):
    """A training entry that cannot be saved, with a sentence saying what to fix."""


def add_record(
    session: Session,
    person: User,
    subject_slug: str,
    completed_on: date,
    expires_on: date | None,
    note: str | None,
    actor: User,
    today: date,
) -> TrainingRecord:
    """Record a completion as a new row (records are never overwritten) and audit it."""
    subject = session.scalar(
        select(TrainingSubject).where(TrainingSubject.slug == subject_slug, TrainingSubject.retired.is_(False))
    )
    if subject is None:
        raise TrainingError("Choose a training subject from the list")
    if completed_on > today:
        raise TrainingError("The date completed must be today or in the past")
    if expires_on is not None and expires_on <= completed_on:
        raise TrainingError("The certificate expiry date must be after the date completed")
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise TrainingError(f"The note must be {NOTE_MAX} characters or fewer")
    record = TrainingRecord(
        user_id=person.id,
        subject_id=subject.id,
        completed_on=completed_on,
        expires_on=expires_on,
        note=note,
        recorded_by_id=actor.id,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="training_recorded",
        object_type="training_record",
        object_id=record.id,
        subject_id=person.id,
        detail={"subject": subject.slug, "completed_on": completed_on, "expires_on": expires_on},
    )
    return record


def add_registration(
    session: Session, person: User, body: str, number: str, renewal_on: date, actor: User
) -> Registration:
    """Record the person's current registration; earlier entries are kept and the newest counts."""
    body, number = body.strip(), number.strip()
    if not body or not number:
        raise TrainingError("Enter the registration body and number")
    registration = Registration(user_id=person.id, body=body, number=number, renewal_on=renewal_on)
    session.add(registration)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="registration_recorded",
        object_type="registration",
        object_id=registration.id,
        subject_id=person.id,
        detail={"body": body, "number": number, "renewal_on": renewal_on},
    )
    return registration


def add_dbs_check(
    session: Session,
    person: User,
    checked_on: date,
    level: str,
    certificate_number: str | None,
    actor: User,
    today: date,
) -> DbsCheck:
    """Record a DBS check; earlier checks are kept and the latest counts."""
    if level not in DBS_LEVELS:
        raise TrainingError("Choose the level of the DBS check")
    if checked_on > today:
        raise TrainingError("The date of the DBS check must be today or in the past")
    check = DbsCheck(
        user_id=person.id,
        checked_on=checked_on,
        level=level,
        certificate_number=(certificate_number or "").strip() or None,
    )
    session.add(check)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="dbs_check_recorded",
        object_type="dbs_check",
        object_id=check.id,
        subject_id=person.id,
        detail={"checked_on": checked_on, "level": level},
    )
    return check
