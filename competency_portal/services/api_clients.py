"""Reporting tools as OAuth 2.0 clients: administrators register them; they swap their credentials for tokens.

The client credentials grant (RFC 6749, section 4.4): a client authenticates with its id and secret
and gets a bearer token for an hour, within the scopes it was registered with. Secrets and tokens
are stored only as SHA-256 hashes. A client reads frameworks and the organisation's figures, never
a named person's record.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from competency_portal.clock import as_utc
from competency_portal.models import ApiClient, ClientScope, ClientToken, User
from competency_portal.services import audit

CLIENT_PREFIX, TOKEN_PREFIX = "cpc_", "cpct_"
TOKEN_SECONDS = 3600


class ClientError(ValueError):
    """A registration the rules refuse; the message says why."""


class OAuthError(Exception):
    """A token request refused, in RFC 6749's terms (section 5.2): `error`, a description, and the status."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


@dataclass(frozen=True)
class Registered:
    """A new client and its secret, which is shown this once."""

    client: ApiClient
    secret: str


@dataclass(frozen=True)
class Issued:
    """An access token for a client."""

    token: str
    scopes: list[str]
    expires_in: int


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def clients(session: Session) -> list[ApiClient]:
    """Every client, newest first."""
    return list(session.scalars(select(ApiClient).order_by(ApiClient.created_at.desc(), ApiClient.id.desc())))


def register(session: Session, admin: User, name: str, scopes: list[str], now: datetime) -> Registered:
    """Register a reporting tool; its secret is in the answer and nowhere else."""
    chosen = sorted({ClientScope(s).value for s in scopes})
    if not chosen:
        raise ClientError("Choose what the client may read.")
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        name=name.strip()[:100],
        client_id=CLIENT_PREFIX + secrets.token_hex(8),
        secret_hash=_hash(secret),
        scopes=chosen,
        created_by_id=admin.id,
        created_at=now,
    )
    session.add(client)
    session.flush()
    audit.record(
        session,
        actor_id=admin.id,
        action="api_client_registered",
        object_type="api_client",
        object_id=client.id,
        detail={"name": client.name, "client_id": client.client_id, "scopes": chosen},
    )
    return Registered(client, secret)


def revoke(session: Session, admin: User, client_id: int, now: datetime) -> ApiClient:
    """Revoke a client: it gets no more tokens, and the ones it holds stop working."""
    client = session.get(ApiClient, client_id)
    if client is None:
        raise ClientError("There is no such client.")
    client.revoke(now)
    session.execute(
        delete(ClientToken).where(ClientToken.client_id == client.id).execution_options(synchronize_session="fetch")
    )
    audit.record(
        session,
        actor_id=admin.id,
        action="api_client_revoked",
        object_type="api_client",
        object_id=client.id,
        detail={"name": client.name, "client_id": client.client_id},
    )
    return client


def issue(session: Session, client_id: str, secret: str, scope: str | None, now: datetime) -> Issued:
    """Swap a client's credentials for an access token (RFC 6749, 4.4.2 and 4.4.3)."""
    client = session.scalar(select(ApiClient).where(ApiClient.client_id == client_id[:40]))
    # The hash is compared even for an unknown id, so the time taken does not tell ids apart.
    matches = hmac.compare_digest(client.secret_hash if client else "0" * 64, _hash(secret))
    if client is None or not matches or client.revoked_at is not None:
        raise OAuthError("invalid_client", "The client id or secret is wrong, or the client was revoked.", 401)
    wanted = scope.split() if scope else list(client.scopes)
    if not wanted or set(wanted) - set(client.scopes):
        raise OAuthError("invalid_scope", f"This client may ask only for: {' '.join(client.scopes)}.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.execute(  # the client's ended tokens are cleared as it gets a new one
        delete(ClientToken)
        .where(ClientToken.client_id == client.id, ClientToken.expires_at <= now)
        .execution_options(synchronize_session="fetch")
    )
    session.add(
        ClientToken(
            client_id=client.id,
            token_hash=_hash(token),
            scopes=sorted(wanted),
            expires_at=now + timedelta(seconds=TOKEN_SECONDS),
        )
    )
    return Issued(token, sorted(wanted), TOKEN_SECONDS)


def check(session: Session, presented: str, now: datetime) -> ClientToken | None:
    """The working client token this is, or None."""
    if not presented.startswith(TOKEN_PREFIX) or len(presented) > 200:
        return None
    found = session.scalar(select(ClientToken).where(ClientToken.token_hash == _hash(presented)))
    if found is None or as_utc(found.expires_at) <= now or found.client.revoked_at is not None:
        return None
    return found
