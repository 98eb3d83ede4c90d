"""Slow work done in the background: one row per job, written in the same transaction as the change
that asked for it (so the row is also the outbox: a crash between commit and enqueue loses nothing).

A job's state moves only through its methods, which refuse a move that makes no sense:
queued -> running -> done, or running -> retrying -> running ... -> failed after its last attempt;
a running job whose worker died (its heartbeat went stale) is put back to queued; a failed job can
be tried again by an administrator.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competency_portal.models.base import Base, utcnow
from competency_portal.models.evidence import InvalidTransition
from competency_portal.models.people import User, str_enum


class JobState(str, enum.Enum):
    """Where a job is."""

    QUEUED = "queued"  # waiting for a worker
    RUNNING = "running"
    RETRYING = "retrying"  # an attempt failed; it runs again after `next_attempt_at`
    DONE = "done"
    FAILED = "failed"  # every attempt failed

    @property
    def label(self) -> str:
        """The state as people read it."""
        return {
            "queued": "Waiting to start",
            "running": "In progress",
            "retrying": "Failed, trying again soon",
            "done": "Done",
            "failed": "Failed",
        }[self.value]

    @property
    def finished(self) -> bool:
        """Whether nothing more will happen without someone asking."""
        return self in (JobState.DONE, JobState.FAILED)


class Job(Base):
    """One piece of background work: what it is, who started it, how far it has got and how it ended."""

    __tablename__ = "background_job"
    __table_args__ = (Index("ix_background_job_state_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    label: Mapped[str] = mapped_column(String(200))  # what it is, in words ("Import staff from staff.csv")
    state: Mapped[JobState] = mapped_column(str_enum(JobState, 16), default=JobState.QUEUED)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)  # an uploaded file the job works on
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)

    started_by: Mapped[User | None] = relationship()

    def __init__(self, **values: Any) -> None:
        # Column defaults apply only at insert; a new job's methods need them straight away.
        for name, default in (("state", JobState.QUEUED), ("attempts", 0), ("max_attempts", 5), ("progress_done", 0)):
            values.setdefault(name, default)
        values.setdefault("payload", {})
        super().__init__(**values)

    def start(self, now: datetime) -> None:
        """A worker takes the job for one attempt."""
        if self.state not in (JobState.QUEUED, JobState.RETRYING):
            raise InvalidTransition(f"A job that is {self.state.value} cannot be started.")
        self.state, self.attempts = JobState.RUNNING, self.attempts + 1
        self.started_at = self.started_at or now
        self.heartbeat_at, self.next_attempt_at = now, None

    def finish(self, now: datetime, result: dict[str, Any] | None) -> None:
        """The attempt succeeded."""
        self._must_be_running()
        self.state, self.finished_at, self.result, self.error = JobState.DONE, now, result, None
        self.data = None  # the upload has done its work; it is not kept

    def fail(self, now: datetime, error: str, retry_in: timedelta | None) -> None:
        """The attempt failed: try again after `retry_in`, or (None, or no attempts left) give up."""
        self._must_be_running()
        self.error = error[:4000]
        if retry_in is not None and self.attempts < self.max_attempts:
            self.state, self.next_attempt_at = JobState.RETRYING, now + retry_in
        else:
            self.state, self.finished_at = JobState.FAILED, now

    def abandon(self, now: datetime) -> None:
        """Its worker stopped answering mid-attempt: queue it again (nothing it did was committed)."""
        self._must_be_running()
        self.state, self.next_attempt_at = JobState.QUEUED, now
        self.error = "The worker running this stopped part-way; it was started again."

    def try_again(self, now: datetime) -> None:
        """An administrator asks for a failed job to run again, with a fresh set of attempts."""
        if self.state != JobState.FAILED:
            raise InvalidTransition("Only a failed job can be tried again.")
        self.state, self.next_attempt_at, self.finished_at = JobState.QUEUED, now, None
        self.max_attempts = self.attempts + 3

    def forget_file(self) -> None:
        """The file a finished job made has been deleted (it is kept only for a while)."""
        if self.state != JobState.DONE or not (self.result or {}).get("file"):
            raise InvalidTransition("Only a finished job's file can be forgotten.")
        self.result = {**self.result, "file": None, "expired": True}

    def _must_be_running(self) -> None:
        if self.state != JobState.RUNNING:
            raise InvalidTransition(f"A job that is {self.state.value} is not running.")

    @property
    def percent(self) -> int | None:
        """How far it has got, 0-100, when it knows its total."""
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))
