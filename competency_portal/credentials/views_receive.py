"""Bringing in a credential from another trust as evidence (for a supervisor to judge, never counted by itself)."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from competency_portal import clock, policy, storage, web
from competency_portal import credential_context as setup
from competency_portal.badges import vocabulary as v
from competency_portal.credentials import bp
from competency_portal.credentials.forms import ReceiveForm
from competency_portal.extensions import db
from competency_portal.services import credential_checking, credential_import


@bp.route("/portfolio/evidence/from-credential", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def receive():
    """Check a credential from another trust and keep it as draft evidence."""
    form = ReceiveForm()
    verdict = None
    if form.validate_on_submit() and (token := form.token()) is not None:
        trust = setup.trust()
        now = clock.now()
        verdict = credential_checking.check(token, trust, now)
        outcome = web.attempt(
            credential_import.receive,
            db.session,
            current_user,
            token,
            verdict,
            form.issued_to.data,
            v.issuer_id(setup.base()),
            now,
            storage.from_config(current_app.config),
            refusals=credential_import.ReceiveError,
        )
        if outcome:
            return web.done(
                "The credential is genuine and has been added to your portfolio as draft evidence. Check the items "
                "it is linked to, then submit it: your supervisor decides whether it counts.",
                "evidence.show",
                evidence_id=outcome.value.id,
            )
        form.credential.errors = [outcome.error]
    status = 400 if form.errors else 200
    trusted = current_app.config["TRUSTED_CREDENTIAL_ISSUERS"]
    return render_template("credentials/receive.html", form=form, verdict=verdict, trusted=trusted), status
