"""Supervisors' decisions: the queue, signing off / returning / rejecting, revoking, deputies.

Decisions are safe against two people deciding at once: the decision names the version of the
evidence the supervisor saw, and the UPDATE only succeeds if nobody changed it since (the
evidence row's version counter), so exactly one decision wins. The loser's DecisionConflict
leaves its transaction to be rolled back by the caller (the view, through web.attempt).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.orm.exc import StaleDataError

from competency_portal import policy
from competency_portal.models import (
    Decision,
    Deputy,
    Evidence,
    EvidenceLink,
    EvidenceRevision,
    EvidenceState,
    InvalidTransition,
    SignOff,
    SignOffItem,
    User,
)
from competency_portal.services import audit, credentials
from competency_portal.services.evidence import EvidenceError, digest
from competency_portal.services.notify import notify


class DecisionConflict(EvidenceError):
    """Somebody else decided (or the owner changed the evidence) first."""


@dataclass(frozen=True)
class QueueRow:
    """One piece of evidence waiting for a decision."""

    evidence: Evidence
    owner: User
    revision: EvidenceRevision  # the submitted (newest) revision
    waiting_days: int
    items: int  # how many items the revision is linked to


def queue(session: Session, user: User, today: date) -> list[QueueRow]:
    """Supervisees' submitted evidence, oldest first, with how long each has waited."""
    # Only the newest revision and its number of links: the page shows no more, and loading every
    # revision with all its links cost more than the rest of the page. Read for the queue's
    # evidence ids, so PostgreSQL does not misjudge the supervisees and join every revision.
    found = session.scalars(
        select(Evidence)
        .where(
            Evidence.state == EvidenceState.SUBMITTED,
            Evidence.owner_id.in_(policy.supervisees(session, user.id, today)),
        )
        .order_by(Evidence.submitted_at, Evidence.id)
        .options(selectinload(Evidence.owner))
    ).all()
    other = aliased(EvidenceRevision)
    newest = select(func.max(other.number)).where(other.evidence_id == EvidenceRevision.evidence_id).scalar_subquery()
    links = (
        select(func.count())
        .select_from(EvidenceLink)
        .where(EvidenceLink.revision_id == EvidenceRevision.id)
        .scalar_subquery()
    )
    revisions = {
        r.evidence_id: (r, n)
        for r, n in session.execute(
            select(EvidenceRevision, links).where(
                EvidenceRevision.evidence_id.in_([e.id for e in found] or [0]), EvidenceRevision.number == newest
            )
        )
    }
    rows = [(e, *revisions[e.id]) for e in found]
    return [QueueRow(e, e.owner, revision, max(0, (today - e.submitted_at.date()).days), n) for e, revision, n in rows]


def decide(
    session: Session,
    evidence: Evidence,
    signer: User,
    decision: Decision,
    levels: dict[int, int | None],
    item_comments: dict[int, str],
    comment: str | None,
    seen_version: int,
    now: datetime,
    mail: dict | None = None,
) -> SignOff:
    """Record a decision on the submitted revision; refuse stale or unauthorised decisions.

    `levels` (item id -> level, or None for not demonstrated) must cover every linked item to sign
    off; a return or a rejection records no level, whatever is passed, and needs a comment.
    """
    if policy.owns_evidence(signer, evidence):
        raise EvidenceError("You cannot decide on your own evidence.")
    if evidence.lock_version != seen_version or evidence.state != EvidenceState.SUBMITTED:
        raise DecisionConflict(
            "Someone else has already decided on this evidence, or it was changed, since you opened it. "
            "Nothing was saved; here is how it stands now."
        )
    if not policy.can_decide(session, signer, evidence, now.date()):
        raise EvidenceError("You can only decide on evidence from people you supervise.")
    revision = evidence.current
    linked = {link.item_id for link in revision.links}
    if decision != Decision.SIGNED_OFF:
        levels = dict.fromkeys(linked)  # a return or a rejection confirms no level: only a sign-off asks for them
    elif set(levels) != linked:
        raise EvidenceError("To sign off, give a level, or 'not demonstrated', for every linked item.")
    if decision in (Decision.RETURNED, Decision.REJECTED) and not (comment or "").strip():
        raise EvidenceError("Say why in the comment, so the person knows what to do next.")
    if decision == Decision.SIGNED_OFF and all(level is None for level in levels.values()):
        raise EvidenceError(
            "To sign off, confirm a level for at least one item; otherwise return or reject the evidence."
        )
    signed_digest = digest(revision)  # before any change, so no lazy load flushes half a decision
    try:
        {
            Decision.SIGNED_OFF: evidence.sign_off,
            Decision.RETURNED: evidence.return_for_changes,
            Decision.REJECTED: evidence.reject,
        }[decision]()
    except InvalidTransition as exc:
        raise DecisionConflict(str(exc)) from None
    sign_off = SignOff(
        evidence=evidence,
        revision=revision,
        signer_id=signer.id,
        decision=decision,
        comment=(comment or "").strip() or None,
        digest=signed_digest,
        decided_at=now,
        items=[
            SignOffItem(item_id=item_id, level=level, comment=(item_comments.get(item_id) or "").strip() or None)
            for item_id, level in sorted(levels.items())
        ],
    )
    try:
        session.add(sign_off)
        session.flush()
    except StaleDataError:
        # The failed flush leaves the transaction unusable: the caller rolls it back (web.attempt does).
        raise DecisionConflict(
            "Someone else decided on this evidence at the same moment, and theirs was saved first. "
            "Nothing of yours was saved; here is how it stands now."
        ) from None
    audit.record(
        session,
        actor_id=signer.id,
        action=f"evidence_{decision.value}",
        object_type="evidence",
        object_id=evidence.id,
        subject_id=evidence.owner_id,
        detail={
            "revision": revision.number,
            "sign_off": sign_off.id,
            "digest": sign_off.digest,
            "levels": {str(k): v for k, v in levels.items()},
            "comment": sign_off.comment,
        },
    )
    phrase = {
        Decision.SIGNED_OFF: "signed off your evidence",
        Decision.RETURNED: "returned your evidence for changes",
        Decision.REJECTED: "rejected your evidence",
    }[decision]
    notify(
        session,
        evidence.owner,
        f"{signer.name} {phrase}: {revision.title}",
        about=("evidence", evidence.id),
        mail=mail,
    )
    return sign_off


