"""Files saved for a database transaction, settled when that transaction ends (either backend).

A backend's `save(data, session)` hands a `Pending` to `hold`; when the session's outermost
transaction commits each one is settled with keep=True (the file stays, its marker goes), and when
it rolls back or the session closes without committing, with keep=False (the file goes too).
"""

from __future__ import annotations

import logging
from typing import NamedTuple, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

_PENDING_KEY = "competency_portal.pending_files"
log = logging.getLogger(__name__)


class Pending(Protocol):
    """A saved file whose transaction has not ended yet."""

    name: str

    def settle(self, keep: bool) -> None: ...


def hold(session: Session | scoped_session, pending: Pending) -> None:
    """Settle `pending` when the session's transaction ends."""
    _session(session).info.setdefault(_PENDING_KEY, []).append(pending)


def _session(session) -> Session:
    return session() if isinstance(session, scoped_session) else session


def _settle_all(session: Session, keep: bool) -> None:
    for pending in session.info.pop(_PENDING_KEY, []):
        try:
            pending.settle(keep)
        except Exception:
            # The transaction has already ended: failing it now would tell the person a saved change
            # was lost. The marker stays, and the sweep settles it from the database.
            log.exception("could not settle pending upload %s (keep=%s); the sweep will", pending.name, keep)


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session: Session) -> None:
    _settle_all(session, keep=True)


@event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted_files(session: Session, transaction) -> None:
    # After a commit the list is already empty; anything left was saved for work that was not kept.
    if transaction.parent is None:
        _settle_all(session, keep=False)


class Swept(NamedTuple):
    """What a sweep did: files kept (their rows were committed), deleted (never committed), and how many
    seconds until markers still too young to judge may be judged (None when none were left)."""

    kept: int
    deleted: int
    retry_after: float | None = None
