"""Reading the people a staff import is checked against, and writing a clean preview.

`snapshot` reads everyone held and `role_profiles` the role profiles a target role may name, for
`staff_import.parse` (`preview` does both); `apply` writes a preview with no errors in the caller's
transaction, with one audit record per person created or changed and a summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from competency_portal.models import Role, RoleProfile, Supervision, Team, User, UserRole
from competency_portal.services import audit, people
from competency_portal.services.staff_import import ExistingPerson, ImportPreview, ImportRow, parse


def _chunks(values: list, size: int = 500):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def role_profiles(session: Session) -> dict[str, str]:
    """Each role profile's slug and current title: what the target role column may name."""
    rows = session.execute(
        select(RoleProfile.slug, RoleProfile.title).order_by(RoleProfile.slug, RoleProfile.revision)
    ).all()
    return {slug: title for slug, title in rows}  # the newest revision's title wins


def snapshot(session: Session) -> dict[str, ExistingPerson]:
    """Everyone held, by email, with their roles, team and open supervisors (three queries)."""
    roles: dict[int, set[Role]] = {}
    for user_id, role in session.execute(select(UserRole.user_id, UserRole.role)):
        roles.setdefault(user_id, set()).add(role)
    supervisors: dict[int, set[str]] = {}
    for supervisee_id, email in session.execute(
        select(Supervision.supervisee_id, User.email)
        .join(User, User.id == Supervision.supervisor_id)
        .where(Supervision.ends_on.is_(None))
    ):
        supervisors.setdefault(supervisee_id, set()).add(email)
    found = {}
    for uid, email, name, job_title, band, team, active, target_role, number in session.execute(
        select(
            User.id, User.email, User.name, User.job_title, User.band, Team.name, User.active, User.target_role,
            User.employee_number,
        ).outerjoin(Team, Team.id == User.team_id)
    ):  # fmt: skip
        found[email] = ExistingPerson(
            id=uid,
            email=email,
            name=name,
            job_title=job_title,
            band=band,
            team=team,
            roles=frozenset(roles.get(uid, set())),
            active=bool(active),
            supervisor_emails=frozenset(supervisors.get(uid, set())),
            target_role=target_role,
            employee_number=number,
        )
    return found


@dataclass
class ImportResult:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    created_ids: list[int] = field(default_factory=list)


def preview(session: Session, data: bytes, actor_email: str | None) -> ImportPreview:
    """What the file would do, checked against the people held now (writes nothing)."""
    return parse(data, snapshot(session), actor_email=actor_email, role_profiles=role_profiles(session))


def apply(
    session: Session, preview: ImportPreview, *, actor_id: int | None, today: date, reference: str
) -> ImportResult:
    """Write a clean preview in the caller's transaction (the caller commits, or rolls back on failure)."""
    if not preview.ok:
        raise ValueError("only a preview with no errors can be imported")
    held, open_assignments = _held(session, preview)
    result = ImportResult()
    by_email, details = _write_people(session, preview, held, result)
    _write_supervision(session, preview, by_email, details, open_assignments, today)
    _write_audit(session, preview, by_email, details, result, actor_id=actor_id, reference=reference)
    return result


def _held(session: Session, preview: ImportPreview) -> tuple[dict[int, User], dict[int, list[Supervision]]]:
    """The people the file updates, by id, and their open supervision assignments."""
    existing_ids = [r.existing_id for r in preview.rows if r.existing_id is not None]
    held: dict[int, User] = {}
    open_assignments: dict[int, list[Supervision]] = {}
    for chunk in _chunks(existing_ids):
        for user in session.scalars(
            select(User).where(User.id.in_(chunk)).options(selectinload(User.role_grants), selectinload(User.team))
        ):
            held[user.id] = user
        for assignment in session.scalars(
            select(Supervision)
            .where(Supervision.supervisee_id.in_(chunk), Supervision.ends_on.is_(None))
            .options(selectinload(Supervision.supervisor))
        ):
            open_assignments.setdefault(assignment.supervisee_id, []).append(assignment)
    return held, open_assignments


def _write_people(
    session: Session, preview: ImportPreview, held: dict[int, User], result: ImportResult
) -> tuple[dict[str, User], dict[str, tuple[str, dict]]]:
    """Create or update everyone in the file; the people by email, and what was done to each."""
    teams = {t.name.lower(): t for t in session.scalars(select(Team))}

    def team_for(name: str | None) -> Team | None:
        if not name:
            return None
        team = teams.get(name.lower())
        if team is None:
            team = Team(name=name)
            session.add(team)
            teams[name.lower()] = team
        return team

    by_email: dict[str, User] = {}
    details: dict[str, tuple[str, dict]] = {}
    for row in preview.rows:
        if row.existing_id is None:
            user = _create(session, row, team_for)
            details[row.email] = ("person_created", _created_detail(row))
            result.created += 1
        else:
            user = held[row.existing_id]
            details[row.email] = ("person_updated", _update(user, row, team_for))
        by_email[row.email] = user
    session.flush()
    return by_email, details


