"""The PDR pack as a PDF: the person, their readiness, the gap analysis (charts drawn natively with
reportlab from the same Chart data the dashboards show), the objectives with their linked items,
progress, and the signatures.

Everything people typed is escaped before it goes into reportlab's Paragraph markup, so a title
such as "<b>&" prints as written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from competency_portal.charts import Chart
from competency_portal.models import Appraisal

NHS_BLUE, NHS_DARK_GREY, NHS_PALE_GREY = (
    colors.HexColor("#005EB8"),
    colors.HexColor("#425563"),
    colors.HexColor("#E8EDEE"),
)
WIDTH = A4[0] - 36 * mm


@dataclass(frozen=True)
class LinkedItem:
    """An item an objective addresses, with where the person stands on it now."""

    code: str
    statement: str
    status: str


@dataclass(frozen=True)
class Pack:
    """What the PDR pack shows, gathered by the view."""

    appraisal: Appraisal
    role_title: str | None
    headline: str | None  # e.g. "12% ready: 8 of 64 required items verified at target"
    domains: Chart | None
    gaps: Chart | None
    linked: dict[int, list[LinkedItem]]  # objective id -> items
    generated: datetime
    digest: str


def text(value) -> str:
    """Text from users made safe for Paragraph markup; line breaks kept."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


def _styles():
    sheet = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=sheet["BodyText"], fontName="Helvetica", fontSize=10, leading=13, alignment=TA_LEFT
    )
    return {
        "title": ParagraphStyle(
            "title",
            parent=sheet["Title"],
            fontName="Helvetica-Bold",
            fontSize=18,
            leading=22,
            alignment=TA_LEFT,
            textColor=NHS_BLUE,
        ),
        "h2": ParagraphStyle(
            "h2", parent=sheet["Heading2"], fontName="Helvetica-Bold", fontSize=13, leading=16, spaceBefore=10
        ),
        "h3": ParagraphStyle(
            "h3", parent=sheet["Heading3"], fontName="Helvetica-Bold", fontSize=11, leading=14, spaceBefore=6
        ),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11),
    }


def _table(rows: list[list], widths: list[float], style, header: bool = True) -> Table:
    cells = [
        [Paragraph(text(v) if i or not header else f"<b>{text(v)}</b>", style) for v in row]
        for i, row in enumerate(rows)
    ]
    if header:
        cells[0] = [Paragraph(f"<b>{text(v)}</b>", style) for v in rows[0]]
    table = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
    commands = [("GRID", (0, 0), (-1, -1), 0.4, NHS_DARK_GREY), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), NHS_PALE_GREY))
    table.setStyle(TableStyle(commands))
    return table


