"""What administrators see of background work: what failed or is waiting, and trying a failed job again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from competency_portal import jobs
from competency_portal.models import Job, JobState
from competency_portal.services import audit

RECENT = 50


@dataclass(frozen=True)
class Overview:
    """Jobs needing attention (failed, or failing and retrying), the latest others, and counts by state."""

    attention: list[Job]
    recent: list[Job]
    counts: dict[JobState, int]


def overview(session: Session) -> Overview:
    """The background work page's content (a fixed number of queries)."""
    loaded = selectinload(Job.started_by)
    attention = list(
        session.scalars(
            select(Job)
            .where(Job.state.in_([JobState.FAILED, JobState.RETRYING]))
            .options(loaded)
            .order_by(Job.id.desc())
            .limit(RECENT)
        )
    )
    recent = list(
        session.scalars(
            select(Job)
            .where(Job.state.in_([JobState.QUEUED, JobState.RUNNING, JobState.DONE]))
            .options(loaded)
            .order_by(Job.id.desc())
            .limit(RECENT)
        )
    )
    counts = dict(session.execute(select(Job.state, func.count()).group_by(Job.state)).all())
    return Overview(attention, recent, {state: counts.get(state, 0) for state in JobState})


def try_again(session: Session, job: Job, *, actor_id: int, now: datetime) -> None:
    """Queue a failed job again (refused, by the job's state, unless it failed), and record who asked."""
    job.try_again(now)
    audit.record(
        session,
        actor_id=actor_id,
        action="job_retried",
        object_type="background_job",
        object_id=job.id,
        detail={"kind": job.kind, "attempts": job.attempts, "error": (job.error or "")[:300]},
    )
    jobs.resubmit(session, job)


def readiness_recompute(session: Session) -> Job | None:
    """The organisation-wide readiness recompute waiting or under way, if any (the figures predate it)."""
    from competency_portal.jobs.handlers import READINESS

    return session.scalar(
        select(Job)
        .where(Job.kind == READINESS, Job.state.in_([JobState.QUEUED, JobState.RUNNING, JobState.RETRYING]))
        .order_by(Job.id)
        .limit(1)
    )
