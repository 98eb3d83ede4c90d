"""Appraisal (PDR) operations on the review's cycle: start it, agree the objectives, write the
year-end summary, and sign. One function per change, each auditing it and telling the other side.

Every change names the version of the appraisal the person saw (its `lock_version`); a change
made on a stale page is refused with AppraisalConflict (the caller rolls back, so nothing is saved). Any change to an
objective touches the appraisal row, so its version moves whenever anything in the review does.
Both signatures cover one SHA-256 digest of the review's content (`appraisal_rules.digest`).
Objectives and progress are changed in `appraisal_objectives`. Nothing here commits: the caller does.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from competency_portal import policy
from competency_portal.models import Appraisal, AppraisalState, InvalidTransition, Objective, ObjectiveStatus, User
from competency_portal.services import audit
from competency_portal.services.appraisal_queries import propose, readiness
from competency_portal.services.appraisal_rules import (
    STALE,
    AppraisalConflict,
    AppraisalError,
    check_year,
    digest,
    guard,
)
from competency_portal.services.notify import notify

# -- shared by every change ---------------------------------------------------------------


def flush(session: Session) -> None:
    """Write the change now, refusing it as a conflict if someone else changed the review first."""
    try:
        session.flush()
    except StaleDataError:
        raise AppraisalConflict(STALE) from None


def record(session: Session, actor: User, appraisal: Appraisal, action: str, **detail) -> None:
    """Audit one change to the appraisal."""
    audit.record(
        session,
        actor_id=actor.id,
        action=action,
        object_type="appraisal",
        object_id=appraisal.id,
        subject_id=appraisal.user_id,
        detail=detail,
    )


def _other(appraisal: Appraisal, side: str) -> User:
    return appraisal.appraiser if side == "person" else appraisal.person


# -- the cycle ----------------------------------------------------------------------------


def start(session: Session, person: User, appraiser: User, year: str, actor: User, today: date) -> Appraisal:
    """Open a review cycle for `person`, with objectives proposed from their gaps."""
    year = check_year(year)
    if not policy.can_start_appraisal(session, actor, person, today):
        raise AppraisalError("Only the person's supervisor or an administrator can start their appraisal.")
    if appraiser.id == person.id:
        raise AppraisalError("Choose an appraiser other than the person being appraised.")
    if not appraiser.active:
        raise AppraisalError(f"{appraiser.name}'s account is not active; choose another appraiser.")
    if session.scalar(select(Appraisal.id).where(Appraisal.user_id == person.id, Appraisal.year == year)) is not None:
        raise AppraisalError(
            f"{person.name} already has an appraisal for {year}. Open it from their appraisals instead."
        )
    proposals = propose(session, person, readiness(session, person, today), today)
    appraisal = Appraisal(
        user_id=person.id,
        appraiser_id=appraiser.id,
        year=year,
        state=AppraisalState.DRAFT,
        objectives=[
            Objective(
                title=p.title,
                description=p.description,
                item_ids=p.item_ids,
                due_on=p.due_on,
                status=ObjectiveStatus.NOT_STARTED,
                position=i,
            )
            for i, p in enumerate(proposals, 1)
        ],
    )
    session.add(appraisal)
    try:
        session.flush()
    except IntegrityError:  # someone else started the same year at the same moment; the caller rolls back
        raise AppraisalError(
            f"{person.name} already has an appraisal for {year}. Open it from their appraisals instead."
        ) from None
    record(
        session,
        actor,
        appraisal,
        "appraisal_started",
        year=year,
        appraiser=appraiser.id,
        proposed=[o.title for o in appraisal.objectives],
    )
    for someone in {person.id: person, appraiser.id: appraiser}.values():
        if someone.id != actor.id:
            notify(
                session,
                someone,
                f"{actor.name} started the {year} appraisal of {person.name}, with {appraiser.name} as appraiser.",
                about=("appraisal", appraisal.id),
            )
    return appraisal


def agree(session: Session, appraisal: Appraisal, actor: User, seen_version: int, now: datetime) -> None:
    """One side agrees the objectives; when both have, they are agreed."""
    side = guard(appraisal, actor, seen_version)
    if getattr(appraisal, f"agreed_by_{side}_at") and appraisal.state == AppraisalState.DRAFT:
        raise AppraisalError("You have already agreed these objectives; they are waiting for the other side.")
    try:
        appraisal.agree(actor.id, now)
    except InvalidTransition as exc:
        raise AppraisalError(str(exc)) from None
    flush(session)
    record(
        session,
        actor,
        appraisal,
        "objectives_agreed",
        side=side,
        state=appraisal.state.value,
        objectives=[o.id for o in appraisal.objectives],
    )
    other = _other(appraisal, side)
    message = (
        f"The {appraisal.year} objectives are agreed by both of you."
        if appraisal.state == AppraisalState.AGREED
        else f"{actor.name} agreed the {appraisal.year} objectives; they are waiting for you to agree."
    )
    notify(session, other, message, about=("appraisal", appraisal.id))


def write_summary(session: Session, appraisal: Appraisal, actor: User, seen_version: int, summary: str) -> None:
    """The appraiser writes the year-end review's words, while the objectives are agreed."""
    if guard(appraisal, actor, seen_version) != "appraiser":
        raise AppraisalError("The appraiser writes the year-end summary.")
    if appraisal.state != AppraisalState.AGREED:
        raise AppraisalError("The year-end summary can be written once both of you have agreed the objectives.")
    summary = (summary or "").strip()
    if not summary:
        raise AppraisalError("Enter the year-end summary")
    if len(summary) > 10000:
        raise AppraisalError("Enter a summary of 10,000 characters or fewer")
    before = appraisal.summary
    appraisal.summary = summary
    flush(session)
    record(session, actor, appraisal, "summary_written", before=before, after=summary)


def sign(session: Session, appraisal: Appraisal, actor: User, seen_version: int, now: datetime) -> None:
    """One side signs the year-end review; the signature covers the digest of its content now.

    If the content changed after the other side signed, the signature is refused (both must sign
    the same words). Someone who signed words that have since changed may sign again: that
    replaces their own signature with one over the review as it stands.
    """
    side = guard(appraisal, actor, seen_version)
    if appraisal.state != AppraisalState.AGREED:
        raise AppraisalError("The review can be signed once both of you have agreed the objectives.")
    if not (appraisal.summary or "").strip():
        raise AppraisalError("The appraiser writes the year-end summary before the review is signed.")
    current = digest(appraisal)
    mine = getattr(appraisal, f"signed_by_{side}_at")
    if mine and appraisal.signed_digest == current:
        raise AppraisalError("You have already signed this review; it is waiting for the other side to sign.")
    if mine:  # my signature covers words that have changed: replace it
        appraisal.signed_digest = None
        setattr(appraisal, f"signed_by_{side}_at", None)
        record(session, actor, appraisal, "signature_replaced", side=side)
    try:
        appraisal.sign(actor.id, now, current)
    except InvalidTransition:
        other = _other(appraisal, side)
        raise AppraisalError(
            f"The review has changed since {other.name} signed it, so your signature was not recorded: both of you "
            f"must sign the same words. {other.name} needs to read the review again and sign it first."
        ) from None
    flush(session)
    record(session, actor, appraisal, "appraisal_signed", side=side, digest=current, state=appraisal.state.value)
    other = _other(appraisal, side)
    message = (
        f"The {appraisal.year} review is signed by both of you."
        if appraisal.state == AppraisalState.SIGNED
        else f"{actor.name} signed the {appraisal.year} review; it is waiting for your signature."
    )
    notify(session, other, message, about=("appraisal", appraisal.id))