def _short(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def domain_chart(chart: Chart) -> Drawing:
    """Average target and verified level per domain, as horizontal bars (from the radar chart's rows)."""
    rows = chart.rows
    height = 40 + 22 * max(1, len(rows))
    drawing = Drawing(WIDTH, height + 30)
    bars = HorizontalBarChart()
    bars.x, bars.y, bars.width, bars.height = 170, 30, WIDTH - 190, height - 20
    # reportlab draws the first category at the bottom: reverse, so the table's order reads down.
    ordered = list(reversed(rows))
    bars.data = [[float(r[2]) for r in ordered], [float(r[4]) for r in ordered]]
    bars.categoryAxis.categoryNames = [_short(str(r[1])) for r in ordered]
    bars.categoryAxis.labels.fontName, bars.categoryAxis.labels.fontSize = "Helvetica", 7
    bars.categoryAxis.labels.boxAnchor = "e"
    bars.valueAxis.valueMin = 0
    bars.valueAxis.valueMax = max([1.0] + [v for series in bars.data for v in series])
    bars.valueAxis.labels.fontName, bars.valueAxis.labels.fontSize = "Helvetica", 7
    bars.bars[0].fillColor, bars.bars[1].fillColor = NHS_DARK_GREY, NHS_BLUE
    bars.barSpacing, bars.groupSpacing = 1, 5
    drawing.add(bars)
    legend = Legend()
    legend.x, legend.y = 170, 12
    legend.fontName, legend.fontSize, legend.alignment = "Helvetica", 8, "right"
    legend.columnMaximum, legend.dx, legend.dy, legend.deltax = 1, 8, 8, 110
    legend.colorNamePairs = [(NHS_DARK_GREY, "Average target"), (NHS_BLUE, "Average verified")]
    drawing.add(legend)
    return drawing


def gaps_chart(chart: Chart) -> Drawing:
    """Levels short of target for the top gaps (from the gaps chart's rows)."""
    rows = chart.rows
    height = 30 + 18 * max(1, len(rows))
    drawing = Drawing(WIDTH, height + 20)
    bars = HorizontalBarChart()
    bars.x, bars.y, bars.width, bars.height = 90, 25, WIDTH - 110, height - 10
    ordered = list(reversed(rows))
    short = [float(r[3]) - (float(r[4]) if isinstance(r[4], (int, float)) else 0.0) for r in ordered]
    bars.data = [short]
    bars.categoryAxis.categoryNames = [str(r[1]) for r in ordered]
    bars.categoryAxis.labels.fontName, bars.categoryAxis.labels.fontSize = "Helvetica", 8
    bars.categoryAxis.labels.boxAnchor = "e"
    bars.valueAxis.valueMin, bars.valueAxis.valueStep = 0, 1
    bars.valueAxis.valueMax = max([1.0] + short)
    bars.valueAxis.labels.fontName, bars.valueAxis.labels.fontSize = "Helvetica", 7
    bars.bars[0].fillColor = NHS_BLUE
    drawing.add(bars)
    drawing.add(
        String(
            90 + (WIDTH - 110) / 2, 4, "Levels short of target", fontName="Helvetica", fontSize=8, textAnchor="middle"
        )
    )
    return drawing


def _when(value: datetime | None) -> str:
    return value.strftime("%-d %B %Y at %H:%M UTC") if value else ""


def _day(value: date | None) -> str:
    return value.strftime("%-d %B %Y") if value else "not set"


def build(pack: Pack) -> bytes:
    """The PDR pack's bytes."""
    a = pack.appraisal
    s = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"PDR pack: {a.person.name}, {a.year}",
        author="Competency Portal",
        subject="Personal development review",
    )
    story = [
        Paragraph(f"PDR pack: {text(a.person.name)}", s["title"]),
        _table(
            [
                ["Person", a.person.name],
                ["Job title", a.person.job_title or "not recorded"],
                ["Target role", pack.role_title or "no target role set"],
                ["Review year", a.year],
                ["Appraiser", a.appraiser.name],
                ["Stage", a.state.label],
                ["Generated", _when(pack.generated)],
            ],
            [40 * mm, WIDTH - 40 * mm],
            s["body"],
            header=False,
        ),
        Spacer(1, 6),
        Paragraph("Readiness", s["h2"]),
        Paragraph(text(pack.headline or "There is no target role, so there is no readiness to show."), s["body"]),
    ]
    if pack.domains is not None and pack.domains.rows:
        story += [
            Paragraph(text(pack.domains.title), s["h3"]),
            Paragraph(text(pack.domains.summary), s["body"]),
            domain_chart(pack.domains),
            _table(
                [["Domain", "Average target", "Average verified", "Items met"]]
                + [[r[1], r[2], r[4], r[5]] for r in pack.domains.rows],
                [WIDTH - 75 * mm, 25 * mm, 25 * mm, 25 * mm],
                s["small"],
            ),
        ]
    if pack.gaps is not None:
        story += [Paragraph(text(pack.gaps.title), s["h3"]), Paragraph(text(pack.gaps.summary), s["body"])]
        if pack.gaps.rows:
            story += [
                gaps_chart(pack.gaps),
                _table(
                    [["Item", "Statement", "Target", "Verified", "Status"]]
                    + [[r[1], r[2], r[3], r[4], r[6]] for r in pack.gaps.rows],
                    [18 * mm, WIDTH - 78 * mm, 15 * mm, 17 * mm, 28 * mm],
                    s["small"],
                ),
            ]

    story.append(Paragraph("Objectives", s["h2"]))
    if not a.objectives:
        story.append(Paragraph("No objectives have been recorded.", s["body"]))
    for number, o in enumerate(a.objectives, 1):
        block = [
            Paragraph(f"{number}. {text(o.title)}", s["h3"]),
            Paragraph(f"<b>Due:</b> {text(_day(o.due_on))}. <b>Status:</b> {text(o.status.label)}.", s["body"]),
        ]
        if o.description:
            block.append(Paragraph(text(o.description), s["body"]))
        linked = pack.linked.get(o.id, [])
        if linked:
            block.append(
                _table(
                    [["Item", "Statement", "Where it stands now"]] + [[i.code, i.statement, i.status] for i in linked],
                    [18 * mm, WIDTH - 58 * mm, 40 * mm],
                    s["small"],
                )
            )
        if o.progress:
            block.append(Paragraph("<b>Progress</b>", s["body"]))
            for p in o.progress:
                block.append(
                    Paragraph(f"{text(_when(p.created_at))}, {text(p.author.name)}: {text(p.note)}", s["small"])
                )
        else:
            block.append(Paragraph("No progress recorded yet.", s["small"]))
        story.append(KeepTogether(block[:2]))
        story += block[2:]

    story += [
        Paragraph("Year-end review", s["h2"]),
        Paragraph(text(a.summary) if a.summary else "The year-end summary has not been written yet.", s["body"]),
        Paragraph("Signatures", s["h2"]),
    ]
    signed = [
        [a.person.name, "Person appraised", _when(a.signed_by_person_at) or "not yet signed"],
        [a.appraiser.name, "Appraiser", _when(a.signed_by_appraiser_at) or "not yet signed"],
    ]
    story.append(_table([["Name", "Signing as", "Signed"]] + signed, [60 * mm, 40 * mm, WIDTH - 100 * mm], s["body"]))
    if a.signed_digest:
        story.append(
            Paragraph(
                f"Signatures cover content digest (SHA-256) {text(a.signed_digest)}; "
                f"the content now has digest {text(pack.digest)}.",
                s["small"],
            )
        )
    else:
        story.append(Paragraph("Not yet signed by either side.", s["small"]))

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(18 * mm, 10 * mm, f"PDR pack: {a.person.name}, {a.year}. Page {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
