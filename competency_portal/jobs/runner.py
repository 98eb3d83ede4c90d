"""Running one job: take it, do it, record how it ended; and finding jobs whose worker was lost.

A job is taken (`claim`) in a short transaction of its own, under a row lock, so two workers
handed the same job (a relay's second enqueue, say) cannot both run it: the second finds it
already running, or done, and does nothing. The work then runs in a fresh transaction, and the
job's "done" is committed in that same transaction: either everything the job did is kept, and
it is done, or nothing is, and it is still running. If the worker dies there, the job's heartbeat
goes stale and `recover` queues it again; so every handler must be safe to run twice when its
first run left nothing committed (email is the one effect outside the database: it may, rarely,
be sent twice, never lost).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from competency_portal.clock import as_utc
from competency_portal.extensions import take_sqlite_write_lock
from competency_portal.jobs import HANDLERS
from competency_portal.models import Job, JobState

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (10, 30, 90, 270, 810)
LEASE_SECONDS = 600  # a running job silent for longer than this has lost its worker
OVERDUE = timedelta(minutes=1)


class PermanentFailure(Exception):
    """A job that cannot succeed however often it is tried (its message says why, for administrators)."""


@dataclass
class Context:
    """What a handler gets: the transaction to work in, the job's inputs, and a way to report progress."""

    session: Session
    job: Job
    config: Mapping[str, Any]
    now: Callable[[], datetime]
    report: Callable[[int, int | None], None] = field(repr=False, default=lambda done, total: None)

    @property
    def payload(self) -> dict[str, Any]:
        """The job's inputs, as submitted."""
        return self.job.payload

    @property
    def data(self) -> bytes | None:
        """The file the job works on, if any."""
        return self.job.data

    def progress(self, done: int, total: int | None = None) -> None:
        """Say how far the work has got (also the worker's heartbeat)."""
        self.report(done, total)


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next attempt, after `attempts` have failed."""
    return timedelta(seconds=BACKOFF_SECONDS[min(max(attempts, 1), len(BACKOFF_SECONDS)) - 1])


def claim(session: Session, job_id: int, now: datetime) -> Job | None:
    """Take a job for one attempt, committed; None if it is not there to take (running, done or not due)."""
    take_sqlite_write_lock(session)
    job = session.scalar(select(Job).where(Job.id == job_id).with_for_update())
    due = job is not None and (
        job.state == JobState.QUEUED
        or (job.state == JobState.RETRYING and (job.next_attempt_at is None or as_utc(job.next_attempt_at) <= now))
    )
    if not due:
        session.rollback()
        return None
    job.start(now)
    session.commit()
    return job


def run(
    session_factory: Callable[[], Session], job_id: int, config: Mapping[str, Any], now: Callable[[], datetime]
) -> JobState | None:
    """Do one attempt of a job, if it is due; returns the state it ends in (None: it was not taken)."""
    with session_factory() as session:
        job = claim(session, job_id, now())
        if job is None:
            return None
        context = Context(session, job, config, now, _reporter(session_factory, session, job, now))
        try:
            result = HANDLERS[job.kind](context)
            job.finish(now(), result)
            _tell(session, job, f"{job.label}: done.")
            session.commit()
        except Exception as exc:  # noqa: BLE001 - any failure of the work is recorded, never lost
            session.rollback()
            job = session.get(Job, job_id)
            retry = None if isinstance(exc, PermanentFailure) else backoff(job.attempts)
            job.fail(now(), _describe(exc), retry)
            if job.state == JobState.RETRYING:
                log.warning("job %s (%s) attempt %s failed, will retry: %r", job_id, job.kind, job.attempts, exc)
            else:
                log.error("job %s (%s) failed for good after %s attempts", job_id, job.kind, job.attempts, exc_info=exc)
                _tell(session, job, f"{job.label}: this could not be done. Administrators can see why and try again.")
            session.commit()
        return job.state


def _reporter(
    session_factory, session: Session, job: Job, now: Callable[[], datetime]
) -> Callable[[int, int | None], None]:
    job_id = job.id
    if session.get_bind().dialect.name == "sqlite":
        # SQLite has one writer at a time, and the work's own transaction is it: progress is kept with the work.
        def in_work(done: int, total: int | None) -> None:
            job.progress_done, job.progress_total = done, total if total is not None else job.progress_total

        return in_work

    def separately(done: int, total: int | None) -> None:
        values: dict[str, Any] = {"progress_done": done, "heartbeat_at": now()}
        if total is not None:
            values["progress_total"] = total
        with session_factory() as other:
            other.execute(update(Job).where(Job.id == job_id).values(**values))
            other.commit()

    return separately


def _tell(session: Session, job: Job, message: str) -> None:
    """The person who started a job hears how it ended (in the portal; no email about an email)."""
    if job.started_by is not None:
        from competency_portal.services.notify import notify  # notify submits jobs itself

        notify(session, job.started_by, message, about=("job", job.id))


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def recover(
    session: Session,
    now: datetime,
    lease: timedelta = timedelta(seconds=LEASE_SECONDS),
    overdue: timedelta | None = OVERDUE,
) -> list[tuple[int, int]]:
    """Jobs a worker should be handed again: abandoned ones (queued again here), retries a minute
    overdue (their scheduled hand-over was lost) and queued jobs that may never have reached the
    queue (`overdue=None`: every retry now due). Commits; returns their ids with their attempts so far."""
    take_sqlite_write_lock(session)
    stale = session.scalars(
        select(Job).where(Job.state == JobState.RUNNING, Job.heartbeat_at < now - lease).with_for_update()
    ).all()
    for job in stale:
        job.abandon(now)
    session.commit()
    return list(
        session.execute(
            select(Job.id, Job.attempts)
            .where(
                or_(
                    Job.state == JobState.QUEUED,
                    (Job.state == JobState.RETRYING) & (Job.next_attempt_at <= now - (overdue or timedelta(0))),
                )
            )
            .order_by(Job.id)
            .limit(1000)
        )
    )
