"""OpenDocument text (.odt): headings with their outline levels, paragraphs, lists and tables."""

from __future__ import annotations

import io
import zipfile
from xml.parsers.expat import ExpatError

from odf import opendocument, teletype
from odf.namespaces import TABLENS, TEXTNS

from competency_portal.importer import salvage
from competency_portal.importer.blocks import Block, clean, split_marker
from competency_portal.importer.errors import ImportRefused


def read(data: bytes) -> tuple[list[Block], bool]:
    """(blocks, truncated): the document's body in reading order."""
    try:
        document = opendocument.load(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, ExpatError, OSError) as exc:
        return _salvaged(data, exc), True
    walker = _Walker()
    walker.walk(document.text)
    return walker.blocks, False


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.paragraphs = 0
        self.tables = 0

    def walk(self, node, in_list: bool = False) -> None:
        for child in node.childNodes:
            qname = getattr(child, "qname", None)
            if qname == (TEXTNS, "h"):
                self._add(child, "heading", int(child.getAttrNS(TEXTNS, "outline-level") or 1))
            elif qname == (TEXTNS, "p"):
                self._add(child, "bullet" if in_list else "para", 0)
            elif qname == (TEXTNS, "list"):
                self.walk(child, in_list=True)
            elif qname == (TABLENS, "table"):
                self._table(child)
            elif qname is not None:
                self.walk(child, in_list)

    def _add(self, node, kind: str, level: int) -> None:
        self.paragraphs += 1
        text = clean(teletype.extractText(node))
        if kind == "para" and split_marker(text)[0]:
            kind = "bullet"  # a bullet typed as a glyph or a number
        if text:
            self.blocks.append(
                Block(
                    text, f"paragraph {self.paragraphs}", kind=kind, level=level, marker="•" if kind == "bullet" else ""
                )
            )

    def _table(self, table) -> None:
        self.tables += 1
        rows = [n for n in _descendants(table) if getattr(n, "qname", None) == (TABLENS, "table-row")]
        for number, row in enumerate(rows, 1):
            cells = []
            for cell in row.childNodes:
                if getattr(cell, "qname", None) != (TABLENS, "table-cell"):
                    continue
                lines = []
                for node in _descendants(cell):
                    if getattr(node, "qname", None) == (TEXTNS, "p"):
                        text = clean(teletype.extractText(node))
                        bullet = getattr(node.parentNode, "qname", None) == (TEXTNS, "list-item")
                        if text:
                            lines.append(f"• {text}" if bullet else text)
                cells.append(lines)
            if any(cells):
                text = " | ".join(" ".join(c) for c in cells)
                self.blocks.append(Block(text, f"table {self.tables}, row {number}", kind="row", cells=cells))


def _descendants(node):
    for child in node.childNodes:
        yield child
        yield from _descendants(child)


def _salvaged(data: bytes, exc: Exception) -> list[Block]:
    xml = salvage.partial_part(data, "content.xml")
    texts = salvage.paragraphs(xml, "p", ("p", "span", "s")) if xml else []
    if not texts:
        raise ImportRefused(
            "This OpenDocument file could not be opened: it is damaged or is not really an .odt file. "
            "Open it again, save it as OpenDocument Text (.odt) or Word (.docx) and upload that."
        ) from exc
    return [Block(clean(t), f"paragraph {n}") for n, t in enumerate(texts, 1)]
