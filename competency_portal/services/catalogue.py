"""Reading the framework catalogue for pages and the command line.

Each function runs a fixed number of queries whatever the size of the catalogue, and returns
objects with everything a page shows already loaded (templates never query).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, selectinload

from competency_portal.models import (
    Crosswalk,
    CrosswalkPair,
    Domain,
    Framework,
    FrameworkKind,
    FrameworkVersion,
    Item,
    RoleProfile,
    RoleTarget,
)
from competency_portal.models.base import Base

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class FrameworkSummary:
    """One row of the framework list."""

    slug: str
    title: str
    kind: FrameworkKind
    version_label: str
    revision: int
    item_count: int
    organisation: str
    post: str | None


@dataclass(frozen=True)
class SearchHit:
    """An item found by search, with where it lives."""

    item: Item
    framework_slug: str
    framework_title: str
    domain_title: str


@dataclass(frozen=True)
class Equivalent:
    """An item the crosswalk says asks for the same competence."""

    item: Item
    framework_slug: str
    framework_title: str
    note: str
    crosswalk_title: str


def _current_join(stmt: Select) -> Select:
    return stmt.join(
        Framework,
        and_(FrameworkVersion.framework_id == Framework.id, FrameworkVersion.revision == Framework.current_revision),
    )


def framework_summaries(session: Session) -> list[FrameworkSummary]:
    """The current version of every framework, grouped by kind, then by title."""
    rows = session.execute(
        _current_join(select(Framework.slug, FrameworkVersion)).order_by(FrameworkVersion.kind, FrameworkVersion.title)
    )
    return [
        FrameworkSummary(
            slug, v.title, v.kind, v.version_label, v.revision, v.item_count, v.source_organisation, v.source_post
        )
        for slug, v in rows
    ]


def framework_version(session: Session, slug: str, revision: int | None = None) -> FrameworkVersion | None:
    """A framework version (the current one unless `revision` is given) with domains and items."""
    stmt = (
        select(FrameworkVersion)
        .join(Framework, FrameworkVersion.framework_id == Framework.id)
        .where(Framework.slug == slug)
        .options(selectinload(FrameworkVersion.domains).selectinload(Domain.items))
    )
    stmt = stmt.where(FrameworkVersion.revision == (revision if revision is not None else Framework.current_revision))
    return session.scalar(stmt)


def version_history(session: Session, slug: str) -> list[FrameworkVersion]:
    """Every version of a framework, newest first."""
    return list(
        session.scalars(
            select(FrameworkVersion)
            .join(Framework, FrameworkVersion.framework_id == Framework.id)
            .where(Framework.slug == slug)
            .order_by(FrameworkVersion.revision.desc())
        )
    )


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_items(session: Session, query: str, limit: int = 50) -> tuple[list[SearchHit], bool]:
    """Items of current versions whose statement or code contains every word of `query`.

    Returns the hits (at most `limit`) and whether there were more.
    """
    words = query[:MAX_QUERY_LENGTH].split()
    if not words:
        return [], False
    conditions = [
        or_(Item.statement.ilike(_like_pattern(w), escape="\\"), Item.code.ilike(_like_pattern(w), escape="\\"))
        for w in words
    ]
    rows = session.execute(
        _current_join(
            select(Item, Framework.slug, FrameworkVersion.title, Domain.title)
            .select_from(Item)
            .join(FrameworkVersion, Item.version_id == FrameworkVersion.id)
        )
        .join(Domain, Item.domain_id == Domain.id)
        .where(*conditions)
        .order_by(FrameworkVersion.title, Item.position)
        .limit(limit + 1)
    ).all()
    hits = [SearchHit(item, slug, title, domain) for item, slug, title, domain in rows[:limit]]
    return hits, len(rows) > limit


def item_in_version(
    session: Session, slug: str, code: str, revision: int | None = None
) -> tuple[Item, FrameworkVersion] | None:
    """An item of a framework version (current unless `revision` given), with its domain."""
    version = framework_version(session, slug, revision)
    if version is None:
        return None
    for domain in version.domains:
        for item in domain.items:
            if item.code == code:
                return item, version
    return None


def _current_ids(session: Session, model: type[Base]) -> Select:
    from sqlalchemy import func

    latest = select(model.slug, func.max(model.revision).label("rev")).group_by(model.slug).subquery()
    return select(model.id).join(latest, and_(model.slug == latest.c.slug, model.revision == latest.c.rev))


def equivalents(session: Session, slug: str, code: str) -> list[Equivalent]:
    """Items that current crosswalks pair with this framework's item `code`, in any version."""
    same = (
        select(Item.id)
        .join(FrameworkVersion, Item.version_id == FrameworkVersion.id)
        .join(Framework, FrameworkVersion.framework_id == Framework.id)
        .where(Framework.slug == slug, Item.code == code)
    )
    pairs = session.scalars(
        select(CrosswalkPair)
        .where(CrosswalkPair.crosswalk_id.in_(_current_ids(session, Crosswalk)))
        .where(or_(CrosswalkPair.item_a_id.in_(same), CrosswalkPair.item_b_id.in_(same)))
        .options(
            selectinload(CrosswalkPair.item_a).selectinload(Item.version).selectinload(FrameworkVersion.framework),
            selectinload(CrosswalkPair.item_b).selectinload(Item.version).selectinload(FrameworkVersion.framework),
        )
    ).all()
    titles = (
        dict(
            session.execute(
                select(Crosswalk.id, Crosswalk.title).where(Crosswalk.id.in_({p.crosswalk_id for p in pairs}))
            ).all()
        )
        if pairs
        else {}
    )
    found = []
    for pair in pairs:
        a_is_self = pair.item_a.version.framework.slug == slug and pair.item_a.code == code
        other = pair.item_b if a_is_self else pair.item_a
        found.append(
            Equivalent(other, other.version.framework.slug, other.version.title, pair.note, titles[pair.crosswalk_id])
        )
    return sorted(found, key=lambda e: (e.framework_title, e.item.position))


