"""What the sign-in pages say when the sign-in gate (services.sign_in_limits) refuses, and where attempts come from."""

from __future__ import annotations

import logging

from flask import request

from competency_portal.services.sign_in_limits import minutes_text

log = logging.getLogger(__name__)

TOO_MANY_PASSWORDS = "Too many failed attempts. Try again in {wait}, or ask an administrator to reset your password."
TOO_MANY_CODES = "Too many wrong codes. Try again in {wait}, or ask an administrator to reset your two-factor sign-in."


def address() -> str | None:
    """The address the attempt comes from (the client's, behind TRUSTED_PROXIES reverse proxies)."""
    return request.remote_addr


def refusal(template: str, seconds: int) -> str:
    """The message for an attempt refused for `seconds` more."""
    return template.format(wait=minutes_text(seconds))


def note_used_up(step: str, seconds: int | None) -> None:
    """Log when a window has just been used up, for whoever watches the servers' logs."""
    if seconds is not None:
        log.warning("Sign-in throttled (%s) from %s for %s s", step, address(), seconds)
