"""Where attachment files live: a small interface, with a local folder as the default.

Files are stored outside the web root under generated names; a name from a request is never
used as a path. A file is written to a temporary name, flushed to disk and then renamed, so a
crash never leaves a half-written file under a real name.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Protocol

_NAME = re.compile(r"^[0-9a-f]{32}$")


class Storage(Protocol):
    """What the portal needs from a file store."""

    def save(self, data: bytes) -> str: ...
    def read(self, name: str) -> bytes: ...
    def delete(self, name: str) -> None: ...


class LocalStorage:
    """Files in a local folder, named by random 128-bit hex ids."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise ValueError("not a stored file name")
        return self.root / name[:2] / name

    def save(self, data: bytes) -> str:
        """Store bytes durably; return the generated name."""
        name = secrets.token_hex(16)
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        return name

    def read(self, name: str) -> bytes:
        """The stored bytes."""
        return self._path(name).read_bytes()

    def delete(self, name: str) -> None:
        """Remove a stored file if present."""
        self._path(name).unlink(missing_ok=True)


def from_config(config: dict) -> Storage:
    """The storage the app is configured to use (a local folder by default)."""
    return LocalStorage(config["UPLOAD_FOLDER"])
