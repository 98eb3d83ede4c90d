"""`python -m loadtest` (`make load`): 50 simulated users for 60 s against gunicorn, then the check.

Ends with one line, `load: N requests, R req/s, p95 X ms, E errors, L lost writes`, and exits
non-zero unless E and L are both 0. `--users` and `--duration` make a small run possible.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

from loadtest import database, journeys, server, verify
from loadtest.client import Stats


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtest", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="simulated people at once (default 50)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4, as the README runs it)")
    parser.add_argument(
        "--think", type=float, default=0.5, help="mean pause between a person's pages, in seconds (default 0.5)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (SQLite file, uploads, gunicorn log)"
    )
    args = parser.parse_args(argv)
    if args.users < 4 or not 0 < args.duration <= 3600 or args.workers < 1 or args.think < 0:
        parser.error("need --users >= 4, 0 < --duration <= 3600, --workers >= 1 and --think >= 0")
    return args


def _say(message: str) -> None:
    print(f"load: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    workdir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    uploads = workdir / "uploads"
    env = server.production_env("", uploads, secrets.token_hex(32))
    try:
        url = database.prepare(os.environ.get("DATABASE_URL"), workdir, env)
    except database.Refused as exc:
        _say(str(exc))
        return 2
    env["DATABASE_URL"] = url
    os.environ.update({k: env[k] for k in ("PORTAL_ENV", "SECRET_KEY", "DATABASE_URL", "UPLOAD_FOLDER")})
    from competency_portal import create_app

    app = create_app()
    cast = database.cast(app, args.users)
    _say(
        f"{len(cast.staff)} staff, {len(cast.supervisors)} supervisors, {len(cast.recruiters)} recruiters on "
        f"{database._safe(url).split('://')[0]}; starting gunicorn with {args.workers} workers"
    )
    running = server.Server(env, workers=args.workers, log_path=workdir / "gunicorn.log").start()
    stats, ledger = Stats(), journeys.Ledger()
    started = time.monotonic()
    pace = journeys.Pace(deadline=started + args.duration, think=args.think)
    ramp = min(10.0, args.duration / 6)
    people = journeys.people(cast)
    threads = []
    try:
        for kind, email, vacancy, totp in people:
            thread = threading.Thread(
                target=journeys.run_person,
                args=(kind, email, vacancy, totp, running.url, stats, ledger, pace),
                name=email,
                daemon=True,
            )
            thread.start()
            threads.append(thread)
            time.sleep(ramp / len(people))
        for thread in threads:
            thread.join(timeout=max(0.0, pace.deadline - time.monotonic()) + 120)
        elapsed = time.monotonic() - started
        stuck = [t.name for t in threads if t.is_alive()]
        if stuck:
            stats.error(f"{len(stuck)} simulated people were still waiting two minutes after the end")
    finally:
        running.stop()
    _say(f"checking {ledger.count()} acknowledged writes against the database")
    lost = verify.lost_writes(app, ledger) if not stuck else ["not checked: requests were still in flight"]
    for page, count, p95 in stats.slowest():
        _say(f"slowest: {page}: {count} requests, p95 {p95:.0f} ms")
    for line in stats.errors[:20] + lost[:20]:
        _say(line)
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    else:
        _say(f"kept {workdir}")
    requests_made = len(stats.durations)
    print(
        f"load: {requests_made} requests, {requests_made / elapsed:.1f} req/s, p95 {stats.p95_ms():.0f} ms, "
        f"{len(stats.errors)} errors, {len(lost)} lost writes",
        flush=True,
    )
    return 0 if not stats.errors and not lost else 1


if __name__ == "__main__":
    sys.exit(main())
