"""Everything held about someone, produced by an administrator to answer a subject access request."""

from __future__ import annotations

from flask import render_template

from competency_portal import policy
from competency_portal.admin import bp
from competency_portal.archive_download import ArchiveForm, ask_for_archive
from competency_portal.extensions import db
from competency_portal.models import User


@bp.route("/people/<int:person_id>/data", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def person_data(person_id: int):
    """The archive of everything held about one person."""
    person = db.get_or_404(User, person_id)
    form = ArchiveForm()
    if form.validate_on_submit():
        return ask_for_archive(person)
    return render_template("auth/data.html", form=form, person=person, own=False)
