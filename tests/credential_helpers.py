"""Shared by the credential tests: the portal as issuer, sign-offs to rest on, and reading tokens back."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path

from jsonschema import Draft202012Validator

from competency_portal.badges import vocabulary
from competency_portal.models import Decision, EvidenceType, SignOff, User
from competency_portal.services import credential_checking, credential_keys, credentials, signoff
from competency_portal.services import evidence as evidence_service
from competency_portal.storage import Storage

BASE = "http://localhost"  # the test client's address: what the portal publishes when PUBLIC_URL is unset
SCHEMA = json.loads((Path(__file__).parent / "ob_v3p0_achievementcredential.schema.json").read_text())


def issuer(app, base: str = BASE) -> credentials.Issuer:
    """The portal as the test app's configuration makes it an issuer."""
    keys = credential_keys.load(app.config["CREDENTIAL_KEY_FILE"], app.config["CREDENTIAL_PREVIOUS_KEY_FILES"])
    return credentials.Issuer(base, app.config["CREDENTIAL_ISSUER_NAME"], keys)


def trust(app, session, trusted=(), fetch=None) -> credential_checking.Trust:
    """The circle of trust the verification page uses, for service-level checks."""
    own = issuer(app)

    def unreachable(url: str, fresh: bool = False) -> bytes:
        raise credential_checking.FetchError(f"{url} is not reachable in this test")

    return credential_checking.Trust(
        vocabulary.issuer_id(own.base),
        own.keys,
        lambda: credentials.revoked(session)[0],
        tuple(trusted),
        fetch or unreachable,
    )


def sign_off(session, owner: User, supervisor: User, levels: dict[int, int], when: datetime, store: Storage) -> SignOff:
    """Evidence for these items, submitted and signed off at these levels."""
    data = evidence_service.EvidenceInput(
        title="Observed practice at a CPA review",
        evidence_type=EvidenceType.OBSERVED_PRACTICE,
        activity_date=when.date(),
        description="Clinical detail that must never leave the portal: the patient's crisis plan.",
        item_ids=list(levels),
    )
    evidence = evidence_service.create(session, owner, data, store)
    evidence_service.submit(session, evidence, owner, when)
    session.flush()
    return signoff.decide(
        session, evidence, supervisor, Decision.SIGNED_OFF, levels, {}, "Well done", evidence.lock_version, when
    )


def segment(token: str, index: int) -> dict:
    """One decoded part of a compact JWS (0: header, 1: payload), without checking anything."""
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def reencode(token: str, payload: dict) -> str:
    """The token with its payload replaced and the original signature kept (what a forger would try)."""
    header, _, signature = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return f"{header}.{body}.{signature}"


def schema_errors(vc: dict) -> list[str]:
    """Where a credential breaks the Open Badges 3.0 AchievementCredential schema (tests/ob_v3p0_...json)."""
    validator = Draft202012Validator(SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(vc)]


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def standard_check(token: str, jwks: dict, now: datetime) -> dict:
    """A VC-JWT check written from RFC 7515/7518/7519 with `cryptography` alone (not the library that signed it).

    Finds the key by the header's `kid` in the published set, verifies RS256 (RSASSA-PKCS1-v1_5 with
    SHA-256) over the signing input, and checks `nbf` and `exp`; returns the claims or raises.
    """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    head, body, signature = token.split(".")
    header = json.loads(_b64(head))
    assert header["alg"] == "RS256", header
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    public = rsa.RSAPublicNumbers(int.from_bytes(_b64(key["e"]), "big"), int.from_bytes(_b64(key["n"]), "big"))
    public.public_key().verify(_b64(signature), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    claims = json.loads(_b64(body))
    assert claims["nbf"] <= now.timestamp() + 60, "not valid yet"
    assert "exp" not in claims or claims["exp"] > now.timestamp(), "expired"
    return claims
