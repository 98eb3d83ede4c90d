"""Attachments in a local folder (the default backend), named by random 128-bit hex ids.

A file is written to a temporary name, flushed to disk and then renamed, so a crash never leaves
a half-written file under a real name.

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
import hashlib
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from competency_portal.storage.integrity import CorruptFile, verify
from competency_portal.storage.pending import Swept, hold

NAME = re.compile(r"^[0-9a-f]{32}$")
PENDING = "pending"
_STALE_NEW_MARKER_SECONDS = 60  # a `.new` marker is only unlocked for an instant before it is locked
_CHUNK = 64 * 1024


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
        """Keep or delete the file, then remove the marker and release its lock."""
        try:
            if not keep:
                self.storage.delete(self.name)
            (self.storage.pending_dir / self.name).unlink(missing_ok=True)
        finally:
            os.close(self.fd)  # releases the lock


class LocalStorage:
    """Files in a local folder, named by random 128-bit hex ids."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.pending_dir = self.root / PENDING

    def _path(self, name: str) -> Path:
        if not NAME.match(name):
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
            hold(session, pending)
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

    def read(self, name: str, sha256: str | None = None) -> bytes:
        """The stored bytes; CorruptFile if they do not match `sha256` (hex), when given."""
        return verify(name, self._path(name).read_bytes(), sha256)

    def open(self, name: str, sha256: str | None = None) -> BinaryIO:
        """The stored file, open for reading; checked against `sha256` first, when given."""
        handle = open(self._path(name), "rb")  # the caller (send_file) closes it
        if sha256 is not None:
            hashed = hashlib.sha256()
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                hashed.update(chunk)
            if hashed.hexdigest() != sha256:
                handle.close()
                raise CorruptFile(name, "its SHA-256 differs from the one recorded at upload")
            handle.seek(0)
        return handle

    def delete(self, name: str) -> None:
        """Remove a stored file (and any half-written copy) if present."""
        path = self._path(name)
        path.unlink(missing_ok=True)
        path.with_suffix(".part").unlink(missing_ok=True)

    def sweep(self, referenced: Callable[[list[str]], Iterable[str]]) -> Swept:
        """Settle files left pending by processes that died.

        `referenced(names)` says which of the names some committed attachment row uses.
        """
        if not self.pending_dir.is_dir():
            return Swept(0, 0)
        orphans: dict[str, int] = {}
        try:
            for entry in os.scandir(self.pending_dir):
                name, _, suffix = entry.name.partition(".")
                if not NAME.match(name) or suffix not in ("", "new"):
                    continue
                if suffix == "new" and time.time() - entry.stat().st_mtime < _STALE_NEW_MARKER_SECONDS:
                    continue
                fd = _lock_if_dead(entry.path)
                if fd is not None:
                    orphans[entry.name] = fd
            if not orphans:
                return Swept(0, 0)
            names = sorted({n.partition(".")[0] for n in orphans})
            keep = set(referenced(names))
            for marker in orphans:
                name = marker.partition(".")[0]
                if name not in keep:
                    self.delete(name)
                (self.pending_dir / marker).unlink(missing_ok=True)
            return Swept(len(keep & set(names)), len(set(names) - keep))
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
