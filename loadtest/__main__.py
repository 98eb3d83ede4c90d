"""`python -m loadtest` (`make load`): 50 simulated users for 60 s against gunicorn, then the check.

Ends with one line, `load: N requests, R req/s, p95 X ms (without sign-in Y ms), E errors, L lost
writes`, and exits non-zero unless E and L are both 0. `--users` and `--duration` make a small run
possible. `--servers 2` (`make load SERVERS=2`) runs two servers on one database, Redis, upload
folder and job worker, spreads every person's requests over both, and checks that sessions,
lock-outs, notifications, emails and uploads behave the same whichever server answers
(`crosscheck`); each check gets a line, and any failure makes the exit non-zero too.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from loadtest import cluster, crosscheck, database, journeys, machine, server, verify
from loadtest.client import Stats

EMAIL_WAIT = 180  # seconds the worker may take, after the load, to send what is still queued


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtest", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="simulated people at once (default 50)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--servers", type=int, default=1, help="gunicorn servers on different ports (default 1)")
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers per server (default 4 with one server, as the README runs it; 2)"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per worker; above 1, gthread (default 1)")
    parser.add_argument(
        "--think", type=float, default=0.5, help="mean pause between a person's pages, in seconds (default 0.5)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (SQLite file, uploads, gunicorn log)"
    )
    args = parser.parse_args(argv)
    args.workers = args.workers or (4 if args.servers == 1 else 2)
    if args.users < 4 or not 0 < args.duration <= 3600 or args.think < 0:
        parser.error("need --users >= 4, 0 < --duration <= 3600 and --think >= 0")
    if not 1 <= args.servers <= 8 or args.workers < 1 or not 1 <= args.threads <= 64:
        parser.error("need 1 <= --servers <= 8, --workers >= 1 and 1 <= --threads <= 64")
    return args


_BEGAN = time.monotonic()


def _say(message: str) -> None:
    print(f"load: {message}", file=sys.stderr, flush=True)


def _at() -> str:
    return f"{time.monotonic() - _BEGAN:.0f} s in"


def _drive(people, urls, stats: Stats, ledger, pace, ramp: float, checker: threading.Thread | None) -> list[str]:
    """Every simulated person in a thread of their own (started over `ramp` seconds), then the checks;
    waits for them all and returns the names of any still going two minutes after the deadline."""
    threads = []
    for kind, email, vacancy, totp in people:
        args = (kind, email, vacancy, totp, urls, stats, ledger, pace)
        thread = threading.Thread(target=journeys.run_person, args=args, name=email, daemon=True)
        thread.start()
        threads.append(thread)
        time.sleep(ramp / len(people))
    if checker is not None:
        checker.start()
        threads.append(checker)
    for thread in threads:
        thread.join(timeout=max(0.0, pace.deadline - time.monotonic()) + 120)
    return [t.name for t in threads if t.is_alive()]


def _say_cpu(before: dict[str, float], after: dict[str, float], elapsed: float) -> None:
    """How much CPU each part of the run used under load, against what the machine's cores could give."""
    used = {name: after[name] - before.get(name, 0.0) for name in after}
    parts = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in used.items())
    share = sum(used.values()) / (elapsed * (os.cpu_count() or 1))
    _say(f"CPU under load: {parts}; {share:.0%} of {os.cpu_count()} cores over {elapsed:.0f} s")
    _say(f"machine: {machine.describe()}")


def _after_load(app, cast, running: cluster.Cluster, ledger, results: crosscheck.Results, strict: bool) -> None:
    """Read uploads back through every server, stop the servers, and check the emails once the worker is done."""
    results.run("uploads under load", lambda: crosscheck.uploads_under_load(running.urls, ledger))
    running.stop_servers()
    _say(f"waiting for the job worker to send the emails still queued ({_at()})")
    left = cluster.wait_for_jobs(app, running, EMAIL_WAIT)
    expected = crosscheck.expected_emails(cast, ledger) + results.emails
    with running.mailbox.lock:
        received = list(running.mailbox.received)
    problems = [f"{left} background jobs still not done {EMAIL_WAIT} s after the load"] if left else []
    problems += crosscheck.emails(expected, received, strict)
    results.problems["emails"] = problems
    _say(f"emails: {len(received)} received, {sum(expected.values())} expected")


