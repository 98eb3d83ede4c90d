"""Sending a person's archive of everything held about them (shared by the account and admin pages)."""

from __future__ import annotations

from flask import current_app, send_file
from flask_login import current_user
from flask_wtf import FlaskForm

from competency_portal import clock, storage, web
from competency_portal.extensions import db
from competency_portal.models import User
from competency_portal.services import subject_access


class ArchiveForm(FlaskForm):
    """The button that produces the archive (it carries the CSRF token)."""


def send_archive(person: User):
    """Produce the archive (audited, committed) and send it as a download."""
    now = clock.now()
    outcome = web.attempt(
        subject_access.archive,
        db.session,
        person,
        current_user,
        storage.from_config(current_app.config),
        now,
        refusals=(),
    )
    slug = "".join(ch if ch.isalnum() else "-" for ch in person.name.lower()).strip("-")
    return send_file(
        outcome.value,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"everything-held-about-{slug}-{now:%Y-%m-%d}.zip",
        max_age=0,
    )
