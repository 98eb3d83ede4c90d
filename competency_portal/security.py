"""Security headers on every response, with a per-request nonce instead of 'unsafe-inline'."""

from __future__ import annotations

import secrets

from flask import Flask, Response, abort, g, request


def _csp(nonce: str) -> str:
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def init_app(app: Flask) -> None:
    """Give each request a CSP nonce and each response the security headers."""

    @app.before_request
    def make_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.before_request
    def refuse_nul_characters() -> None:
        # PostgreSQL cannot store NUL in text; no real form input contains one.
        for values in (request.args, request.form):
            if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
                abort(400, description="The request contained a character that cannot be stored (NUL). Remove it and try again.")

    @app.context_processor
    def nonce_for_templates() -> dict:
        return {"cspNonce": g.get("csp_nonce", "")}

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = _csp(g.get("csp_nonce", secrets.token_urlsafe(16)))
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.endpoint != "static":
            # Pages and downloads hold people's records: no browser or proxy keeps a copy, so they
            # cannot be read back from a shared computer's cache after sign-out.
            response.headers["Cache-Control"] = "no-store"
        if app.config.get("PORTAL_ENV") == "production":
            # Production is served over HTTPS only (the session cookie is Secure): browsers must never try plain HTTP.
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
