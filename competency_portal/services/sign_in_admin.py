"""What administrators decide about signing in: who may use a password, and unlinking provider accounts.

Password sign-in can be switched off only while an identity provider is configured, and a setting
saved while one was is ignored if none is any longer: nobody is ever left with no way in. Every
change is audited. The caller commits.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from competency_portal.models import PasswordSignIn, SiteSetting, User
from competency_portal.models.base import utcnow
from competency_portal.services import audit, external_sign_in

PASSWORD_SIGN_IN = "password_sign_in"


class SignInSettingError(ValueError):
    """A setting that cannot be saved; the message says why."""


def saved_mode(session: Session) -> PasswordSignIn:
    """The password sign-in setting as saved (everyone, if never set)."""
    row = session.get(SiteSetting, PASSWORD_SIGN_IN)
    try:
        return PasswordSignIn(row.value) if row else PasswordSignIn.EVERYONE
    except ValueError:  # a value from a later version, rolled back: the safe reading
        return PasswordSignIn.EVERYONE


def password_mode(session: Session, providers_configured: bool) -> PasswordSignIn:
    """Who may sign in with a password now: the saved setting, or everyone when no provider is configured."""
    return saved_mode(session) if providers_configured else PasswordSignIn.EVERYONE


def set_password_mode(session: Session, actor_id: int | None, mode: PasswordSignIn, providers_configured: bool) -> bool:
    """Save who may sign in with a password; False if it was already so. Audited as `password_sign_in_changed`."""
    if mode is not PasswordSignIn.EVERYONE and not providers_configured:
        raise SignInSettingError(
            "Password sign-in cannot be switched off until an identity provider is set up: "
            "nobody would be able to sign in."
        )
    before = saved_mode(session)
    if before is mode:
        return False
    row = session.get(SiteSetting, PASSWORD_SIGN_IN)
    if row is None:
        row = SiteSetting(name=PASSWORD_SIGN_IN, value=mode.value)
        session.add(row)
    row.value, row.changed_by_id, row.changed_at = mode.value, actor_id, utcnow()
    audit.record(session, actor_id=actor_id, action="password_sign_in_changed", object_type="setting",
                 object_id=PASSWORD_SIGN_IN, detail={"from": before.value, "to": mode.value})  # fmt: skip
    return True


def unlink_provider(session: Session, actor_id: int | None, user: User, provider: str) -> bool:
    """Forget the person's link to a provider account (their next sign-in there links afresh); audited."""
    removed = external_sign_in.unlink(session, user, provider)
    if removed:
        audit.record(session, actor_id=actor_id, action="provider_account_unlinked", object_type="user",
                     object_id=user.id, subject_id=user.id, detail={"provider": provider})  # fmt: skip
    return bool(removed)
