"""Open Badges 3.0 credentials: those this portal issued to its staff, and those staff brought from elsewhere.

An issued credential is a signed, portable statement of verified competence. It is never changed:
its state moves from active to revoked only through `revoke`, and its place in the published
revocation list (`status_index`, chosen at random so lists reveal nothing about order) never moves.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competency_portal.models.base import Base, utcnow
from competency_portal.models.evidence import Evidence, InvalidTransition
from competency_portal.models.people import User, str_enum


class CredentialKind(str, enum.Enum):
    """What a credential says was achieved."""

    ITEM = "item"  # one framework item, verified by a sign-off
    DOMAIN = "domain"  # every item of a framework domain, verified
    ROLE = "role"  # ready for the person's target role

    @property
    def label(self) -> str:
        """The kind as people name it."""
        return {"item": "Verified item", "domain": "Verified domain", "role": "Ready for the role"}[self.value]


class CredentialState(str, enum.Enum):
    """Whether an issued credential still stands (expiry is a date, not a state)."""

    ACTIVE = "active"
    REVOKED = "revoked"


class IssuedCredential(Base):
    """One OpenBadgeCredential this portal signed, as issued (the compact JWS is kept to download again)."""

    __tablename__ = "issued_credential"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)  # the credential's urn:uuid
    holder_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[CredentialKind] = mapped_column(str_enum(CredentialKind))
    subject_ref: Mapped[str] = mapped_column(String(80))  # the item's or domain's CASE id, or the role's slug
    title: Mapped[str] = mapped_column(String(300))
    status_index: Mapped[int] = mapped_column(Integer, unique=True)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    token: Mapped[str] = mapped_column(Text)
    state: Mapped[CredentialState] = mapped_column(str_enum(CredentialState), default=CredentialState.ACTIVE)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    holder: Mapped[User] = relationship()
    basis: Mapped[list[CredentialBasis]] = relationship(cascade="all, delete-orphan")

    def revoke(self, when: datetime, reason: str) -> None:
        """Withdraw the credential: its entry in the revocation list is set from now on."""
        if self.state != CredentialState.ACTIVE:
            raise InvalidTransition("This credential has already been revoked.")
        self.state, self.revoked_at, self.revoke_reason = CredentialState.REVOKED, when, reason


class CredentialBasis(Base):
    """A sign-off a credential rests on: revoking the sign-off revokes the credential."""

    __tablename__ = "credential_basis"
    __table_args__ = (UniqueConstraint("credential_id", "sign_off_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("issued_credential.id"), index=True)
    sign_off_id: Mapped[int] = mapped_column(ForeignKey("sign_off.id"), index=True)


class ReceivedCredential(Base):
    """A credential from another issuer, verified when it was brought in and kept with the evidence it became.

    It counts for nothing by itself: the evidence goes to a supervisor, who decides.
    """

    __tablename__ = "received_credential"
    __table_args__ = (UniqueConstraint("owner_id", "issuer_id", "credential_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    issuer_id: Mapped[str] = mapped_column(String(500))
    issuer_name: Mapped[str] = mapped_column(String(300))
    credential_id: Mapped[str] = mapped_column(String(500))
    achievement: Mapped[str] = mapped_column(String(500))
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    token: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    evidence: Mapped[Evidence] = relationship()
