"""What is loaded now, read back for planning a load, and the record of one change (`Change`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from competency_portal.frameworks.schema import IMPORT_ONLY_KEYS
from competency_portal.models import (
    Domain,
    Framework,
    FrameworkVersion,
    Item,
)


@dataclass
class Change:
    """What a load does to one file's subject: new, new version, or unchanged, and the detail."""

    kind: str
    id: str
    action: str
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.kind} {self.id}: {self.action}"
        return "\n".join([head, *(f"  - {d}" for d in self.details)])


def content_hash(spec, extra: object = None) -> str:
    """SHA-256 of a spec's canonical JSON (plus anything it was resolved against).

    An item's `origin` and `check` say where it came from, not what it asks, so they are left out:
    the hash of every framework written before they existed stays the same.
    """
    dumped = spec.model_dump(mode="json")
    for domain in dumped.get("domains", []) if isinstance(dumped, dict) else []:
        for item in domain.get("items", []):
            for key in IMPORT_ONLY_KEYS:
                item.pop(key, None)
    payload = {"spec": dumped, "extra": extra}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


# -- reading what is loaded ---------------------------------------------------------------


def _current(session: Session, model, options=()):
    latest = select(model.slug, func.max(model.revision).label("rev")).group_by(model.slug).subquery()
    stmt = select(model).join(latest, (model.slug == latest.c.slug) & (model.revision == latest.c.rev))
    return session.scalars(stmt.options(*options)).all()


def _latest(session: Session, model, slug: str):
    return session.scalar(select(model).where(model.slug == slug).order_by(model.revision.desc()).limit(1))


def _current_version(session: Session, slug: str) -> FrameworkVersion | None:
    return session.scalar(
        select(FrameworkVersion)
        .join(
            Framework,
            (FrameworkVersion.framework_id == Framework.id) & (FrameworkVersion.revision == Framework.current_revision),
        )
        .where(Framework.slug == slug)
        .options(selectinload(FrameworkVersion.domains).selectinload(Domain.items))
    )


def _current_items(session: Session) -> dict[tuple[str, str], tuple[Item, str]]:
    """(framework slug, item code) -> (item, its domain's code), for current versions."""
    rows = session.execute(
        select(Framework.slug, Domain.code, Item)
        .join(
            FrameworkVersion,
            (FrameworkVersion.framework_id == Framework.id) & (FrameworkVersion.revision == Framework.current_revision),
        )
        .join(Item, Item.version_id == FrameworkVersion.id)
        .join(Domain, Item.domain_id == Domain.id)
        .order_by(Item.position)
    )
    return {(slug, item.code): (item, domain) for slug, domain, item in rows}
