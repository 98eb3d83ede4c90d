"""Account → API tokens: make a personal access token (shown once), see them, revoke one."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from competency_portal import clock, policy, web
from competency_portal.archive_download import ArchiveForm
from competency_portal.auth import bp
from competency_portal.auth.forms import ApiTokenForm
from competency_portal.extensions import db
from competency_portal.models import ApiScope, InvalidTransition
from competency_portal.services import api_tokens


def _form(formdata=...) -> ApiTokenForm:
    """The form, offering only the scopes this person may have (figures: those who see the organisation view)."""
    form = ApiTokenForm() if formdata is ... else ApiTokenForm(formdata=formdata)
    if not policy.sees_organisation(current_user):
        form.scopes.choices = [c for c in form.scopes.choices if c[0] != ApiScope.FIGURES.value]
    return form


def _page(form: ApiTokenForm, made=None, status: int = 200):
    return render_template(
        "auth/api_tokens.html",
        form=form,
        made=made,
        tokens=api_tokens.mine(db.session, current_user),
        now=clock.now(),
        revoke_form=ArchiveForm(),
    ), status


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def api_tokens_page():
    """My tokens, and the form to make one."""
    form = _form()
    if form.validate_on_submit():
        outcome = web.attempt(
            api_tokens.make,
            db.session,
            current_user,
            form.name.data,
            form.scopes.data,
            int(form.days.data),
            clock.now(),
            refusals=api_tokens.TokenError,
        )
        if outcome:
            return _page(_form(formdata=None), made=outcome.value)
        form.name.errors.append(outcome.error)
    return _page(form, status=400 if form.errors else 200)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@policy.rule(policy.SIGNED_IN)
def revoke_api_token(token_id: int):
    """Revoke one of my tokens."""
    if not ArchiveForm().validate_on_submit():
        return web.done("The form had expired; try again.", "auth.api_tokens_page")
    outcome = web.attempt(
        api_tokens.revoke,
        db.session,
        current_user,
        token_id,
        clock.now(),
        refusals=(api_tokens.TokenError, InvalidTransition),
    )
    if not outcome:
        return web.refused(outcome, "auth.api_tokens_page")
    return web.done(f"The token “{outcome.value.name}” is revoked: it no longer works.", "auth.api_tokens_page")
