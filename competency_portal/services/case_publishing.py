"""Reading framework versions for CASE: find one by any identifier it publishes, with its links.

Each function runs a fixed number of queries. A version's links are its crosswalk pairs (from any
revision of any crosswalk that names one of its items) and the replacedBy links to the version
before and after it, item by item where the code is kept.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from competency_portal.case.parts import Level, Link, Node, Published, item_title
from competency_portal.case.rubric import rubric_identifier
from competency_portal.models import CrosswalkPair, Domain, Framework, FrameworkVersion, Item, Scale

__all__ = ["by_document", "by_item", "by_rubric", "documents"]


def documents(session: Session) -> list[Published]:
    """Every version of every framework (current and earlier), without items: the CFDocuments list."""
    rows = session.execute(
        select(FrameworkVersion, Framework.slug, Framework.current_revision)
        .join(Framework, FrameworkVersion.framework_id == Framework.id)
        .order_by(Framework.slug, FrameworkVersion.revision)
    )
    return [Published(version, slug, version.revision == current) for version, slug, current in rows]


def by_document(session: Session, identifier: str) -> Published | None:
    """The version published as this CFDocument (or CFPackage), with everything its package says."""
    version_id = session.scalar(select(FrameworkVersion.id).where(FrameworkVersion.case_identifier == identifier))
    return _published(session, version_id) if version_id else None


def by_item(session: Session, identifier: str) -> Published | None:
    """The version holding this CFItem, be it an item or a domain."""
    version_id = session.scalar(select(Item.version_id).where(Item.case_identifier == identifier)) or session.scalar(
        select(Domain.version_id).where(Domain.case_identifier == identifier)
    )
    return _published(session, version_id) if version_id else None


def by_rubric(session: Session, identifier: str) -> Published | None:
    """The version whose scale is published as this CFRubric."""
    for version_id, document_id in session.execute(select(FrameworkVersion.id, FrameworkVersion.case_identifier)):
        if rubric_identifier(document_id) == identifier:
            return _published(session, version_id)
    return None


def _published(session: Session, version_id: int) -> Published:
    version, slug, current = session.execute(
        select(FrameworkVersion, Framework.slug, Framework.current_revision)
        .join(Framework, FrameworkVersion.framework_id == Framework.id)
        .where(FrameworkVersion.id == version_id)
        .options(selectinload(FrameworkVersion.domains).selectinload(Domain.items))
    ).one()
    scale = session.scalar(
        select(Scale)
        .where(Scale.slug == version.scale_slug)
        .order_by(Scale.revision.desc())
        .limit(1)
        .options(selectinload(Scale.levels))
    )
    pub = Published(version, slug, version.revision == current)
    if scale is not None:
        pub.scale_title = scale.title
        pub.levels = [Level(level.value, level.label, level.description) for level in scale.levels]
    pub.links = _crosswalk_links(session, version) + _version_links(session, version)
    return pub


def _nodes(version: FrameworkVersion) -> dict[int, Node]:
    return {item.id: Node(item.case_identifier, item_title(item)) for d in version.domains for item in d.items}


def _crosswalk_links(session: Session, version: FrameworkVersion) -> list[Link]:
    ours = _nodes(version)
    a, b = aliased(Item), aliased(Item)
    rows = session.execute(
        select(CrosswalkPair.note, a, b)
        .join(a, CrosswalkPair.item_a_id == a.id)
        .join(b, CrosswalkPair.item_b_id == b.id)
        .where(or_(a.version_id == version.id, b.version_id == version.id))
        .order_by(CrosswalkPair.id)
    )
    seen: set[tuple[int, int]] = set()
    links = []
    for note, item_a, item_b in rows:
        mine, other = (item_a, item_b) if item_a.id in ours else (item_b, item_a)
        if (mine.id, other.id) in seen:
            continue  # the same pair in a later revision of the crosswalk
        seen.add((mine.id, other.id))
        links.append(Link("exactMatchOf", ours[mine.id], Node(other.case_identifier, item_title(other)), note))
    return links


def _version_links(session: Session, version: FrameworkVersion) -> list[Link]:
    """replacedBy from the version before to this one, and from this one to the version after."""
    neighbours = session.scalars(
        select(FrameworkVersion)
        .where(
            FrameworkVersion.framework_id == version.framework_id,
            FrameworkVersion.revision.in_((version.revision - 1, version.revision + 1)),
        )
        .options(selectinload(FrameworkVersion.domains).selectinload(Domain.items))
    ).all()
    links = []
    for other in sorted(neighbours, key=lambda v: v.revision):
        old, new = (other, version) if other.revision < version.revision else (version, other)
        links.append(
            Link(
                "replacedBy",
                Node(old.case_identifier, old.title, "CFDocuments"),
                Node(new.case_identifier, new.title, "CFDocuments"),
                f"Revision {old.revision} ({old.version_label}) was replaced by revision {new.revision} "
                f"({new.version_label}).",
            )
        )
        new_items = {item.code: item for d in new.domains for item in d.items}
        for domain in old.domains:
            for item in domain.items:
                if item.code in new_items:
                    successor = new_items[item.code]
                    links.append(
                        Link(
                            "replacedBy",
                            Node(item.case_identifier, item_title(item)),
                            Node(successor.case_identifier, item_title(successor)),
                        )
                    )
    return links
