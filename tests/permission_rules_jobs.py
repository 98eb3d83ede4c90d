"""Permission expectations for background work, merged into tests/test_permissions.py.

A job is followed by the person who started it and by administrators; anyone else gets 404, as if
it did not exist. The background work page, trying a job again and the staff import's progress
page are administrators' alone. url_values(world): a failed staff import the owner started (so
that trying it again changes something).
"""

from __future__ import annotations

from competency_portal.extensions import db
from competency_portal.models import Job, JobState
from tests.portal_helpers import KINDS

SIGNIN = "sign-in"
ADMIN_ONLY = {kind: {"anonymous": SIGNIN, "admin": 200}.get(kind, 403) for kind in KINDS}
STARTER_OR_ADMIN = {kind: {"anonymous": SIGNIN, "owner": 200, "admin": 200}.get(kind, 404) for kind in KINDS}

GET: dict[str, dict] = {
    "main.job": STARTER_OR_ADMIN,
    "admin.background_work": ADMIN_ONLY,
    "admin.import_result": ADMIN_ONLY,
    "admin.try_job_again": {kind: 405 for kind in KINDS},
    # The owner's job made no file: nobody downloads one (tests/test_subject_access.py and
    # tests/test_appraisal.py download what jobs made, and show nobody but the one who asked may).
    "main.job_file": {kind: SIGNIN if kind == "anonymous" else 404 for kind in KINDS},
}


def _job_id(world) -> int:
    found = getattr(world, "failed_job_id", None)
    if found:
        return found
    job = Job(
        kind="staff_import",
        label="Import staff",
        started_by_id=world.id("owner"),
        state=JobState.FAILED,
        attempts=3,
        max_attempts=3,
        error="OperationalError: the database went away",
    )
    db.session.add(job)
    db.session.commit()
    world.failed_job_id = job.id
    return job.id


def url_values(world) -> dict:
    """The owner's failed staff import."""
    return {"job_id": _job_id(world)}


def post_cases(world) -> dict:
    """Only administrators may try a job again."""
    not_admin = {kind: 403 for kind in KINDS if kind not in ("anonymous", "admin")}
    return {"admin.try_job_again": (f"/admin/jobs/{_job_id(world)}/try-again", {}, not_admin, ("admin", 302))}
