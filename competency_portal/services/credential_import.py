"""Bringing in a credential from another trust: verified, then kept as draft evidence for a supervisor to judge.

Nothing is counted automatically. The credential becomes a draft piece of evidence (a certificate),
linked where possible to the local items with the same framework and code; the person checks the
links and submits it like any other evidence, and their supervisor decides.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal.models import (
    Evidence,
    EvidenceType,
    Framework,
    FrameworkVersion,
    Item,
    ReceivedCredential,
    User,
)
from competency_portal.services import audit
from competency_portal.services import evidence as evidence_service
from competency_portal.services.credential_checking import Verdict
from competency_portal.storage import Storage


class ReceiveError(ValueError):
    """A credential that cannot be brought in; the message says why."""


def for_evidence(session: Session, evidence_id: int) -> ReceivedCredential | None:
    """The credential a piece of evidence was brought in as, if it was."""
    return session.scalar(select(ReceivedCredential).where(ReceivedCredential.evidence_id == evidence_id))


def _matching_items(session: Session, owner: User, alignments: list[tuple[str, str, str, str]]) -> list[int]:
    """Local items the owner may link to with the code an alignment names, in a current framework of the same title."""
    wanted = {(framework, code) for _, _, code, framework in alignments if code and framework}
    if not wanted:
        return []
    rows = session.execute(
        select(Item.id, FrameworkVersion.title, Item.code)
        .join(FrameworkVersion, FrameworkVersion.id == Item.version_id)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(
            FrameworkVersion.revision == Framework.current_revision,
            FrameworkVersion.title.in_({f for f, _ in wanted}),
            Item.code.in_({c for _, c in wanted}),
        )
    ).all()
    allowed = evidence_service.allowed_item_ids(evidence_service.picker_groups(session, owner))
    return [item_id for item_id, title, code in rows if (title, code) in wanted and item_id in allowed]


def _description(verdict: Verdict, now: datetime) -> str:
    found = verdict.summary
    lines = [
        f"A credential issued by {found.issuer_name} ({found.issuer_id}) on {found.valid_from:%d %B %Y}.",
        f"The portal checked it on {now:%d %B %Y at %H:%M}: the signature is the issuer's, it has not been revoked"
        + (
            f", and it is valid until {found.valid_until:%d %B %Y}."
            if found.valid_until
            else ", and it does not expire."
        ),
        "",
        f"Achievement: {found.achievement}",
    ]
    if found.criteria:
        lines.append(f"Criteria: {found.criteria}")
    lines += [f"Evidence: {line}" for line in found.evidence if line]
    lines += [f"Aligned to: {name} ({url})" for name, url, _, _ in found.alignments]
    return "\n".join(lines)


def receive(
    session: Session,
    owner: User,
    token: str,
    verdict: Verdict,
    issued_to: str | None,
    own_issuer: str,
    now: datetime,
    storage: Storage,
) -> Evidence:
    """Keep a verified credential from another issuer as the owner's draft evidence."""
    found = verdict.summary
    if not verdict.valid or found is None:
        raise ReceiveError(f"This credential cannot be brought in: {verdict.outcome.label.lower()}. {verdict.reason}")
    if found.issuer_id == own_issuer:
        raise ReceiveError("This credential was issued by this portal: what it shows is already in your record.")
    address = (issued_to or owner.email).strip()
    if found.email_hashes and not found.issued_to_email(address):
        raise ReceiveError(
            "This credential was issued to a different email address. If it was issued to you at another trust, "
            "enter the address it was issued to."
        )
    duplicate = session.scalar(
        select(ReceivedCredential).where(
            ReceivedCredential.owner_id == owner.id,
            ReceivedCredential.issuer_id == found.issuer_id,
            ReceivedCredential.credential_id == found.credential_id,
        )
    )
    if duplicate is not None:
        raise ReceiveError("You have already brought this credential in; it is in your portfolio.")
    data = evidence_service.EvidenceInput(
        title=f"Credential from {found.issuer_name}: {found.achievement}"[:200],
        evidence_type=EvidenceType.CERTIFICATE,
        activity_date=found.valid_from.date(),
        description=_description(verdict, now),
        item_ids=_matching_items(session, owner, found.alignments),
    )
    evidence = evidence_service.create(session, owner, data, storage)
    session.add(
        ReceivedCredential(
            owner_id=owner.id,
            evidence_id=evidence.id,
            issuer_id=found.issuer_id[:500],
            issuer_name=found.issuer_name[:300],
            credential_id=found.credential_id[:500],
            achievement=found.achievement[:500],
            valid_from=found.valid_from,
            valid_until=found.valid_until,
            token=token,
            received_at=now,
        )
    )
    session.flush()
    audit.record(
        session,
        actor_id=owner.id,
        action="credential_received",
        object_type="evidence",
        object_id=evidence.id,
        subject_id=owner.id,
        detail={"issuer": found.issuer_id[:200], "credential": found.credential_id[:200]},
    )
    return evidence
