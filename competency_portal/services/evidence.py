"""Recording, changing and submitting evidence, and what a person's evidence may link to.

Plain functions over a session: the caller validates the form, calls one of these, commits once.
Every state change appends an audit record in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from competency_portal import policy
from competency_portal.models import (
    Attachment,
    Domain,
    Evidence,
    EvidenceLink,
    EvidenceRevision,
    EvidenceState,
    EvidenceType,
    Framework,
    FrameworkVersion,
    Item,
    RoleProfile,
    RoleTarget,
    SignOff,
    Supervision,
    User,
)
from competency_portal.services import audit
from competency_portal.services.attachments import Checked
from competency_portal.services.notify import notify
from competency_portal.storage import Storage


class EvidenceError(ValueError):
    """A request the rules refuse; the message says what to do instead."""


@dataclass
class EvidenceInput:
    """What the evidence form collects."""

    title: str
    evidence_type: EvidenceType
    activity_date: date
    description: str
    item_ids: list[int]
    files: list[Checked] = field(default_factory=list)
    remove_attachment_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class PickerGroup:
    """Items offered in the picker, grouped by framework and domain."""

    framework_title: str
    domain_title: str
    items: list[Item]


def picker_groups(session: Session, user: User) -> list[PickerGroup]:
    """The items a person may link evidence to: their role profile's, else every current item."""
    stmt = (
        select(Item, FrameworkVersion.title, Domain.title)
        .join(Domain, Item.domain_id == Domain.id)
        .join(FrameworkVersion, Item.version_id == FrameworkVersion.id)
        .join(
            Framework,
            and_(
                Framework.id == FrameworkVersion.framework_id, Framework.current_revision == FrameworkVersion.revision
            ),
        )
    )
    if user.target_role:
        role_id = (
            select(RoleProfile.id)
            .where(RoleProfile.slug == user.target_role)
            .order_by(RoleProfile.revision.desc())
            .limit(1)
            .scalar_subquery()
        )
        stmt = stmt.where(Item.id.in_(select(RoleTarget.item_id).where(RoleTarget.role_profile_id == role_id)))
    rows = session.execute(stmt.order_by(FrameworkVersion.title, Domain.position, Item.position)).all()
    groups: dict[tuple[str, str], list[Item]] = {}
    for item, fw_title, domain_title in rows:
        groups.setdefault((fw_title, domain_title), []).append(item)
    return [PickerGroup(fw, dom, items) for (fw, dom), items in groups.items()]


def allowed_item_ids(groups: list[PickerGroup]) -> set[int]:
    """Every item id the picker offers."""
    return {item.id for group in groups for item in group.items}


# What the evidence pages show, loaded with the evidence (`policy.evidence_for(..., options=WHOLE)`):
# its revisions, their links, items and attachments, its sign-offs and its owner.
WHOLE = (
    selectinload(Evidence.revisions)
    .selectinload(EvidenceRevision.links)
    .selectinload(EvidenceLink.item)
    .selectinload(Item.domain),
    selectinload(Evidence.revisions).selectinload(EvidenceRevision.attachments),
    selectinload(Evidence.sign_offs),
    selectinload(Evidence.owner),
)


def attachment(session: Session, evidence: Evidence, attachment_id: int) -> Attachment | None:
    """One attachment of any revision of this evidence, or None."""
    return session.scalar(
        select(Attachment)
        .join(EvidenceRevision, Attachment.revision_id == EvidenceRevision.id)
        .where(Attachment.id == attachment_id, EvidenceRevision.evidence_id == evidence.id)
    )


def _apply(session: Session, revision: EvidenceRevision, data: EvidenceInput, storage: Storage) -> list[str]:
    revision.title = data.title.strip()
    revision.evidence_type = data.evidence_type
    revision.activity_date = data.activity_date
    revision.description = data.description.strip()
    wanted = set(data.item_ids)
    revision.links = [link for link in revision.links if link.item_id in wanted] + [
        EvidenceLink(item_id=item_id) for item_id in sorted(wanted - {link.item_id for link in revision.links})
    ]
    revision.attachments = [a for a in revision.attachments if a.id not in set(data.remove_attachment_ids)]
    stored = []
    for upload in data.files:
        name = storage.save(upload.data, session)  # kept only if this transaction commits
        stored.append(name)
        revision.attachments.append(
            Attachment(
                filename=upload.filename,
                stored_name=name,
                content_type=upload.content_type,
                size=len(upload.data),
                sha256=hashlib.sha256(upload.data).hexdigest(),
            )
        )
    return stored


