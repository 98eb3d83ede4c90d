"""Permission expectations for the JSON API and its token pages, merged into tests/test_permissions.py.

The API answers tokens only: a browser's session reaches none of it (401 for everyone; tests/test_api.py
probes each endpoint with a token of every kind of user). Its document and documentation page are
open to all. Everyone signed in has a token page; a token is revoked only by its own person.
url_values(world): a framework, a role profile, and a token of the owner's.
"""

from __future__ import annotations

from datetime import datetime, timezone

from competency_portal.extensions import db
from competency_portal.models import User
from competency_portal.services import api_clients, api_tokens
from tests.portal_helpers import KINDS, TARGET_ROLE

SIGNIN = "sign-in"
EVERYONE = {kind: 200 for kind in KINDS}
TOKEN_ONLY = {kind: 401 for kind in KINDS}
# The API blueprint's endpoints: token-only JSON (tests/browser/test_reflow.py leaves them out too).
API_OPERATIONS = (
    "frameworks",
    "framework",
    "roles",
    "role",
    "me",
    "people",
    "readiness",
    "person_training",
    "figures",
    "vacancies",
    "shortlist",
)

GET: dict[str, dict] = {
    "api-docs.openapi_json": EVERYONE,
    "api_pages.docs": EVERYONE,
    **{f"api.{name}": TOKEN_ONLY for name in API_OPERATIONS},
    "api_pages.token": {kind: 405 for kind in KINDS},  # POST only: the OAuth token endpoint
    "admin.api_clients_page": {kind: {"anonymous": SIGNIN, "admin": 200}.get(kind, 403) for kind in KINDS},
    "admin.revoke_api_client": {kind: 405 for kind in KINDS},
    "auth.api_tokens_page": {kind: (SIGNIN if kind == "anonymous" else 200) for kind in KINDS},
    "auth.revoke_api_token": {kind: 405 for kind in KINDS},
}


def _token_id(world, kind: str = "owner") -> int:
    found = getattr(world, f"api_token_{kind}", None)
    if found:
        return found
    person = db.session.get(User, world.id(kind))
    made = api_tokens.make(db.session, person, f"{kind}'s report", ["people"], 30, datetime.now(timezone.utc))
    db.session.commit()
    setattr(world, f"api_token_{kind}", made.token.id)
    return made.token.id


def _client_id(world) -> int:
    found = getattr(world, "api_client_id", None)
    if found:
        return found
    admin = db.session.get(User, world.id("admin"))
    made = api_clients.register(db.session, admin, "A dashboard", ["figures"], datetime.now(timezone.utc))
    db.session.commit()
    world.api_client_id = made.client.id
    return made.client.id


def url_values(world) -> dict:
    """A framework and a role profile of the world, the owner's token and a registered client."""
    return {
        "framework_id": world.framework_slug,
        "role_id": TARGET_ROLE,
        "token_id": _token_id(world),
        "client_id": _client_id(world),
    }


def post_cases(world) -> dict:
    """Anyone signed in makes their own tokens; only the token's person revokes it (others are sent back, unchanged).

    The token is other_staff's: earlier controls sign the owner out.
    """
    revoke = f"/account/api-tokens/{_token_id(world, 'other_staff')}/revoke"
    not_theirs = {kind: 302 for kind in KINDS if kind not in ("anonymous", "other_staff")}
    not_admin = {kind: 403 for kind in KINDS if kind not in ("anonymous", "admin")}
    refused_oauth = {kind: 401 for kind in KINDS}
    return {
        "auth.api_tokens_page": (
            "/account/api-tokens",
            {"name": "A report", "scopes": ["people"], "days": "90"},
            {},
            ("other_staff", 200),
        ),
        "auth.revoke_api_token": (revoke, {}, not_theirs, ("other_staff", 302)),
        # Open to all, like any OAuth token endpoint: without client credentials it refuses and keeps nothing.
        "api_pages.token": ("/api/oauth/token", {"grant_type": "client_credentials"}, refused_oauth, None),
        "admin.api_clients_page": (
            "/admin/api-clients",
            {"name": "A tool", "scopes": ["figures"]},
            not_admin,
            ("admin", 200),
        ),
        "admin.revoke_api_client": (f"/admin/api-clients/{_client_id(world)}/revoke", {}, not_admin, ("admin", 302)),
    }
