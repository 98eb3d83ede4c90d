"""Documents written for the importer's tests, in our own words, laid out unlike the seeds.

Each builder returns bytes. The post is fictional: a Community Psychiatric Nurse at Northfield
Community NHS Trust. Layouts: prose-only duties under Word headings; a person specification as
two lists; a KSF-style table with an E/D column; a PDF whose paragraphs wrap, with a header and
footer on every page and private-use bullet glyphs; and files cut short.
"""

from __future__ import annotations

import io

import docx
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

ORGANISATION = "Northfield Community NHS Trust"
PROSE_DUTIES = [
    (
        "Clinical practice",
        [
            "You will hold a caseload of adults with severe mental illness and plan their care with them, "
            "drawing on their own goals and the views of the people who support them.",
            "You will assess risk at every contact and write a safety plan that the person has agreed.",
        ],
    ),
    (
        "Working with others",
        [
            "You will keep general practitioners informed of changes to treatment within two working days.",
            "You will chair multidisciplinary reviews when the consultant is not available.",
        ],
    ),
]
LIST_SPEC = {
    "Qualifications": {
        "essential": ["Registered mental health nurse with current NMC registration (A, C)"],
        "desirable": ["Non-medical prescribing qualification (A)"],
    },
    "Experience": {
        "essential": ["Two years of community mental health practice since registration (A, I)"],
        "desirable": ["Experience of running a therapeutic group (I)"],
    },
}
KSF_ROWS = [
    ("Communication", "Explains care plans in plain language to people and families", "E", "Interview"),
    ("Communication", "Writes clear letters to referrers", "D", "Application form"),
    ("Personal and people development", "Keeps a reflective portfolio of learning", "E", "Application form, interview"),
    ("Health, safety and security", "Follows the lone working procedure without exception", "E", "References"),
]


def prose_docx() -> bytes:
    """Facts in a two-column table, a purpose paragraph, prose-only duties under Heading 2."""
    document = docx.Document()
    document.add_heading("Job description", level=1)
    facts = document.add_table(rows=0, cols=2)
    for key, value in (("Job title", "Community Psychiatric Nurse"), ("Band", "Band 6"), ("Reports to", "Team Leader")):
        cells = facts.add_row().cells
        cells[0].text, cells[1].text = key, value
    document.add_heading("Job purpose", level=2)
    document.add_paragraph(f"To provide skilled community nursing for {ORGANISATION}'s adult service.")
    document.add_heading("Main duties and responsibilities", level=1)
    for title, paragraphs in PROSE_DUTIES:
        document.add_heading(title, level=2)
        for text in paragraphs:
            document.add_paragraph(text)
    document.add_heading("Confidentiality", level=1)
    document.add_paragraph("All staff must keep information about patients confidential.")
    return _docx_bytes(document)


def lists_docx() -> bytes:
    """A short duties list, then a person specification as Essential and Desirable lists per category."""
    document = docx.Document()
    document.add_paragraph("Post: Community Psychiatric Nurse")
    document.add_heading("Key responsibilities", level=1)
    document.add_paragraph("Visit people at home to review their medication.", style="List Bullet")
    document.add_heading("Person specification", level=1)
    document.add_paragraph("Key: A = application form, I = interview, C = certificate check")
    for category, parts in LIST_SPEC.items():
        document.add_heading(category, level=2)
        for requirement in ("essential", "desirable"):
            document.add_paragraph(f"{requirement.title()} criteria")
            for text in parts[requirement]:
                document.add_paragraph(text, style="List Bullet")
    return _docx_bytes(document)


def ksf_docx() -> bytes:
    """Duties as numbered points, then a KSF-style table with one E/D column."""
    document = docx.Document()
    document.add_heading("Duties", level=1)
    document.add_paragraph("1.1 Give depot injections safely and record them the same day.")
    document.add_paragraph("1.2 Supervise one healthcare assistant.")
    document.add_heading("Person specification", level=1)
    table = document.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, ("KSF dimension", "Criteria", "E/D", "How assessed"), strict=True):
        cell.text = text
    for row in KSF_ROWS:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    return _docx_bytes(document)


