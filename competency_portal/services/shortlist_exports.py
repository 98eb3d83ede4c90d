"""The shortlist with reasons as CSV, XLSX and PDF, and the interview scoring sheet as PDF.

The rows come from `shortlisting.report.export_rows`, so every format says the same thing and none shows
a candidate's name or email before the shortlist is agreed. CSV and XLSX are written by
`competency_portal.exports` (which keeps cells from running as formulas); everything people typed
is escaped before it goes into reportlab's Paragraph markup.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from competency_portal import exports
from competency_portal.models import Application, Vacancy

if TYPE_CHECKING:
    from competency_portal.shortlisting.criteria import SpecCriterion

NHS_BLUE, NHS_PALE_GREY = colors.HexColor("#005EB8"), colors.HexColor("#E8EDEE")


def text(value) -> str:
    """Text made safe for Paragraph markup; line breaks kept."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


def to_csv(headings: list[str], rows: list[list]) -> str:
    """The shortlist as CSV."""
    return exports.csv_text(headings, rows)


def to_xlsx(vacancy: Vacancy, headings: list[str], rows: list[list]) -> bytes:
    """The shortlist as an XLSX workbook, with a sheet that says what it is."""
    book, sheet = exports.workbook()
    sheet.title = "Shortlist"
    widths = [50 if h == "Reason" else max(12, len(h) + 2) for h in headings]
    wrap = [i for i, h in enumerate(headings, 1) if h == "Reason"]
    exports.write_sheet(sheet, headings, rows, widths=widths, freeze="C2", wrap=wrap)
    agreed = vacancy.shortlist_agreed_at
    exports.append_rows(
        exports.add_sheet(book, "About"),
        [
            ["Vacancy", vacancy.title],
            [
                "Shortlist agreed",
                agreed.strftime("%-d %B %Y %H:%M") if agreed else "Not yet: candidates are shown by reference only",
            ],
        ],
    )
    return exports.xlsx_bytes(book)


def _document(buffer, title: str, pagesize) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        title=title,
        author="Competency Portal",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )


def _table(data, widths, header_rows: int = 1) -> Table:
    table = Table(data, colWidths=widths, repeatRows=header_rows)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, header_rows - 1), NHS_PALE_GREY),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def to_pdf(vacancy: Vacancy, headings: list[str], rows: list[list], generated: datetime) -> bytes:
    """The shortlist as a landscape PDF table, saying when it was generated and whether it is agreed."""
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    buffer = io.BytesIO()
    pagesize = landscape(A4)
    doc = _document(buffer, f"Shortlist: {vacancy.title}", pagesize)
    story = [
        Paragraph(text(f"Shortlist: {vacancy.title}"), styles["Title"]),
        Paragraph(
            text(
                f"Generated {generated:%-d %B %Y %H:%M} UTC. "
                + (
                    f"Agreed {vacancy.shortlist_agreed_at:%-d %B %Y}."
                    if vacancy.shortlist_agreed_at
                    else "Not yet agreed: candidates are shown by reference only."
                )
            ),
            styles["BodyText"],
        ),
        Spacer(1, 4 * mm),
    ]
    data = [[Paragraph(text(h), small) for h in headings]] + [[Paragraph(text(v), small) for v in row] for row in rows]
    available = pagesize[0] - 30 * mm
    weights = [
        3
        if h == "Reason"
        else 2
        if h in ("Candidate", "Email", "Meets the essentials", "Guaranteed interview")
        else 1.2
        for h in headings
    ]
    widths = [available * w / sum(weights) for w in weights]
    story.append(_table(data, widths))
    doc.build(story)
    return buffer.getvalue()


def interview_sheet_pdf(
    vacancy: Vacancy,
    criteria: list[SpecCriterion],
    candidates: list[Application],
    show_names: bool,
    generated: datetime,
) -> bytes:
    """One scoring sheet per shortlisted candidate (or one blank sheet before the shortlist is agreed)."""
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=9, leading=11)
    buffer = io.BytesIO()
    doc = _document(buffer, f"Interview scoring sheet: {vacancy.title}", A4)
    available = A4[0] - 30 * mm
    story = []
    sheets = candidates or [None]
    for n, application in enumerate(sheets):
        if n:
            story.append(PageBreak())
        who = "Candidate: ______________________"
        if application is not None:
            who = f"Candidate: {application.reference}" + (f", {application.candidate_name}" if show_names else "")
        story += [
            Paragraph(text(f"Interview scoring sheet: {vacancy.title}"), styles["Title"]),
            Paragraph(text(who), styles["Heading2"]),
            Paragraph(
                text(
                    "Score each criterion 0 no evidence, 1 partly, 2 meets, 3 exceeds, with a short reason. "
                    f"Generated {generated:%-d %B %Y}."
                ),
                small,
            ),
            Spacer(1, 3 * mm),
        ]
        data = [
            [
                Paragraph(text(h), small)
                for h in ("Criterion", "Statement", "Essential or desirable", "Assessed by", "Score", "Notes")
            ]
        ]
        for c in criteria:
            methods = ", ".join(m for m in c.assessed_by if m != "application")
            data.append(
                [
                    Paragraph(text(c.code), small),
                    Paragraph(text(c.statement), small),
                    Paragraph(text(c.requirement), small),
                    Paragraph(text(methods), small),
                    "",
                    "",
                ]
            )
        weights = [1.2, 5, 1.6, 1.6, 1, 3]
        story.append(_table(data, [available * w / sum(weights) for w in weights]))
    doc.build(story)
    return buffer.getvalue()
