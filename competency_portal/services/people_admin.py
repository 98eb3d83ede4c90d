"""Administering people: the people list, creating and changing people, supervision, teams, the audit trail.

Plain functions over a SQLAlchemy session. They validate what only the database can tell
(a taken email, an assignment already open), append the audit records, and leave committing to
the caller, so a view commits once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from competency_portal.models import AuditEvent, Deputy, Role, Supervision, Team, User, UserRole
from competency_portal.services import audit, people

PAGE_SIZE = 100


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


@dataclass
class Page:
    """One page of a list."""

    items: list
    total: int
    page: int
    per_page: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


# -- lists ------------------------------------------------------------------------------


def list_people(
    session: Session,
    *,
    q: str | None = None,
    team_id: int | None = None,
    role: Role | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> Page:
    """People by name, filtered; teams and roles are loaded with the page (no query per row)."""
    conditions = []
    if q and q.strip():
        pattern = _like(q.strip())
        conditions.append(or_(func.lower(User.name).like(pattern, escape="\\"), User.email.like(pattern, escape="\\")))
    if team_id is not None:
        conditions.append(User.team_id == team_id)
    if role is not None:
        conditions.append(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    total = session.scalar(select(func.count()).select_from(User).where(*conditions)) or 0
    page = max(1, page)
    rows = session.scalars(
        select(User)
        .where(*conditions)
        .options(joinedload(User.team), selectinload(User.role_grants))
        .order_by(func.lower(User.name), User.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(list(rows), total, page, per_page)


def all_teams(session: Session) -> list[Team]:
    """Every team, by name."""
    return list(session.scalars(select(Team).order_by(func.lower(Team.name))))


def teams_with_counts(session: Session) -> list[tuple[Team, int, int]]:
    """Every team with its number of members and of active members (one grouped query)."""
    active = func.count(case((User.active.is_(True), User.id)))
    rows = session.execute(
        select(Team, func.count(User.id), active)
        .outerjoin(User, User.team_id == Team.id)
        .group_by(Team.id, Team.name)
        .order_by(func.lower(Team.name))
    ).all()
    return [(team, count, int(active_count or 0)) for team, count, active_count in rows]


def supervisor_choices(session: Session) -> list[User]:
    """Active people holding the supervisor role, by name."""
    return list(
        session.scalars(
            select(User)
            .where(User.active.is_(True), User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.SUPERVISOR)))
            .order_by(func.lower(User.name), User.id)
        )
    )


def email_taken(session: Session, email: str, except_id: int | None = None) -> bool:
    """Whether someone else already has this email address."""
    query = select(User.id).where(User.email == people.normalise_email(email))
    if except_id is not None:
        query = query.where(User.id != except_id)
    return session.scalar(query.limit(1)) is not None


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
    if actor.id == user.id:
        if Role.ADMIN in user.roles and Role.ADMIN not in fields.roles:
            raise AdminRuleError("roles", "You cannot remove your own admin role. Ask another administrator to do it.")
        if not active:
            raise AdminRuleError(
                "active", "You cannot deactivate your own account. Ask another administrator to do it."
            )
    if not fields.roles:
        raise AdminRuleError("roles", "Select at least one role")

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

    what = list(changed)
    if changed:
        audit.record(
            session,
            actor_id=actor.id,
            action="person_updated",
            object_type="user",
            object_id=user.id,
            subject_id=user.id,
            detail=changed,
        )

    old_roles = set(user.roles)
    if old_roles != set(fields.roles):
        people.set_roles(user, set(fields.roles))
        audit.record(
            session,
            actor_id=actor.id,
            action="roles_changed",
            object_type="user",
            object_id=user.id,
            subject_id=user.id,
            detail={"from": _roles_list(old_roles), "to": _roles_list(set(fields.roles))},
        )
        what.append("roles")

    if bool(user.active) != bool(active):
        if active:
            user.active = True
            audit.record(
                session,
                actor_id=actor.id,
                action="person_reactivated",
                object_type="user",
                object_id=user.id,
                subject_id=user.id,
                detail={"active": {"from": False, "to": True}},
            )
        else:
            deactivate(user)
            audit.record(
                session,
                actor_id=actor.id,
                action="person_deactivated",
                object_type="user",
                object_id=user.id,
                subject_id=user.id,
                detail={"active": {"from": True, "to": False}, "signed_out": True},
            )
        what.append("active")
    session.flush()
    return what


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


# -- supervision ------------------------------------------------------------------------


def supervision_of(session: Session, supervisee_id: int) -> list[Supervision]:
    """Every assignment supervising this person: open ones first, then newest first."""
    rows = session.scalars(
        select(Supervision)
        .where(Supervision.supervisee_id == supervisee_id)
        .options(joinedload(Supervision.supervisor))
        .order_by(Supervision.starts_on.desc(), Supervision.id.desc())
    ).all()
    return sorted(rows, key=lambda s: s.ends_on is not None)


def supervising(session: Session, supervisor_id: int, today: date) -> list[Supervision]:
    """The assignments in force today in which this person is the supervisor."""
    return list(
        session.scalars(
            select(Supervision)
            .where(
                Supervision.supervisor_id == supervisor_id,
                Supervision.starts_on <= today,
                or_(Supervision.ends_on.is_(None), Supervision.ends_on >= today),
            )
            .options(joinedload(Supervision.supervisee))
            .order_by(Supervision.starts_on)
        )
    )


def deputies_for(session: Session, supervisor_id: int) -> list[Deputy]:
    """The cover arrangements a supervisor has named, newest first."""
    return list(
        session.scalars(
            select(Deputy)
            .where(Deputy.supervisor_id == supervisor_id)
            .options(joinedload(Deputy.deputy))
            .order_by(Deputy.starts_on.desc(), Deputy.id.desc())
        )
    )


def start_supervision(
    session: Session, actor_id: int | None, supervisee: User, supervisor_id: int, starts_on: date
) -> Supervision:
    """Assign a supervisor from `starts_on`; record `supervision_started`."""
    if supervisor_id == supervisee.id:
        raise AdminRuleError("supervisor_id", "A person cannot supervise themself. Choose someone else.")
    supervisor = session.get(User, supervisor_id)
    if supervisor is None or not supervisor.active or Role.SUPERVISOR not in supervisor.roles:
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


# -- the audit trail --------------------------------------------------------------------


@dataclass
class AuditPage:
    """A page of the audit trail, newest first, and where the next (older) page starts."""

    events: list[AuditEvent]
    older_than: int | None = None  # pass as `before` for the next page
    filters: dict = field(default_factory=dict)


def audit_object_types(session: Session) -> list[str]:
    """The kinds of object the audit trail mentions."""
    return sorted(session.scalars(select(AuditEvent.object_type).distinct()))


def audit_trail(
    session: Session,
    *,
    person_id: int | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    before: int | None = None,
    per_page: int = PAGE_SIZE,
) -> AuditPage:
    """Audit records newest first; `person_id` matches the actor or the subject; paged by `seq`."""
    query = select(AuditEvent).options(joinedload(AuditEvent.actor), joinedload(AuditEvent.subject))
    if person_id is not None:
        query = query.where(or_(AuditEvent.actor_id == person_id, AuditEvent.subject_id == person_id))
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == object_id.strip())
    if before is not None:
        query = query.where(AuditEvent.seq < before)
    rows = list(session.scalars(query.order_by(AuditEvent.seq.desc()).limit(per_page + 1)).unique())
    more = len(rows) > per_page
    rows = rows[:per_page]
    return AuditPage(rows, rows[-1].seq if more and rows else None)


def describe_detail(detail: dict | None, limit: int = 8, width: int = 80) -> list[str]:
    """An audit record's detail as a few short lines a person can read."""

    def show(value) -> str:
        if value is None or value == "":
            return "(none)"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ", ".join(show(v) for v in value) if value else "(none)"
        if isinstance(value, dict):
            if set(value) == {"from", "to"}:
                return f"{show(value['from'])} → {show(value['to'])}"
            return "; ".join(f"{k.replace('_', ' ')}: {show(v)}" for k, v in value.items())
        return str(value)

    lines = []
    for key, value in (detail or {}).items():
        text = f"{str(key).replace('_', ' ').capitalize()}: {show(value)}"
        lines.append(text if len(text) <= width else text[: width - 1] + "…")
    if len(lines) > limit:
        lines = lines[:limit] + [f"and {len(lines) - limit} more"]
    return lines
