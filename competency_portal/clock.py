"""The current date and time, in one place so tests can set it; and date arithmetic on months."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timezone
from functools import lru_cache

from flask import current_app, has_app_context


def now() -> datetime:
    """Now, in UTC; `PORTAL_NOW` (an aware datetime) in the config overrides it for tests."""
    if has_app_context() and current_app.config.get("PORTAL_NOW"):
        return current_app.config["PORTAL_NOW"]
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """A stored time with its zone: SQLite gives times back without one, and every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def today() -> date:
    """Today's date (UTC)."""
    return now().date()


@lru_cache(maxsize=65536)  # pure, and called for every record of a whole trust with few distinct dates
def add_months(day: date, months: int) -> date:
    """The same day `months` later (clamped to the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
