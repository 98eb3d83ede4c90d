"""PDF documents with a text layer: lines joined back into paragraphs, tables read cell by cell.

A PDF has no paragraphs, only positioned lines. A line was wrapped (and joins the next) when
the next line's first word would not have fitted at its end, which is how the line was broken
in the first place; this works in table cells as in the body. Lines that repeat near the top or
bottom of every page are page headers and footers and are dropped.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException

from competency_portal.importer.blocks import Block, clean, normalise, split_marker
from competency_portal.importer.errors import ImportRefused

logging.getLogger("pdfminer").setLevel(logging.ERROR)  # it warns about every odd font in a damaged file
_EDGE = 0.1  # the top and bottom tenth of a page is where headers and footers live
# A glyph with no Unicode meaning at the start of a line is a symbol-font bullet: pdfminer writes
# it as "(cid:183)", a NUL or a private-use character.
_UNMAPPED_BULLET = re.compile(r"^(?:\(cid:\d+\)|[\x00\ue000-\uf8ff])+\s*")
_PAGE_NUMBER = re.compile(r"^(page\s*)?\d+(\s*(of|/)\s*\d+)?$", re.I)


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    first_word: float  # width of the first word, to judge whether the line before was wrapped
    bold: bool
    size: float
    table: list | None = None  # a table's rows of cells, standing in the flow where the table starts


_PASSWORD = (
    "This PDF is protected by a password, so its text cannot be read. Open it, save a copy without "
    "the password (or print it to a new PDF) and upload that."
)
_DAMAGED = (
    "This PDF could not be opened: it is damaged or is not really a PDF. Save it again from the "
    "program that made it, or upload the Word version."
)


# Appended to a PDF cut short: a catalog without a page tree makes pdfminer find the pages by
# scanning the objects that survive, which is what a file without its cross-reference table needs.
_REPAIR = b"\n999999 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 999999 0 R >>\n%%EOF\n"


def _open(data: bytes):
    try:
        return pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ImportRefused(_PASSWORD) from exc
        raise ImportRefused(_DAMAGED) from exc
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ImportRefused(_PASSWORD) from exc
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        raise ImportRefused(_DAMAGED) from exc


def read(data: bytes) -> tuple[list[Block], bool]:
    """(blocks, truncated) from a PDF's text layer."""
    truncated = b"%%EOF" not in data[-1024:]
    try:
        pdf = _open(data)
    except ImportRefused:
        if not (truncated and data.startswith(b"%PDF")):
            raise
        whole_objects = data[: data.rfind(b"endobj") + len(b"endobj")]  # an object cut part-way is lost
        pdf = _open(whole_objects + _REPAIR)
    lines: list[_Line] = []
    heights: list[float] = []
    with pdf:
        try:
            pages = list(pdf.pages)
        except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError):
            pages, truncated = [], True
        for number, page in enumerate(pages, 1):
            try:
                lines.extend(_page_lines(page, number))
                heights.append(float(page.height))
            except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError):
                truncated = True
    if not any(line.text or line.table for line in lines) and truncated:
        raise ImportRefused(
            "This PDF ends part-way (it looks cut short or damaged) and none of its text could be read. "
            "Download or copy the file again, or upload the Word version."
        )
    if not any(line.text or line.table for line in lines):
        raise ImportRefused(
            "This PDF has no text to read: it looks like a scan or a picture of the pages. Upload the Word "
            "version, or a PDF saved from Word (File > Save as > PDF), rather than a scanned copy."
        )
    lines = _without_headers_and_footers(lines, heights)
    return _paragraphs(lines), truncated


def _is_bold(chars) -> bool:
    names = [c.get("fontname", "") for c in chars if c.get("text", "").strip()]
    return bool(names) and all(re.search(r"bold|black|heavy|semibold", n, re.I) for n in names)


def _first_word_width(chars) -> float:
    """Width of a line's first word. PDFs often leave spaces out, so a gap between glyphs ends it too."""
    start = end = None
    for char in sorted(chars, key=lambda c: float(c["x0"])):
        if char.get("text", "").isspace():
            if start is not None:
                break
            continue
        x0, x1 = float(char["x0"]), float(char["x1"])
        if start is None:
            start, end = x0, x1
            continue
        if x0 - end > 0.15 * float(char.get("size", 10) or 10):
            break
        end = x1
    return (end - start) if start is not None else 0.0


def _text_lines(page) -> list[dict]:
    return page.extract_text_lines(return_chars=True, strip=True)


