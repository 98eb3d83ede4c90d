"""Reading what administrators look after: the people list, teams, and who supervises whom.

Plain queries over a SQLAlchemy session; nothing here changes anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from competency_portal.models import Deputy, Role, Supervision, Team, User, UserRole
from competency_portal.services import people

PAGE_SIZE = 100


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


def email_taken(session: Session, email: str, except_id: int | None = None) -> bool:
    """Whether someone else already has this email address."""
    query = select(User.id).where(User.email == people.normalise_email(email))
    if except_id is not None:
        query = query.where(User.id != except_id)
    return session.scalar(query.limit(1)) is not None


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