def _create(session: Session, row: ImportRow, team_for: Callable[[str | None], Team | None]) -> User:
    """A new person from a row (with no password: an administrator sets one)."""
    user = User(
        name=row.name,
        email=row.email,
        job_title=row.job_title,
        band=row.band,
        team=team_for(row.team),
        target_role=row.target_role,
        employee_number=row.employee_number,
        active=True,
        password_hash=None,
        session_token=people.new_session_token(),
    )
    user.role_grants = [UserRole(role=r) for r in sorted(row.roles, key=lambda r: r.value)]
    session.add(user)
    return user


def _created_detail(row: ImportRow) -> dict:
    """The audit detail of a person the import created."""
    return {
        "source": "staff import",
        "row": row.number,
        "name": row.name,
        "email": row.email,
        "job_title": row.job_title,
        "band": row.band,
        "team": row.team,
        "roles": sorted(r.value for r in row.roles),
        "target_role": row.target_role,
        "employee_number": row.employee_number,
        "password_set": False,
    }


def _update(user: User, row: ImportRow, team_for: Callable[[str | None], Team | None]) -> dict:
    """Change someone held as the row says (blank cells change nothing); what changed, from and to."""
    changed: dict = {}
    for name in ("name", "job_title", "band", "target_role", "employee_number"):
        value = getattr(row, name)
        if value and value != getattr(user, name):
            changed[name] = {"from": getattr(user, name), "to": value}
            setattr(user, name, value)
    old_team = user.team.name if user.team else None
    if row.team and row.team.lower() != (old_team or "").lower():
        team = team_for(row.team)
        changed["team"] = {"from": old_team, "to": team.name if team else None}
        user.team = team
    if set(row.roles) != user.roles:
        changed["roles"] = {
            "from": sorted(r.value for r in user.roles),
            "to": sorted(r.value for r in row.roles),
        }
        people.set_roles(user, set(row.roles))
    return changed


def _write_supervision(
    session: Session,
    preview: ImportPreview,
    by_email: dict[str, User],
    details: dict[str, tuple[str, dict]],
    open_assignments: dict[int, list[Supervision]],
    today: date,
) -> None:
    """Start each row's supervisor today, ending the person's other open assignments (everyone has an id now)."""
    supervisors_needed = {
        r.supervisor_email for r in preview.rows if r.supervisor_email and r.supervisor_email not in by_email
    }
    for chunk in _chunks(sorted(supervisors_needed)):
        for user in session.scalars(select(User).where(User.email.in_(chunk))):
            by_email[user.email] = user
    for row in preview.rows:
        if not row.supervisor_email:
            continue
        user = by_email[row.email]
        supervisor = by_email[row.supervisor_email]
        current = open_assignments.get(user.id, [])
        ended = []
        for assignment in current:
            if assignment.supervisor_id != supervisor.id:
                assignment.ends_on = today
                ended.append(assignment.supervisor.email)
        if not any(a.supervisor_id == supervisor.id for a in current):
            session.add(Supervision(supervisor_id=supervisor.id, supervisee_id=user.id, starts_on=today, ends_on=None))
            action, detail = details[row.email]
            if action == "person_created":
                detail["supervisor"] = supervisor.email
            else:
                detail["supervisor"] = {
                    "from": sorted(a.supervisor.email for a in current) or None,
                    "to": supervisor.email,
                }
        elif ended:
            details[row.email][1]["supervision_ended"] = sorted(ended)


def _write_audit(
    session: Session,
    preview: ImportPreview,
    by_email: dict[str, User],
    details: dict[str, tuple[str, dict]],
    result: ImportResult,
    *,
    actor_id: int | None,
    reference: str,
) -> None:
    """One audit record per person created or changed, and one for the import; counts the unchanged."""
    records = []
    for row in preview.rows:
        user = by_email[row.email]
        action, detail = details[row.email]
        if action == "person_updated":
            if not detail:
                result.unchanged += 1
                continue
            detail = {"source": "staff import", "row": row.number, **detail}
            result.updated += 1
        else:
            result.created_ids.append(user.id)
        records.append(
            dict(
                actor_id=actor_id,
                action=action,
                object_type="user",
                object_id=user.id,
                subject_id=user.id,
                detail=detail,
            )
        )
    records.append(
        dict(
            actor_id=actor_id,
            action="staff_imported",
            object_type="import",
            object_id=reference,
            detail={
                "rows": len(preview.rows),
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    )
    # The first record locks (or creates) the head of the chain; the rest extend it in memory, so
    # thousands of records are inserted in one flush instead of one flush each.
    audit.record(session, **records[0])
    session.flush()
    with session.no_autoflush:
        for record in records[1:]:
            audit.record(session, **record)
    session.flush()
