"""Sign in (throttled after repeated failures) and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from flask import redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from competency_portal import policy, security, throttling
from competency_portal.auth import bp, oidc_client, second_step, throttle
from competency_portal.auth.forms import SignInForm, SignOutForm
from competency_portal.extensions import db
from competency_portal.models import PasswordSignIn
from competency_portal.services import audit, people
from competency_portal.services.sign_in_limits import PASSWORD

PROVIDER_KEY, ID_TOKEN_KEY = "signed_in_with", "provider_id_token"


def provider_sign_out_url(name: str | None, id_token: str | None) -> str | None:
    """Where to send someone so the provider that signed them in ends its session too (RP-initiated logout).

    None when they signed in with a password, or the provider has no end-session endpoint or cannot
    be reached (then only the portal's session ends, which the sign-in page says).
    """
    provider, client = oidc_client.lookup(name) if name else (None, None)
    if client is None:
        return None
    try:
        endpoint = client.load_server_metadata().get("end_session_endpoint")
    except (requests.RequestException, ValueError):  # a provider that is down must not stop anyone signing out
        return None
    if not endpoint:
        return None
    return client.create_logout_url(
        post_logout_redirect_uri=url_for("auth.sign_in", signed_out=1, _external=True),
        id_token_hint=id_token,
        client_id=provider.client_id,
    )["url"]


def safe_next(target: str | None) -> str | None:
    """A `next` address only if it stays on this site: a path, never another host or scheme."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target


def start_session(user, method: str, next_path: str | None, keep: dict | None = None):
    """Record the sign-in, start a new session for `user` (no fixation) and go on to where they were going.

    `keep` is what the new session must carry over, such as the provider that signed them in.
    """
    log_in(user, method, keep)
    return redirect(next_path or url_for("dashboards.mine"))


def log_in(user, method: str, keep: dict | None = None) -> None:
    """Record the sign-in and start a new session for `user` (no fixation)."""
    audit.record(
        db.session,
        actor_id=user.id,
        action="signed_in",
        object_type="user",
        object_id=user.id,
        subject_id=user.id,
        detail={"method": method},
    )
    db.session.commit()
    session.clear()
    login_user(user)
    session.permanent = True
    session.update(keep or {})
    security.start_form_token()


@bp.route("/sign-in", methods=["GET", "POST"])
@policy.rule(policy.PUBLIC)
def sign_in():
    """The sign-in page."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("dashboards.mine"))
    form, mode = SignInForm(), second_step.password_mode()
    error = None
    if form.validate_on_submit():
        email, gate = people.normalise_email(form.email.data), throttling.gate()
        # Counted under the address typed, account or not: an unknown one is answered as a known one.
        wait = gate.wait(PASSWORD, email, throttle.address())
        if wait is None:
            user = people.authenticate(db.session, email, form.password.data)
            if user is not None:
                db.session.commit()  # a rehashed password
                gate.succeeded(PASSWORD, email)
                if not policy.may_sign_in_with_password(user, mode):
                    return _password_refused(form, user, mode)
                if second_step.due(user):
                    return second_step.begin(user, safe_next(request.args.get("next")))
                return start_session(user, "password", safe_next(request.args.get("next")))
            wait = gate.failed(PASSWORD, email, throttle.address())
            throttle.note_used_up(PASSWORD, wait)
        if wait is not None:
            error = throttle.refusal(throttle.TOO_MANY_PASSWORDS, wait)
        else:
            error = "The email address or password is not right. Check them and try again."
    return _sign_in_page(form, mode, error)


def _sign_in_page(form, mode, error: str | None = None, error_target: str | None = None):
    page = render_template(
        "auth/sign_in.html",
        form=form,
        error=error,
        error_target=error_target,
        providers=oidc_client.providers(),
        passwords_for_admins_only=mode is PasswordSignIn.ADMINISTRATORS,
        passwords_not_for_staff=mode is PasswordSignIn.NOT_STAFF,
    )
    return page, 400 if (error or form.errors) else 200


def _password_refused(form, user, mode):
    """A right password from someone who must sign in with the trust's identity: say so, and how."""
    audit.record(db.session, actor_id=user.id, action="sign_in_refused", object_type="user", object_id=user.id,
                 subject_id=user.id, detail={"method": "password", "reason": "password sign-in is off"})  # fmt: skip
    db.session.commit()
    buttons = " or ".join(f"“{provider.button}”" for provider in oidc_client.providers())
    message = f"Password sign-in is switched off for your account. Use {buttons} instead."
    return _sign_in_page(form, mode, message, error_target="#providers")


@bp.route("/sign-out", methods=["GET", "POST"])
@policy.rule(policy.PUBLIC)
def sign_out():
    """Confirm (GET) and sign out (POST, with a CSRF token)."""
    form = SignOutForm()
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    if form.validate_on_submit():
        people.end_sessions(current_user._get_current_object())
        db.session.commit()
        at_provider = session.get(PROVIDER_KEY), session.get(ID_TOKEN_KEY)
        logout_user()
        session.clear()
        return redirect(provider_sign_out_url(*at_provider) or url_for("auth.sign_in", signed_out=1))
    return render_template("auth/sign_out.html", form=form)
