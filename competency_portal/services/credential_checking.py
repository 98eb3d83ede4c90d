"""Checking an Open Badges 3.0 VC-JWT: valid, expired, revoked, forged, or from an issuer this portal does not know.

The steps are those of Open Badges 3.0, section 8.2.4: find the key the `kid` names, verify the
signature, check the registered claims agree with the credential, then its dates and its entry in
the issuer's revocation list. Keys and lists are only ever fetched from this portal itself or from
the issuers an administrator has listed as trusted, so a pasted credential cannot make the portal
call an arbitrary address.
"""

from __future__ import annotations

import base64
import enum
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable
from urllib.parse import urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from competency_portal.badges import bitstring, reading
from competency_portal.badges import vocabulary as v
from competency_portal.services.credential_keys import Keys

LEEWAY = timedelta(minutes=5)  # clocks at two trusts differ a little
COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


class Outcome(str, enum.Enum):
    """What a check found."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_YET_VALID = "not_yet_valid"
    FORGED = "forged"
    UNKNOWN_ISSUER = "unknown_issuer"
    UNREADABLE = "unreadable"
    UNCHECKABLE = "uncheckable"

    @property
    def label(self) -> str:
        """The outcome as the verification page heads it."""
        return _LABELS[self]


_LABELS = {
    Outcome.VALID: "Valid",
    Outcome.EXPIRED: "Expired",
    Outcome.REVOKED: "Revoked",
    Outcome.NOT_YET_VALID: "Not valid yet",
    Outcome.FORGED: "Forged or altered",
    Outcome.UNKNOWN_ISSUER: "Issuer not known",
    Outcome.UNREADABLE: "Not a credential this portal can read",
    Outcome.UNCHECKABLE: "Could not be checked now",
}


class FetchError(RuntimeError):
    """An issuer's key or list could not be fetched."""


@dataclass(frozen=True)
class Trust:
    """Whose credentials can be checked, and how to reach them."""

    own_id: str
    own_keys: Keys
    own_revoked: Callable[[], set[int]]
    trusted: tuple[str, ...]  # other issuers' ids (their profile URLs), listed by an administrator
    fetch: Callable[..., bytes]  # fetch(url, fresh=False): a key may come from a short cache, a list never does


@dataclass(frozen=True)
class Verdict:
    """The result of one check, with what the credential claims when that could be read."""

    outcome: Outcome
    reason: str
    summary: reading.Summary | None = None

    @property
    def valid(self) -> bool:
        """Whether the credential is genuine, current and not revoked."""
        return self.outcome == Outcome.VALID


def _segment(part: str) -> dict:
    decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    if not isinstance(decoded, dict):
        raise ValueError("not an object")
    return decoded


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _own_key(trust: Trust, kid: str) -> RSAKey | None:
    prefix = v.key_id(trust.own_id.removesuffix(v.ISSUER_PATH), "")
    return trust.own_keys.by_thumbprint(kid.removeprefix(prefix)) if kid.startswith(prefix) else None


def _foreign_key(trust: Trust, issuer: str, kid: str) -> RSAKey | None:
    """The JWK a trusted issuer publishes at `kid` (a JWK, or a key set holding it)."""
    if not kid.startswith(("https://", "http://")) or _origin(kid) != _origin(issuer):
        return None
    published = json.loads(trust.fetch(kid.split("#")[0]))
    if isinstance(published, dict) and isinstance(published.get("keys"), list):
        fragment = kid.partition("#")[2]
        published = next(
            (k for k in published["keys"] if isinstance(k, dict) and k.get("kid") in (kid, fragment)), None
        )
    if not isinstance(published, dict) or published.get("kty") != "RSA" or "d" in published:
        return None
    return RSAKey.import_key({name: published[name] for name in ("kty", "n", "e") if name in published})


def _key_for(trust: Trust, issuer: str, header: dict) -> RSAKey | None:
    kid = header.get("kid")
    if not isinstance(kid, str):
        return None
    return _own_key(trust, kid) if issuer == trust.own_id else _foreign_key(trust, issuer, kid)


def _verified(token: str, key: RSAKey) -> dict | None:
    try:
        return jwt.decode(token, key, algorithms=[v.ALGORITHM]).claims
    except (JoseError, ValueError):
        return None