def _docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


LONG_DUTIES = [
    "To assess the mental health and social care needs of people referred to the team, including their physical "
    "health, housing, money and relationships, and to agree with each person a plan that they can follow.",
    "To review each plan at least every six months, and sooner when the person's circumstances change, writing "
    "the outcome in the electronic record on the day of the review.",
    "To teach student nurses on placement and to assess their practice against the university's standards.",
]


_DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _body_style():
    """Normal text in DejaVu Sans where it is installed: it has no glyph for U+F0B7, so the PDF keeps an
    unmapped glyph where the bullet was, as PDFs made from Word's Symbol-font bullets do."""
    style = getSampleStyleSheet()["Normal"]
    try:
        pdfmetrics.registerFont(TTFont("DejaVuSans", _DEJAVU))
    except Exception:  # noqa: BLE001 - the font is optional; Helvetica prints the glyph as a letter
        return style
    style.fontName = "DejaVuSans"
    return style


def wrapped_pdf(pages: int = 2, bullet: str = "\uf0b7") -> bytes:
    """Duties whose lines wrap, a header and footer on each page, private-use glyphs as bullets."""
    styles = getSampleStyleSheet()
    body = _body_style()
    out = io.BytesIO()

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(72, A4[1] - 40, f"{ORGANISATION} - Community Psychiatric Nurse - Job description")
        canvas.drawString(72, 30, f"Page {doc.page} - Version 3, approved")
        canvas.restoreState()

    story = [Paragraph("Main duties", styles["Heading2"])]
    for page in range(pages):
        for text in LONG_DUTIES:
            story.append(Paragraph(f"{bullet} {text} (part {page + 1})", body))
        story.append(Spacer(1, 500))
    doc = SimpleDocTemplate(out, pagesize=A4)
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return out.getvalue()


def table_pdf() -> bytes:
    """A person-specification grid with ticks, its cells wrapping, over two pages."""
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    header = ["Criteria", "Essential", "Desirable", "How assessed"]
    rows = [header]
    for n in range(40):
        text = f"Criterion number {n} written long enough to wrap inside its narrow cell of the table"
        rows.append([Paragraph(text, styles["Normal"]), "x" if n % 3 else "", "" if n % 3 else "x", "A, I"])
    table = Table(rows, colWidths=[220, 70, 70, 90], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    SimpleDocTemplate(out, pagesize=A4).build([Paragraph("Person specification", styles["Heading1"]), table])
    return out.getvalue()


def scanned_pdf() -> bytes:
    """A page with only a drawing on it: what a scan looks like to the importer."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.rect(72, 72, 300, 400, fill=1)
    page.showPage()
    page.save()
    return out.getvalue()


def password_pdf() -> bytes:
    """A PDF that needs a password to open."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, encrypt="secret")
    page.drawString(72, 720, "Main duties: to care for people.")
    page.showPage()
    page.save()
    return out.getvalue()


def odt_document() -> bytes:
    """An OpenDocument text: outline headings, a bulleted list and a person-specification table."""
    from odf.opendocument import OpenDocumentText
    from odf.table import Table as OdfTable
    from odf.table import TableCell, TableColumn, TableRow
    from odf.text import H, List, ListItem, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Key tasks"))
    tasks = List()
    for text in ("Run the weekly depot clinic.", "Audit care plans every quarter."):
        item = ListItem()
        item.addElement(P(text=text))
        tasks.addElement(item)
    document.text.addElement(tasks)
    document.text.addElement(H(outlinelevel=1, text="Person specification"))
    table = OdfTable()
    table.addElement(TableColumn(numbercolumnsrepeated=4))
    rows = [
        ("Criteria", "Essential", "Desirable", "How assessed"),
        ("Current NMC registration", "✓", "", "Certificate check"),
        ("Experience of group work", "", "✓", "Interview"),
    ]
    for values in rows:
        row = TableRow()
        for value in values:
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()
