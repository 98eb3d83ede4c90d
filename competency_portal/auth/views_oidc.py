"""Signing in with a trust's identity provider (OpenID Connect authorization code flow, with PKCE).

Authlib does the protocol: `state`, `nonce` and the PKCE verifier are kept in the session, and the
ID token's signature (against the provider's JWKS, fetched again when a new key appears), issuer,
audience, expiry, issue time and nonce are checked before anyone is signed in.
"""

from __future__ import annotations

import secrets

import requests
from authlib.integrations.base_client import OAuthError
from flask import abort, redirect, render_template, request, session, url_for
from flask_login import current_user
from joserfc.errors import JoseError

from competency_portal import clock, policy
from competency_portal.auth import bp, oidc_client
from competency_portal.auth.views import ID_TOKEN_KEY, PROVIDER_KEY, safe_next, start_session
from competency_portal.extensions import db
from competency_portal.services import audit, external_sign_in
from competency_portal.services.external_sign_in import Outcome

CLOCK_LEEWAY_SECONDS = 60  # clocks on the two sides may differ this much
NEXT_KEY = "sign_in_next"


def _refused(provider, reason: str, status: int, user=None, value: str | None = None):
    """Audit the refusal and show the page that says what happened and what to do."""
    audit.record(
        db.session,
        actor_id=user.id if user is not None else None,
        action="sign_in_refused",
        object_type="identity_provider",
        object_id=provider.name,
        subject_id=user.id if user is not None else None,
        detail={"reason": reason, "value": value},
    )
    db.session.commit()
    page = {
        "not_set_up": "auth/not_set_up.html",
        "deactivated": "auth/account_closed.html",
    }.get(reason, "auth/provider_failed.html")
    return render_template(page, provider=provider, reason=reason.split(":")[0], value=value), status


def _configured(name: str):
    """The provider of that name and its client; 404 when no provider has it."""
    provider, client = oidc_client.lookup(name)
    if client is None:
        abort(404)
    return provider, client


@bp.route("/sign-in/with/<name>")
@policy.rule(policy.PUBLIC)
def provider_start(name: str):
    """Send the person to their provider to sign in."""
    provider, client = _configured(name)
    if current_user.is_authenticated:
        return redirect(url_for("dashboards.mine"))
    extra = {"acr_values": provider.acr_values} if provider.acr_values else {}
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    try:
        return client.authorize_redirect(
            url_for("auth.provider_callback", name=name, _external=True), nonce=secrets.token_urlsafe(24), **extra
        )
    except (requests.RequestException, ValueError):
        return _refused(provider, "unavailable", 503)


@bp.route("/sign-in/with/<name>/callback")
@policy.rule(policy.PUBLIC)
def provider_callback(name: str):
    """Where the provider sends the person back: check the ID token and sign them in."""
    provider, client = _configured(name)
    try:
        # Authlib checks the audience only through `azp`, so a token for another client that names
        # us as its authorized party would pass; OpenID Connect Core 3.1.3.7 asks for both checks.
        expected = {
            "iss": {"essential": True, "value": client.load_server_metadata().get("issuer", provider.issuer)},
            "aud": {"essential": True, "value": provider.client_id},
        }
        token = client.authorize_access_token(leeway=CLOCK_LEEWAY_SECONDS, claims_options=expected)
    except OAuthError as error:
        return _refused(provider, oidc_client.reason_for(error), 400)
    except (requests.RequestException, ValueError):
        return _refused(provider, "unavailable", 503)
    except JoseError as error:
        return _refused(provider, oidc_client.reason_for(error), 400)
    claims = dict(token.get("userinfo") or {})
    if not claims:
        return _refused(provider, "no_id_token", 400)
    if provider.claim not in claims:
        # Some providers (NHS CIS2 among them) put profile claims only in the UserInfo response.
        try:
            more = client.userinfo(token=token)
        except (requests.RequestException, ValueError, OAuthError):
            return _refused(provider, "unavailable", 503)
        if str(more.get("sub")) == str(claims["sub"]):  # OpenID Connect Core 5.3.2: else it is not theirs
            claims = {**dict(more), **claims}
    result = external_sign_in.sign_in(
        db.session, provider.name, dict(claims), provider.claim, provider.match, clock.now()
    )
    if result.outcome is Outcome.SIGNED_IN:
        keep = {PROVIDER_KEY: provider.name, ID_TOKEN_KEY: token.get("id_token")}
        return start_session(result.user, f"provider:{provider.name}", safe_next(session.get(NEXT_KEY)), keep)
    status = {Outcome.NOT_SET_UP: 403, Outcome.DEACTIVATED: 403}.get(result.outcome, 400)
    return _refused(provider, result.outcome.value, status, result.user, result.value)
