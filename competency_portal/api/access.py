"""Who is calling: the bearer token, its scopes, a per-token rate limit, and an audit record of every call.

Session cookies are never accepted here: the API is for programs, which present a token, and a
cookie-authenticated API would need CSRF protection it does not have.
"""

from __future__ import annotations

from flask import g, request
from flask_smorest import abort
from limits import RateLimitItemPerMinute
from limits.strategies import FixedWindowRateLimiter

from competency_portal import clock, throttling
from competency_portal.api import blp
from competency_portal.extensions import db
from competency_portal.models import ApiScope, ApiToken
from competency_portal.services import api_tokens, audit

CALLS_PER_MINUTE = 300
_limit = RateLimitItemPerMinute(CALLS_PER_MINUTE)


def token() -> ApiToken:
    """The token this call was made with."""
    return g.api_token


def require(scope: ApiScope) -> ApiToken:
    """The call's token, if it has this scope; else 403."""
    if scope.value not in token().scopes:
        abort(403, message=f"This token may not read {scope.value}; make a token with that scope.")
    return token()


@blp.before_request
def authenticate() -> None:
    """Refuse a call without a working token (401) or over its limit (429)."""
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    found = api_tokens.check(db.session, presented.strip(), clock.now()) if scheme.lower() == "bearer" else None
    if found is None:
        abort(
            401,
            message="Send a working personal access token: Authorization: Bearer cpat_…",
            headers={"WWW-Authenticate": 'Bearer realm="competency-portal"'},
        )
    limiter = FixedWindowRateLimiter(throttling.gate().storage)
    if not limiter.hit(_limit, "api", str(found.id)):
        reset = limiter.get_window_stats(_limit, "api", str(found.id)).reset_time
        abort(
            429,
            message=f"At most {CALLS_PER_MINUTE} calls a minute per token.",
            headers={"Retry-After": str(max(1, int(reset - clock.now().timestamp())))},
        )
    g.api_token = found


@blp.after_request
def record(response):
    """Every call with a token is in the audit trail: who, what, about whom, and the answer's status."""
    found = g.get("api_token")
    if found is not None:
        found.last_used_at = clock.now()
        audit.record(
            db.session,
            actor_id=found.user_id,
            action="api_read",
            object_type="api",
            object_id=request.endpoint or "",
            subject_id=g.get("api_subject"),
            detail={"path": request.full_path.rstrip("?")[:300], "status": response.status_code, "token": found.id},
        )
        db.session.commit()
    return response
