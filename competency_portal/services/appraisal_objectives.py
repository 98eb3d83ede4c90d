"""Appraisal (PDR) operations on objectives: change, add and remove them, and record progress.

One function per change, each auditing it. Changing agreed objectives sends them back to draft
and withdraws any signature given. Every change names the version of the appraisal the person
saw, as in `appraisal`, and touches the appraisal row so that its version moves. Nothing here
commits: the caller does.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from competency_portal.models import Appraisal, AppraisalState, Objective, ObjectiveStatus, ProgressNote, User
from competency_portal.services.appraisal import flush, record
from competency_portal.services.appraisal_queries import role_item_ids
from competency_portal.services.appraisal_rules import AppraisalError, check_objective, guard


def _touch(appraisal: Appraisal) -> None:
    """Make the flush update the appraisal row, so its version moves with any change inside it."""
    flag_modified(appraisal, "year")


def _reopen_if_agreed(session: Session, appraisal: Appraisal, actor: User) -> bool:
    """Changing agreed objectives sends them back to draft; any signature given is withdrawn."""
    if appraisal.state != AppraisalState.AGREED:
        return False
    signed = [side for side in ("person", "appraiser") if getattr(appraisal, f"signed_by_{side}_at")]
    appraisal.reopen()
    appraisal.signed_by_person_at = appraisal.signed_by_appraiser_at = None
    appraisal.signed_digest = None
    record(session, actor, appraisal, "appraisal_reopened", signatures_withdrawn=signed)
    return True


def _allowed_items(session: Session, appraisal: Appraisal, item_ids: list[int], already: list[int]) -> list[int]:
    allowed = set(role_item_ids(session, appraisal.person.target_role).values()) | set(already)
    unknown = [i for i in item_ids if i not in allowed]
    if unknown:
        raise AppraisalError("Link only items from the person's role profile")
    return sorted(set(item_ids))


def edit_objective(
    session: Session,
    appraisal: Appraisal,
    objective: Objective,
    actor: User,
    seen_version: int,
    *,
    title: str,
    description: str | None,
    due_on: date | None,
    item_ids: list[int],
) -> bool:
    """Change an objective; returns True if that reopened agreed objectives."""
    guard(appraisal, actor, seen_version)
    if objective.appraisal_id != appraisal.id:
        raise AppraisalError("That objective is not part of this appraisal.")
    title, description = check_objective(title, description)
    item_ids = _allowed_items(session, appraisal, item_ids, objective.item_ids or [])
    before = {
        "title": objective.title,
        "description": objective.description,
        "due_on": objective.due_on,
        "item_ids": objective.item_ids,
    }
    after = {"title": title, "description": description, "due_on": due_on, "item_ids": item_ids}
    if before == after:
        return False
    reopened = _reopen_if_agreed(session, appraisal, actor)
    objective.title, objective.description, objective.due_on, objective.item_ids = title, description, due_on, item_ids
    _touch(appraisal)
    flush(session)
    record(session, actor, appraisal, "objective_changed", objective=objective.id, before=before, after=after)
    return reopened


def add_objective(
    session: Session,
    appraisal: Appraisal,
    actor: User,
    seen_version: int,
    *,
    title: str,
    description: str | None,
    due_on: date | None,
    item_ids: list[int],
) -> tuple[Objective, bool]:
    """Add an objective; returns it and whether that reopened agreed objectives."""
    guard(appraisal, actor, seen_version)
    title, description = check_objective(title, description)
    item_ids = _allowed_items(session, appraisal, item_ids, [])
    reopened = _reopen_if_agreed(session, appraisal, actor)
    objective = Objective(
        title=title,
        description=description,
        due_on=due_on,
        item_ids=item_ids,
        status=ObjectiveStatus.NOT_STARTED,
        position=max((o.position for o in appraisal.objectives), default=0) + 1,
    )
    appraisal.objectives.append(objective)
    _touch(appraisal)
    flush(session)
    record(
        session,
        actor,
        appraisal,
        "objective_added",
        objective=objective.id,
        title=title,
        due_on=due_on,
        item_ids=item_ids,
    )
    return objective, reopened


def remove_objective(
    session: Session, appraisal: Appraisal, objective: Objective, actor: User, seen_version: int
) -> bool:
    """Remove an objective (and its progress notes); returns whether that reopened agreed objectives."""
    guard(appraisal, actor, seen_version)
    if objective.appraisal_id != appraisal.id:
        raise AppraisalError("That objective is not part of this appraisal.")
    reopened = _reopen_if_agreed(session, appraisal, actor)
    removed = {
        "objective": objective.id,
        "title": objective.title,
        "status": ObjectiveStatus(objective.status).value,
        "progress": [p.note for p in objective.progress],
    }
    appraisal.objectives.remove(objective)
    _touch(appraisal)
    flush(session)
    record(session, actor, appraisal, "objective_removed", **removed)
    return reopened


def record_progress(
    session: Session,
    appraisal: Appraisal,
    objective: Objective,
    actor: User,
    seen_version: int,
    *,
    note: str | None,
    status: ObjectiveStatus,
) -> None:
    """Add a progress note and/or set an objective's status, once the objectives are agreed."""
    guard(appraisal, actor, seen_version)
    if objective.appraisal_id != appraisal.id:
        raise AppraisalError("That objective is not part of this appraisal.")
    if appraisal.state != AppraisalState.AGREED:
        raise AppraisalError("Progress can be recorded once both of you have agreed the objectives.")
    note = (note or "").strip()
    if len(note) > 5000:
        raise AppraisalError("Enter a note of 5,000 characters or fewer")
    if not note and status == objective.status:
        raise AppraisalError("Write a progress note or change the status")
    before = ObjectiveStatus(objective.status).value
    objective.status = status
    if note:
        objective.progress.append(ProgressNote(author_id=actor.id, note=note))
    _touch(appraisal)
    flush(session)
    record(
        session,
        actor,
        appraisal,
        "progress_recorded",
        objective=objective.id,
        status_before=before,
        status=status.value,
        note=note or None,
    )
