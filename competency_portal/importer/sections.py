"""Walking a document's blocks: facts about the post, the job purpose, duties by heading, and
the person specification's blocks, with everything left out recorded and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from competency_portal.importer import vocabulary as words
from competency_portal.importer.blocks import Block, split_marker
from competency_portal.importer.headings import Heading, display_title, fact_of, heading_of, is_lead_in, section_kind


@dataclass
class DraftItem:
    """An item as found: its words, where it came from, and what needs checking."""

    statement: str
    origin: str
    checks: list[str] = field(default_factory=list)
    requirement: str | None = None
    assessed_by: list[str] | None = None


@dataclass
class DraftDomain:
    """A heading and the items under it."""

    title: str
    origin: str
    description: str | None = None
    items: list[DraftItem] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # about the heading; shown on its first item


@dataclass
class Structure:
    """What the walk found."""

    facts: dict[str, str] = field(default_factory=dict)
    context: list[str] = field(default_factory=list)  # job purpose prose, for the framework's notes
    domains: list[DraftDomain] = field(default_factory=list)
    person_spec: list[Block] = field(default_factory=list)
    left_out: list[tuple[str, str, str]] = field(default_factory=list)  # (origin, text, why)
    heading: str | None = None  # the document's first heading, a title when no post is named


def walk(blocks: list[Block]) -> Structure:
    """Split the document into facts, purpose, duties and the person specification."""
    out = Structure()
    part = "front"
    current: DraftDomain | None = None
    index = 0
    while index < len(blocks):
        block = blocks[index]
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        index += 1
        if part == "person_spec":
            out.person_spec.append(block)
            continue
        consumed = _fact(block, following, out)
        if consumed:
            index += consumed - 1
            continue
        heading = heading_of(block)
        if heading is not None:
            kind = section_kind(heading)
            if kind == "person_spec":
                part = "person_spec"
                continue
            if out.heading is None and part == "front":
                out.heading = display_title(heading.title)
            part, current = _enter(out, part, kind, heading, block)
            continue
        part, current = _content(out, part, current, block)
    out.domains = [d for d in out.domains if d.items]
    return out


def _fact(block: Block, following: Block | None, out: Structure) -> int:
    """How many blocks a fact took (0 if this is not one)."""
    if block.kind == "row" and len([c for c in block.cells if c]) == 2:
        key, value = [" ".join(c) for c in block.cells if c]
        found = fact_of(f"{key.rstrip(':')}: {value}")
        if found:
            _keep_fact(out, *found)
            return 1
        return 0
    if block.kind not in ("para", "heading") or len(block.text) > 160:
        return 0
    found = fact_of(block.text)
    if not found:
        return 0
    fact, value = found
    if value:
        _keep_fact(out, fact, value)
        return 1
    if (
        following is not None
        and following.kind == "para"
        and fact_of(following.text) is None
        and len(following.text) < 160
    ):
        if heading_of(following) is None or section_kind(heading_of(following)) is None:
            _keep_fact(out, fact, following.text)
            return 2
    return 1 if block.text.rstrip().endswith(":") else 0


def _keep_fact(out: Structure, fact: str, value: str) -> None:
    value = value.strip().rstrip(".").strip()
    if not value:
        return
    if fact in out.facts and value not in out.facts[fact]:
        out.facts[fact] = f"{out.facts[fact]}; {value}" if fact == "reports_to" else out.facts[fact]
    else:
        out.facts.setdefault(fact, value)


def _enter(out: Structure, part: str, kind: str | None, heading: Heading, block: Block):
    """The part and domain a heading starts."""
    if kind == "general":
        out.left_out.append((block.origin, block.text, "a section every post holder has, not a duty of this post"))
        return "general", None
    if kind == "purpose":
        domain = DraftDomain(display_title(heading.title), block.origin)
        out.domains.append(domain)
        return "purpose", domain
    if kind == "duties" or part in ("duties", "purpose", "general") or heading.numbered:
        domain = DraftDomain(display_title(heading.title), block.origin)
        if heading.guessed:
            domain.checks.append(
                f"“{heading.title}” was read as a heading from its layout alone; check it starts a new group"
            )
        out.domains.append(domain)
        return "duties", domain
    out.left_out.append((block.origin, block.text, "a heading before the duties"))
    return part, None


def _content(out: Structure, part: str, current: DraftDomain | None, block: Block):
    text = split_marker(block.text)[1] if block.kind != "row" else block.text
    if part == "general":
        out.left_out.append((block.origin, block.text, "in a section every post holder has"))
        return part, current
    if words.DISCLAIMER.search(block.text):
        out.left_out.append((block.origin, block.text, "says the list of duties is not exhaustive"))
        return part, current
    if part == "front" or current is None:
        if block.kind == "bullet" and part == "front":
            current = DraftDomain("Duties", block.origin)
            current.checks.append("these items had no heading before them; check the group's title")
            out.domains.append(current)
            return "duties", _add_item(current, block, text)
        out.context.append(block.text)
        out.left_out.append((block.origin, block.text, "context before the duties"))
        return part, current
    if block.kind == "row":
        return part, _row_items(out, current, block)
    if _is_description(block, current):
        current.description = block.text if not current.description else f"{current.description} {block.text}"
        return part, current
    if is_lead_in(block.text):
        if current.items:
            title = re.sub(r"\s*:\s*-?\s*$", "", block.text)
            current = DraftDomain(display_title(title), block.origin, description=block.text)
            current.checks.append(f"a new group was started at the lead-in “{block.text}”; check it")
            out.domains.append(current)
        else:
            current.description = block.text
        return part, current
    if part == "purpose" and block.kind != "bullet":
        out.context.append(block.text)
        out.left_out.append((block.origin, block.text, "job purpose: kept in the framework's notes"))
        return part, current
    return part, _add_item(current, block, text)


def _is_description(block: Block, current: DraftDomain) -> bool:
    """A paragraph in brackets straight after a heading, saying what the section covers."""
    text = block.text.strip()
    return not current.items and text.startswith("(") and text.endswith(")")


def _add_item(domain: DraftDomain, block: Block, text: str) -> DraftDomain:
    last = domain.items[-1] if domain.items else None
    if last is not None and block.kind != "bullet" and text[:1].islower() and not last.statement.endswith("."):
        # A paragraph starting with a small letter carries on the one before (a line broken by copying).
        last.statement = f"{last.statement} {text}"
        note = "joined to the paragraph before it, which it seems to carry on; split it if it is an item of its own"
        if note not in last.checks:
            last.checks.append(note)
        return domain
    domain.items.append(DraftItem(text, block.origin))
    return domain


def _row_items(out: Structure, current: DraftDomain, block: Block) -> DraftDomain:
    """A duties table row: a short first cell names a group; the other cells hold its items."""
    cells = [c for c in block.cells if c]
    first = " ".join(cells[0]) if cells else ""
    if len(cells) >= 2 and len(first.split()) <= 8 and not first.endswith("."):
        current = DraftDomain(display_title(first), block.origin)
        out.domains.append(current)
        cells = cells[1:]
    for cell in cells:
        for line in cell:
            current.items.append(DraftItem(split_marker(line)[1], block.origin))
    return current
