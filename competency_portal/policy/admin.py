"""Administering people: the rules an administrator works within, and whom they may choose.

An administrator may change anyone, except that they may not take away their own admin role or
deactivate their own account (another administrator must, so the portal always keeps one). A
supervisor is someone holding the supervisor role; a person never supervises themself.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from flask import abort
from sqlalchemy.orm import Session

from competency_portal.models import FrameworkDraft, PasswordSignIn, Role, User
from competency_portal.policy.people import holders, holds, is_own


class HasRoles(Protocol):
    """Anything that holds roles: a person, a person as an import saw them, an import's row."""

    roles: Collection[Role]


def can_supervise(person: HasRoles) -> bool:
    """Whether the person holds the supervisor role (and so may be chosen to supervise someone)."""
    return holds(person, Role.SUPERVISOR)  # type: ignore[arg-type]


def drops_admin(person: HasRoles, roles: Collection[Role]) -> bool:
    """Whether giving the person exactly `roles` would take away the admin role they hold."""
    return holds(person, Role.ADMIN) and Role.ADMIN not in roles  # type: ignore[arg-type]


def needs_second_factor(person: HasRoles) -> bool:
    """Whether signing in with a password must take a second factor in production: administrators
    and recruiters, who see and change other people's records."""
    return holds(person, Role.ADMIN) or holds(person, Role.RECRUITER)  # type: ignore[arg-type]


def may_sign_in_with_password(person: HasRoles, mode: PasswordSignIn) -> bool:
    """Whether the person may use a portal password under the administrators' setting.

    Administrators always may (the emergency route, with two-factor: `emergency_password_route`), so
    the portal can still be reached if the identity provider cannot.
    """
    if mode is PasswordSignIn.EVERYONE or holds(person, Role.ADMIN):  # type: ignore[arg-type]
        return True
    return mode is PasswordSignIn.NOT_STAFF and bool(set(person.roles) - {Role.STAFF})


def emergency_password_route(person: HasRoles, mode: PasswordSignIn) -> bool:
    """Whether this is an administrator signing in with a password while passwords are off for others:
    then a second factor is required wherever the portal runs."""
    return mode is not PasswordSignIn.EVERYONE and holds(person, Role.ADMIN)  # type: ignore[arg-type]


def may_set_roles(actor: User, person: User, roles: Collection[Role]) -> bool:
    """An administrator may not remove their own admin role: another administrator must."""
    return not (is_own(actor, person.id) and drops_admin(person, roles))


def may_deactivate(actor: User, person: User) -> bool:
    """An administrator may not deactivate their own account: another administrator must."""
    return not is_own(actor, person.id)


def supervisor_candidates(session: Session, person: User) -> list[User]:
    """Whom an administrator may choose to supervise `person`: the active supervisors but them, by name."""
    return [candidate for candidate in holders(session, Role.SUPERVISOR) if candidate.id != person.id]


def draft_for(session: Session, draft_id: int) -> FrameworkDraft:
    """A framework draft, for the administrators who review drafts (every draft is theirs), or 404."""
    draft = session.get(FrameworkDraft, draft_id)
    if draft is None:
        abort(404)
    return draft
