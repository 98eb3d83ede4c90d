"""What the background job tests share: a real SMTP server (aiosmtpd) and a real RQ worker process.

The worker is `flask jobs worker`, started as the README says, against the test database and the
machine's Redis, on a queue of its own so runs never take each other's jobs.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from aiosmtpd.controller import Controller

from loadtest.server import free_port

ROOT = Path(__file__).resolve().parent.parent


class Mailbox:
    """An SMTP server on 127.0.0.1 that keeps what it receives; `stall` makes it hang mid-message."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []  # (to, body)
        self.stall = threading.Event()
        self.stalled = threading.Event()  # a message reached it while stalled
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.stall.is_set():
            self.stalled.set()
            await asyncio.sleep(60)
        self.received.append((envelope.rcpt_tos[0], envelope.content.decode("utf-8", "replace")))
        return "250 OK"

    def start(self) -> Mailbox:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def settings(self) -> dict:
        return {"server": "127.0.0.1", "port": self.port, "sender": "portal@nhs.example"}

    def wait_for(self, count: int, timeout: float = 30) -> list[tuple[str, str]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


def queue_name() -> str:
    """A queue for one test only."""
    return f"test-{secrets.token_hex(6)}"


@contextmanager
def worker(database_url: str, redis_url: str, queue: str, **settings: str):
    """A running `flask jobs worker` process; killed (SIGKILL) when the block ends if still alive."""
    env = {k: v for k, v in os.environ.items() if k not in ("PORTAL_NOW", "FLASK_APP")}
    env.update(
        PORTAL_ENV="development",
        SECRET_KEY="testing-only-worker",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        JOBS_QUEUE=queue,
        JOBS_RELAY_SECONDS="0.5",
        **settings,
    )
    log = open(
        os.environ.get("WORKER_LOG")
        or os.path.join(os.environ.get("PORTAL_INSTANCE_PATH", "/tmp"), f"worker-{queue}.log"),
        "ab",
    )  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "competency_portal", "jobs", "worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        log.close()


def wait_until(condition, timeout: float = 30, what: str = "the condition") -> None:
    """Poll until `condition()` is true, or fail saying what did not happen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
