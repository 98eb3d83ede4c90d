"""A person's answers to shortlisting panels that ask to see their verified portfolio."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from competency_portal import policy, web
from competency_portal.evidence import bp
from competency_portal.evidence.forms import ShareResponseForm
from competency_portal.extensions import db
from competency_portal.services import portfolio_consent


@bp.route("/portfolio/sharing")
@policy.rule(policy.SIGNED_IN)
def sharing():
    """Panels that asked to see my verified portfolio, and what I answered."""
    found = portfolio_consent.requests_for(db.session, current_user)
    return render_template("evidence/sharing.html", requests=found, form=ShareResponseForm())


@bp.route("/portfolio/sharing/<int:application_id>", methods=["POST"])
@policy.rule(policy.SIGNED_IN)
def respond_to_share(application_id: int):
    """Share my portfolio with one panel, or decline, or stop sharing (only the candidate themself)."""
    form = ShareResponseForm()
    if not form.validate_on_submit():
        found = portfolio_consent.requests_for(db.session, current_user)
        if not any(r.application_id == application_id for r in found):
            abort(404)
        return render_template("evidence/sharing.html", requests=found, form=form), 400
    share = form.choice.data == "share"
    outcome = web.attempt(
        portfolio_consent.respond,
        db.session,
        current_user,
        application_id,
        share,
        refusals=(portfolio_consent.ShareNotFound, portfolio_consent.ShareRefused),
    )
    if isinstance(outcome.refusal, portfolio_consent.ShareNotFound):
        abort(404)
    if not outcome:
        return web.refused(outcome, "evidence.sharing")
    return web.done(
        "Your verified portfolio is shared with the panel."
        if share
        else "Your portfolio is not shared with the panel.",
        "evidence.sharing",
    )
