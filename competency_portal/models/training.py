"""Mandatory training subjects, each person's training records, registrations and DBS checks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competency_portal.models.base import Base, utcnow
from competency_portal.models.people import User


class TrainingSubject(Base):
    """A mandatory training subject and how often it must be renewed (loaded from frameworks/)."""

    __tablename__ = "training_subject"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    renewal_months: Mapped[int | None] = mapped_column(Integer)  # None: once only
    # {role profile slug: months, or None for "not required for this role"}
    role_rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    retired: Mapped[bool] = mapped_column(default=False)


class TrainingRecord(Base):
    """One completion of a subject by a person; every record is kept."""

    __tablename__ = "training_record"
    # Each person's latest completion per subject, read in index order (and lookups by person alone).
    __table_args__ = (Index("ix_training_record_user_id_subject_id", "user_id", "subject_id", "completed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("training_subject.id"), index=True)
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    subject: Mapped[TrainingSubject] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Registration(Base):
    """Professional registration (NMC, HCPC, Social Work England...), with its renewal date."""

    __tablename__ = "registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    body: Mapped[str] = mapped_column(String(120))
    number: Mapped[str] = mapped_column(String(60))
    renewal_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DbsCheck(Base):
    """A Disclosure and Barring Service check."""

    __tablename__ = "dbs_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    checked_on: Mapped[date] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(20))  # basic, standard, enhanced
    certificate_number: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