def role_profiles(session: Session) -> list[RoleProfile]:
    """The current version of every role profile, by title, with targets and their items."""
    return list(
        session.scalars(
            select(RoleProfile)
            .where(RoleProfile.id.in_(_current_ids(session, RoleProfile)))
            .order_by(RoleProfile.title)
        )
    )


def role_profile(session: Session, slug: str) -> RoleProfile | None:
    """The current version of a role profile, with its targets, items, domains and frameworks."""
    return session.scalar(
        select(RoleProfile)
        .where(RoleProfile.slug == slug)
        .order_by(RoleProfile.revision.desc())
        .limit(1)
        .options(
            selectinload(RoleProfile.targets).selectinload(RoleTarget.item).selectinload(Item.domain),
            selectinload(RoleProfile.targets)
            .selectinload(RoleTarget.item)
            .selectinload(Item.version)
            .selectinload(FrameworkVersion.framework),
        )
    )


@dataclass(frozen=True)
class RoleGroup:
    """A role profile's targets for one framework version, in item order."""

    version: FrameworkVersion
    targets: list[RoleTarget]


def role_targets_by_framework(profile: RoleProfile) -> list[RoleGroup]:
    """Group a loaded role profile's targets by framework version (pure: no queries)."""
    groups: dict[int, list[RoleTarget]] = {}
    versions: dict[int, FrameworkVersion] = {}
    for target in profile.targets:
        versions[target.item.version_id] = target.item.version
        groups.setdefault(target.item.version_id, []).append(target)
    return [
        RoleGroup(versions[vid], sorted(ts, key=lambda t: t.item.position))
        for vid, ts in sorted(groups.items(), key=lambda kv: versions[kv[0]].title)
    ]


def scale_labels(session: Session) -> dict[str, dict[int, str]]:
    """The label of every level of every current scale: {scale slug: {value: label}}."""
    from competency_portal.models import Scale

    scales = session.scalars(
        select(Scale).where(Scale.id.in_(_current_ids(session, Scale))).options(selectinload(Scale.levels))
    )
    return {s.slug: {level.value: level.label for level in s.levels} for s in scales}
