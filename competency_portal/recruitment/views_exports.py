"""Recruitment views: the shortlist with reasons as CSV, Excel and PDF, the charts' data, and the
interview scoring sheet.

Only the vacancy's panel (and its lead) reach these; anyone else gets a 404. The shortlist and its
charts wait for your own scores; nothing shows a candidate's name or email before the lead agrees
the shortlist.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from competency_portal import charts, clock, exports, policy
from competency_portal.extensions import db
from competency_portal.recruitment import VACANCY, bp
from competency_portal.services import shortlist_board, shortlist_exports
from competency_portal.shortlisting.board import Board
from competency_portal.shortlisting.report import export_rows
from competency_portal.shortlisting.scores import SCORE_LABELS

PDF_MIMETYPE = "application/pdf"


def _charts(board: Board) -> list[charts.Chart]:
    refs = [r.candidate.reference for r in board.results]
    agreed = [[r.cells[c.item_id].agreed for c in board.criteria] for r in board.results]
    flagged = {
        (i, j)
        for i, r in enumerate(board.results)
        for j, c in enumerate(board.criteria)
        if r.cells[c.item_id].needs_moderation
    }
    return [
        charts.candidates_by_criteria(
            refs, [(c.code, c.essential, c.statement) for c in board.criteria], agreed, flagged
        ),
        charts.score_distribution(board.score_counts(), SCORE_LABELS),
    ]


def _export_board(vacancy_id: int) -> Board | Response:
    """The board, if the signed-in person sees the panel's scores; else back to the shortlist, saying why."""
    board = shortlist_board.load(db.session, policy.vacancy_for(db.session, current_user, vacancy_id))
    if not policy.rights_on(current_user, board.vacancy, board.panel).sees_scores:
        flash("Submit your own scores first: the shortlist shows the panel's scores.")
        return redirect(url_for("recruitment.shortlist", vacancy_id=vacancy_id))
    return board


def _download(data, mimetype: str, filename: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _export_rows(board: Board):
    users = shortlist_board.people(db.session, {d.decided_by_id for d in board.decisions.values()})
    return export_rows(board, users)


@bp.get(VACANCY + "/shortlist.csv")
@policy.rule(policy.RECRUITER)
def shortlist_csv(vacancy_id: int):
    """The shortlist with reasons, as CSV."""
    board = _export_board(vacancy_id)
    if isinstance(board, Response):
        return board
    return _download(
        shortlist_exports.to_csv(*_export_rows(board)), exports.CSV_MIMETYPE, f"shortlist-{vacancy_id}.csv"
    )


@bp.get(VACANCY + "/shortlist.xlsx")
@policy.rule(policy.RECRUITER)
def shortlist_xlsx(vacancy_id: int):
    """The shortlist with reasons, as an Excel workbook."""
    board = _export_board(vacancy_id)
    if isinstance(board, Response):
        return board
    data = shortlist_exports.to_xlsx(board.vacancy, *_export_rows(board))
    return _download(data, exports.XLSX_MIMETYPE, f"shortlist-{vacancy_id}.xlsx")


@bp.get(VACANCY + "/shortlist.pdf")
@policy.rule(policy.RECRUITER)
def shortlist_pdf(vacancy_id: int):
    """The shortlist with reasons, as PDF."""
    board = _export_board(vacancy_id)
    if isinstance(board, Response):
        return board
    data = shortlist_exports.to_pdf(board.vacancy, *_export_rows(board), clock.now())
    return _download(data, PDF_MIMETYPE, f"shortlist-{vacancy_id}.pdf")


@bp.get(VACANCY + "/shortlist/charts/<chart>.csv")
@policy.rule(policy.RECRUITER)
def shortlist_chart_csv(vacancy_id: int, chart: str):
    """One of the shortlist's charts, as CSV."""
    board = _export_board(vacancy_id)
    if isinstance(board, Response):
        return board
    found = next((c for c in _charts(board) if c.name == chart), None) or abort(404)
    data = shortlist_exports.to_csv(found.headings, found.rows)
    return _download(data, exports.CSV_MIMETYPE, f"{found.name}-{vacancy_id}.csv")


# -- the interview sheet ----------------------------------------------------------------


@bp.get(VACANCY + "/interview-sheet")
@policy.rule(policy.RECRUITER)
def interview_sheet(vacancy_id: int):
    """The criteria assessed at interview, test or exercise, as a scoring sheet for each shortlisted candidate."""
    board = shortlist_board.load(db.session, policy.vacancy_for(db.session, current_user, vacancy_id))
    return render_template(
        "recruitment/interview_sheet.html",
        board=board,
        vacancy=board.vacancy,
        candidates=shortlist_board.shortlisted(board) if board.vacancy.names_visible else [],
        labels=SCORE_LABELS,
    )


@bp.get(VACANCY + "/interview-sheet.pdf")
@policy.rule(policy.RECRUITER)
def interview_sheet_pdf(vacancy_id: int):
    """The interview scoring sheet as PDF (one page per shortlisted candidate; a blank sheet before agreement)."""
    board = shortlist_board.load(db.session, policy.vacancy_for(db.session, current_user, vacancy_id))
    agreed = board.vacancy.names_visible
    candidates = shortlist_board.shortlisted(board) if agreed else []
    data = shortlist_exports.interview_sheet_pdf(
        board.vacancy, board.interview_criteria, candidates, agreed, clock.now()
    )
    return _download(data, PDF_MIMETYPE, f"interview-sheet-{vacancy_id}.pdf")
