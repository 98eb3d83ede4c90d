"""Accounts: passwords, checking them at sign-in, and creating and changing people."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competency_portal.models import Role, Team, User, UserRole

MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()  # argon2id: memory-hard
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Enter a password of at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > 200:
        return "Enter a password of 200 characters or fewer"
    return None


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively, without surrounding spaces."""
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    """The person with this email address, if any."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active person with this email address and password, or None.

    Failed attempts are counted and throttled by the caller (services.sign_in_limits). The caller
    commits: a password hashed with older settings is rehashed here.
    """
    user = find_by_email(session, email)
    if user is None or not user.active or not user.password_hash:
        try:  # spend the same time as a real check, so timing does not reveal who has an account
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def load_session_user(session: Session, identity: str) -> User | None:
    """The person a session belongs to, if the session's token is still theirs and they are active."""
    user_id, _, token = identity.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def new_session_token() -> str:
    """A fresh random session token."""
    return secrets.token_hex(16)


def end_sessions(user: User) -> None:
    """End every session of this person: a copy of a session cookie is dead from now on.

    Sessions are signed cookies, so clearing the one in the browser is not enough; the token that
    every cookie of the person carries is replaced instead (which signs out their other browsers too).
    """
    user.session_token = new_session_token()


def team_named(session: Session, name: str | None) -> Team | None:
    """The team with this name, created if it does not exist (None for a blank name)."""
    if not name or not name.strip():
        return None
    name = name.strip()
    team = session.scalar(select(Team).where(func.lower(Team.name) == name.lower()))
    if team is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
    return team


def create_person(
    session: Session,
    *,
    name: str,
    email: str,
    roles: set[Role],
    job_title: str | None = None,
    band: str | None = None,
    team: str | None = None,
    target_role: str | None = None,
    password: str | None = None,
) -> User:
    """Add a person; the caller has validated the input and records the audit event."""
    user = User(
        name=name.strip(),
        email=normalise_email(email),
        job_title=job_title or None,
        band=band or None,
        team=team_named(session, team),
        target_role=target_role or None,
        active=True,
        password_hash=hash_password(password) if password else None,
        session_token=new_session_token(),
    )
    user.role_grants = [UserRole(role=role) for role in sorted(roles, key=lambda r: r.value)]
    session.add(user)
    session.flush()
    return user


def set_roles(user: User, roles: set[Role]) -> None:
    """Replace a person's roles."""
    keep = [g for g in user.role_grants if g.role in roles]
    have = {g.role for g in keep}
    user.role_grants = keep + [UserRole(role=r) for r in sorted(roles - have, key=lambda r: r.value)]


def set_password(user: User, password: str) -> None:
    """Set a new password and end every existing session of this person."""
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
