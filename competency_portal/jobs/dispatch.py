"""Handing committed jobs to a worker: the RQ queue on Redis when `REDIS_URL` is set, else this process.

Each app registers a `Dispatcher` for its database engine (`register`), and a listener on every
session hands over the jobs a transaction asked for once it commits. With a queue, each job is
enqueued under the id `<queue>-job-<id>-<attempts so far>`, and not again while RQ still holds that
attempt, so the relay can offer every queued job again without piling up copies, while a job
whose worker died (RQ still thinks it started) is handed over as its next attempt. If Redis cannot
be reached the job simply stays queued in the database, and the relay (run by every worker) hands
it over later.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from competency_portal import clock
from competency_portal.jobs import forget_submitted, runner, submitted
from competency_portal.models import JobState

log = logging.getLogger(__name__)
_LIVE = {"queued", "started", "scheduled", "deferred"}  # RQ states in which a job will still run
_dispatchers: dict[int, Dispatcher] = {}


class Dispatcher:
    """Where one app's jobs go, and how to run them in-process when there is no queue."""

    def __init__(self, engine: Engine, config: Mapping[str, Any]):
        self.engine, self.config = engine, config
        self.redis_url = config.get("REDIS_URL")
        self.queue_name = config.get("JOBS_QUEUE", "portal")
        self._queue = None

    @property
    def queued(self) -> bool:
        """Whether jobs go to a worker (True) or run here after commit (False)."""
        return bool(self.redis_url)

    def session(self) -> Session:
        """A session of its own, outside any request's."""
        return Session(self.engine)

    def queue(self):
        """The RQ queue (made on first use)."""
        if self._queue is None:
            from redis import Redis
            from rq import Queue

            self._queue = Queue(self.queue_name, connection=Redis.from_url(self.redis_url))
        return self._queue

    def hand_over_retry(self, job_id: int, delay: timedelta, attempts: int) -> None:
        """Enqueue the next attempt of a failed job after its backoff (in RQ's scheduled registry)."""
        from redis import RedisError

        try:
            self.queue().enqueue_in(
                delay,
                "competency_portal.jobs.worker.perform",
                job_id,
                job_id=f"{self.queue_name}-job-{job_id}-{attempts}",
            )
        except RedisError as exc:
            log.warning("could not schedule job %s's next attempt (%s); the relay will", job_id, exc)

    def hand_over(self, jobs: Iterable[tuple[int, int]]) -> None:
        """Enqueue the jobs, given with their attempts so far (or, without a queue, run each now)."""
        if not self.queued:
            for job_id, _ in jobs:
                self.run_here(job_id)
            return
        from redis import RedisError
        from rq.exceptions import NoSuchJobError
        from rq.job import Job as RqJob

        queue = self.queue()
        try:
            for job_id, attempts in jobs:
                rq_id = f"{self.queue_name}-job-{job_id}-{attempts}"
                try:
                    if RqJob.fetch(rq_id, connection=queue.connection).get_status(refresh=False) in _LIVE:
                        continue
                except NoSuchJobError:
                    pass
                call = {"args": (job_id,), "job_id": rq_id, "result_ttl": 3600, "failure_ttl": 7 * 86400}
                queue.enqueue("competency_portal.jobs.worker.perform", **call)
        except RedisError as exc:
            log.warning("the job queue could not be reached (%s); queued jobs will be handed over later", exc)

    def run_here(self, job_id: int) -> JobState | None:
        """Do a job in this process; a failed attempt due for a retry is left for the relay."""
        return runner.run(self.session, job_id, self.config, clock.now)

    def relay(self) -> int:
        """Queue again what was lost (stale workers, overdue retries, jobs never enqueued), and delete
        the files jobs made that are past keeping; returns how many jobs were handed over."""
        lease = timedelta(seconds=float(self.config.get("JOBS_LEASE_SECONDS", 600)))
        with self.session() as session:
            ids = runner.recover(session, clock.now(), lease)
        self.hand_over(ids)
        self.forget_old_files()
        return len(ids)

    def forget_old_files(self) -> int:
        """Delete what jobs made once it is past keeping (handlers.KEEP_FILES_FOR)."""
        from competency_portal import storage
        from competency_portal.jobs.handlers import forget_old_files

        with self.session() as session:
            return forget_old_files(session, storage.from_config(self.config).delete, clock.now())


def register(engine: Engine, config: Mapping[str, Any]) -> Dispatcher:
    """Send jobs committed on this engine to where `config` says."""
    found = _dispatchers[id(engine)] = Dispatcher(engine, config)
    return found


def dispatcher_for(engine: Engine) -> Dispatcher | None:
    """The dispatcher registered for an engine, if any."""
    return _dispatchers.get(id(engine))


@event.listens_for(Session, "after_commit")
def _hand_over_after_commit(session: Session) -> None:
    jobs = submitted(session)
    if not jobs:
        return
    found = dispatcher_for(session.get_bind())
    if found is None:
        log.warning("%d job(s) committed on an engine with no dispatcher; the relay will run them", len(jobs))
        return
    found.hand_over([(inspect(job).identity[0], attempts) for job, attempts in jobs])


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    forget_submitted(session)
