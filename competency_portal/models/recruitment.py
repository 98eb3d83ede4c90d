"""Recruitment: vacancies against a person specification, applications, panel scores, moderation
and shortlisting decisions.

A vacancy moves open -> shortlisting -> interviewing -> closed only through its methods. Candidate
names and contact details stay hidden from the panel until the lead agrees the shortlist.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competency_portal.models.base import Base, utcnow
from competency_portal.models.evidence import InvalidTransition
from competency_portal.models.frameworks import FrameworkVersion, Item
from competency_portal.models.people import Team, User, str_enum
from competency_portal.shortlisting.scores import is_complete


class VacancyStatus(str, enum.Enum):
    """Where a vacancy is in its recruitment."""

    OPEN = "open"
    SHORTLISTING = "shortlisting"
    INTERVIEWING = "interviewing"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """The status as people name it."""
        return self.value.capitalize()


class Outcome(str, enum.Enum):
    """The lead's shortlisting decision on one application."""

    SHORTLIST = "shortlist"
    RESERVE = "reserve"
    NOT_SHORTLISTED = "not_shortlisted"

    @property
    def label(self) -> str:
        """The outcome as people name it."""
        return {"shortlist": "Shortlisted", "reserve": "Reserve", "not_shortlisted": "Not shortlisted"}[self.value]


class Vacancy(Base):
    """A post being recruited to, assessed against one version of a person specification."""

    __tablename__ = "vacancy"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    band: Mapped[str | None] = mapped_column(String(40))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    closing_on: Mapped[date] = mapped_column(Date)
    spec_version_id: Mapped[int] = mapped_column(ForeignKey("framework_version.id"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[VacancyStatus] = mapped_column(str_enum(VacancyStatus), default=VacancyStatus.OPEN)
    shortlist_agreed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    team: Mapped[Team | None] = relationship()
    spec_version: Mapped[FrameworkVersion] = relationship()
    lead: Mapped[User] = relationship()
    panel: Mapped[list[PanelMember]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __mapper_args__ = {"version_id_col": lock_version}

    _NEXT = {
        VacancyStatus.OPEN: VacancyStatus.SHORTLISTING,
        VacancyStatus.SHORTLISTING: VacancyStatus.INTERVIEWING,
        VacancyStatus.INTERVIEWING: VacancyStatus.CLOSED,
    }

    def advance(self, to: VacancyStatus) -> None:
        """Move to the next status; anything else is refused."""
        if self._NEXT.get(self.status) != to:
            raise InvalidTransition(f"A vacancy that is {self.status.value} cannot move to {to.value}.")
        if to == VacancyStatus.INTERVIEWING and self.shortlist_agreed_at is None:
            raise InvalidTransition("Agree the shortlist before moving to interviews.")
        self.status = to

    def agree_shortlist(self, when: datetime) -> None:
        """Fix the shortlist; names are shown to the panel from now on."""
        if self.status != VacancyStatus.SHORTLISTING:
            raise InvalidTransition("The shortlist is agreed while the vacancy is shortlisting.")
        self.shortlist_agreed_at = when

    @property
    def names_visible(self) -> bool:
        """Whether candidates' names may be shown to the panel."""
        return self.shortlist_agreed_at is not None


class PanelMember(Base):
    """A recruiter on a vacancy's shortlisting panel (the lead is one too)."""

    __tablename__ = "panel_member"
    __table_args__ = (UniqueConstraint("vacancy_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    scores_submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class Application(Base):
    """One candidate's application to one vacancy."""

    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("vacancy_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"), index=True)
    reference: Mapped[str] = mapped_column(String(20))  # what the panel sees while names are hidden
    candidate_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    supporting_statement: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    guaranteed_interview: Mapped[bool] = mapped_column(Boolean, default=False)
    internal_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    portfolio_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    answers: Mapped[list[CriterionAnswer]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class CriterionAnswer(Base):
    """What an application says about one criterion (optional)."""

    __tablename__ = "criterion_answer"
    __table_args__ = (UniqueConstraint("application_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    text: Mapped[str] = mapped_column(Text)


class Score(Base):
    """One panel member's score (0 no evidence, 1 partly, 2 meets, 3 exceeds) with a reason.

    Until the member submits, a row is a draft and may lack either (a reason typed before the
    score is chosen, or the other way round); submitting needs both on every criterion.
    """

    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("application_id", "item_id", "scorer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    scorer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    value: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[Item] = relationship()

    @property
    def complete(self) -> bool:
        """Both a score and a reason: what submission needs."""
        return is_complete(self.value, self.reason)


class Moderation(Base):
    """The score the lead agreed where the panel disagreed, and why."""

    __tablename__ = "moderation"
    __table_args__ = (UniqueConstraint("application_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    value: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    moderated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    moderated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ShortlistDecision(Base):
    """The lead's decision on an application, with the reason; a changed decision is a new row."""

    __tablename__ = "shortlist_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
