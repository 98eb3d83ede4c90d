"""Self-assessments, evidence with its revisions, attachments and item links, and sign-offs.

Evidence moves through its states only by the methods on `Evidence`, which refuse any move the
workflow does not allow. A revision is frozen when it is submitted: later changes make a new
revision, so a sign-off always covers exactly the words and files that were signed.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competency_portal.models.base import Base, utcnow
from competency_portal.models.frameworks import Item
from competency_portal.models.people import User, str_enum


class EvidenceType(str, enum.Enum):
    """The kinds of evidence people record."""

    REFLECTIVE_ACCOUNT = "reflective_account"
    OBSERVED_PRACTICE = "observed_practice"
    SUPERVISION_RECORD = "supervision_record"
    CERTIFICATE = "certificate"
    TESTIMONY = "testimony"
    CASE_STUDY = "case_study"
    FEEDBACK = "feedback"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The type as people name it."""
        return {
            "reflective_account": "Reflective account",
            "observed_practice": "Observed practice",
            "supervision_record": "Supervision record",
            "certificate": "Certificate or training record",
            "testimony": "Testimony or witness statement",
            "case_study": "Case study or audit",
            "feedback": "Feedback",
            "other": "Other",
        }[self.value]


class EvidenceState(str, enum.Enum):
    """Where evidence is in its workflow."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    SIGNED_OFF = "signed_off"
    REJECTED = "rejected"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        """The state as people name it."""
        return self.value.replace("_", " ").capitalize()


class InvalidTransition(Exception):
    """A workflow move that is not allowed from the current state."""


class Evidence(Base):
    """A piece of evidence owned by one person; its content lives in its revisions."""

    __tablename__ = "evidence"
    # A person's evidence in one state (a supervisor's queue, a portfolio) without scanning
    # everyone's submitted evidence; it serves lookups by owner alone too.
    __table_args__ = (Index("ix_evidence_owner_id_state", "owner_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    state: Mapped[EvidenceState] = mapped_column(str_enum(EvidenceState), default=EvidenceState.DRAFT, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    submitted_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Optimistic lock: an UPDATE that finds another writer got there first changes nothing.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    revisions: Mapped[list[EvidenceRevision]] = relationship(
        back_populates="evidence", order_by="EvidenceRevision.number", cascade="all, delete-orphan"
    )
    sign_offs: Mapped[list[SignOff]] = relationship(back_populates="evidence", order_by="SignOff.decided_at")

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def current(self) -> EvidenceRevision:
        """The newest revision."""
        return self.revisions[-1]

    def _move(self, allowed: set[EvidenceState], to: EvidenceState, action: str) -> None:
        if self.state not in allowed:
            raise InvalidTransition(f"Evidence that is {self.state.label.lower()} cannot be {action}.")
        self.state = to

    def submit(self, supervisor_id: int | None, when: datetime) -> None:
        """Send the current revision for sign-off; it is frozen from now on."""
        if not self.current.links:
            raise InvalidTransition("Link the evidence to at least one item before submitting it.")
        self._move({EvidenceState.DRAFT, EvidenceState.RETURNED}, EvidenceState.SUBMITTED, "submitted")
        self.current.frozen = True
        self.submitted_at = when
        self.submitted_to_id = supervisor_id

    def return_for_changes(self) -> None:
        """Send back to the owner with comments."""
        self._move({EvidenceState.SUBMITTED}, EvidenceState.RETURNED, "returned")

    def sign_off(self) -> None:
        """Accept the submitted revision."""
        self._move({EvidenceState.SUBMITTED}, EvidenceState.SIGNED_OFF, "signed off")

    def reject(self) -> None:
        """Refuse the evidence for good."""
        self._move({EvidenceState.SUBMITTED}, EvidenceState.REJECTED, "rejected")

    def revoke(self) -> None:
        """Withdraw a sign-off (the sign-off record stays, marked revoked)."""
        self._move({EvidenceState.SIGNED_OFF}, EvidenceState.REVOKED, "revoked")

    def start_new_revision(self) -> None:
        """After sign-off or revocation, a change is a new draft revision needing its own sign-off."""
        self._move({EvidenceState.SIGNED_OFF, EvidenceState.REVOKED}, EvidenceState.DRAFT, "changed")

    @property
    def editable(self) -> bool:
        """Whether the owner may change it (in place, or as a new revision)."""
        return self.state in {
            EvidenceState.DRAFT,
            EvidenceState.RETURNED,
            EvidenceState.SIGNED_OFF,
            EvidenceState.REVOKED,
        }


class EvidenceRevision(Base):
    """What the evidence said at one point; frozen once submitted."""

    __tablename__ = "evidence_revision"
    __table_args__ = (UniqueConstraint("evidence_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    evidence_type: Mapped[EvidenceType] = mapped_column(str_enum(EvidenceType))
    activity_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    evidence: Mapped[Evidence] = relationship(back_populates="revisions")
    links: Mapped[list[EvidenceLink]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    attachments: Mapped[list[Attachment]] = relationship(cascade="all, delete-orphan", order_by="Attachment.id")


class EvidenceLink(Base):
    """A framework item that a revision of evidence shows."""

    __tablename__ = "evidence_link"
    __table_args__ = (UniqueConstraint("revision_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("evidence_revision.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)

    item: Mapped[Item] = relationship()


class Attachment(Base):
    """A file attached to a revision, stored outside the web root under a generated name."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("evidence_revision.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, cleaned; shown, never used as a path
    stored_name: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Decision(str, enum.Enum):
    """A supervisor's decision on submitted evidence."""

    SIGNED_OFF = "signed_off"
    RETURNED = "returned"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        """The decision as people name it."""
        return {"signed_off": "Signed off", "returned": "Returned for changes", "rejected": "Rejected"}[self.value]


class SignOff(Base):
    """A decision on one revision: who, when, what, levels per item, and a digest of what was seen."""

    __tablename__ = "sign_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("evidence_revision.id"), index=True)
    signer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    decision: Mapped[Decision] = mapped_column(str_enum(Decision))
    comment: Mapped[str | None] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    evidence: Mapped[Evidence] = relationship(back_populates="sign_offs")
    revision: Mapped[EvidenceRevision] = relationship()
    signer: Mapped[User] = relationship(foreign_keys=[signer_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    items: Mapped[list[SignOffItem]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class SignOffItem(Base):
    """The level a signer confirmed for one linked item (None: not demonstrated)."""

    __tablename__ = "sign_off_item"
    __table_args__ = (UniqueConstraint("sign_off_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sign_off_id: Mapped[int] = mapped_column(ForeignKey("sign_off.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    level: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)

    item: Mapped[Item] = relationship()


class SelfAssessment(Base):
    """One rating a person gave themself on an item; every rating is kept."""

    __tablename__ = "self_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
