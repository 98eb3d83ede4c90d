"""Work in progress before a load: a draft framework from an imported document, or uploaded files.

A draft is edited in the browser by administrators and survives a closed browser. `revision`
counts its saves; every edit names the revision it was made on, and SQLAlchemy's version counter
refuses a save racing another, so two administrators never silently overwrite each other.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competency_portal.models.base import Base, utcnow
from competency_portal.models.evidence import InvalidTransition
from competency_portal.models.people import User, str_enum


class DraftState(str, enum.Enum):
    """Where a draft is: being edited, loaded into the catalogue, or discarded."""

    EDITING = "editing"
    LOADED = "loaded"
    DISCARDED = "discarded"


class DraftKind(str, enum.Enum):
    """What a draft holds: frameworks drafted from a document, or framework files as uploaded."""

    DOCUMENT = "document"
    FILES = "files"


class FrameworkDraft(Base):
    """A draft, its content (framework documents, suggestions, the source as read) and who changed it."""

    __tablename__ = "framework_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DraftKind] = mapped_column(str_enum(DraftKind, 16))
    state: Mapped[DraftState] = mapped_column(str_enum(DraftState, 16), default=DraftState.EDITING, index=True)
    filename: Mapped[str] = mapped_column(String(300))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[origin, text], ...] as read
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    loaded_as: Mapped[str | None] = mapped_column(String(300))  # the framework ids it was loaded as

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id])

    __mapper_args__ = {"version_id_col": revision}

    def _move(self, to: DraftState) -> None:
        if self.state is not DraftState.EDITING:
            raise InvalidTransition(f"this draft is already {self.state.value}; start a new one")
        self.state = to

    def mark_loaded(self, framework_ids: list[str]) -> None:
        """The draft's frameworks are in the catalogue now; it can no longer be edited."""
        self._move(DraftState.LOADED)
        self.loaded_as = ", ".join(framework_ids)[:300]

    def discard(self) -> None:
        """Nobody will load this draft."""
        self._move(DraftState.DISCARDED)
