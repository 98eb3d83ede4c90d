"""People, their roles and teams, supervision assignments and deputies."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, DateTime, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competency_portal.models.base import Base, utcnow


class Role(str, enum.Enum):
    """What a person may do; one person may hold several roles."""

    STAFF = "staff"
    SUPERVISOR = "supervisor"
    RECRUITER = "recruiter"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The role's name as people say it."""
        return self.value.capitalize()


def str_enum(cls: type[enum.Enum], length: int = 32) -> Enum:
    """An enum stored as its values in a plain string column (no native PostgreSQL type)."""
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Team(Base):
    """A team people belong to."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class User(UserMixin, Base):
    """A person with an account. Accounts are created by administrators, never self-registered."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # The trust's own number for the person (from the HR import), which identity providers may send.
    employee_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    job_title: Mapped[str | None] = mapped_column(String(120))
    band: Mapped[str | None] = mapped_column(String(40))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    target_role: Mapped[str | None] = mapped_column(String(80))  # a role profile slug
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Changing it signs the person out everywhere (it is part of the session's identity).
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    team: Mapped[Team | None] = relationship()
    role_grants: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> set[Role]:
        """The roles this person holds."""
        return {grant.role for grant in self.role_grants}

    def has_role(self, role: Role) -> bool:
        """Whether this person holds `role`."""
        return role in self.roles

    @property
    def is_active(self) -> bool:  # used by Flask-Login: inactive people cannot sign in
        return bool(self.active)

    def get_id(self) -> str:
        """Flask-Login identity: id and session token, so a token change ends old sessions."""
        return f"{self.id}:{self.session_token}"


class UserRole(Base):
    """One role held by one person."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))


class Supervision(Base):
    """A supervisor's responsibility for a supervisee, from a start date to an optional end."""

    __tablename__ = "supervision"

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    supervisee_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)

    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])
    supervisee: Mapped[User] = relationship(foreign_keys=[supervisee_id])

    def active_on(self, day: date) -> bool:
        """Whether the assignment is in force on `day`."""
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class Deputy(Base):
    """Cover: a deputy acts with a supervisor's rights for a fixed period only."""

    __tablename__ = "deputy"

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    notified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])
    deputy: Mapped[User] = relationship(foreign_keys=[deputy_id])

    def active_on(self, day: date) -> bool:
        """Whether the cover is in force on `day`."""
        return self.starts_on <= day <= self.ends_on
