"""Uploads held between preview and confirmation (staff imports, application imports).

A CSV is checked and previewed first; the person then confirms it. Between the two, the uploaded
bytes wait in a staging folder under a random token, so the confirmation applies exactly the file
that was previewed. Files previewed but never confirmed are removed after a day. A staged file
belongs to a scope (the staff import, or one vacancy), so a token cannot be confirmed elsewhere.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

KEEP_SECONDS = 24 * 60 * 60
TOKEN = re.compile(r"^[0-9a-f]{32}$")
_SCOPE = re.compile(r"^[a-z0-9-]{1,40}$")


class Staging:
    """One staging folder (for example `instance/imports`)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def put(self, scope: str, data: bytes, now: float | None = None) -> str:
        """Keep `data` for `scope`; return the token that finds it again. Clears out old files first."""
        self._forget_old(time.time() if now is None else now)
        token = secrets.token_hex(16)
        self._path(scope, token).write_bytes(data)
        return token

    def get(self, scope: str, token: str) -> bytes | None:
        """The staged bytes, or None if the token is malformed, unknown, expired or for another scope."""
        if not TOKEN.match(token or ""):
            return None
        try:
            return self._path(scope, token).read_bytes()
        except OSError:
            return None

    def discard(self, scope: str, token: str) -> None:
        """Forget a staged file once it has been applied."""
        if TOKEN.match(token or ""):
            self._path(scope, token).unlink(missing_ok=True)

    def _path(self, scope: str, token: str) -> Path:
        if not _SCOPE.match(scope):
            raise ValueError(f"bad staging scope {scope!r}")
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f"{scope}-{token}.csv"

    def _forget_old(self, now: float) -> None:
        if not self.folder.is_dir():
            return
        for old in self.folder.glob("*.csv"):
            try:
                if old.stat().st_mtime < now - KEEP_SECONDS:
                    old.unlink()
            except OSError:
                pass  # removed by a concurrent request
