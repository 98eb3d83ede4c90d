"""A Redis for the tests: the machine's own on 127.0.0.1:6379, or one started for the run.

The guide's machines run Redis on 127.0.0.1:6379. Elsewhere, `redis-server` (if installed) is
started on a free port with nothing saved to disk. With neither, tests that need Redis skip and
say why, unless REQUIRE_REDIS=1 (which .ci/run sets), when they fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest
import redis

LOCAL = "redis://127.0.0.1:6379/0"


def answers(url: str) -> bool:
    """Whether a Redis answers at `url`."""
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _start_own(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not answers(f"redis://127.0.0.1:{port}/0"):
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}")
        time.sleep(0.1)
    return process


@pytest.fixture(scope="session")
def redis_url():
    """The address of a Redis the test may use (keys under a prefix of its own: see `key_prefix`)."""
    if answers(LOCAL):
        yield LOCAL
        return
    if shutil.which("redis-server") is None:
        reason = "no Redis on 127.0.0.1:6379 and no redis-server to start one"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from loadtest.server import free_port

    port = free_port()
    process = _start_own(port)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=15)


def key_prefix() -> str:
    """A prefix no other test (nor another run sharing the machine's Redis) uses."""
    return f"portal-test-{os.getpid()}-{time.monotonic_ns()}"
