"""Administering people: creating and changing people, their passwords, and supervision.

Plain functions over a SQLAlchemy session, one per change. They validate what only the database can
tell (an assignment already open), ask the policy what an administrator may do, append the audit
records, and leave committing to the caller, so a view commits once. What administrators read (the
people list, teams, supervision) is in people_queries; the audit trail in audit_trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal import policy
from competency_portal.models import Role, Supervision, User
from competency_portal.services import audit, notify, people, two_factor


class AdminRuleError(ValueError):
    """A change an administrator may not make; `field` names the form field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class PersonFields:
    """What an administrator can set about a person."""

    name: str
    email: str
    roles: set[Role]
    job_title: str | None = None
    band: str | None = None
    team: str | None = None
    target_role: str | None = None


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# -- creating and changing people -------------------------------------------------------


def _roles_list(roles: set[Role]) -> list[str]:
    return sorted(r.value for r in roles)


def create(session: Session, actor_id: int | None, fields: PersonFields, password: str | None = None) -> User:
    """Add a person and record `person_created` (the caller has checked the email is free)."""
    if not fields.roles:
        raise AdminRuleError("roles", "Select at least one role")
    user = people.create_person(
        session,
        name=fields.name,
        email=fields.email,
        roles=set(fields.roles),
        job_title=_blank_to_none(fields.job_title),
        band=_blank_to_none(fields.band),
        team=_blank_to_none(fields.team),
        target_role=_blank_to_none(fields.target_role),
        password=password or None,
    )
    audit.record(
        session,
        actor_id=actor_id,
        action="person_created",
        object_type="user",
        object_id=user.id,
        subject_id=user.id,
        detail={
            "name": user.name,
            "email": user.email,
            "job_title": user.job_title,
            "band": user.band,
            "team": user.team.name if user.team else None,
            "target_role": user.target_role,
            "roles": _roles_list(fields.roles),
            "password_set": bool(password),
        },
    )
    return user


def update(session: Session, actor: User, user: User, fields: PersonFields, active: bool) -> list[str]:
    """Change a person; record what changed. Returns the names of what changed.

    An administrator may not remove their own admin role or deactivate themself (AdminRuleError).
    Deactivating someone signs them out everywhere.
    """
    if not policy.may_set_roles(actor, user, fields.roles):
        raise AdminRuleError("roles", "You cannot remove your own admin role. Ask another administrator to do it.")
    if not active and not policy.may_deactivate(actor, user):
        raise AdminRuleError("active", "You cannot deactivate your own account. Ask another administrator to do it.")
    if not fields.roles:
        raise AdminRuleError("roles", "Select at least one role")
    what = _change_details(session, actor.id, user, fields)
    if _change_roles(session, actor.id, user, set(fields.roles)):
        what.append("roles")
    if _change_active(session, actor.id, user, active):
        what.append("active")
    session.flush()
    return what


def _record(session: Session, actor_id: int | None, action: str, user: User, detail: dict) -> None:
    """An audit record about this person."""
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        object_type="user",
        object_id=user.id,
        subject_id=user.id,
        detail=detail,
    )


def _change_details(session: Session, actor_id: int | None, user: User, fields: PersonFields) -> list[str]:
    """Set name, email, job title, band, target role and team; record `person_updated` if any changed."""
    changed: dict[str, dict] = {}

    def change(name: str, old, new) -> None:
        if old != new:
            changed[name] = {"from": old, "to": new}

    new_email = people.normalise_email(fields.email)
    change("name", user.name, fields.name.strip())
    change("email", user.email, new_email)
    change("job_title", user.job_title, _blank_to_none(fields.job_title))
    change("band", user.band, _blank_to_none(fields.band))
    change("target_role", user.target_role, _blank_to_none(fields.target_role))
    old_team = user.team.name if user.team else None
    team_name = _blank_to_none(fields.team)
    if (old_team or "").lower() != (team_name or "").lower():
        team = people.team_named(session, team_name)
        changed["team"] = {"from": old_team, "to": team.name if team else None}
        user.team = team
    user.name = fields.name.strip()
    user.email = new_email
    user.job_title = _blank_to_none(fields.job_title)
    user.band = _blank_to_none(fields.band)
    user.target_role = _blank_to_none(fields.target_role)
    if changed:
        _record(session, actor_id, "person_updated", user, changed)
    return list(changed)


