"""Who a person is at a trust's identity provider: one row per provider account linked to a portal account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competency_portal.models.base import Base, utcnow
from competency_portal.models.people import User


class ExternalIdentity(Base):
    """A provider's subject identifier for a person, stored at their first sign-in and trusted from then on.

    The subject (`sub`) never changes for an account at a provider, unlike an email address, so once
    it is linked a renamed or re-addressed person still reaches their own portfolio.
    """

    __tablename__ = "external_identity"
    __table_args__ = (UniqueConstraint("provider", "subject"), UniqueConstraint("provider", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
