"""Security headers on every response, with a per-request nonce instead of 'unsafe-inline'; and a
session cookie that only pages refresh.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, abort, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf

# What a browser says it is fetching (Sec-Fetch-Dest) when it loads a page rather than a part of one.
PAGE_DESTINATIONS = {"document", "iframe", "frame"}
SIGN_OUT_ORIGINS = "portal_sign_out_origins"  # set by auth.oidc_client: the identity providers' origins


def _csp(nonce: str | None, form_targets: str = "") -> str:
    scripts = f"script-src 'self' 'nonce-{nonce}'" if nonce else "script-src 'self'"
    return "; ".join(
        [
            "default-src 'self'",
            scripts,
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            # Signing out posts a form that is redirected to the identity provider's end-session page.
            f"form-action 'self'{' ' + form_targets if form_targets else ''}",
            "frame-ancestors 'none'",
        ]
    )


def csp_nonce() -> str:
    """This request's CSP nonce, made the first time it is asked for.

    Made on demand rather than in a before-request hook: a request refused before the hooks run
    (a missing CSRF token, a body too large) still renders an error page, whose inline script must
    carry the nonce the response's header allows.
    """
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def start_form_token() -> None:
    """Put a form (CSRF) token in a session just begun, so that it is there from its first cookie.

    A copy of the cookie that an earlier response of the same session sets late then still carries
    the token, and no form is refused for it. The token this request's sign-in form was checked
    with belonged to the session just cleared; it is forgotten first.
    """
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    generate_csrf()


def common_headers(production: bool) -> dict[str, str]:
    """The headers every response carries, pages and static files alike (the CSP aside)."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if production:
        # Production is served over HTTPS only (the session cookie is Secure): browsers must never try plain HTTP.
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def static_headers(production: bool):
    """A WhiteNoise `add_headers_function` giving static files the same protections as pages."""
    fixed = {**common_headers(production), "Content-Security-Policy": _csp(None)}

    def add(headers, _path: str, _url: str) -> None:
        for name, value in fixed.items():
            headers[name] = value

    return add


class PageRefreshedSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose idle timer only pages (and real changes) restart.

    With a permanent session refreshed on each request, every response sets the cookie again from
    the session its request carried. A part of a page that arrives late (a script, an image, a
    missing favicon) would then put back a cookie older than the one the next page set, losing, for
    example, that page's CSRF token. Only a response that changed the session, or one to a page the
    person navigated to, sets the cookie; the browser says which requests those are.
    """

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        return (
            super().should_set_cookie(app, session)
            and request.headers.get("Sec-Fetch-Dest", "document") in PAGE_DESTINATIONS
        )


def init_app(app: Flask) -> None:
    """Sessions refreshed by pages only, a CSP nonce for each page, and the security headers."""
    app.session_interface = PageRefreshedSessionInterface()
    production = app.config.get("PORTAL_ENV") == "production"
    fixed = common_headers(production)

    @app.before_request
    def refuse_nul_characters() -> None:
        # PostgreSQL cannot store NUL in text; no real form input contains one.
        for values in (request.args, request.form):
            if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
                abort(
                    400,
                    description=(
                        "The request contained a character that cannot be stored (NUL). Remove it and try again."
                    ),
                )

    @app.context_processor
    def nonce_for_templates() -> dict:
        return {"cspNonce": csp_nonce()}

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = _csp(csp_nonce(), app.extensions.get(SIGN_OUT_ORIGINS, ""))
        response.headers.update(fixed)
        if request.endpoint != "static":
            # Pages and downloads hold people's records: no browser or proxy keeps a copy, so they
            # cannot be read back from a shared computer's cache after sign-out.
            response.headers["Cache-Control"] = "no-store"
        return response
