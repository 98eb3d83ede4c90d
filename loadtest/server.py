"""Start the production server (gunicorn, as the README runs it) on a free 127.0.0.1 port, and stop it.

The server runs in a process group of its own so that `kill` reaches the master and every worker
(the crash-safety test kills it with SIGKILL, mid-request, on purpose).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str, upload_folder: str | Path, secret_key: str | None = None) -> dict[str, str]:
    """The environment the README gives production: PORTAL_ENV, a random 64-character key, the database."""
    env = {k: v for k, v in os.environ.items() if k not in ("PORTAL_NOW", "FLASK_APP")}
    env.update(
        {
            "PORTAL_ENV": "production",
            "SECRET_KEY": secret_key or secrets.token_hex(32),
            "DATABASE_URL": database_url,
            "UPLOAD_FOLDER": str(upload_folder),
        }
    )
    return env


@dataclass
class Server:
    """A running gunicorn: its URL and process; `stop` ends it (gracefully, or with SIGKILL)."""

    env: dict[str, str]
    workers: int = 4
    threads: int = 1  # above 1, gunicorn's gthread workers, each with this many threads
    port: int = field(default_factory=free_port)
    log_path: Path | None = None
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> Server:
        """Start gunicorn and wait until /health answers 200 (or fail with its log)."""
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "--workers",
                str(self.workers),
                *(["--threads", str(self.threads)] if self.threads > 1 else []),
                "--bind",
                f"127.0.0.1:{self.port}",
                "competency_portal:create_app()",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if log is not subprocess.DEVNULL:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode} before answering; see {self.log_path}"
                )
            try:
                if requests.get(self.url + "/health", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop(kill=True)
        raise RuntimeError(f"gunicorn did not answer on {self.url} within {timeout:.0f} s; see {self.log_path}")

    def stop(self, kill: bool = False, timeout: float = 45.0) -> None:
        """Stop the master and its workers: SIGTERM and wait (graceful), or SIGKILL at once."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL if kill else signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)
        if kill:
            _wait_group_gone(self.process.pid, timeout)


def _wait_group_gone(pgid: int, timeout: float) -> None:
    """After SIGKILL, wait until no live process of the group is left (workers die a moment after the master)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _live_in_group(pgid):
        time.sleep(0.05)


def _live_in_group(pgid: int) -> bool:
    """Whether a process of the group is still running (zombies, already dead, do not count)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (name) ": state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False
