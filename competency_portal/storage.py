"""Where attachment files live: a small interface, with a local folder as the default.

Files are stored outside the web root under generated names; a name from a request is never
used as a path. A file is written to a temporary name, flushed to disk and then renamed, so a
crash never leaves a half-written file under a real name.

A file saved for a database transaction (`save(data, session)`) is *pending* until that
transaction ends: a marker `pending/<name>` is created before the file and held locked
(`flock`) by the process writing it. When the transaction commits the marker is removed; when it
rolls back (or the session closes without committing) the file goes too. If the process dies in
between (a crash, a SIGKILL), the kernel releases the lock, and `sweep` (run when the app
starts) settles the marker by asking the database: a file some attachment row names is kept,
any other is deleted. A marker that is still locked belongs to a live request and is left
alone, so a sweep in one worker never races another worker's upload. The attachment row is
only committed after its file is on disk, so an acknowledged attachment always has its file.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

_NAME = re.compile(r"^[0-9a-f]{32}$")
PENDING = "pending"
_PENDING_KEY = "competency_portal.pending_files"
_STALE_NEW_MARKER_SECONDS = 60  # a `.new` marker is only unlocked for an instant before it is locked
log = logging.getLogger(__name__)


class Storage(Protocol):
    """What the portal needs from a file store."""

    def save(self, data: bytes, session: Session | None = None) -> str: ...
    def read(self, name: str) -> bytes: ...
    def delete(self, name: str) -> None: ...


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class _Pending:
    """A saved file whose transaction has not ended yet, and the locked marker that says so."""

    storage: LocalStorage
    name: str
    fd: int

    def settle(self, keep: bool) -> None:
        if not keep:
            self.storage.delete(self.name)
        (self.storage.pending_dir / self.name).unlink(missing_ok=True)
        os.close(self.fd)  # releases the lock


class LocalStorage:
    """Files in a local folder, named by random 128-bit hex ids."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.pending_dir = self.root / PENDING

    def _path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise ValueError("not a stored file name")
        return self.root / name[:2] / name

    def save(self, data: bytes, session: Session | None = None) -> str:
        """Store bytes durably; return the generated name.

        With a session, the file is kept only if that session's transaction commits.
        """
        name = secrets.token_hex(16)
        pending = self._mark_pending(name) if session is not None else None
        path = self._path(name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".part")
            with open(tmp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
            _fsync_dir(path.parent)
        except BaseException:
            if pending is not None:
                pending.settle(keep=False)
            raise
        if pending is not None:
            _session(session).info.setdefault(_PENDING_KEY, []).append(pending)
        return name

    def _mark_pending(self, name: str) -> _Pending:
        # Locked before it appears under its real name, so a sweep never sees it unlocked while we live.
        self.pending_dir.mkdir(parents=True, exist_ok=True)
        fresh = self.pending_dir / f"{name}.new"
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.rename(fresh, self.pending_dir / name)
        except BaseException:
            os.close(fd)
            fresh.unlink(missing_ok=True)
            raise
        return _Pending(self, name, fd)

    def read(self, name: str) -> bytes:
        """The stored bytes."""
        return self._path(name).read_bytes()

    def delete(self, name: str) -> None:
        """Remove a stored file (and any half-written copy) if present."""
        path = self._path(name)
        path.unlink(missing_ok=True)
        path.with_suffix(".part").unlink(missing_ok=True)

    def sweep(self, referenced: Callable[[list[str]], Iterable[str]]) -> tuple[int, int]:
        """Settle files left pending by processes that died; returns (kept, deleted).

        `referenced(names)` says which of the names some committed attachment row uses.
        """
        if not self.pending_dir.is_dir():
            return 0, 0
        orphans: dict[str, int] = {}
        try:
            for entry in os.scandir(self.pending_dir):
                name, _, suffix = entry.name.partition(".")
                if not _NAME.match(name) or suffix not in ("", "new"):
                    continue
                if suffix == "new" and time.time() - entry.stat().st_mtime < _STALE_NEW_MARKER_SECONDS:
                    continue
                fd = _lock_if_dead(entry.path)
                if fd is not None:
                    orphans[entry.name] = fd
            if not orphans:
                return 0, 0
            names = sorted({n.partition(".")[0] for n in orphans})
            keep = set(referenced(names))
            for marker in orphans:
                name = marker.partition(".")[0]
                if name not in keep:
                    self.delete(name)
                (self.pending_dir / marker).unlink(missing_ok=True)
            return len(keep & set(names)), len(set(names) - keep)
        finally:
            for fd in orphans.values():
                os.close(fd)


def _lock_if_dead(path: str) -> int | None:
    """An fd holding the marker's lock if its writer is gone; None while a live process holds it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None  # settled meanwhile
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    if os.fstat(fd).st_nlink == 0:  # another sweep settled it while we waited for the lock
        os.close(fd)
        return None
    return fd


def _session(session) -> Session:
    return session() if isinstance(session, scoped_session) else session


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session: Session) -> None:
    for pending in session.info.pop(_PENDING_KEY, []):
        pending.settle(keep=True)


@event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted_files(session: Session, transaction) -> None:
    # After a commit the list is already empty; anything left was saved for work that was not kept.
    if transaction.parent is None:
        for pending in session.info.pop(_PENDING_KEY, []):
            pending.settle(keep=False)


def from_config(config: dict) -> Storage:
    """The storage the app is configured to use (a local folder by default)."""
    return LocalStorage(config["UPLOAD_FOLDER"])


def init_app(app) -> None:
    """At start-up, settle uploads that a crashed process left pending (see the module docstring)."""
    from sqlalchemy import select
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from competency_portal.extensions import db
    from competency_portal.models import Attachment

    store = from_config(app.config)
    if not isinstance(store, LocalStorage) or not store.pending_dir.is_dir():
        return

    def referenced(names: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(names), 500):
            chunk = names[start : start + 500]
            found |= set(db.session.scalars(select(Attachment.stored_name).where(Attachment.stored_name.in_(chunk))))
        return found

    with app.app_context():
        try:
            kept, deleted = store.sweep(referenced)
        except (OperationalError, ProgrammingError) as exc:  # database not migrated or not reachable yet: next start
            log.warning(
                "uploads left pending by a crash were not settled (%s); they will be at the next start",
                exc.__class__.__name__,
            )
            return
        finally:
            db.session.remove()
    if kept or deleted:
        log.warning(
            "settled uploads left pending by a crash: %d kept (their records were saved), %d deleted (never saved)",
            kept,
            deleted,
        )