def create(session: Session, owner: User, data: EvidenceInput, storage: Storage) -> Evidence:
    """Record new evidence as a draft."""
    evidence = Evidence(owner_id=owner.id, state=EvidenceState.DRAFT)
    revision = EvidenceRevision(number=1, links=[], attachments=[])
    evidence.revisions.append(revision)
    _apply(session, revision, data, storage)
    session.add(evidence)
    session.flush()
    audit.record(
        session,
        actor_id=owner.id,
        action="evidence_created",
        object_type="evidence",
        object_id=evidence.id,
        subject_id=owner.id,
        detail={"title": revision.title, "items": sorted(data.item_ids), "attachments": len(data.files)},
    )
    return evidence


def update(
    session: Session, evidence: Evidence, actor: User, data: EvidenceInput, storage: Storage
) -> EvidenceRevision:
    """Change evidence: in place while its current revision is unsubmitted, else as a new revision."""
    if not policy.can_edit_evidence(actor, evidence):
        raise EvidenceError(f"Evidence that is {evidence.state.label.lower()} cannot be changed.")
    current = evidence.current
    if current.frozen:
        if evidence.state in (EvidenceState.SIGNED_OFF, EvidenceState.REVOKED):
            evidence.start_new_revision()
        revision = EvidenceRevision(
            number=current.number + 1,
            links=[EvidenceLink(item_id=link.item_id) for link in current.links],
            attachments=[
                Attachment(
                    filename=a.filename,
                    stored_name=a.stored_name,
                    content_type=a.content_type,
                    size=a.size,
                    sha256=a.sha256,
                )
                for a in current.attachments
                if a.id not in set(data.remove_attachment_ids)
            ],
        )
        evidence.revisions.append(revision)
        data = EvidenceInput(**{**data.__dict__, "remove_attachment_ids": []})
    else:
        revision = current
    _apply(session, revision, data, storage)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="evidence_changed",
        object_type="evidence",
        object_id=evidence.id,
        subject_id=evidence.owner_id,
        detail={"revision": revision.number, "title": revision.title, "items": sorted(data.item_ids)},
    )
    return revision


def current_supervisor(session: Session, person_id: int, today: date) -> User | None:
    """The supervisor a person's evidence goes to today (the longest-standing open assignment)."""
    return session.scalar(
        select(User)
        .join(Supervision, Supervision.supervisor_id == User.id)
        .where(
            Supervision.supervisee_id == person_id,
            Supervision.starts_on <= today,
            (Supervision.ends_on.is_(None)) | (Supervision.ends_on >= today),
            User.active.is_(True),
        )
        .order_by(Supervision.starts_on, Supervision.id)
        .limit(1)
    )


def submit(session: Session, evidence: Evidence, actor: User, now: datetime, mail: dict | None = None) -> User:
    """Send evidence to the owner's supervisor; returns who it went to."""
    if not policy.owns_evidence(actor, evidence):
        raise EvidenceError("Only the person who recorded evidence can submit it.")
    supervisor = current_supervisor(session, actor.id, now.date())
    if supervisor is None:
        raise EvidenceError(
            "You have no supervisor in the portal yet, so there is nobody to sign this off. "
            "Ask your administrator to assign one."
        )
    evidence.submit(supervisor.id, now)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="evidence_submitted",
        object_type="evidence",
        object_id=evidence.id,
        subject_id=actor.id,
        detail={"revision": evidence.current.number, "to": supervisor.id},
    )
    notify(
        session,
        supervisor,
        f"{actor.name} submitted evidence for sign-off: {evidence.current.title}",
        about=("review", evidence.id),
        mail=mail,
    )
    return supervisor


def digest(revision: EvidenceRevision) -> str:
    """SHA-256 of a revision's content and attachments, as a sign-off records what was signed."""
    body = {
        "evidence": revision.evidence_id,
        "revision": revision.number,
        "title": revision.title,
        "type": revision.evidence_type.value,
        "activity_date": revision.activity_date.isoformat(),
        "description": revision.description,
        "items": sorted(link.item_id for link in revision.links),
        "attachments": sorted((a.sha256, a.filename) for a in revision.attachments),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def unchanged_since_decided(sign_off: SignOff) -> bool:
    """Whether the revision a decision covers is exactly as it was then (its digest still matches)."""
    return digest(sign_off.revision) == sign_off.digest


def my_evidence(session: Session, owner_id: int) -> list[Evidence]:
    """A person's evidence, newest change first, with what the list shows loaded."""
    return list(
        session.scalars(
            select(Evidence)
            .where(Evidence.owner_id == owner_id)
            .order_by(Evidence.updated_at.desc(), Evidence.id.desc())
            .options(selectinload(Evidence.revisions).selectinload(EvidenceRevision.links))
        )
    )
