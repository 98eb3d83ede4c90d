"""An internal candidate's verified portfolio, beside the criteria it bears on.

Only for an internal candidate who consented and whose portal account is linked. For each
criterion the panel sees the items the candidate's supervisor has verified (current, unrevoked
sign-offs) on that criterion itself or on any item the crosswalk says asks for the same competence.
This is evidence for the panel to weigh: it is never turned into a score, and nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal.models import Application, Framework, FrameworkVersion, Item
from competency_portal.readiness.data import confirmations, crosswalk_groups
from competency_portal.services.catalogue import scale_labels


@dataclass(frozen=True)
class SharedItem:
    """One verified item that bears on a criterion."""

    framework: str  # the framework's current title
    code: str
    statement: str
    level: int
    level_label: str
    verified_on: date
    same_item: bool  # the criterion itself (through an evidence link), not a crosswalk equivalent


def shares(application: Application) -> bool:
    """Whether the panel may see this candidate's portfolio."""
    return bool(
        application.internal
        and application.portfolio_consent
        and application.internal_user_id
        and application.anonymised_at is None
    )


def evidence_by_criterion(
    session: Session, application: Application, criteria: list[Item]
) -> dict[int, list[SharedItem]]:
    """Criterion item id -> the candidate's verified items bearing on it ({} without consent)."""
    if not shares(application) or not criteria:
        return {}
    found = confirmations(session, [application.internal_user_id]).get(application.internal_user_id, [])
    if not found:
        return {}
    groups = crosswalk_groups(session)
    slug = session.scalar(
        select(Framework.slug)
        .join(FrameworkVersion, FrameworkVersion.framework_id == Framework.id)
        .where(FrameworkVersion.id == criteria[0].version_id)
    )
    best: dict[tuple[str, str], tuple[int, date]] = {}
    for c in found:
        level, when = best.get(c.key, (-1, date.min))
        if (c.level, c.decided_on) > (level, when):
            best[c.key] = (c.level, c.decided_on)
    wanted: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for criterion in criteria:
        key = (slug, criterion.code)
        for other in sorted(groups.get(key, frozenset({key}))):
            if other in best:
                wanted[criterion.id].append(other)
    if not wanted:
        return {}
    described = _describe(session, {k for keys in wanted.values() for k in keys})
    labels = scale_labels(session)
    out: dict[int, list[SharedItem]] = {}
    for criterion_id, keys in wanted.items():
        criterion_key = next((slug, c.code) for c in criteria if c.id == criterion_id)
        items = []
        for key in keys:
            title, statement, scale = described.get(key, (key[0], key[1], ""))
            level, when = best[key]
            items.append(
                SharedItem(
                    title,
                    key[1],
                    statement,
                    level,
                    labels.get(scale, {}).get(level, f"Level {level}"),
                    when,
                    key == criterion_key,
                )
            )
        out[criterion_id] = sorted(items, key=lambda s: (not s.same_item, s.framework, s.code))
    return out


def _describe(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(framework slug, code) -> (framework title, statement, scale slug), from each framework's current version."""
    slugs = {s for s, _ in keys}
    rows = session.execute(
        select(Framework.slug, FrameworkVersion.title, FrameworkVersion.scale_slug, Item.code, Item.statement)
        .join(FrameworkVersion, FrameworkVersion.framework_id == Framework.id)
        .join(Item, Item.version_id == FrameworkVersion.id)
        .where(Framework.slug.in_(slugs), FrameworkVersion.revision == Framework.current_revision)
    ).all()
    return {(s, code): (title, statement, scale) for s, title, scale, code, statement in rows if (s, code) in keys}
