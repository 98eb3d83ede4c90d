"""Making, listing, revoking and checking personal access tokens for the JSON API.

A token's secret is `cpat_` and 32 random bytes (base64url); only its SHA-256 is stored, so a copy
of the database gives no one a working token. Checking a token compares hashes, so the time taken
does not depend on how much of a guess was right.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal import policy
from competency_portal.clock import as_utc
from competency_portal.models import ApiScope, ApiToken, User
from competency_portal.services import audit

PREFIX = "cpat_"
LIFETIMES = (30, 90, 365)  # days a person may choose; a token never lives longer than a year
MAX_TOKENS = 20


class TokenError(ValueError):
    """A token request the rules refuse; the message says why."""


@dataclass(frozen=True)
class Made:
    """A new token and its secret, which is shown this once."""

    token: ApiToken
    secret: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def mine(session: Session, user: User) -> list[ApiToken]:
    """A person's tokens, newest first (revoked ones too, marked)."""
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc()))
    )


def make(session: Session, user: User, name: str, scopes: list[str], days: int, now: datetime) -> Made:
    """Make a token for the person; its secret is in the answer and nowhere else."""
    if days not in LIFETIMES:
        raise TokenError(f"Choose how long the token lasts: {', '.join(map(str, LIFETIMES))} days.")
    chosen = sorted({ApiScope(s).value for s in scopes})
    if not chosen:
        raise TokenError("Choose what the token may read.")
    if ApiScope.FIGURES.value in chosen and not policy.sees_organisation(user):
        raise TokenError("Only those who see the organisation view may make a token for its figures.")
    live = [t for t in mine(session, user) if t.revoked_at is None and as_utc(t.expires_at) > now]
    if len(live) >= MAX_TOKENS:
        raise TokenError(f"You have {MAX_TOKENS} working tokens already; revoke one you no longer use first.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:100],
        prefix=secret[: len(PREFIX) + 6],
        secret_hash=_hash(secret),
        scopes=chosen,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="api_token_made",
        object_type="api_token",
        object_id=token.id,
        subject_id=user.id,
        detail={"name": token.name, "scopes": chosen, "days": days},
    )
    return Made(token, secret)


def revoke(session: Session, user: User, token_id: int, now: datetime) -> ApiToken:
    """Revoke one of the person's own tokens."""
    token = session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if token is None:
        raise TokenError("There is no such token of yours.")
    token.revoke(now)
    audit.record(
        session,
        actor_id=user.id,
        action="api_token_revoked",
        object_type="api_token",
        object_id=token.id,
        subject_id=user.id,
        detail={"name": token.name},
    )
    return token


def check(session: Session, presented: str, now: datetime) -> ApiToken | None:
    """The working token this secret belongs to (its person active), or None."""
    if not presented.startswith(PREFIX) or len(presented) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.secret_hash == _hash(presented)))
    if token is None or token.revoked_at is not None or as_utc(token.expires_at) <= now or not token.user.active:
        return None
    return token
