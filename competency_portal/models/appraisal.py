"""Appraisal (PDR): a yearly review cycle with objectives, progress notes and two signatures.

An appraisal moves draft -> agreed (both have agreed the objectives) -> signed (both have signed
the year-end review) only through the methods below, which refuse any other move.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competency_portal.models.base import Base, utcnow
from competency_portal.models.evidence import InvalidTransition
from competency_portal.models.people import User, str_enum


class AppraisalState(str, enum.Enum):
    """Where a review cycle is."""

    DRAFT = "draft"
    AGREED = "agreed"
    SIGNED = "signed"

    @property
    def label(self) -> str:
        """The state as people name it."""
        return {"draft": "Objectives being drafted", "agreed": "Objectives agreed", "signed": "Review signed"}[
            self.value
        ]


class ObjectiveStatus(str, enum.Enum):
    """Progress on one objective."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"

    @property
    def label(self) -> str:
        """The status as people name it."""
        return self.value.replace("_", " ").capitalize()


class Appraisal(Base):
    """One person's review cycle for one year, with their appraiser."""

    __tablename__ = "appraisal"
    __table_args__ = (UniqueConstraint("user_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    appraiser_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    year: Mapped[str] = mapped_column(String(9))  # e.g. "2026/27"
    meeting_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[AppraisalState] = mapped_column(str_enum(AppraisalState), default=AppraisalState.DRAFT)
    summary: Mapped[str | None] = mapped_column(Text)  # the year-end review's words
    agreed_by_person_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    agreed_by_appraiser_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_by_person_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_by_appraiser_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    person: Mapped[User] = relationship(foreign_keys=[user_id])
    appraiser: Mapped[User] = relationship(foreign_keys=[appraiser_id])
    objectives: Mapped[list[Objective]] = relationship(order_by="Objective.position", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": lock_version}

    def _party(self, user_id: int) -> str:
        if user_id == self.user_id:
            return "person"
        if user_id == self.appraiser_id:
            return "appraiser"
        raise InvalidTransition("Only the person and their appraiser take part in this appraisal.")

    def agree(self, user_id: int, when: datetime) -> None:
        """One side agrees the objectives; when both have, the appraisal is agreed."""
        if self.state != AppraisalState.DRAFT:
            raise InvalidTransition("The objectives have already been agreed.")
        if not self.objectives:
            raise InvalidTransition("Add at least one objective before agreeing.")
        setattr(self, f"agreed_by_{self._party(user_id)}_at", when)
        if self.agreed_by_person_at and self.agreed_by_appraiser_at:
            self.state = AppraisalState.AGREED

    def reopen(self) -> None:
        """Any change to agreed objectives needs both to agree again."""
        if self.state == AppraisalState.SIGNED:
            raise InvalidTransition("A signed review cannot be changed.")
        self.state = AppraisalState.DRAFT
        self.agreed_by_person_at = self.agreed_by_appraiser_at = None

    def sign(self, user_id: int, when: datetime, digest: str) -> None:
        """One side signs the year-end review; when both have, it is signed and fixed."""
        if self.state != AppraisalState.AGREED:
            raise InvalidTransition("The review can be signed once the objectives are agreed, and only once.")
        if self.signed_digest and self.signed_digest != digest:
            raise InvalidTransition("The review changed after the first signature; both must sign the same words.")
        self.signed_digest = digest
        setattr(self, f"signed_by_{self._party(user_id)}_at", when)
        if self.signed_by_person_at and self.signed_by_appraiser_at:
            self.state = AppraisalState.SIGNED


class Objective(Base):
    """A development objective, linked to the framework items it addresses."""

    __tablename__ = "objective"

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisal.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    item_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[ObjectiveStatus] = mapped_column(str_enum(ObjectiveStatus), default=ObjectiveStatus.NOT_STARTED)
    position: Mapped[int] = mapped_column(Integer)

    progress: Mapped[list[ProgressNote]] = relationship(
        order_by="ProgressNote.created_at", cascade="all, delete-orphan"
    )


class ProgressNote(Base):
    """Progress recorded against an objective during the year."""

    __tablename__ = "progress_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    author: Mapped[User] = relationship()
