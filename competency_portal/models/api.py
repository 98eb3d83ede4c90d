"""Personal access tokens for the JSON API: made and revoked by the person they act for.

Only a SHA-256 hash of the secret is kept (the secret is shown once, when it is made); the prefix
lets a person tell their tokens apart. A token acts for its person, within its scopes, until it
expires or is revoked.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competency_portal.models.base import Base, utcnow
from competency_portal.models.evidence import InvalidTransition
from competency_portal.models.people import User


class ApiScope(str, enum.Enum):
    """What a token may read."""

    FRAMEWORKS = "frameworks"  # frameworks, their items and role profiles
    PEOPLE = "people"  # readiness, gaps and training of the people the token's person may see
    FIGURES = "figures"  # the organisation's figures by team (for those who see the organisation view)
    RECRUITMENT = "recruitment"  # the vacancies the person leads or sits on the panel of, and their shortlists

    @property
    def label(self) -> str:
        """The scope as the token page describes it."""
        return {
            "frameworks": "Frameworks, their items and role profiles",
            "people": "Readiness, gaps and training: yours, and of anyone you may see in the portal",
            "figures": "The organisation's readiness and training figures, by team (administrators)",
            "recruitment": "The vacancies you lead or sit on the panel of, and their shortlists",
        }[self.value]


class ClientScope(str, enum.Enum):
    """What a reporting tool's client may read: never a named person's record, only frameworks and figures."""

    FRAMEWORKS = "frameworks"
    FIGURES = "figures"  # the organisation's readiness and training figures, by team

    @property
    def label(self) -> str:
        """The scope as the clients page describes it."""
        return {
            "frameworks": "Frameworks, their items and role profiles",
            "figures": "The organisation's readiness and training figures, by team (no named person)",
        }[self.value]


class ApiClient(Base):
    """A reporting tool allowed to get access tokens with OAuth 2.0 client credentials (RFC 6749, 4.4)."""

    __tablename__ = "api_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    client_id: Mapped[str] = mapped_column(String(40), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def revoke(self, when: datetime) -> None:
        """Stop the client getting tokens (and the tokens it has from working), for good."""
        if self.revoked_at is not None:
            raise InvalidTransition("This client has already been revoked.")
        self.revoked_at = when


class ClientToken(Base):
    """An access token issued to a client: short-lived, stored as a hash."""

    __tablename__ = "api_client_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_client.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    client: Mapped[ApiClient] = relationship()


class ApiToken(Base):
    """One personal access token."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()

    def revoke(self, when: datetime) -> None:
        """Stop the token working, for good."""
        if self.revoked_at is not None:
            raise InvalidTransition("This token has already been revoked.")
        self.revoked_at = when
