"""Download everything held about me: any signed-in person, whenever they like."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from competency_portal import policy
from competency_portal.archive_download import ArchiveForm, ask_for_archive
from competency_portal.auth import bp


@bp.route("/account/data", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def my_data():
    """Everything held about me, as one archive."""
    form = ArchiveForm()
    if form.validate_on_submit():
        return ask_for_archive(current_user)
    return render_template("auth/data.html", form=form, person=current_user, own=True)
