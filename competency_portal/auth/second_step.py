"""The step between a right password and a session: a code from the person's authenticator.

After the password, the session holds only who is part-way through signing in (for five minutes,
and only while their account and session token stay the same); nobody is signed in until the
code is right. People who must have a second factor and have none set one up at that point.
"""

from __future__ import annotations

import time

from flask import current_app, redirect, session, url_for

from competency_portal import policy
from competency_portal.auth import oidc_client
from competency_portal.extensions import db
from competency_portal.models import PasswordSignIn, User
from competency_portal.services import sign_in_admin, two_factor

PENDING = "pending_second_factor"
PENDING_SECONDS = 300


def password_mode() -> PasswordSignIn:
    """Who may sign in with a password now (the administrators' setting, while a provider is configured)."""
    return sign_in_admin.password_mode(db.session, bool(oidc_client.providers()))


def required(user: User) -> bool:
    """Whether this person must use a second factor with their password: admins and recruiters in
    production, and administrators anywhere while password sign-in is off for others."""
    if policy.emergency_password_route(user, password_mode()):
        return True
    setting = current_app.config.get("TWO_FACTOR_REQUIRED")
    if setting is None:
        setting = current_app.config.get("PORTAL_ENV") == "production"
    return bool(setting) and policy.needs_second_factor(user)


def due(user: User) -> bool:
    """Whether signing in with a password must go on to a code: they have an authenticator, or must."""
    return two_factor.is_enrolled(db.session, user) or required(user)


def begin(user: User, next_path: str | None):
    """Remember who is part-way through signing in, and ask for their code (or to set up an authenticator)."""
    enrolled = two_factor.is_enrolled(db.session, user)
    session.clear()
    session[PENDING] = {"user": user.id, "token": user.session_token, "at": time.time(), "next": next_path}
    return redirect(url_for("auth.second_factor" if enrolled else "auth.set_up_second_factor"))


def pending_user() -> User | None:
    """The person part-way through signing in, if that is still current."""
    data = session.get(PENDING)
    if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        return None
    user = db.session.get(User, int(data.get("user", 0)))
    if user is None or not user.active or user.session_token != data.get("token"):
        return None
    return user


def pending_next() -> str | None:
    """Where the person was going when they signed in."""
    data = session.get(PENDING)
    return data.get("next") if isinstance(data, dict) else None


def forget() -> None:
    """Drop the part-way sign-in."""
    session.pop(PENDING, None)
