"""Reading the audit trail: a page of records, newest first, and each record's detail in words."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from competency_portal.models import AuditEvent
from competency_portal.services.people_queries import PAGE_SIZE


@dataclass
class AuditPage:
    """A page of the audit trail, newest first, and where the next (older) page starts."""

    events: list[AuditEvent]
    older_than: int | None = None  # pass as `before` for the next page
    filters: dict = field(default_factory=dict)


def audit_object_types(session: Session) -> list[str]:
    """The kinds of object the audit trail mentions."""
    return sorted(session.scalars(select(AuditEvent.object_type).distinct()))


def audit_trail(
    session: Session,
    *,
    person_id: int | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    before: int | None = None,
    per_page: int = PAGE_SIZE,
) -> AuditPage:
    """Audit records newest first; `person_id` matches the actor or the subject; paged by `seq`."""
    query = select(AuditEvent).options(joinedload(AuditEvent.actor), joinedload(AuditEvent.subject))
    if person_id is not None:
        query = query.where(or_(AuditEvent.actor_id == person_id, AuditEvent.subject_id == person_id))
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == object_id.strip())
    if before is not None:
        query = query.where(AuditEvent.seq < before)
    rows = list(session.scalars(query.order_by(AuditEvent.seq.desc()).limit(per_page + 1)).unique())
    more = len(rows) > per_page
    rows = rows[:per_page]
    return AuditPage(rows, rows[-1].seq if more and rows else None)


def describe_detail(detail: dict | None, limit: int = 8, width: int = 80) -> list[str]:
    """An audit record's detail as a few short lines a person can read."""

    def show(value) -> str:
        if value is None or value == "":
            return "(none)"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ", ".join(show(v) for v in value) if value else "(none)"
        if isinstance(value, dict):
            if set(value) == {"from", "to"}:
                return f"{show(value['from'])} → {show(value['to'])}"
            return "; ".join(f"{k.replace('_', ' ')}: {show(v)}" for k, v in value.items())
        return str(value)

    lines = []
    for key, value in (detail or {}).items():
        text = f"{str(key).replace('_', ' ').capitalize()}: {show(value)}"
        lines.append(text if len(text) <= width else text[: width - 1] + "…")
    if len(lines) > limit:
        lines = lines[:limit] + [f"and {len(lines) - limit} more"]
    return lines
