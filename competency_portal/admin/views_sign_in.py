"""Administering sign-in: who may use a portal password, and unlinking a person's provider account."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from competency_portal import policy, web
from competency_portal.admin import bp
from competency_portal.admin.forms import ActionForm, PasswordSignInForm
from competency_portal.admin.pages import person_or_404, person_page, provider_label
from competency_portal.auth import oidc_client
from competency_portal.extensions import db
from competency_portal.models import PasswordSignIn
from competency_portal.services import sign_in_admin


def _page(form: PasswordSignInForm | None = None, status: int = 200):
    providers = oidc_client.providers()
    saved = sign_in_admin.saved_mode(db.session)
    form = form or PasswordSignInForm(formdata=None, mode=saved.value)
    return render_template("admin/sign_in.html", form=form, providers=providers, saved=saved), status


@bp.route("/sign-in", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def sign_in_settings():
    """How people sign in: the identity providers configured, and (saved here) who may use a password."""
    form = PasswordSignInForm()
    if request.method == "GET":
        return _page()
    if not form.validate_on_submit():
        return _page(form, 400)
    mode = PasswordSignIn(form.mode.data)
    outcome = web.attempt(
        sign_in_admin.set_password_mode,
        db.session,
        current_user.id,
        mode,
        bool(oidc_client.providers()),
        refusals=sign_in_admin.SignInSettingError,
    )
    if not outcome:
        form.mode.errors.append(outcome.error)
        return _page(form, 400)
    return web.done(f"Saved: {mode.label}." if outcome.value else None, "admin.sign_in_settings")


@bp.post("/people/<int:person_id>/provider/<name>/unlink")
@policy.rule(policy.ADMIN)
def unlink_provider(person_id: int, name: str):
    """Forget which provider account is this person's (a reissued trust account): the next sign-in links afresh."""
    person = person_or_404(person_id)
    if not ActionForm().validate_on_submit():
        return person_page(person, status=400)
    outcome = web.attempt(sign_in_admin.unlink_provider, db.session, current_user.id, person, name, refusals=())
    message = (
        f"{person.name}'s account at {provider_label(name)} is no longer linked. "
        "Their next sign-in there links it again, matched by their details."
        if outcome.value
        else None
    )
    return web.done(message, "admin.edit_person", person_id=person.id)
