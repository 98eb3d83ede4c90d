"""A person's own credentials: what they may ask for, asking, and downloading what was issued."""

from __future__ import annotations

import base64
import json

from flask import abort, current_app, render_template
from flask_login import current_user

from competency_portal import clock, policy, web
from competency_portal import credential_context as setup
from competency_portal.badges import reading
from competency_portal.credentials import bp
from competency_portal.credentials.forms import AskForm
from competency_portal.extensions import db
from competency_portal.models import CredentialKind, CredentialState, IssuedCredential
from competency_portal.services import credential_offers, credentials


def _claims(credential: IssuedCredential) -> reading.Summary:
    """What a credential issued here says (its signature is ours; no need to check it to show it to its holder)."""
    part = credential.token.split(".")[1]
    return reading.summary(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))["vc"])


def state_of(credential: IssuedCredential, now) -> str:
    """Active, expired or revoked, as the holder's pages name it."""
    if credential.state == CredentialState.REVOKED:
        return "Revoked"
    if credential.valid_until is not None and clock.as_utc(credential.valid_until) <= now:
        return "Expired"
    return "Active"


@bp.get("/portfolio/credentials")
@policy.rule(policy.SIGNED_IN)
def index():
    """Credentials I hold, and what I may ask one for."""
    now = clock.now()
    held = credentials.holding(db.session, current_user.id)
    offers = credential_offers.offers(db.session, current_user, now.date())
    return render_template(
        "credentials/index.html",
        wholes=[o for o in offers if o.kind != CredentialKind.ITEM],
        items=credential_offers.by_framework([o for o in offers if o.kind == CredentialKind.ITEM]),
        standing=credentials.standing(held, now),
        held=held,
        state_of=lambda c: state_of(c, now),
        form=AskForm(),
    )


@bp.post("/portfolio/credentials")
@policy.rule(policy.SIGNED_IN)
def ask():
    """Issue a credential for one of my offers."""
    form = AskForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = web.attempt(
        credentials.issue,
        db.session,
        current_user,
        CredentialKind(form.kind.data),
        form.ref.data,
        setup.issuer(),
        clock.now(),
        refusals=credentials.CredentialError,
    )
    if not outcome:
        return web.refused(outcome, "credentials.index")
    return web.done("Your credential has been issued.", "credentials.show", public_id=outcome.value.public_id)


@bp.get("/portfolio/credentials/<public_id>")
@policy.rule(policy.SIGNED_IN)
def show(public_id: str):
    """One of my credentials: what it says, its state, and how to share it."""
    credential = policy.credential_for(db.session, current_user, public_id)
    return render_template(
        "credentials/show.html",
        credential=credential,
        claims=_claims(credential),
        state=state_of(credential, clock.now()),
    )


@bp.get("/portfolio/credentials/<public_id>/download")
@policy.rule(policy.SIGNED_IN)
def download(public_id: str):
    """The signed credential as a file (a VC-JWT), to keep, send or put in a wallet."""
    credential = policy.credential_for(db.session, current_user, public_id)
    response = current_app.response_class(credential.token, mimetype="application/jwt")
    response.headers["Content-Disposition"] = f'attachment; filename="credential-{credential.public_id[:8]}.jwt"'
    return response
