"""Who is calling: a person's access token or a reporting tool's client token, its scopes, a limit per token,
and an audit record of every call.

Session cookies are never accepted here: the API is for programs, which present a token, and a
cookie-authenticated API would need CSRF protection it does not have.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request
from flask_smorest import abort
from limits import RateLimitItemPerMinute
from limits.strategies import FixedWindowRateLimiter

from competency_portal import clock, throttling
from competency_portal.api import blp
from competency_portal.extensions import db
from competency_portal.models import ApiClient, ApiToken, User
from competency_portal.services import api_clients, api_tokens, audit

CALLS_PER_MINUTE = 300
_limit = RateLimitItemPerMinute(CALLS_PER_MINUTE)


@dataclass(frozen=True)
class Caller:
    """A call's token: a person's (user set) or a client's (client set), and what it may read."""

    scopes: list[str]
    user: User | None = None
    token: ApiToken | None = None
    client: ApiClient | None = None

    @property
    def key(self) -> str:
        """What the rate limit counts by."""
        return f"token-{self.token.id}" if self.token else f"client-{self.client.id}"


def caller() -> Caller:
    """The call's token."""
    return g.api_caller


def require(scope: str) -> Caller:
    """The caller, if its token has this scope; else 403."""
    found = caller()
    if scope not in found.scopes:
        abort(403, message=f"This token may not read {scope}.")
    return found


def person(scope: str) -> User:
    """The person a token acts for, if it has this scope (a client acts for no person: 403)."""
    found = require(scope)
    if found.user is None:
        abort(403, message="A reporting tool's token acts for no person, so it reads no one's record.")
    return found.user


def _find(presented: str) -> Caller | None:
    now = clock.now()
    if presented.startswith(api_clients.TOKEN_PREFIX):
        client_token = api_clients.check(db.session, presented, now)
        return Caller(client_token.scopes, client=client_token.client) if client_token else None
    token = api_tokens.check(db.session, presented, now)
    return Caller(token.scopes, user=token.user, token=token) if token else None


@blp.before_request
def authenticate() -> None:
    """Refuse a call without a working token (401) or over its limit (429)."""
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    found = _find(presented.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        abort(
            401,
            message="Send a working personal access token (Authorization: Bearer cpat_…) or a client's access token.",
            headers={"WWW-Authenticate": 'Bearer realm="competency-portal"'},
        )
    limiter = FixedWindowRateLimiter(throttling.gate().storage)
    if not limiter.hit(_limit, "api", found.key):
        reset = limiter.get_window_stats(_limit, "api", found.key).reset_time
        wait = max(1, int(reset - clock.now().timestamp()))
        abort(429, message=f"At most {CALLS_PER_MINUTE} calls a minute per token.", headers={"Retry-After": str(wait)})
    g.api_caller = found


@blp.after_request
def record(response):
    """Every call with a token is in the audit trail: who, what, about whom, and the answer's status."""
    found = g.get("api_caller")
    if found is not None:
        detail = {"path": request.full_path.rstrip("?")[:300], "status": response.status_code}
        if found.token is not None:
            found.token.last_used_at = clock.now()
            detail["token"] = found.token.id
        else:
            detail["client"] = found.client.client_id
        audit.record(
            db.session,
            actor_id=found.user.id if found.user else None,
            action="api_read",
            object_type="api",
            object_id=request.endpoint or "",
            subject_id=g.get("api_subject"),
            detail=detail,
        )
        db.session.commit()
    return response