def _page_lines(page, number: int) -> list[_Line]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    out = []
    for raw in _text_lines(page):
        middle_y, middle_x = (raw["top"] + raw["bottom"]) / 2, (raw["x0"] + raw["x1"]) / 2
        if any(b[0] <= middle_x <= b[2] and b[1] <= middle_y <= b[3] for b in boxes):
            continue
        chars = raw.get("chars", [])
        sizes = [round(float(c.get("size", 0)), 1) for c in chars if c.get("text", "").strip()]
        out.append(
            _Line(
                number,
                float(raw["top"]),
                float(raw["bottom"]),
                float(raw["x0"]),
                float(raw["x1"]),
                clean(_UNMAPPED_BULLET.sub("• ", raw["text"])),
                _first_word_width(chars),
                _is_bold(chars),
                max(set(sizes), key=sizes.count) if sizes else 0.0,
            )
        )
    for table in tables:
        rows = [[_cell_lines(page, cell) for cell in row.cells] for row in table.rows]
        top = float(table.bbox[1])
        out.append(_Line(number, top, float(table.bbox[3]), 0, 0, "", 0, False, 0, table=rows))
    return sorted(out, key=lambda line: line.top)


def _cell_lines(page, bbox) -> list[str]:
    """A cell's paragraphs: its lines, each wrapped line joined to the next."""
    if bbox is None:
        return []
    inside = page.crop(bbox, strict=False)
    raw = [line for line in _text_lines(inside) if line["text"].strip()]
    if not raw:
        return []
    padding = max(min(float(line["x0"]) for line in raw) - float(bbox[0]), 1.0)
    right = float(bbox[2]) - padding
    gaps = [float(b["top"]) - float(a["bottom"]) for a, b in zip(raw, raw[1:], strict=False)]
    line_gap = Counter(round(g) for g in gaps).most_common(1)[0][0] if len(gaps) >= 2 else None
    joined: list[str] = []
    wrapped = False
    for index, line in enumerate(raw):
        text = clean(_UNMAPPED_BULLET.sub("• ", line["text"]))
        if wrapped and not _starts_item(text):
            joined[-1] = f"{joined[-1]} {text}"
        else:
            joined.append(text)
        following = raw[index + 1] if index + 1 < len(raw) else None
        wrapped = bool(following) and float(line["x1"]) + _first_word_width(following.get("chars", [])) + 4 > right
        # More space than between the lines of a paragraph starts a new one, however full the line.
        if wrapped and line_gap is not None and round(gaps[index]) > line_gap + 1:
            wrapped = False
    return joined


def _without_headers_and_footers(lines: list[_Line], heights: list[float]) -> list[_Line]:
    pages = len(heights)

    def at_edge(line: _Line) -> bool:
        height = heights[line.page - 1] if line.page - 1 < len(heights) else 842.0
        return line.top < height * _EDGE or line.bottom > height * (1 - _EDGE)

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", normalise(line.text))

    repeated = Counter(key(line) for line in lines if line.text and at_edge(line))
    threshold = max(2, (pages + 1) // 2)
    return [
        line
        for line in lines
        if line.table
        or not (at_edge(line) and (repeated[key(line)] >= threshold and pages > 1 or _PAGE_NUMBER.match(line.text)))
    ]


def _paragraphs(lines: list[_Line]) -> list[Block]:
    body = [line for line in lines if line.text]
    sizes = Counter(round(line.size) for line in body)
    body_size = sizes.most_common(1)[0][0] if sizes else 0
    right = max((line.x1 for line in body), default=0.0)
    gaps = Counter(round(b.top - a.bottom) for a, b in zip(body, body[1:], strict=False) if a.page == b.page)
    line_gap = min((g for g, n in gaps.items() if n == max(gaps.values())), default=0) if gaps else 0
    blocks: list[Block] = []
    previous: _Line | None = None
    for line in lines:
        if line.table is not None:
            for cells in line.table:
                if any(cells):
                    text = " | ".join(" ".join(c) for c in cells)
                    blocks.append(Block(text, f"page {line.page}", kind="row", cells=cells))
            previous = None
            continue
        emphasis = line.bold or round(line.size) > body_size
        if previous is not None and _continues(previous, line, right, body_size, line_gap) and blocks:
            blocks[-1].text = f"{blocks[-1].text} {line.text}"
        else:
            marker, _rest = split_marker(line.text)
            blocks.append(Block(line.text, f"page {line.page}", kind="bullet" if marker else "para", emphasis=emphasis))
        previous = line
    return blocks


def _starts_item(text: str) -> bool:
    """A bullet or number at the start of a line, except a dash before a small letter (a wrapped "- ")."""
    marker, rest = split_marker(text)
    return bool(marker) and not (marker in "-–—" and rest[:1].islower())


def _continues(previous: _Line, line: _Line, right: float, body_size: float, line_gap: float) -> bool:
    """Whether `line` carries on the paragraph `previous` ended: previous was wrapped to make room.

    `line_gap` is the commonest space between two lines: more space than that is a new paragraph.
    """
    if _starts_item(line.text):
        return False
    if (previous.bold or round(previous.size) > body_size) != (line.bold or round(line.size) > body_size):
        return False
    fitted = previous.x1 + line.first_word + 4 > right
    if line.page == previous.page:
        gap = line.top - previous.bottom
        if gap > max(previous.bottom - previous.top, 1.0) * 1.2 or gap > line_gap + 2:
            return False
    return fitted
