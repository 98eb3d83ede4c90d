"""Following background work one started: how far it has got, and how it ended."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from competency_portal import policy
from competency_portal.extensions import db
from competency_portal.main import bp
from competency_portal.main.links import target_url

NEXT_TEXT = {"vacancy": "Back to the vacancy"}


@bp.get("/jobs/<int:job_id>")
@policy.rule(policy.SIGNED_IN)
def job(job_id: int):
    """A job's progress (the page refreshes itself until it is finished) and its outcome."""
    found = policy.job_for(db.session, current_user, job_id)
    kind, target = (found.result or {}).get("next") or (None, None)
    return render_template(
        "main/job.html", job=found, next_link=target_url(kind, target), next_text=NEXT_TEXT.get(kind)
    )