def main(argv: list[str] | None = None) -> int:
    """Prepare the database and people, start the servers, run the load and the checks; the exit status."""
    args = _arguments(argv)
    workdir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    env = server.production_env("", workdir / "uploads", secrets.token_hex(32))
    try:
        url = database.prepare(os.environ.get("DATABASE_URL"), workdir, env)
    except database.Refused as exc:
        _say(str(exc))
        return 2
    env["DATABASE_URL"] = url
    os.environ.update({k: env[k] for k in ("PORTAL_ENV", "SECRET_KEY", "DATABASE_URL", "UPLOAD_FOLDER")})
    from competency_portal import create_app
    from competency_portal.services.sign_in_limits import limits_from_config

    app = create_app()
    cast = database.cast(app, args.users)
    kind = database._safe(url).split("://")[0]
    _say(
        f"database ready ({_at()}): {len(cast.staff)} staff, {len(cast.supervisors)} supervisors, "
        f"{len(cast.recruiters)} recruiters on {kind}; "
        f"starting {args.servers} gunicorn server(s) with {args.workers} workers"
        + (f" of {args.threads} threads" if args.threads > 1 else "")
        + (" each, one Redis, a job worker and a mailbox" if args.servers > 1 else "")
    )
    if args.servers > 1 and kind.startswith("sqlite"):
        _say("SQLite: the servers share one file on this machine (WAL); servers on several machines need PostgreSQL")
    running = cluster.Cluster(env, workdir, args.servers, args.workers, args.threads)
    try:
        running.start()
    except cluster.Unavailable as exc:
        _say(str(exc))
        return 2
    _say(f"servers answering ({_at()}); {args.users} people for {args.duration:g} s")
    stats, ledger, results = Stats(), journeys.Ledger(), crosscheck.Results()
    started = time.monotonic()
    pace = journeys.Pace(deadline=started + args.duration, think=args.think)
    checker = None
    if args.servers > 1:
        limit = limits_from_config(app.config).account.amount
        in_redis = lambda: cluster.throttle_counts_in_redis(app, running)  # noqa: E731
        checker = threading.Thread(
            target=crosscheck.during_load,
            args=(running.urls, cast, limit, in_redis, results),
            name="cross-server checks",
            daemon=True,
        )
    try:
        before = running.cpu(app)
        stuck = _drive(journeys.people(cast), running.urls, stats, ledger, pace, min(10.0, args.duration / 6), checker)
        elapsed = time.monotonic() - started
        _say_cpu(before, running.cpu(app), elapsed)
        if stuck:
            stats.error(f"{len(stuck)} simulated people (or the checks) were still waiting two minutes after the end")
        if args.servers > 1 and not stuck:
            _after_load(app, cast, running, ledger, results, strict=not stats.errors)
    finally:
        running.stop()
    _say(f"checking {ledger.count()} acknowledged writes against the database ({_at()})")
    lost = verify.lost_writes(app, ledger) if not stuck else ["not checked: requests were still in flight"]
    return _report(args, stats, lost, results, elapsed, workdir)


def _report(args, stats: Stats, lost: list[str], results: crosscheck.Results, elapsed: float, workdir: Path) -> int:
    """Print the slowest pages, the problems, each check and the one-line result; the exit status."""
    for page, count, p95 in stats.slowest():
        _say(f"slowest: {page}: {count} requests, p95 {p95:.0f} ms")
    for line in stats.errors[:20] + lost[:20]:
        _say(line)
    if args.servers > 1:
        spread = ", ".join(f"{url.rsplit(':', 1)[-1]}: {n}" for url, n in sorted(stats.by_server.items()))
        _say(f"requests by server port: {spread}")
        expected = ["sessions", "lock-outs", "notifications", "uploads", "uploads under load", "emails"]
        for name in expected:
            problems = results.problems.get(name, ["not run"])
            _say(f"check {name}: {'ok' if not problems else 'FAILED'}")
            for problem in problems[:10]:
                _say(f"  {problem}")
    failed = [name for name, problems in results.problems.items() if problems]
    if args.servers > 1 and len(results.problems) < 6:
        failed.append("not every check ran")
    if args.keep:
        _say(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    count = len(stats.durations)
    checks = f", {len(failed)} failed checks" if args.servers > 1 else ""
    print(
        f"load: {count} requests, {count / elapsed:.1f} req/s, p95 {stats.p95_ms():.0f} ms "
        f"(without sign-in {stats.p95_ms(stats.without_sign_in()):.0f} ms), "
        f"{len(stats.errors)} errors, {len(lost)} lost writes{checks}",
        flush=True,
    )
    return 0 if not stats.errors and not lost and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
