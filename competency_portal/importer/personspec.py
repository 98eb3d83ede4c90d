"""The person specification: criteria by category, each essential or desirable and how assessed.

Two layouts are read. A grid (a table with Essential and Desirable columns, as in most NHS
person specifications), whose rows either hold one criterion with a mark in a column, or a
category with its criteria written inside the Essential and Desirable cells. Or lists, under
category headings and "Essential" / "Desirable" sub-headings, or with "(E)"/"(D)" at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from competency_portal.importer import vocabulary as words
from competency_portal.importer.blocks import Block, split_marker
from competency_portal.importer.headings import display_title, fact_of, heading_of
from competency_portal.importer.methods import (
    document_key,
    mark_in,
    methods_in,
    requirement_word,
    trailing_marks,
)
from competency_portal.importer.sections import DraftDomain, DraftItem

_HOW = re.compile(r"how\s+assess|assess(ed|ment)|identified\s+by|method|evidence|measured|tested\s+by", re.I)
_ESSENTIAL_HEADING = re.compile(r"^(essential|desirable)(\s+(criteria|requirements|qualities))?\s*:?$", re.I)
NO_METHOD = "how it is assessed is not shown; the draft says application and interview: check"


@dataclass
class _Columns:
    essential: int | None = None
    desirable: int | None = None
    either: int | None = None  # one "E/D" column
    how: int | None = None
    criterion: int = 0
    category: int | None = None  # a column naming each row's category, before the criterion column


def read(blocks: list[Block]) -> tuple[list[DraftDomain], list[tuple[str, str, str]]]:
    """(domains, left out) from the blocks after the person-specification heading."""
    texts = [b.text for b in blocks] + [line for b in blocks for cell in b.cells for line in cell]
    key = document_key(texts)
    if any(b.kind == "row" for b in blocks) and _header(blocks):
        domains, left_out = _grid(blocks, key)
    else:
        domains, left_out = _lists(blocks, key)
    for domain in domains:
        if not words.CATEGORY.search(domain.title):
            domain.checks.append(f"“{domain.title}” is not a category the importer knows; check it")
    return [d for d in domains if d.items], left_out


def _header(blocks: list[Block]) -> bool:
    return any(b.kind == "row" and _columns(b) for b in blocks)


def _columns(row: Block, previous: _Columns | None = None) -> _Columns | None:
    firsts = [(cell[0] if cell else "").strip().lower() for cell in row.cells]
    if not any(f.startswith(("essential", "desirable", "e/d")) for f in firsts):
        return None
    cols = _Columns()
    for index, first in enumerate(firsts):
        if re.match(r"^(essential\s*(/|or)\s*desirable|e\s*/\s*d)\b", first):
            cols.either = index
        elif first.startswith("essential"):
            cols.essential = index
        elif first.startswith("desirable"):
            cols.desirable = index
        elif _HOW.search(first) and index > 0:
            cols.how = index
    if cols.how is None and previous is not None and previous.how is not None:
        cols.how = previous.how  # a repeated header for the next category often leaves that heading out
    # The criterion and any category column come before the marks; what follows them is not text.
    first_mark = min((i for i in (cols.essential, cols.desirable, cols.either) if i is not None), default=len(firsts))
    text_columns = [i for i in range(first_mark) if i not in _marks(cols)]
    if len(text_columns) >= 2:
        cols.category, cols.criterion = text_columns[0], text_columns[-1]
    elif text_columns:
        cols.criterion = text_columns[0]
    return cols


def _cell(row: Block, index: int | None) -> list[str]:
    if index is None or index >= len(row.cells):
        return []
    return row.cells[index]


def _grid(blocks: list[Block], key: dict[str, str]):
    domains: list[DraftDomain] = []
    left_out = []
    cols: _Columns | None = None
    current: DraftDomain | None = None
    for block in blocks:
        if block.kind != "row":
            left_out.append((block.origin, block.text, "text around the person specification table"))
            continue
        header = _columns(block, cols)
        if header:
            cols = header
            first = " ".join(_cell(block, 0))
            if (
                first
                and not words.GENERIC_COLUMN.match(first.strip(" :"))
                and cols.category is None
                and 0 not in _marks(cols)
            ):
                current = _domain(domains, first, block)
            continue
        if cols is None:
            left_out.append((block.origin, block.text, "a table row before the person specification's header"))
            continue
        current = _grid_row(block, cols, key, domains, current)
    return domains, left_out


def _marks(cols: _Columns) -> set[int]:
    return {i for i in (cols.essential, cols.desirable, cols.either, cols.how) if i is not None}


def _domain(domains: list[DraftDomain], title: str, block: Block) -> DraftDomain:
    title = display_title(title)
    for domain in domains:
        if domain.title == title:
            return domain
    domain = DraftDomain(title, block.origin)
    domains.append(domain)
    return domain


def _grid_row(block, cols, key, domains, current):
    how_text = "\n".join(_cell(block, cols.how))
    methods, unknown = methods_in(how_text, key) if how_text else ([], [])
    checks = []
    if unknown:
        checks.append(f"how assessed: “{', '.join(unknown)}” was not understood; check")
    if not methods:
        methods = ["application", "interview"]
        checks.append(NO_METHOD)
    if cols.category is not None and _cell(block, cols.category):
        current = _domain(domains, " ".join(_cell(block, cols.category)), block)
    texts = [_cell(block, cols.criterion)] if _cell(block, cols.criterion) else []
    holds_text = any(
        len(" ".join(_cell(block, i)).split()) > 3 for i in (cols.essential, cols.desirable) if i is not None
    )
    if holds_text:  # a category row with its criteria inside the Essential and Desirable cells
        title = " ".join(_cell(block, cols.criterion)) if cols.criterion not in _marks(cols) else ""
        current = _domain(domains, title, block) if title else current or _domain(domains, "Criteria", block)
        for requirement, index in (("essential", cols.essential), ("desirable", cols.desirable)):
            for line in _criteria(_cell(block, index)):
                current.items.append(DraftItem(line, block.origin, list(checks), requirement, list(methods)))
        return current
    if not texts:
        return current
    statement = " ".join(split_marker(line)[1] for line in texts[0])
    unmarked = not any(_cell(block, i) for i in (cols.essential, cols.desirable, cols.either) if i is not None)
    last = current.items[-1] if current and current.items else None
    if unmarked and last is not None and _carries_on(last.statement, statement):
        last.statement = f"{last.statement} {statement}"  # a criterion's wrapped lines, one row each
        return current
    if unmarked and not _cell(block, cols.how) and len(statement.split()) <= 6:
        return _domain(domains, statement, block)  # a row naming a category and nothing else
    requirement, mark_checks = _requirement(block, cols)
    current = current or _domain(domains, "Criteria", block)
    current.items.append(DraftItem(statement, block.origin, checks + mark_checks, requirement, methods))
    return current


def _carries_on(before: str, text: str) -> bool:
    """Whether an unmarked row's text continues the criterion above it (a cell wrapped over rows)."""
    return text[:1].islower() or not before.rstrip().endswith((".", "!", "?"))


