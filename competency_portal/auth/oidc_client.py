"""The Authlib clients for the configured identity providers, and what their failures mean.

Each app gets its own Authlib registry (Authlib's keeps its clients on the registry object, and
every app from the factory may be configured with different providers).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from flask import Flask, current_app

from competency_portal import oidc_settings, security
from competency_portal.oidc_settings import Provider

_EXTENSION = "portal_sign_in_providers"


def init_app(app: Flask) -> None:
    """Register a client for each provider in `OIDC_PROVIDERS`."""
    providers = oidc_settings.read(app.config.get("OIDC_PROVIDERS"))
    registry = OAuth(app)
    for provider in providers:
        client_kwargs = {"scope": provider.scopes, "code_challenge_method": "S256", "default_timeout": provider.timeout}
        extra = {}
        if provider.private_key:
            client_kwargs["token_endpoint_auth_method"] = "private_key_jwt"
            headers = {"kid": provider.private_key_id} if provider.private_key_id else None
            extra["client_auth_methods"] = [PrivateKeyJWT(headers=headers)]
        registry.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.private_key or provider.client_secret,
            server_metadata_url=provider.metadata_url,
            client_kwargs=client_kwargs,
            **extra,
        )
    app.extensions[_EXTENSION] = ({p.name: p for p in providers}, registry)
    origins = {"{0.scheme}://{0.netloc}".format(urlsplit(p.issuer)) for p in providers}
    app.extensions[security.SIGN_OUT_ORIGINS] = " ".join(sorted(origins))


def providers() -> list[Provider]:
    """The providers people may sign in with, in the order configured."""
    return list(current_app.extensions[_EXTENSION][0].values())


def lookup(name: str):
    """The provider and its Authlib client, or (None, None) when no provider has that name."""
    known, registry = current_app.extensions[_EXTENSION]
    if name not in known:
        return None, None
    return known[name], registry.create_client(name)


def reason_for(error: Exception) -> str:
    """Why a sign-in failed, as a short code for the audit trail and the page shown.

    Authlib raises its own OAuth errors for the exchange and joserfc's (or its older authlib.jose)
    errors for the ID token; both families share these class names.
    """
    if isinstance(error, MismatchingStateError):
        return "state"
    if isinstance(error, OAuthError):
        return "cancelled" if error.error == "access_denied" else f"provider_error:{error.error or 'unknown'}"
    kind = type(error).__name__
    text = str(error).lower()
    if kind == "BadSignatureError":
        return "signature"
    if kind == "ExpiredTokenError":
        return "expired"
    if "issued in the future" in text:
        return "issued_in_future"
    if kind in ("InvalidClaimError", "MissingClaimError"):
        named = getattr(error, "claim", None)
        if named:
            return f"{'missing' if kind.startswith('Missing') else 'wrong'}_{named}"
        for claim in ("aud", "iss", "nonce", "sub", "exp", "iat", "azp", "at_hash"):
            if f"'{claim}'" in text or f'"{claim}"' in text or text.endswith(claim):
                return f"{'missing' if kind.startswith('Missing') else 'wrong'}_{claim}"
        return "invalid_claim"
    if kind == "InvalidKeyIdError":
        return "unknown_key"
    return "invalid_token"
