"""`make load SERVERS=2` cannot silently rot: two servers, a few people for a few seconds, every check passing.

The load test runs as `make load` runs it (`python -m loadtest`, in a process of its own) with two
gunicorn servers (one worker each, to be quick), the job worker and the machine's Redis (or one
started for the run: tests/redis_server.py; without any, the test skips, or fails under
REQUIRE_REDIS=1). Every person's requests are spread over both servers, and the result must show
no errors, no lost writes, and each cross-server check passed: sessions, lock-outs, notifications,
uploads (made under load too) and emails.

On SQLite the load test makes its own file (both servers share it, on this machine). On PostgreSQL
(DATABASE_URL set) it cannot use the suite's database, which holds the suite's tables, so it uses
a sibling database on the same server, `<name>_servers`, made here if missing; the load test marks
it as its own and empties it at each run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from redis_server import redis_url  # noqa: F401 - the fixture
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from competency_portal.config import normalise_database_url

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ("sessions", "lock-outs", "notifications", "uploads", "uploads under load", "emails")


def _load_database() -> str | None:
    """The database for the load test: None (its own SQLite file), or the PostgreSQL sibling of the suite's."""
    given = os.environ.get("DATABASE_URL")
    if not given or not normalise_database_url(given).startswith("postgresql"):
        return None
    url = make_url(normalise_database_url(given))
    name = f"{url.database}_servers"
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def test_two_servers_under_load_behave_as_one(redis_url):  # noqa: F811
    env = {**os.environ, "REDIS_URL": redis_url}
    env.pop("DATABASE_URL", None)
    database = _load_database()
    if database:
        env["DATABASE_URL"] = database
    done = subprocess.run(
        [sys.executable, "-m", "loadtest", "--servers", "2", "--workers", "1", "--users", "6", "--duration", "5"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    said = done.stderr + done.stdout
    assert done.returncode == 0, said
    for name in CHECKS:
        assert f"load: check {name}: ok" in said, said
    result = done.stdout.strip().splitlines()[-1]
    assert re.search(r", 0 errors, 0 lost writes, 0 failed checks$", result), result
    spread = re.search(r"requests by server port: \d+: (\d+), \d+: (\d+)", said)
    assert spread and min(int(n) for n in spread.groups()) > 0, "the requests did not reach both servers"
    emails = re.search(r"emails: (\d+) received, (\d+) expected", said)
    assert emails and emails.group(1) == emails.group(2) and int(emails.group(2)) >= 2, said