def _is_revoked(trust: Trust, issuer: str, entry: reading.StatusEntry) -> bool:
    if issuer == trust.own_id:
        if entry.list_url != v.status_list_id(issuer.removesuffix(v.ISSUER_PATH)):
            raise FetchError("The credential names a revocation list this portal does not publish.")
        return entry.index in trust.own_revoked()
    if _origin(entry.list_url) != _origin(issuer):
        raise FetchError("The credential's revocation list is not at its issuer's address.")
    token = trust.fetch(entry.list_url, fresh=True).decode("ascii", "replace").strip()
    if not COMPACT.match(token):
        raise FetchError("The issuer's revocation list is not a signed list.")
    key = _key_for(trust, issuer, _segment(token.split(".")[0]))
    claims = _verified(token, key) if key else None
    subject = ((claims or {}).get("vc") or {}).get("credentialSubject") or {}
    if claims is None or claims.get("iss") != issuer or subject.get("statusPurpose") != v.STATUS_PURPOSE:
        raise FetchError("The issuer's revocation list is not signed by the issuer.")
    try:
        return bitstring.is_set(bitstring.decode(subject.get("encodedList")), entry.index)
    except bitstring.StatusListError as error:
        raise FetchError(f"The issuer's revocation list cannot be read: {error}") from None


def check(token: str, trust: Trust, now: datetime) -> Verdict:
    """Check one credential, given as the compact JWS text of a VC-JWT."""
    token = (token or "").strip()
    if token.startswith("{"):
        return Verdict(
            Outcome.UNREADABLE,
            "This is credential JSON without a JWT signature. This portal checks credentials signed as VC-JWT "
            "(the text of three parts joined by dots); ask the issuer for that form.",
        )
    if not COMPACT.match(token):
        return Verdict(Outcome.UNREADABLE, "This is not a signed credential: a VC-JWT is three parts joined by dots.")
    try:
        header, unverified = _segment(token.split(".")[0]), _segment(token.split(".")[1])
    except (ValueError, UnicodeDecodeError):
        return Verdict(Outcome.UNREADABLE, "The credential's parts cannot be decoded.")
    issuer = unverified.get("iss") if isinstance(unverified.get("iss"), str) else ""
    if issuer != trust.own_id and issuer not in trust.trusted:
        return Verdict(
            Outcome.UNKNOWN_ISSUER,
            f"It says it was issued by {issuer[:200] or 'no one'}, which is not this portal and not an issuer "
            "this portal's administrators have listed as trusted, so its signature cannot be checked.",
        )
    if header.get("alg") != v.ALGORITHM:
        return Verdict(Outcome.FORGED, f"It is not signed with {v.ALGORITHM}, as the issuer's credentials are.")
    try:
        key = _key_for(trust, issuer, header)
    except (FetchError, ValueError, JoseError):
        return Verdict(Outcome.UNCHECKABLE, "The issuer's published key could not be fetched; try again later.")
    if key is None:
        return Verdict(Outcome.FORGED, "It is not signed with a key its issuer publishes.")
    payload = _verified(token, key)
    if payload is None:
        return Verdict(
            Outcome.FORGED, "Its signature does not match: it was altered after signing, or not signed by its issuer."
        )
    try:
        found = reading.summary(payload.get("vc"))
    except reading.Unreadable as error:
        return Verdict(Outcome.UNREADABLE, str(error))
    if (problem := reading.disagreement(payload, found)) is not None:
        return Verdict(Outcome.FORGED, problem, found)
    return _current(trust, issuer, found, now)


def _current(trust: Trust, issuer: str, found: reading.Summary, now: datetime) -> Verdict:
    if found.status is not None:
        try:
            if _is_revoked(trust, issuer, found.status):
                return Verdict(Outcome.REVOKED, f"{found.issuer_name} has revoked it.", found)
        except (FetchError, ValueError, JoseError) as error:
            return Verdict(Outcome.UNCHECKABLE, f"Whether it has been revoked could not be checked: {error}", found)
    if found.valid_from > now + LEEWAY:
        return Verdict(Outcome.NOT_YET_VALID, f"It is not valid until {found.valid_from:%d %B %Y}.", found)
    if found.valid_until is not None and found.valid_until <= now:
        return Verdict(Outcome.EXPIRED, f"It expired on {found.valid_until:%d %B %Y}.", found)
    return Verdict(Outcome.VALID, f"Genuine, signed by {found.issuer_name}, current and not revoked.", found)
