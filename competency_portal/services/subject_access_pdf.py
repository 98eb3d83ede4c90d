"""The archive's summary.pdf: what is held about a person, section by section, in words a person can read.

Each kind of record is a section headed by what it is and how many there are; each record is one
line of its filled-in fields. The JSON files beside it are the complete, exact records.
"""

from __future__ import annotations

import io
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

NHS_BLUE = colors.HexColor("#005EB8")
ROWS_SHOWN = 300  # per kind of record; the JSON has them all
SKIPPED = {"id", "lock_version", "digest", "content_hash", "prev_hash", "hash", "token", "stored_name", "sha256"}


def _line(record: dict) -> str:
    parts = []
    for name, value in record.items():
        if name in SKIPPED or value in (None, "", [], {}):
            continue
        shown = value if isinstance(value, str) else str(value)
        parts.append(
            f"<b>{escape(name.replace('_', ' '))}</b>: {escape(shown[:160] + ('…' if len(shown) > 160 else ''))}"
        )
    return "; ".join(parts)


def summary(person, held, now: datetime) -> bytes:
    """The summary as PDF bytes."""
    styles = getSampleStyleSheet()
    title = ParagraphStyle("title", parent=styles["Title"], textColor=NHS_BLUE, alignment=0)
    heading = ParagraphStyle("heading", parent=styles["Heading2"], textColor=NHS_BLUE)
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=9, leading=12)
    story = [
        Paragraph(escape(f"Everything held about {person.name}"), title),
        Paragraph(
            escape(
                f"{person.email}. Produced by the Competency Portal on {now:%d %B %Y at %H:%M} UTC. "
                "The complete records are in the records folder of this archive, and the files attached to "
                "evidence in the attachments folder. Password and code hashes and the two-factor secret are withheld."
            ),
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    for table, count in held.count().items():
        what = "; ".join(dict.fromkeys(held.why[table]))
        story.append(Paragraph(escape(f"{what} ({count})"), heading))
        rows = held.rows(table)
        for record in rows[:ROWS_SHOWN]:
            story.append(Paragraph(_line(record) or "(no details)", body))
        if len(rows) > ROWS_SHOWN:
            story.append(Paragraph(escape(f"… and {len(rows) - ROWS_SHOWN} more, in records/{table}.json"), body))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, title="Everything held about you"
    )
    doc.build(story)
    return out.getvalue()
