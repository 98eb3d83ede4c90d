"""The pieces CASE answers are made of: what the caller reads from the database, and CASE's links."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from competency_portal.models import FrameworkVersion, Item

LANGUAGE = "en-GB"


@dataclass(frozen=True)
class Node:
    """Something an association points at: a CFItem or a CFDocument, ours, by identifier."""

    identifier: str
    title: str
    collection: str = "CFItems"  # or "CFDocuments"


@dataclass(frozen=True)
class Link:
    """An association beyond the tree: a crosswalk pair (exactMatchOf) or a newer version (replacedBy)."""

    association_type: str
    origin: Node
    destination: Node
    note: str | None = None


@dataclass(frozen=True)
class Level:
    """One level of the scale the framework's items are rated on."""

    value: int
    label: str
    description: str | None


@dataclass
class Published:
    """Everything a package of one framework version says, read by the caller."""

    version: FrameworkVersion
    slug: str
    is_current: bool
    scale_title: str | None = None
    levels: list[Level] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def timestamp(moment: datetime) -> str:
    """CASE's date-time: ISO 8601 in UTC (SQLite hands back naive datetimes, which are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def uri(base: str, collection: str, identifier: str) -> str:
    """The address of a CASE object on this portal."""
    return f"{base}/{collection}/{identifier}"


def item_title(item: Item) -> str:
    """How an item is named where it is only pointed at."""
    text = f"{item.code}: {item.statement}"
    return text if len(text) <= 120 else text[:119] + "…"


def link(base: str, title: str, identifier: str, collection: str) -> dict:
    return {"title": title, "identifier": identifier, "uri": uri(base, collection, identifier)}
