"""Two-factor sign-in pages: entering a code after the password, and setting up an authenticator."""

from __future__ import annotations

import segno
from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user
from markupsafe import Markup

from competency_portal import clock, policy, throttling
from competency_portal.auth import bp, second_step, throttle
from competency_portal.auth.forms import CodeForm
from competency_portal.auth.views import log_in, start_session
from competency_portal.extensions import db
from competency_portal.services import audit, two_factor
from competency_portal.services.sign_in_limits import CODE
from competency_portal.services.two_factor import Verdict

START_AGAIN = "Your sign-in timed out. Enter your email address and password again."
MESSAGES = {
    Verdict.WRONG: "The code is not right. Enter the 6-digit code your authenticator app shows now, "
    "or a recovery code.",
    Verdict.REUSED: "That code has already been used. Wait for your authenticator app to show a new code.",
}


def _qr(uri: str) -> Markup:
    # segno writes the SVG from the otpauth address alone: nothing from the request reaches it.
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, title="QR code for your authenticator app"))  # noqa: S704


SETUP_KEY = "authenticator_being_set_up"


def _set_up_page(user, form, status: int = 200, done_url: str | None = None):
    # The new secret waits in the (signed) session until a code from it is right; only then is it stored.
    secret = session.get(SETUP_KEY) or two_factor.new_secret()
    session[SETUP_KEY] = secret
    uri = two_factor.provisioning_uri(secret, user.email)
    spaced = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    page = render_template("auth/set_up_second_factor.html", form=form, qr=_qr(uri), secret=spaced, done_url=done_url)
    return page, status


def _confirmed(user, form) -> list[str] | None:
    secret = session.get(SETUP_KEY)
    codes = two_factor.confirm(db.session, user, secret, form.code.data, clock.now()) if secret else None
    if codes is not None:
        session.pop(SETUP_KEY, None)
        audit.record(db.session, actor_id=user.id, action="second_factor_set_up", object_type="user",
                     object_id=user.id, subject_id=user.id)  # fmt: skip
    db.session.commit()
    return codes


@bp.route("/sign-in/code", methods=["GET", "POST"])
@policy.rule(policy.PUBLIC)
def second_factor():
    """After the password: the code from the person's authenticator app, or a recovery code."""
    user = second_step.pending_user()
    if user is None:
        flash(START_AGAIN, "info")
        return redirect(url_for("auth.sign_in"))
    wait = throttling.gate().wait(CODE, str(user.id), throttle.address())
    if wait is not None:  # a right password does not reopen code entry early
        second_step.forget()
        flash(throttle.refusal(throttle.TOO_MANY_CODES, wait), "info")
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        verdict = _checked_code(user, form)
        if verdict in (Verdict.ACCEPTED, Verdict.RECOVERY_CODE):
            next_path = second_step.pending_next()
            method = "password+authenticator" if verdict is Verdict.ACCEPTED else "password+recovery code"
            response = start_session(user, method, next_path)
            if verdict is Verdict.RECOVERY_CODE:
                left = two_factor.recovery_codes_left(db.session, user)
                flash(f"You used a recovery code. You have {left} left: set up new ones from Security.", "info")
            return response
        if isinstance(verdict, int):
            second_step.forget()
            flash(throttle.refusal(throttle.TOO_MANY_CODES, verdict), "info")
            return redirect(url_for("auth.sign_in"))
        form.code.errors.append(MESSAGES[verdict])
    return render_template("auth/second_factor.html", form=form), 400 if form.errors else 200


def _checked_code(user, form, recovery: bool = True) -> Verdict | int:
    """The code's verdict (committed), or the seconds to wait when too many codes have been wrong."""
    gate, account = throttling.gate(), str(user.id)
    wait = gate.wait(CODE, account, throttle.address())
    if wait is not None:
        return wait
    verdict = two_factor.verify(db.session, user, form.code.data, clock.now(), recovery=recovery)
    db.session.commit()
    if verdict in (Verdict.ACCEPTED, Verdict.RECOVERY_CODE):
        gate.succeeded(CODE, account)
        return verdict
    wait = gate.failed(CODE, account, throttle.address())
    throttle.note_used_up(CODE, wait)
    return verdict if wait is None else wait


@bp.route("/sign-in/set-up-code", methods=["GET", "POST"])
@policy.rule(policy.PUBLIC)
def set_up_second_factor():
    """Signing in with a password where a second factor is required and none is set up yet."""
    user = second_step.pending_user()
    if user is None:
        flash(START_AGAIN, "info")
        return redirect(url_for("auth.sign_in"))
    if two_factor.is_enrolled(db.session, user):
        return redirect(url_for("auth.second_factor"))
    form = CodeForm()
    if form.validate_on_submit():
        codes = _confirmed(user, form)
        if codes is not None:
            next_path = second_step.pending_next() or url_for("dashboards.mine")
            log_in(user, "password+authenticator (set up)")
            return render_template("auth/recovery_codes.html", codes=codes, next_url=next_path)
        form.code.errors.append(MESSAGES[Verdict.WRONG])
    return _set_up_page(user, form, 400 if form.errors else 200)


@bp.route("/account/security", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def security():
    """A person's own sign-in security: their authenticator and recovery codes."""
    user = current_user._get_current_object()
    if not two_factor.is_enrolled(db.session, user):
        form = CodeForm()
        if form.validate_on_submit():
            codes = _confirmed(user, form)
            if codes is not None:
                return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("auth.security"))
            form.code.errors.append(MESSAGES[Verdict.WRONG])
        return _set_up_page(user, form, 400 if form.errors else 200, done_url=url_for("auth.security"))
    left = two_factor.recovery_codes_left(db.session, user)
    return render_template("auth/security.html", left=left, form=CodeForm(), required=second_step.required(user))


@bp.route("/account/security/recovery-codes", methods=["POST"])
@policy.rule(policy.SIGNED_IN)
def new_recovery_codes():
    """New recovery codes (the old ones stop working), after a code from the authenticator."""
    user = current_user._get_current_object()
    form = CodeForm()
    if form.validate_on_submit() and two_factor.is_enrolled(db.session, user):
        verdict = _checked_code(user, form, recovery=False)
        if verdict is Verdict.ACCEPTED:
            codes = two_factor.new_recovery_codes(db.session, user)
            audit.record(db.session, actor_id=user.id, action="recovery_codes_renewed", object_type="user",
                         object_id=user.id, subject_id=user.id)  # fmt: skip
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("auth.security"))
        if isinstance(verdict, int):
            form.code.errors.append(throttle.refusal(throttle.TOO_MANY_CODES, verdict))
        elif verdict is Verdict.WRONG:
            form.code.errors.append("Enter the 6-digit code your authenticator app shows now")
        else:
            form.code.errors.append(MESSAGES[verdict])
    left = two_factor.recovery_codes_left(db.session, user)
    return render_template("auth/security.html", left=left, form=form, required=second_step.required(user)), 400