def revoke(
    session: Session, sign_off: SignOff, actor: User, reason: str, now: datetime, mail: dict | None = None
) -> None:
    """Withdraw a sign-off, with a reason; the record stays, marked revoked."""
    if not policy.can_revoke(actor, sign_off):
        raise EvidenceError("Only the person who signed this off, or an administrator, can revoke it.")
    if sign_off.decision != Decision.SIGNED_OFF or sign_off.revoked_at is not None:
        raise EvidenceError("Only a current sign-off can be revoked.")
    if not reason.strip():
        raise EvidenceError("Give the reason for revoking the sign-off.")
    evidence = sign_off.evidence
    if evidence.state == EvidenceState.SIGNED_OFF and evidence.current.id == sign_off.revision_id:
        evidence.revoke()
    sign_off.revoked_at, sign_off.revoked_by_id, sign_off.revoke_reason = now, actor.id, reason.strip()
    session.flush()
    credentials.revoke_resting_on(session, sign_off, actor.id, now)
    audit.record(
        session,
        actor_id=actor.id,
        action="sign_off_revoked",
        object_type="sign_off",
        object_id=sign_off.id,
        subject_id=evidence.owner_id,
        detail={"evidence": evidence.id, "reason": sign_off.revoke_reason},
    )
    notify(
        session,
        evidence.owner,
        f"{actor.name} revoked the sign-off of your evidence: {sign_off.revision.title}",
        about=("evidence", evidence.id),
        mail=mail,
    )


def verified_levels(session: Session, user_id: int) -> dict[int, int]:
    """The highest level confirmed for each item by a current (unrevoked) sign-off."""
    rows = session.execute(
        select(SignOffItem.item_id, func.max(SignOffItem.level))
        .join(SignOff, SignOff.id == SignOffItem.sign_off_id)
        .join(Evidence, Evidence.id == SignOff.evidence_id)
        .where(
            Evidence.owner_id == user_id,
            SignOff.decision == Decision.SIGNED_OFF,
            SignOff.revoked_at.is_(None),
            SignOffItem.level.is_not(None),
        )
        .group_by(SignOffItem.item_id)
    )
    return {item_id: level for item_id, level in rows}


def name_deputy(
    session: Session,
    supervisor: User,
    deputy: User,
    starts_on: date,
    ends_on: date,
    today: date,
    mail: dict | None = None,
) -> Deputy:
    """Name a deputy for a period; they are told when the cover starts."""
    if deputy.id == supervisor.id:
        raise EvidenceError("Choose someone other than yourself as deputy.")
    if not deputy.active:
        raise EvidenceError(f"{deputy.name}'s account is not active; choose someone else.")
    if ends_on < starts_on:
        raise EvidenceError("The end date must be on or after the start date.")
    if ends_on < today:
        raise EvidenceError("The cover must not end in the past.")
    cover = Deputy(
        supervisor_id=supervisor.id, deputy_id=deputy.id, starts_on=starts_on, ends_on=ends_on, notified=False
    )
    session.add(cover)
    session.flush()
    audit.record(
        session,
        actor_id=supervisor.id,
        action="deputy_named",
        object_type="deputy",
        object_id=cover.id,
        subject_id=deputy.id,
        detail={"supervisor": supervisor.id, "starts_on": starts_on, "ends_on": ends_on},
    )
    start_due_cover(session, today, mail)
    return cover


def covers_named_by(session: Session, supervisor_id: int) -> list[Deputy]:
    """The cover a supervisor has named, latest start first, with each deputy loaded."""
    return list(
        session.scalars(
            select(Deputy)
            .where(Deputy.supervisor_id == supervisor_id)
            .order_by(Deputy.starts_on.desc())
            .options(selectinload(Deputy.deputy))
        )
    )


def start_due_cover(session: Session, today: date, mail: dict | None = None) -> int:
    """Tell each deputy whose cover has started (and not yet been told); returns how many."""
    due = session.scalars(
        select(Deputy)
        .where(Deputy.notified.is_(False), Deputy.starts_on <= today, Deputy.ends_on >= today)
        .options(selectinload(Deputy.supervisor), selectinload(Deputy.deputy))
    ).all()
    for cover in due:
        notify(
            session,
            cover.deputy,
            f"You are covering for {cover.supervisor.name} until {cover.ends_on:%-d %B %Y}: "
            "their supervisees' evidence is in your sign-off queue.",
            about=("queue", None),
            mail=mail,
        )
        cover.notified = True
    return len(due)
