"""Who may follow a background job: the person who started it, and administrators (who see them all)."""

from __future__ import annotations

from flask import abort
from sqlalchemy.orm import Session

from competency_portal.models import Job, Role, User


def job_for(session: Session, viewer: User, job_id: int) -> Job:
    """The job, if the viewer started it or is an administrator; else 404 (whether it exists is not revealed)."""
    job = session.get(Job, job_id)
    if job is None or not (job.started_by_id == viewer.id or Role.ADMIN in viewer.roles):
        abort(404)
    return job


def may_download(viewer: User, job: Job) -> bool:
    """Whether the viewer may download what a job made: only the person who asked for it."""
    return job.started_by_id == viewer.id and bool((job.result or {}).get("file"))


def job_file_for(session: Session, viewer: User, job_id: int) -> Job:
    """A job whose file the viewer may download (`may_download`); else 404."""
    job = session.get(Job, job_id)
    if job is None or not may_download(viewer, job):
        abort(404)
    return job
