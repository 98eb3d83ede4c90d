"""Render a seed document (plain text) as a Word document and a PDF, the way such documents are made.

The seed's own lines give the body: headings (capitals, numbered section titles, short lines
without a full stop), bullets (kept as list paragraphs in Word, as glyphs in the PDF, where one
seed uses a symbol-font glyph), key and value lines as a two-column table, paragraphs long enough
to wrap. Every page has a header and a footer whose text is not in the seed. Where the seed has a
person specification, its table was scrambled when the text was extracted, so the table is drawn
from the hand-made framework's criteria in that seed's own layout: one row per category with the
criteria inside the Essential and Desirable cells (Tameside), or a row per criterion with a tick
and the document's codes (Leeds).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

import docx
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

FONTS = Path("/usr/share/fonts/truetype/dejavu")
_BULLET = re.compile(r"^\s*([·•\-–]|\d+(?:\.\d+)+\.?)\s+")
HOW_WORDS = {"application": "Application", "interview": "Interview", "references": "References",
             "registration_check": "HCPC Registration number", "exercise": "Exercise", "test": "Test"}  # fmt: skip
HOW_CODES = {"application": "A", "interview": "I", "exercise": "E", "references": "R", "test": "T",
             "registration_check": "C"}  # fmt: skip
GROUPED = "grouped"  # a row per category, criteria inside the cells
TICKS = "ticks"  # a row per criterion, a tick in a column


def lines(text: str) -> list[tuple[str, str]]:
    """(kind, text) per line: heading, bullet, fact, or para; wrapped lines of the extraction joined."""
    out: list[tuple[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if out and raw[:1] == " " and line[:1].islower() and out[-1][1][-1:] not in ".:;":
            out[-1] = (out[-1][0], f"{out[-1][1]} {line}")
            continue
        if "\t" in line and len(line.split("\t")) == 2 and len(line.split("\t")[0]) < 40:
            out.append(("fact", line))
        elif _BULLET.match(line):
            out.append(("bullet", line))
        elif _is_heading(line):
            out.append(("heading", line))
        else:
            out.append(("para", line))
    return out


def _is_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    capitals = len(letters) > 3 and sum(c.isupper() for c in letters) > 0.9 * len(letters)
    short = len(line.split()) <= 8 and not line.rstrip().endswith((".", ",", ";"))
    return capitals or bool(re.match(r"^\d+\.\s+\S", line) and short) or (short and line[:1].isupper())


def split_at_spec(seed_text: str, spec: dict | None) -> tuple[str, str]:
    """(the text before the person specification's table, the specification's heading and intro)."""
    if spec is None:
        return seed_text, ""
    found = None
    for match in re.finditer(r"^.*person specification.*$", seed_text, re.I | re.M):
        if "job description" not in match.group(0).lower():
            found = match
            break
    if found is None:
        return seed_text, ""
    rest = seed_text[found.start() :]
    intro = []
    for raw in rest.splitlines():
        if "\t" in raw:
            break
        intro.append(raw)
    return seed_text[: found.start()], "\n".join(intro)


def layout_of(seed_text: str) -> str:
    """Which person-specification layout the seed's own table had."""
    return GROUPED if re.search(r"how assessed", seed_text, re.I) else TICKS


