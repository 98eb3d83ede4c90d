"""The current date and time, in one place so tests can set it."""

from __future__ import annotations

from datetime import date, datetime, timezone

from flask import current_app, has_app_context


def now() -> datetime:
    """Now, in UTC; `PORTAL_NOW` (an aware datetime) in the config overrides it for tests."""
    if has_app_context() and current_app.config.get("PORTAL_NOW"):
        return current_app.config["PORTAL_NOW"]
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date (UTC)."""
    return now().date()