def _change_roles(session: Session, actor_id: int | None, user: User, roles: set[Role]) -> bool:
    """Give the person exactly `roles`; record `roles_changed`. Whether they changed."""
    old_roles = set(user.roles)
    if old_roles == roles:
        return False
    people.set_roles(user, roles)
    _record(session, actor_id, "roles_changed", user, {"from": _roles_list(old_roles), "to": _roles_list(roles)})
    return True


def _change_active(session: Session, actor_id: int | None, user: User, active: bool) -> bool:
    """Reactivate or deactivate the person (signing them out); record it. Whether it changed."""
    if bool(user.active) == bool(active):
        return False
    if active:
        user.active = True
        _record(session, actor_id, "person_reactivated", user, {"active": {"from": False, "to": True}})
    else:
        deactivate(user)
        _record(
            session,
            actor_id,
            "person_deactivated",
            user,
            {"active": {"from": True, "to": False}, "signed_out": True},
        )
    return True


def deactivate(user: User) -> None:
    """Stop a person signing in, and end every session they have."""
    user.active = False
    user.session_token = people.new_session_token()


def reset_password(session: Session, actor_id: int | None, user: User, password: str) -> None:
    """Set a new password (ending the person's sessions) and record `password_reset` (never the password)."""
    problem = people.password_problem(password)
    if problem:
        raise AdminRuleError("password", problem)
    people.set_password(user, password)
    audit.record(
        session,
        actor_id=actor_id,
        action="password_reset",
        object_type="user",
        object_id=user.id,
        subject_id=user.id,
        detail={"signed_out": True},
    )


def reset_second_factor(session: Session, actor_id: int | None, user: User, mail: dict | None = None) -> None:
    """Remove the person's authenticator and recovery codes, tell them, and record `second_factor_reset`."""
    removed = two_factor.reset(session, user)
    notify.notify(
        session,
        user,
        "An administrator reset your two-factor sign-in. You will set up your authenticator app again the next "
        "time you sign in with your password. If you did not ask for this, tell your portal administrator.",
        mail=mail,
    )
    audit.record(session, actor_id=actor_id, action="second_factor_reset", object_type="user", object_id=user.id,
                 subject_id=user.id, detail={"had_authenticator": removed})  # fmt: skip


# -- supervision ------------------------------------------------------------------------


def start_supervision(
    session: Session, actor_id: int | None, supervisee: User, supervisor_id: int, starts_on: date
) -> Supervision:
    """Assign a supervisor from `starts_on`; record `supervision_started`."""
    if supervisor_id == supervisee.id:
        raise AdminRuleError("supervisor_id", "A person cannot supervise themself. Choose someone else.")
    supervisor = session.get(User, supervisor_id)
    if supervisor is None or not supervisor.active or not policy.can_supervise(supervisor):
        raise AdminRuleError("supervisor_id", "Choose an active person who has the supervisor role")
    already = session.scalar(
        select(Supervision.id)
        .where(
            Supervision.supervisor_id == supervisor_id,
            Supervision.supervisee_id == supervisee.id,
            Supervision.ends_on.is_(None),
        )
        .limit(1)
    )
    if already is not None:
        raise AdminRuleError(
            "supervisor_id", f"{supervisor.name} already supervises {supervisee.name}. End that assignment first."
        )
    assignment = Supervision(
        supervisor_id=supervisor_id, supervisee_id=supervisee.id, starts_on=starts_on, ends_on=None
    )
    session.add(assignment)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="supervision_started",
        object_type="supervision",
        object_id=assignment.id,
        subject_id=supervisee.id,
        detail={"supervisor_id": supervisor.id, "supervisor": supervisor.name, "starts_on": starts_on.isoformat()},
    )
    return assignment


def end_supervision(session: Session, actor_id: int | None, assignment: Supervision, today: date) -> None:
    """End an open assignment today; record `supervision_ended`."""
    if assignment.ends_on is not None:
        raise AdminRuleError("assignment", "That supervision has already ended")
    assignment.ends_on = today
    audit.record(
        session,
        actor_id=actor_id,
        action="supervision_ended",
        object_type="supervision",
        object_id=assignment.id,
        subject_id=assignment.supervisee_id,
        detail={
            "supervisor_id": assignment.supervisor_id,
            "supervisor": assignment.supervisor.name,
            "starts_on": assignment.starts_on.isoformat(),
            "ends_on": today.isoformat(),
        },
    )
