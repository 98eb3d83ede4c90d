"""Small builders for tests that need people, supervision and evidence."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from competency_portal.models import EvidenceType, Role, Supervision
from competency_portal.services import evidence as evidence_service
from competency_portal.services import people
from competency_portal.services.attachments import check
from competency_portal.storage import LocalStorage

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def person(session, name: str, roles=(Role.STAFF,), target_role: str | None = "care-coordinator-band-6"):
    """A person with a password, committed."""
    email = name.lower().replace(" ", ".") + "@example.nhs.uk"
    user = people.create_person(
        session, name=name, email=email, roles={Role(r) for r in roles}, target_role=target_role, password=PASSWORD
    )
    session.commit()
    return user


def supervise(session, supervisor, supervisee, starts: date = date(2025, 1, 1), ends: date | None = None):
    """Make `supervisor` supervise `supervisee`."""
    session.add(Supervision(supervisor_id=supervisor.id, supervisee_id=supervisee.id, starts_on=starts, ends_on=ends))
    session.commit()


def item_ids(session, owner, count: int = 2) -> list[int]:
    """The first `count` items a person's picker offers."""
    groups = evidence_service.picker_groups(session, owner)
    return [item.id for group in groups for item in group.items][:count]


def draft(session, owner, tmp_path, items: list[int] | None = None, with_file: bool = True, title: str = "Risk review"):
    """A draft piece of evidence, committed."""
    data = evidence_service.EvidenceInput(
        title=title,
        evidence_type=EvidenceType.REFLECTIVE_ACCOUNT,
        activity_date=NOW.date() - timedelta(days=3),
        description="What I did and what it shows.",
        item_ids=items or item_ids(session, owner),
        files=[check("reflection.pdf", PDF, 1024 * 1024)] if with_file else [],
    )
    evidence = evidence_service.create(session, owner, data, LocalStorage(tmp_path / "uploads"))
    session.commit()
    return evidence


def submitted_to_supervisor(session, tmp_path, title: str, items: list[int] | None = None, item_count: int = 3):
    """Robin Staff's evidence (on `items`, else the first `item_count` of their role), submitted to
    their supervisor Kim; committed. Returns (staff email, supervisor email, evidence id)."""
    from competency_portal.services import evidence as evidence_service

    staff = person(session, "Robin Staff")
    boss = person(session, "Kim Supervisor", roles={"supervisor"})
    supervise(session, boss, staff)
    evidence = draft(
        session, staff, tmp_path, items=items or item_ids(session, staff, item_count), with_file=False, title=title
    )
    evidence_service.submit(session, evidence, staff, NOW)
    session.commit()
    return staff.email, boss.email, evidence.id
