"""Following background work one started: how far it has got, how it ended, and what it made."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, render_template, send_file
from flask_login import current_user

from competency_portal import clock, policy, storage
from competency_portal.extensions import db
from competency_portal.main import bp
from competency_portal.main.links import target_url

NEXT_TEXT = {"vacancy": "Back to the vacancy", "appraisal": "Back to the appraisal"}
EXPIRED = "This file is no longer kept. Ask for it again: it is made afresh."


@bp.get("/jobs/<int:job_id>")
@policy.rule(policy.SIGNED_IN)
def job(job_id: int):
    """A job's progress (the page refreshes itself until it is finished) and its outcome."""
    found = policy.job_for(db.session, current_user, job_id)
    result = found.result or {}
    kind, target = result.get("next") or (None, None)
    downloadable = policy.may_download(current_user, found) and not _expired(result, clock.now())
    return render_template(
        "main/job.html",
        job=found,
        next_link=target_url(kind, target),
        next_text=NEXT_TEXT.get(kind),
        downloadable=downloadable,
    )


@bp.get("/jobs/<int:job_id>/file")
@policy.rule(policy.SIGNED_IN)
def job_file(job_id: int):
    """What a job made (a PDR pack, an archive), for the person who asked for it, while it is kept."""
    found = policy.job_file_for(db.session, current_user, job_id)
    result = found.result
    if _expired(result, clock.now()):
        abort(410, description=EXPIRED)
    try:
        stream = storage.from_config(current_app.config).open(result["file"], result["sha256"])
    except FileNotFoundError:
        abort(410, description=EXPIRED)
    except storage.CorruptFile as error:
        current_app.logger.error("job %s's file not served: %s", found.id, error)
        abort(500, description="The file was damaged in storage, so it was not sent. Ask for it again.")
    response = send_file(
        stream, mimetype=result["mimetype"], as_attachment=True, download_name=result["download_name"], max_age=0
    )
    response.content_length = result["bytes"]
    return response


def _expired(result: dict, now: datetime) -> bool:
    return "expires" in result and clock.as_utc(datetime.fromisoformat(result["expires"])) <= now