def spec_rows(spec: dict, layout: str) -> tuple[list[list], list[int]]:
    """The table's rows (cells as lists of lines) and which rows are header rows."""
    if layout == GROUPED:
        rows = [[["Attribute"], ["Essential"], ["Desirable"], ["How Assessed"]]]
        for domain in spec["domains"]:
            essential = [i["statement"] for i in domain["items"] if i["requirement"] == "essential"]
            desirable = [i["statement"] for i in domain["items"] if i["requirement"] == "desirable"]
            methods = domain["items"][0]["assessed_by"]
            rows.append([[domain["title"]], essential, desirable, [HOW_WORDS[m] for m in methods]])
        return rows, [0]
    rows, headers = [], []
    key = "Identified by: " + " ".join(
        f"{c}={m}" for m, c in HOW_CODES.items() if m in ("application", "interview", "exercise")
    )
    for domain in spec["domains"]:
        headers.append(len(rows))
        # As in the original, only the first category's header row carries the key; the others leave it empty.
        rows.append([[domain["title"]], ["Essential"], ["Desirable"], [key] if not rows else []])
        for item in domain["items"]:
            ticks = (["✓"], []) if item["requirement"] == "essential" else ([], ["✓"])
            rows.append([[item["statement"]], *ticks, [", ".join(HOW_CODES[m] for m in item["assessed_by"])]])
    return rows, headers


def to_docx(seed_text: str, spec: dict | None, header: str) -> bytes:
    """The seed as a Word document."""
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = header
    section.footer.paragraphs[0].text = "Printed copy: check the intranet for the current version"
    body, intro = split_at_spec(seed_text, spec)
    facts = None
    for number, (kind, line) in enumerate(lines(body)):
        if kind == "fact":
            facts = facts or document.add_table(rows=0, cols=2)
            cells = facts.add_row().cells
            cells[0].text, cells[1].text = line.split("\t")
            continue
        facts = None
        if kind == "heading":
            document.add_heading(line, level=1 if line.isupper() else 2)
        elif kind == "bullet" and number % 2:  # half as Word lists, half with the glyph typed
            document.add_paragraph(_BULLET.sub("", line), style="List Bullet")
        else:
            document.add_paragraph(line)
    if spec is not None:
        for kind, line in lines(intro):
            document.add_heading(line, level=1) if kind == "heading" else document.add_paragraph(line)
        rows, _headers = spec_rows(spec, layout_of(seed_text))
        table = document.add_table(rows=0, cols=4)
        for row in rows:
            cells = table.add_row().cells
            for cell, texts in zip(cells, row, strict=True):
                cell.text = texts[0] if texts else ""
                for text in texts[1:]:
                    cell.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _styles():
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(FONTS / "DejaVuSans-Bold.ttf")))
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=10, leading=13, spaceAfter=4)
    heading = ParagraphStyle("heading", parent=body, fontName="DejaVuSans-Bold", fontSize=12, leading=15, spaceBefore=6)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=11, spaceAfter=2)
    return body, heading, cell


def to_pdf(seed_text: str, spec: dict | None, header: str, bullet: str | None = None) -> bytes:
    """The seed as a PDF; `bullet` replaces the bullet glyphs (a symbol-font glyph, as Word writes)."""
    body, heading, cell = _styles()
    main, intro = split_at_spec(seed_text, spec)
    story = []
    for kind, line in lines(main) + lines(intro):
        text = line.replace("\t", ": ") if kind == "fact" else line
        if kind == "bullet" and bullet:
            text = _BULLET.sub(f"{bullet} ", text) if not re.match(r"^\s*\d", text) else text
        story.append(Paragraph(escape(text), heading if kind == "heading" else body))
    if spec is not None:
        layout = layout_of(seed_text)
        rows, headers = spec_rows(spec, layout)
        data = [[[Paragraph(escape(t), cell) for t in texts] for texts in row] for row in rows]
        table = Table(data, colWidths=[190, 120, 100, 90], repeatRows=1 if layout == GROUPED else 0)
        style = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        style += [("BACKGROUND", (0, r), (-1, r), "#e8edee") for r in headers]
        table.setStyle(TableStyle(style))
        story.append(table)

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont("DejaVuSans", 8)
        canvas.drawString(56, A4[1] - 36, header)
        canvas.drawString(56, 28, f"Page {doc.page}  |  Printed copy: check the intranet for the current version")
        canvas.restoreState()

    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=56, rightMargin=56, topMargin=60, bottomMargin=50).build(
        story, onFirstPage=furniture, onLaterPages=furniture
    )
    return out.getvalue()
