"""Slow work off the request: email, imports and the readiness recompute, run by a worker.

`submit(session, kind, ...)` adds a `Job` row inside the caller's transaction, so the work is
asked for if and only if the change that needs it commits: the row is the outbox. Once the
transaction commits, `dispatch` hands the job to the RQ queue on Redis (`REDIS_URL`), or, with no
Redis configured (`make run`), runs it in the same process straight after the commit, as the
portal always did. A job's effects and its "done" are committed together, so a worker that dies
part-way leaves nothing half-done; its job is started again when its heartbeat goes stale
(`runner.recover`). Failed attempts are retried with backoff, and those that fail every time are
listed for administrators (Admin -> Background work), who can try them again.

Handlers are plain functions registered by kind with `@handler("kind")` (see `handlers`); each
takes a `runner.Context` and returns a small JSON result shown to the person who started it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from competency_portal.models import Job, User

HANDLERS: dict[str, Callable] = {}
_SUBMITTED = "competency_portal.jobs_submitted"


def handler(kind: str) -> Callable[[Callable], Callable]:
    """Register the function that does one kind of job."""

    def register(fn: Callable) -> Callable:
        HANDLERS[kind] = fn
        return fn

    return register


def submit(
    session: Session,
    kind: str,
    label: str,
    payload: dict[str, Any] | None = None,
    *,
    started_by: User | None = None,
    data: bytes | None = None,
    max_attempts: int = 5,
) -> Job:
    """Ask for a job inside the caller's transaction; it is dispatched once that transaction commits."""
    if kind not in HANDLERS:
        raise ValueError(f"no job handler for {kind!r}")
    job = Job(
        kind=kind,
        label=label[:200],
        payload=payload or {},
        data=data,
        started_by_id=started_by.id if started_by is not None else None,
        max_attempts=max_attempts,
        attempts=0,
        progress_done=0,
    )
    session.add(job)
    session.info.setdefault(_SUBMITTED, []).append((job, 0))
    return job


def submitted(session: Session) -> list[tuple[Job, int]]:
    """The jobs this session's transaction asked for, with the attempts each has had (taken: each is
    dispatched once)."""
    return session.info.pop(_SUBMITTED, [])


def forget_submitted(session: Session) -> None:
    """The transaction rolled back: its jobs were never written."""
    session.info.pop(_SUBMITTED, None)


def init_app(app) -> None:
    """Register the job kinds, the app's dispatcher (queue or in-process) and `flask jobs`."""
    from competency_portal.extensions import db
    from competency_portal.jobs import dispatch, handlers, worker  # noqa: F401 - handlers register themselves

    with app.app_context():
        dispatch.register(db.engine, app.config)
    app.cli.add_command(worker.jobs_cli)


def resubmit(session: Session, job: Job) -> None:
    """Hand an existing job over again once the transaction commits (after `Job.try_again`)."""
    session.info.setdefault(_SUBMITTED, []).append((job, job.attempts))
