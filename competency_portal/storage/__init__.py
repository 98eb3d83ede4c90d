"""Where attachment files live: a small interface, with a local folder (the default) or an S3 bucket.

Files are stored under generated names, outside the web root; a name from a request is never used
as a path or key. STORAGE_BACKEND chooses `local` (UPLOAD_FOLDER; `local.py`) or `s3` (S3_BUCKET and
the other S3_ settings; `s3.py`). Either way the same guarantees hold:

- a file saved for a database transaction is *pending* until it ends: kept if it commits, deleted if
  it rolls back (`pending.py`), and the attachment row is only committed after its file is stored, so
  an acknowledged attachment always has its file;
- a process that dies in between leaves a marker, which `sweep` settles from the database (kept if an
  attachment row names the file, deleted otherwise), and a sweep never touches a live request's
  upload: on disk the marker's lock tells, in S3 its lease (see each module);
- bytes are served only if they match the SHA-256 recorded at upload (`integrity.py`).

Downloads go through the portal's own views, after their access checks: the bucket is never exposed
to browsers and no presigned URL is issued.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import BinaryIO, Protocol

from sqlalchemy.orm import Session

from competency_portal.storage.integrity import CorruptFile, StorageError, StorageUnavailable
from competency_portal.storage.local import PENDING, LocalStorage
from competency_portal.storage.pending import Swept
from competency_portal.storage.s3 import DEFAULT_LEASE_SECONDS, S3Storage, client

__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "PENDING",
    "CorruptFile",
    "LocalStorage",
    "S3Storage",
    "Storage",
    "StorageError",
    "StorageUnavailable",
    "Swept",
    "from_config",
    "init_app",
    "sweep",
]
BACKENDS = ("local", "s3")
log = logging.getLogger(__name__)


class Storage(Protocol):
    """What the portal needs from a file store."""

    def save(self, data: bytes, session: Session | None = None) -> str: ...
    def read(self, name: str, sha256: str | None = None) -> bytes: ...
    def open(self, name: str, sha256: str | None = None) -> BinaryIO: ...
    def delete(self, name: str) -> None: ...
    def sweep(self, referenced: Callable[[list[str]], Iterable[str]]) -> Swept: ...


def from_config(config) -> Storage:
    """The storage the app is configured to use (a local folder by default)."""
    if config.get("STORAGE_BACKEND", "local") == "s3":
        return S3Storage(
            client(config.get("S3_ENDPOINT_URL"), config.get("S3_REGION")),
            config["S3_BUCKET"],
            config.get("S3_PREFIX") or "",
            int(config.get("S3_PENDING_LEASE_SECONDS") or DEFAULT_LEASE_SECONDS),
        )
    return LocalStorage(config["UPLOAD_FOLDER"])


def sweep(app) -> Swept | None:
    """Settle uploads that processes which died left pending; None if the database or store is not reachable."""
    from sqlalchemy import select
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from competency_portal.extensions import db
    from competency_portal.models import Attachment

    def referenced(names: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(names), 500):
            chunk = names[start : start + 500]
            found |= set(db.session.scalars(select(Attachment.stored_name).where(Attachment.stored_name.in_(chunk))))
        return found

    with app.app_context():
        try:
            swept = from_config(app.config).sweep(referenced)
        except (OperationalError, ProgrammingError, StorageError) as exc:  # not migrated or not reachable yet
            log.warning(
                "uploads left pending by a crash were not settled (%s: %s); they will be later", type(exc).__name__, exc
            )
            return None
        finally:
            db.session.remove()
    if swept.kept or swept.deleted:
        log.warning(
            "settled uploads left pending by a crash: %d kept (their records were saved), %d deleted (never saved)",
            swept.kept,
            swept.deleted,
        )
    return swept


def init_app(app) -> None:
    """At start-up, settle uploads that a crashed process left pending (see the module docstring).

    Markers in S3 too young to judge are judged again once their lease has run out, by a timer in
    this process (outside tests), so a crash followed at once by a restart is settled without waiting
    for the next restart.
    """
    swept = sweep(app)
    if swept is not None and swept.retry_after is not None and not app.testing:
        timer = threading.Timer(swept.retry_after + 1, sweep, args=(app,))
        timer.daemon = True
        timer.start()
