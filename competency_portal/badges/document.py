"""Building an OpenBadgeCredential, the issuer's profile and the revocation list credential, as JSON.

The credential follows Open Badges 3.0 on the W3C VC data model 2.0; `jwt_claims` wraps it as the
payload of a VC-JWT (Open Badges 3.0, section 8.2: `iss`, `jti`, `sub`, `nbf`, `exp`, `vc`).
Nothing clinical goes in: evidence says who signed the competence off, when and at what level.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from competency_portal.badges import vocabulary as v


@dataclass(frozen=True)
class Alignment:
    """A framework node the achievement is aligned to (a CASE item, by its URI)."""

    name: str
    url: str
    code: str
    framework: str


@dataclass(frozen=True)
class Signed:
    """One sign-off behind the credential, in the words the evidence entry uses."""

    signer: str
    signed_on: datetime
    what: str  # e.g. "RA.1 Risk assessment at level 3 (Proficient)"


@dataclass(frozen=True)
class Claim:
    """Everything one credential says."""

    base: str  # the portal's public address, no trailing slash
    issuer_name: str
    credential_uuid: str
    subject_uuid: str
    kind: str
    ref: str
    name: str
    description: str
    criteria: str
    holder_name: str
    holder_email: str
    salt: str
    valid_from: datetime
    valid_until: datetime | None
    status_index: int
    human_code: str = ""
    alignments: list[Alignment] = field(default_factory=list)
    signed: list[Signed] = field(default_factory=list)


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC, to the second (what VC dates are)."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def identity_hash(value: str, salt: str) -> str:
    """Open Badges' IdentityHash: sha256 over the value with the salt appended."""
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


def issuer_profile(base: str, name: str) -> dict:
    """The issuer as an Open Badges Profile (also served at its own id)."""
    return {"id": v.issuer_id(base), "type": ["Profile"], "name": name, "url": base + "/"}


def _subject(claim: Claim) -> dict:
    achievement = {
        "id": v.achievement_id(claim.base, claim.kind, claim.ref),
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": claim.name,
        "description": claim.description,
        "criteria": {"narrative": claim.criteria},
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": a.name,
                "targetUrl": a.url,
                "targetCode": a.code,
                "targetFramework": a.framework,
                "targetType": "CFItem",
            }
            for a in claim.alignments
        ],
        "creator": issuer_profile(claim.base, claim.issuer_name),
    }
    if claim.human_code:
        achievement["humanCode"] = claim.human_code
    return {
        "id": f"urn:uuid:{claim.subject_uuid}",
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": identity_hash(claim.holder_email.strip().lower(), claim.salt),
                "salt": claim.salt,
            },
            {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": claim.holder_name},
        ],
        "achievement": achievement,
    }


def credential(claim: Claim) -> dict:
    """The OpenBadgeCredential itself (the `vc` of the VC-JWT)."""
    status_list = v.status_list_id(claim.base)
    body = {
        "@context": [v.VC_CONTEXT, v.OB_CONTEXT],
        "id": f"urn:uuid:{claim.credential_uuid}",
        "type": list(v.CREDENTIAL_TYPES),
        "name": claim.name,
        "description": f"{claim.holder_name}: {claim.description}",
        "issuer": issuer_profile(claim.base, claim.issuer_name),
        "validFrom": timestamp(claim.valid_from),
        "credentialSubject": _subject(claim),
        "evidence": [
            {
                "type": ["Evidence"],
                "name": f"Signed off by {s.signer}",
                "narrative": f"{s.signer} signed off {s.what} on {s.signed_on.day} {s.signed_on:%B %Y}.",
            }
            for s in claim.signed
        ],
        "credentialStatus": {
            "id": f"{status_list}#{claim.status_index}",
            "type": v.STATUS_ENTRY,
            "statusPurpose": v.STATUS_PURPOSE,
            "statusListIndex": str(claim.status_index),
            "statusListCredential": status_list,
        },
    }
    if claim.valid_until is not None:
        body["validUntil"] = timestamp(claim.valid_until)
    return body


def jwt_claims(vc: dict) -> dict:
    """The VC-JWT payload for a credential: its registered claims mirror the credential's own fields."""
    claims = {
        "iss": vc["issuer"]["id"] if isinstance(vc["issuer"], dict) else vc["issuer"],
        "jti": vc["id"],
        "sub": vc["credentialSubject"]["id"],
        "nbf": _seconds(vc["validFrom"]),
        "vc": vc,
    }
    if "validUntil" in vc:
        claims["exp"] = _seconds(vc["validUntil"])
    return claims


def status_list_credential(base: str, encoded_list: str, changed: datetime) -> dict:
    """The BitstringStatusListCredential for revocation; dated by its last change, so it is stable between changes."""
    list_id = v.status_list_id(base)
    return {
        "@context": [v.VC_CONTEXT],
        "id": list_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": v.issuer_id(base),
        "validFrom": timestamp(changed),
        "credentialSubject": {
            "id": f"{list_id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": v.STATUS_PURPOSE,
            "encodedList": encoded_list,
        },
    }


def _seconds(stamp: str) -> int:
    return int(datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())
