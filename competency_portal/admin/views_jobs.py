"""Background work, for administrators: what failed and why, what is waiting, and trying again."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from competency_portal import clock, policy, web
from competency_portal.admin import bp
from competency_portal.admin.forms import TryAgainForm
from competency_portal.extensions import db
from competency_portal.models import InvalidTransition
from competency_portal.services import background_work as work


@bp.get("/jobs")
@policy.rule(policy.ADMIN)
def background_work():
    """Failed and retrying jobs first (with their errors), then the latest others."""
    return render_template("admin/jobs.html", overview=work.overview(db.session), form=TryAgainForm())


@bp.post("/jobs/<int:job_id>/try-again")
@policy.rule(policy.ADMIN)
def try_job_again(job_id: int):
    """Queue a failed job again."""
    job = policy.job_for(db.session, current_user, job_id)
    if not TryAgainForm().validate_on_submit():
        return web.done("That request had expired. Try again.", "admin.background_work")
    try:
        work.try_again(db.session, job, actor_id=current_user.id, now=clock.now())
    except InvalidTransition as exc:
        db.session.rollback()
        return web.done(str(exc), "admin.background_work")
    db.session.commit()
    return web.done(f"“{job.label}” will be tried again.", "admin.background_work")
