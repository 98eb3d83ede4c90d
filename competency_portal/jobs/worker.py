"""The worker: `flask jobs worker` runs RQ's worker over the queue, and a relay beside it.

RQ calls `perform(job_id)`, which runs the job in this process's app (made once, at start). The
relay thread, every `JOBS_RELAY_SECONDS`, queues again what was lost: jobs whose worker died
mid-way, retries whose hand-over was lost, and jobs committed while Redis could not be reached.
`flask jobs relay` does one round of the same, and `flask jobs run-due` runs due jobs here
without a queue (what `make run` needs to retry a failed email, say) and deletes the files jobs
made that are past keeping: run it from cron where no worker runs.
"""

from __future__ import annotations

import logging
import threading

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from competency_portal.jobs import dispatch, runner
from competency_portal.models import JobState

log = logging.getLogger(__name__)
_app: Flask | None = None

jobs_cli = AppGroup("jobs", help="Background work: the worker, and the relay that recovers lost jobs.")


def _dispatcher(app: Flask) -> dispatch.Dispatcher:
    from competency_portal.extensions import db

    with app.app_context():
        found = dispatch.dispatcher_for(db.engine)
    if found is None:
        raise RuntimeError("the app has no job dispatcher")
    return found


def perform(job_id: int) -> str | None:
    """RQ's entry point: one attempt at a job; a failed attempt is handed back with its backoff."""
    global _app
    if _app is None:
        from competency_portal import create_app

        _app = create_app()
    with _app.app_context():
        found = _dispatcher(_app)
        state = found.run_here(job_id)
        if state == JobState.RETRYING:
            with found.session() as session:
                from competency_portal.models import Job

                attempts = session.get(Job, job_id).attempts
            found.hand_over_retry(job_id, runner.backoff(attempts), attempts)
    return state.value if state else None


def _relay_forever(app: Flask, every: float, stop: threading.Event) -> None:
    found = _dispatcher(app)
    while not stop.wait(every):
        try:
            with app.app_context():
                handed = found.relay()
            if handed:
                log.info("relay handed over %d job(s)", handed)
        except Exception:  # noqa: BLE001 - the relay must outlive a passing database or Redis failure
            log.exception("the job relay failed; it will try again")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty (for tests and one-off runs).")
def worker_command(burst: bool) -> None:
    """Run jobs from the queue until stopped (needs REDIS_URL)."""
    global _app
    from rq import SimpleWorker

    app = current_app._get_current_object()
    found = _dispatcher(app)
    if not found.queued:
        raise click.ClickException("REDIS_URL is not set: without a queue, jobs run in the web process after commit.")
    _app = app
    found.relay()
    stop = threading.Event()
    relay = threading.Thread(
        target=_relay_forever, args=(app, float(app.config.get("JOBS_RELAY_SECONDS", 15)), stop), daemon=True
    )
    relay.start()
    try:
        SimpleWorker([found.queue()], connection=found.queue().connection).work(burst=burst, with_scheduler=True)
    finally:
        stop.set()


@jobs_cli.command("relay")
def relay_command() -> None:
    """Queue again the jobs that were lost (one round of what the worker's relay does)."""
    click.echo(f"{_dispatcher(current_app).relay()} job(s) handed over.")


@jobs_cli.command("run-due")
def run_due_command() -> None:
    """Run every due job in this process, one attempt each (no queue needed)."""
    from competency_portal import clock
    from competency_portal.extensions import db

    found = _dispatcher(current_app)
    ids = runner.recover(db.session, clock.now(), overdue=None)
    states = [found.run_here(job_id) for job_id, _ in ids]
    forgotten = found.forget_old_files()
    click.echo(
        f"{sum(s == JobState.DONE for s in states)} of {len(ids)} due job(s) done; {forgotten} old file(s) deleted."
    )