def _requirement(block: Block, cols: _Columns) -> tuple[str, list[str]]:
    if cols.either is not None:
        word = requirement_word(" ".join(_cell(block, cols.either)))
        if word:
            return word, []
        return "essential", ["no readable E or D mark; the draft says essential: check"]
    essential = mark_in(" ".join(_cell(block, cols.essential)))
    desirable = mark_in(" ".join(_cell(block, cols.desirable)))
    checks = []
    if not (essential[1] and desirable[1]):
        checks.append("a mark in the Essential or Desirable column could not be read; check which it is")
    if essential[0] and desirable[0]:
        return "essential", checks + ["marked both essential and desirable; the draft says essential: check"]
    if desirable[0]:
        return "desirable", checks
    if essential[0]:
        return "essential", checks
    return "essential", checks + ["no mark in either column; the draft says essential: check"]


def _criteria(lines: list[str]) -> list[str]:
    """A cell's criteria: each bullet or line, a line starting with a small letter joined to the last."""
    out: list[str] = []
    for line in lines:
        marker, text = split_marker(line)
        if not text:
            continue
        if out and not marker and text[:1].islower() and not out[-1].endswith("."):
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
    return out


def _lists(blocks: list[Block], key: dict[str, str]):
    domains: list[DraftDomain] = []
    left_out = []
    current: DraftDomain | None = None
    requirement: str | None = None
    methods: list[str] | None = None
    for block in blocks:
        marker, text = split_marker(block.text)
        sub = _ESSENTIAL_HEADING.match(text)
        if sub:
            requirement = requirement_word(sub.group(1))
            continue
        assessed = re.match(
            r"^(how\s+assessed|assessed\s+by|method\s+of\s+assessment|assessment)\s*:\s*(.+)$", text, re.I
        )
        if assessed:
            methods = methods_in(assessed.group(2), key)[0] or methods
            continue
        heading = heading_of(block) if block.kind != "bullet" and not marker else None
        if heading and (block.kind == "heading" or words.CATEGORY.search(heading.title) or block.emphasis):
            current, requirement, methods = _domain(domains, heading.title, block), None, None
            continue
        if fact_of(block.text) or current is None or "=" in text and document_key([text]):
            left_out.append((block.origin, block.text, "text around the person specification's criteria"))
            continue
        current.items.append(_list_item(text, block, key, requirement, methods))
    return domains, left_out


def _list_item(text, block, key, requirement, methods) -> DraftItem:
    text, mark, codes = trailing_marks(text, key)
    checks = []
    found = mark or requirement
    if found is None:
        found = "essential"
        checks.append("no essential or desirable mark found; the draft says essential: check")
    how = codes or methods
    if not how:
        how = ["application", "interview"]
        checks.append(NO_METHOD)
    return DraftItem(text, block.origin, checks, found, list(how))
