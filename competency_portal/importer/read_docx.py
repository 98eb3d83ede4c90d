"""Word (.docx) documents: paragraphs with their styles and tables with their cells, in order."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from competency_portal.importer import salvage
from competency_portal.importer.blocks import Block, clean, split_marker
from competency_portal.importer.errors import ImportRefused


def read(data: bytes) -> tuple[list[Block], bool]:
    """(blocks, truncated): the document body; page headers and footers are never part of it."""
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return _salvaged(data, exc), True
    blocks: list[Block] = []
    counts = {"paragraph": 0, "table": 0}
    for part in document.iter_inner_content():
        if isinstance(part, Paragraph):
            counts["paragraph"] += 1
            block = _paragraph(part, f"paragraph {counts['paragraph']}")
            if block:
                blocks.append(block)
        elif isinstance(part, Table):
            counts["table"] += 1
            blocks.extend(_table(part, counts["table"]))
    return blocks, False


def _is_list(paragraph: Paragraph) -> bool:
    p_pr = paragraph._p.pPr
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    return "List" in style or (p_pr is not None and p_pr.numPr is not None)


def _paragraph(paragraph: Paragraph, origin: str) -> Block | None:
    text = clean(paragraph.text)
    if not text:
        return None
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style.startswith("Heading") or style == "Title":
        level = int(style.split()[-1]) if style.split()[-1].isdigit() else 1
        return Block(text, origin, kind="heading", level=level)
    runs = [r for r in paragraph.runs if r.text.strip()]
    bold = bool(runs) and all(r.bold or (r.style is not None and r.style.font.bold) for r in runs)
    if _is_list(paragraph):
        return Block(text, origin, kind="bullet", marker="•", emphasis=bold)
    if split_marker(text)[0]:  # a bullet typed as a glyph ("· ...") or a number ("1.1 ...")
        return Block(text, origin, kind="bullet", emphasis=bold)
    return Block(text, origin, emphasis=bold)


def _table(table: Table, number: int) -> list[Block]:
    blocks = []
    for row_number, row in enumerate(table.rows, 1):
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats across the columns it spans
                continue
            seen.add(id(cell._tc))
            lines = []
            for paragraph in cell.paragraphs:
                text = clean(paragraph.text)
                if text:
                    lines.append(f"• {text}" if _is_list(paragraph) else text)
            cells.append(lines)
        if any(cells):
            text = " | ".join(" ".join(c) for c in cells)
            blocks.append(Block(text, f"table {number}, row {row_number}", kind="row", cells=cells))
    return blocks


def _salvaged(data: bytes, exc: Exception) -> list[Block]:
    xml = salvage.partial_part(data, "word/document.xml")
    texts = salvage.paragraphs(xml, "p", ("t",)) if xml else []
    if not texts:
        raise ImportRefused(
            "This Word document could not be opened: it is damaged or is not really a .docx file. "
            "Open it in Word, save it again as a Word Document (.docx) and upload that."
        ) from exc
    return [Block(clean(t), f"paragraph {n}") for n, t in enumerate(texts, 1)]
