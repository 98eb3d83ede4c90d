"""Sign in (with lock-out after repeated failures) and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from competency_portal import clock, policy, security
from competency_portal.auth import bp
from competency_portal.auth.forms import SignInForm, SignOutForm
from competency_portal.extensions import db
from competency_portal.services import audit, people


def safe_next(target: str | None) -> str | None:
    """A `next` address only if it stays on this site: a path, never another host or scheme."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@policy.rule(policy.PUBLIC)
def sign_in():
    """The sign-in page."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("dashboards.mine"))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        result = people.authenticate(db.session, form.email.data, form.password.data, clock.now())
        if result.user is not None:
            audit.record(
                db.session,
                actor_id=result.user.id,
                action="signed_in",
                object_type="user",
                object_id=result.user.id,
                subject_id=result.user.id,
            )
            db.session.commit()
            session.clear()  # a new session on sign-in: no fixation
            login_user(result.user)
            session.permanent = True
            security.start_form_token()
            return redirect(safe_next(request.args.get("next")) or url_for("dashboards.mine"))
        if result.locked_until is not None:
            minutes = max(1, int((result.locked_until - clock.now()).total_seconds() // 60) + 1)
            error = (
                f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}, "
                "or ask an administrator to reset your password."
            )
        else:
            error = "The email address or password is not right. Check them and try again."
        db.session.commit()  # keep the failure count
    return render_template("auth/sign_in.html", form=form, error=error), 400 if (error or form.errors) else 200


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
        logout_user()
        session.clear()
        return redirect(url_for("auth.sign_in", signed_out=1))
    return render_template("auth/sign_out.html", form=form)
