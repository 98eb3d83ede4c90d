"""Following background work one started: how far it has got, and how it ended."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from competency_portal import policy
from competency_portal.extensions import db
from competency_portal.main import bp


@bp.get("/jobs/<int:job_id>")
@policy.rule(policy.SIGNED_IN)
def job(job_id: int):
    """A job's progress (the page refreshes itself until it is finished) and its outcome."""
    found = policy.job_for(db.session, current_user, job_id)
    return render_template("main/job.html", job=found)
