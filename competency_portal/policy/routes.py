"""Route rules: who may reach each view.

Every view declares a rule with `@policy.rule(...)`; the app refuses to start if a route has
none, and `enforce` applies it before the view runs.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from flask import Flask, abort, request
from flask_login import current_user
from sqlalchemy.orm import Session

from competency_portal.extensions import login_manager
from competency_portal.models import Role, User
from competency_portal.policy.people import is_covering

PUBLIC = "public"
SIGNED_IN = "signed_in"
STAFF = "staff"
SUPERVISING = "supervising"  # a supervisor, or a deputy while covering
ADMIN = "admin"
RECRUITER = "recruiter"
API = "api"  # the JSON API: no session; its own token check (competency_portal/api/access.py) applies
RULES = {PUBLIC, SIGNED_IN, STAFF, SUPERVISING, ADMIN, RECRUITER, API}


def rule(name: str) -> Callable:
    """Declare who may reach a view."""
    if name not in RULES:
        raise ValueError(f"unknown policy rule {name!r}")

    def decorate(view: Callable) -> Callable:
        view.policy_rule = name
        return view

    return decorate


def rule_for(view: Callable) -> str | None:
    """The rule a view declared (following wrappers), or None."""
    while view is not None:
        found = getattr(view, "policy_rule", None)
        if found:
            return found
        view = getattr(view, "__wrapped__", None)
    return None


def init_app(app: Flask, session_factory: Callable[[], Session], today: Callable[[], date]) -> None:
    """Check every route has a rule (at first request) and enforce rules before each view."""

    @app.before_request
    def enforce() -> None:
        if request.endpoint is None or request.endpoint == "static":
            return
        view = app.view_functions[request.endpoint]
        name = rule_for(view)
        if name is None:
            abort(500)  # unreachable once check_routes has passed; never serve an unruled view
        if name in (PUBLIC, API):
            return
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not allowed(session_factory(), current_user, name, today()):
            abort(403)


def check_routes(app: Flask) -> list[str]:
    """Endpoints with no declared rule (the app refuses to start if there are any)."""
    return sorted(ep for ep, view in app.view_functions.items() if ep != "static" and rule_for(view) is None)


def allowed(session: Session, user: User, name: str, today: date) -> bool:
    """Whether a signed-in person passes a route rule."""
    roles = user.roles
    if name == SIGNED_IN:
        return True
    if name == STAFF:
        return Role.STAFF in roles
    if name == ADMIN:
        return Role.ADMIN in roles
    if name == RECRUITER:
        return Role.RECRUITER in roles
    if name == SUPERVISING:
        return Role.SUPERVISOR in roles or is_covering(session, user.id, today)
    return False


def require(condition: bool, status: int = 404) -> None:
    """Stop with `status` (404 by default, so as not to reveal that an object exists)."""
    if not condition:
        abort(status)
