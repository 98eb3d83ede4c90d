"""What the importer needs from the database: the loaded items it may suggest as equivalents."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal.importer.suggest import Candidate
from competency_portal.models import Framework, FrameworkVersion, Item


def candidates(session: Session, exclude: set[str] | frozenset[str] = frozenset()) -> list[Candidate]:
    """Every item of every loaded framework's current version, except frameworks in `exclude`."""
    rows = session.execute(
        select(Framework.slug, Item.code, Item.statement)
        .join(
            FrameworkVersion,
            (FrameworkVersion.framework_id == Framework.id) & (FrameworkVersion.revision == Framework.current_revision),
        )
        .join(Item, Item.version_id == FrameworkVersion.id)
        .order_by(Framework.slug, Item.position)
    )
    return [Candidate(slug, code, statement) for slug, code, statement in rows if slug not in exclude]
