"""Reading a VC-JWT's payload back: is it an Open Badges credential, do its claims agree, and what does it say.

Pure: the signature is checked elsewhere (services.credential_checking) before any of this is
believed; here a payload is only taken apart, in terms a person can read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from competency_portal.badges import vocabulary as v


class Unreadable(ValueError):
    """A payload that is not an Open Badges credential this portal can read; the message says why."""


@dataclass(frozen=True)
class StatusEntry:
    """Where the credential's revocation bit lives."""

    list_url: str
    index: int


@dataclass(frozen=True)
class Summary:
    """What a credential claims, in the parts the verification page shows."""

    credential_id: str
    name: str
    issuer_id: str
    issuer_name: str
    achievement: str
    achievement_id: str
    criteria: str
    valid_from: datetime
    valid_until: datetime | None
    recipient_name: str | None
    alignments: list[tuple[str, str, str, str]] = field(default_factory=list)  # (name, url, code, framework)
    evidence: list[str] = field(default_factory=list)
    email_hashes: list[tuple[str, str]] = field(default_factory=list)  # (identityHash, salt)
    status: StatusEntry | None = None

    def issued_to_email(self, email: str) -> bool:
        """Whether the credential was issued to this email address (compared by its salted hash)."""
        wanted = email.strip().lower()
        for hashed, salt in self.email_hashes:
            algorithm, _, digest = hashed.partition("$")
            if algorithm == "sha256" and hashlib.sha256((wanted + salt).encode()).hexdigest() == digest.lower():
                return True
        return False


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _instant(stamp, field_name: str) -> datetime:
    if not isinstance(stamp, str):
        raise Unreadable(f"The credential has no {field_name} date.")
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        raise Unreadable(f"The credential's {field_name} date ({stamp[:40]!r}) is not a date and time.") from None
    if moment.tzinfo is None:
        raise Unreadable(f"The credential's {field_name} date has no time zone.")
    return moment.astimezone(timezone.utc)


def _types(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    return {t for t in value if isinstance(t, str)} if isinstance(value, list) else set()


def _status(vc: dict) -> StatusEntry | None:
    entry = vc.get("credentialStatus")
    if entry is None:
        return None
    if isinstance(entry, list):  # VC 2.0 allows several; the revocation entry is the one that matters here
        entry = next((e for e in entry if isinstance(e, dict) and e.get("statusPurpose") == v.STATUS_PURPOSE), None)
    if not isinstance(entry, dict) or entry.get("type") != v.STATUS_ENTRY:
        raise Unreadable(
            "The credential's status is not a Bitstring Status List entry, which is what this portal reads."
        )
    try:
        index = int(entry.get("statusListIndex"))
    except (TypeError, ValueError):
        raise Unreadable("The credential's status entry has no list index.") from None
    if entry.get("statusPurpose") != v.STATUS_PURPOSE or not _text(entry.get("statusListCredential")):
        raise Unreadable("The credential's status entry does not name a revocation list.")
    return StatusEntry(entry["statusListCredential"], index)


def summary(vc) -> Summary:
    """Take an OpenBadgeCredential apart, or say why it cannot be read."""
    if not isinstance(vc, dict):
        raise Unreadable("The token carries no credential (no `vc` claim).")
    types = _types(vc.get("type"))
    if "VerifiableCredential" not in types or not types & v.ACCEPTED_TYPES:
        raise Unreadable("This is not an Open Badges credential (its type is not OpenBadgeCredential).")
    issuer = vc.get("issuer")
    issuer_id = _text(issuer.get("id")) if isinstance(issuer, dict) else _text(issuer)
    subject = vc.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    if not issuer_id or not isinstance(achievement, dict):
        raise Unreadable("The credential does not say who issued it, or what was achieved.")
    identifiers = [i for i in subject.get("identifier") or [] if isinstance(i, dict)]
    names = [
        _text(i.get("identityHash")) for i in identifiers if i.get("identityType") == "name" and not i.get("hashed")
    ]
    return Summary(
        credential_id=_text(vc.get("id")),
        name=_text(vc.get("name")) or _text(achievement.get("name")),
        issuer_id=issuer_id,
        issuer_name=_text(issuer.get("name")) if isinstance(issuer, dict) else issuer_id,
        achievement=_text(achievement.get("name")),
        achievement_id=_text(achievement.get("id")),
        criteria=_text((achievement.get("criteria") or {}).get("narrative")),
        valid_from=_instant(vc.get("validFrom") or vc.get("issuanceDate"), "valid-from"),
        valid_until=_instant(vc["validUntil"], "valid-until") if vc.get("validUntil") else None,
        recipient_name=names[0] if names else None,
        alignments=[
            (
                _text(a.get("targetName")),
                _text(a.get("targetUrl")),
                _text(a.get("targetCode")),
                _text(a.get("targetFramework")),
            )
            for a in achievement.get("alignment") or []
            if isinstance(a, dict)
        ],
        evidence=[
            _text(e.get("narrative")) or _text(e.get("name")) for e in vc.get("evidence") or [] if isinstance(e, dict)
        ],
        email_hashes=[
            (_text(i.get("identityHash")), _text(i.get("salt")))
            for i in identifiers
            if i.get("identityType") == "emailAddress" and i.get("hashed")
        ],
        status=_status(vc),
    )


def disagreement(payload: dict, found: Summary) -> str | None:
    """Where the JWT's registered claims contradict the credential inside it (OB 3.0, 8.2.4.1), or None."""
    subject = payload["vc"].get("credentialSubject") or {}
    checks = [
        ("iss", found.issuer_id, "issuer"),
        ("jti", found.credential_id, "identifier"),
        ("sub", _text(subject.get("id")), "subject"),
    ]
    for claim, expected, what in checks:
        if payload.get(claim) != expected:
            return f"The token's {claim!r} claim does not match the credential's {what}."
    if payload.get("nbf") != int(found.valid_from.timestamp()):
        return "The token's 'nbf' claim does not match the credential's valid-from date."
    expected_exp = int(found.valid_until.timestamp()) if found.valid_until else None
    if payload.get("exp") != expected_exp:
        return "The token's 'exp' claim does not match the credential's valid-until date."
    return None
