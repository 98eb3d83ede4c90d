"""How many failed sign-ins and codes are allowed, per account, per address and overall.

Three fixed windows (`limits`, flask-limiter's core) count failures only, over a storage every
server shares (see `throttling`): one per account, one per network address, and one for everyone,
a ceiling that stops a spray of guesses across many accounts from many addresses. Password attempts
and code attempts are counted separately. An account is named by a hash of the email address typed,
whether or not anyone has it, so an unknown address is refused exactly as a known one is, and the
answer never tells them apart. A right password or code clears that account's count.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter

PASSWORD, CODE = "password", "code"
DEFAULT_LIMITS = {
    "account": "5 per 15 minutes",
    "address": "50 per 15 minutes",  # a trust's staff may share one address (its proxy): not too low
    "overall": "1000 per 5 minutes",
}


@dataclass(frozen=True)
class Limits:
    """The three windows: per account, per address and overall."""

    account: RateLimitItem
    address: RateLimitItem
    overall: RateLimitItem


def parse_limit(text: str) -> RateLimitItem:
    """A limit written as `limits` reads it ("5 per 15 minutes"), or ValueError saying what is wrong."""
    try:
        return parse(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a limit; write it like '5 per 15 minutes'") from None


def limits_from_config(config) -> Limits:
    """The limits in the configuration's SIGN_IN_LIMITS (any not given keep their defaults)."""
    given = {**DEFAULT_LIMITS, **(config.get("SIGN_IN_LIMITS") or {})}
    return Limits(**{name: parse_limit(given[name]) for name in DEFAULT_LIMITS})


def account_name(value: str | int) -> str:
    """What an account is counted under: a hash, so neither Redis nor the table holds email addresses."""
    return hashlib.sha256(str(value).strip().lower().encode()).hexdigest()[:32]


class Gate:
    """Says whether an attempt may go ahead, and counts the ones that fail."""

    def __init__(self, storage: Storage, limits: Limits, now: Callable[[], float] = time.time):
        self.storage, self.limits, self._now = storage, limits, now
        self._limiter = FixedWindowRateLimiter(storage)

    def _windows(self, step: str, account: str, address: str | None):
        yield self.limits.account, (step, "account", account_name(account))
        yield self.limits.address, (step, "address", address or "unknown")
        yield self.limits.overall, (step, "overall")

    def wait(self, step: str, account: str, address: str | None) -> int | None:
        """Seconds (to the nearest) until an attempt may be made, if any window is used up; None if one may be now.

        To the nearest, not rounded up: Redis keeps whole seconds, so its 900 can read as 900.002.
        """
        now = self._now()
        waits = [
            self._limiter.get_window_stats(item, *ids).reset_time - now
            for item, ids in self._windows(step, account, address)
            if not self._limiter.test(item, *ids)
        ]
        return max(1, round(max(waits))) if waits else None

    def failed(self, step: str, account: str, address: str | None) -> int | None:
        """Count a failed attempt; the seconds to wait if that used up a window, else None."""
        for item, ids in self._windows(step, account, address):
            self._limiter.hit(item, *ids)
        return self.wait(step, account, address)

    def succeeded(self, step: str, account: str) -> None:
        """A right password or code: that account's failures stop counting against it."""
        self._limiter.clear(self.limits.account, step, "account", account_name(account))

    def clear_account(self, *accounts: str) -> None:
        """Let an account try again at once (an administrator reset its password or two-factor sign-in)."""
        for account in accounts:
            for step in (PASSWORD, CODE):
                self.succeeded(step, account)


def minutes_text(seconds: int) -> str:
    """A wait in words, rounded up to whole minutes ("1 minute", "15 minutes")."""
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
