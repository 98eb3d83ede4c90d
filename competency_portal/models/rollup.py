"""Precomputed readiness facts, kept by `competency_portal.readiness.rollup` on every write that changes them.

One row per person per item their target role requires: whether current sign-offs meet the item
for good, or until when. Whether it is met today is then a comparison, so the organisation view
counts gaps across a whole trust in SQL instead of recomputing everyone's readiness per request.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from competency_portal.models.base import Base


class ReadinessFact(Base):
    """Whether a person's current sign-offs meet one required item (at or above target), and until when."""

    __tablename__ = "readiness_fact"
    # The second index holds every column the organisation view reads, so its counts never touch the table.
    __table_args__ = (
        UniqueConstraint("user_id", "framework_slug", "item_code"),
        Index("ix_readiness_fact_user_id_met", "user_id", "met_forever", "met_until", "framework_slug", "item_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))  # leads the unique constraint's index
    framework_slug: Mapped[str] = mapped_column(String(80))
    item_code: Mapped[str] = mapped_column(String(40))
    met_forever: Mapped[bool] = mapped_column(
        Boolean, default=False
    )  # met by a sign-off on an item with no review period
    met_until: Mapped[date | None] = mapped_column(Date)  # else met while today is before this day (None: not met)
