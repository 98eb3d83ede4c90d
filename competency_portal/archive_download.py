"""Asking for a person's archive of everything held about them (shared by the account and admin pages).

The archive is made by a background job (it reads every table, and copies every attachment); the
person who asked follows it on the job's page and downloads it from there.
"""

from __future__ import annotations

from flask import redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from competency_portal import jobs
from competency_portal.extensions import db
from competency_portal.jobs.handlers import SUBJECT_ACCESS
from competency_portal.models import User


class ArchiveForm(FlaskForm):
    """The button that asks for the archive (it carries the CSRF token)."""


def ask_for_archive(person: User):
    """Ask for the archive (made and audited by the job) and go to the job's page."""
    job = jobs.submit(
        db.session,
        SUBJECT_ACCESS,
        f"Everything held about {person.name}",
        {"person_id": person.id},
        started_by=current_user,
        max_attempts=3,
    )
    db.session.commit()
    return redirect(url_for("main.job", job_id=job.id))
