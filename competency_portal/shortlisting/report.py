"""The shortlist as rows with the reasons for every decision: what the CSV, XLSX and PDF exports say.

Candidates' names and emails appear only once the shortlist is agreed; until then, references.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from competency_portal.shortlisting.ranking import rank_label

if TYPE_CHECKING:
    from competency_portal.models import User
    from competency_portal.shortlisting.board import Board

EXPORT_HEADINGS = [
    "Rank",
    "Reference",
    "Essential total",
    "Desirable total",
    "Meets the essentials",
    "Guaranteed interview",
    "Decision",
    "Reason",
    "Decided by",
    "Decided on",
]


def _number(x: float) -> str:
    return f"{x:g}" if x == int(x) else f"{x:.1f}"


def export_rows(board: Board, names: dict[int, User]) -> tuple[list[str], list[list[str]]]:
    """The shortlist with reasons; candidates' names and emails only once the shortlist is agreed.

    `names`: the people who decided, by id.
    """
    show_names = board.vacancy.names_visible
    headings = list(EXPORT_HEADINGS)
    if show_names:
        headings[2:2] = ["Candidate", "Email"]
    rows = []
    for r in board.results:
        app = board.application(r.candidate.application_id)
        d = board.decisions.get(app.id)
        meets = (
            "Not yet known" if not r.complete and not r.fails_essentials else ("No" if r.fails_essentials else "Yes")
        )
        row = [
            rank_label(r, board.ties),
            app.reference,
            _number(r.essential_total),
            _number(r.desirable_total),
            meets,
            "Yes"
            if r.guaranteed_interview_flag
            else ("Yes (if the essentials are met)" if app.guaranteed_interview else "No"),
            d.outcome.label if d else "Not decided",
            d.reason if d else "",
            names[d.decided_by_id].name if d and d.decided_by_id in names else "",
            d.decided_at.strftime("%-d %B %Y") if d else "",
        ]
        if show_names:
            row[2:2] = [app.candidate_name, app.email]
        rows.append(row)
    return headings, rows
