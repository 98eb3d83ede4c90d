"""Counters for sign-in throttling, kept in the database when there is no Redis (see `throttling`)."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from competency_portal.models.base import Base


class ThrottleCounter(Base):
    """One rate-limit window: how many attempts it has counted, and when (Unix time) it ends."""

    __tablename__ = "throttle_counter"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
