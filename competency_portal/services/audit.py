"""The tamper-evident audit trail: append records to a hash chain, and verify the chain.

Each record's hash covers its own content and the previous record's hash, so changing or
deleting any record breaks every link after it. Appends lock the single `audit_head` row, so
two writers cannot both extend the chain from the same place.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal.extensions import take_sqlite_write_lock
from competency_portal.models import AuditEvent, AuditHead
from competency_portal.text import plural

GENESIS = "0" * 64


def _digest(
    prev_hash: str, seq: int, at: datetime, actor_id, action, object_type, object_id, subject_id, detail
) -> str:
    body = json.dumps(
        [
            seq,
            at.astimezone(timezone.utc).isoformat(timespec="microseconds"),
            actor_id,
            action,
            object_type,
            str(object_id),
            subject_id,
            detail,
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: Any,
    subject_id: int | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one record to the chain inside the caller's transaction."""
    take_sqlite_write_lock(session)  # FOR UPDATE below does nothing on SQLite
    head = session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    at = datetime.now(timezone.utc)
    seq = head.seq + 1
    detail = json.loads(json.dumps(detail or {}, default=str))
    event = AuditEvent(
        seq=seq,
        at=at,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        subject_id=subject_id,
        detail=detail,
        prev_hash=head.hash,
        hash=_digest(head.hash, seq, at, actor_id, action, object_type, object_id, subject_id, detail),
    )
    session.add(event)
    head.seq, head.hash = seq, event.hash
    return event


def record_loads(session: Session, actor_id: int | None, changes, source: str) -> None:
    """One record for each framework-file change a load made (not for what it left unchanged)."""
    for change in changes:
        if change.action != "unchanged":
            record(
                session,
                actor_id=actor_id,
                action="framework_loaded",
                object_type=change.kind.replace(" ", "_"),
                object_id=change.id,
                detail={"action": change.action, "details": change.details[:50], "source": source},
            )


@dataclass(frozen=True)
class Verdict:
    """The result of checking the chain."""

    ok: bool
    checked: int
    message: str


def verify(session: Session, batch: int = 5000) -> Verdict:
    """Recompute every link in order; name the first record that does not match."""
    prev, expected_seq, checked = GENESIS, 1, 0
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            break
        for e in rows:
            if e.seq != expected_seq:
                return Verdict(
                    False, checked, f"record {expected_seq} is missing: the next record found is {e.seq} (id {e.id})"
                )
            if e.prev_hash != prev:
                return Verdict(
                    False,
                    checked,
                    f"record {e.seq} (id {e.id}, {e.action}) does not follow record {e.seq - 1}: "
                    "its previous-hash does not match",
                )
            at = e.at if e.at.tzinfo else e.at.replace(tzinfo=timezone.utc)
            if (
                _digest(prev, e.seq, at, e.actor_id, e.action, e.object_type, e.object_id, e.subject_id, e.detail)
                != e.hash
            ):
                return Verdict(
                    False,
                    checked,
                    f"record {e.seq} (id {e.id}, {e.action}) has been altered: its content does not match its hash",
                )
            prev, expected_seq, checked, last_id = e.hash, expected_seq + 1, checked + 1, e.id
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is not None and head.seq != checked:
        return Verdict(
            False,
            checked,
            f"the chain should end at record {head.seq} but ends at record {checked}: "
            f"records after {checked} were removed",
        )
    return Verdict(True, checked, f"audit chain intact: {plural(checked, 'record')} verified")
