"""The one shape of a view that changes something: call a service, commit once, or roll back.

Services change the session and raise an error a person can act on when they refuse; they never
commit or roll back. The view owns the transaction, through `attempt`:

    outcome = web.attempt(signoff.revoke, db.session, sign_off, current_user, reason, now, refusals=EvidenceError)
    if outcome:
        return web.done("The sign-off has been revoked.", "evidence.show", evidence_id=sign_off.evidence_id)
    form.reason.errors = [outcome.error]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from competency_portal.extensions import db


@dataclass(frozen=True)
class Outcome:
    """What a service call came to: its result, or the refusal (true when it succeeded)."""

    value: Any = None
    refusal: Exception | None = None

    def __bool__(self) -> bool:
        return self.refusal is None

    @property
    def error(self) -> str:
        """The refusal's message, for a flash or a field's error ('' when it succeeded)."""
        return "" if self.refusal is None else str(self.refusal)


def attempt(
    operation: Callable[..., Any],
    *args: Any,
    refusals: type[Exception] | tuple[type[Exception], ...],
    **kwargs: Any,
) -> Outcome:
    """Run one service operation as the request's transaction.

    Commits once if it returns; if it raises one of `refusals` (the service saying no, in words a
    person can act on), rolls back so nothing half-done is kept, and returns the refusal.
    Anything else propagates: an unexpected error is a 500, rolled back by the request teardown.
    """
    try:
        value = operation(*args, **kwargs)
    except refusals as exc:
        db.session.rollback()
        return Outcome(refusal=exc)
    db.session.commit()
    return Outcome(value=value)


def done(message: str | None, endpoint: str, **values: Any) -> Response:
    """The end of a successful form: say what happened, and go where the person goes next."""
    if message:
        flash(message)
    return redirect(url_for(endpoint, **values))


def refused(outcome: Outcome, endpoint: str, **values: Any) -> Response:
    """The end of a refused action that has no form to show again: say why, and go back."""
    flash(outcome.error)
    return redirect(url_for(endpoint, **values))
