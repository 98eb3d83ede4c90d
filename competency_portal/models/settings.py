"""Settings administrators change from the portal itself (not the deployment's configuration)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from competency_portal.models.base import Base, utcnow


class PasswordSignIn(str, enum.Enum):
    """Who may sign in with a portal password while an identity provider is configured."""

    EVERYONE = "everyone"
    NOT_STAFF = "not_staff"  # people whose only role is Staff sign in with the provider
    ADMINISTRATORS = "administrators"  # only administrators' emergency route, always with two-factor

    @property
    def label(self) -> str:
        """How the setting is described on the page."""
        return _LABELS[self]


_LABELS = {
    PasswordSignIn.EVERYONE: "Everyone with a password may use it",
    PasswordSignIn.NOT_STAFF: "Staff sign in with the trust's identity; supervisors, recruiters and administrators "
    "may still use a password",
    PasswordSignIn.ADMINISTRATORS: "Everyone signs in with the trust's identity; administrators keep an emergency "
    "password sign-in, with two-factor",
}


class SiteSetting(Base):
    """One named setting, who last changed it and when (the audit trail has every change)."""

    __tablename__ = "site_setting"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
