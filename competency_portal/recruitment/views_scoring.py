"""Recruitment views: a panel member's score sheet for one application (0-3 and a reason on each
criterion, kept as a draft until they submit), and, once they have submitted, the panel's scores.

Only the vacancy's panel (and its lead) reach it; anyone else gets a 404. Applications are shown by
reference until the shortlist is agreed.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from competency_portal import clock, policy, web
from competency_portal.extensions import db
from competency_portal.models import Application
from competency_portal.recruitment import VACANCY, bp
from competency_portal.recruitment.forms_shortlisting import ScoreSheetForm
from competency_portal.services import panel_scores, shortlist_board, shortlisting
from competency_portal.shortlisting.board import Board, complete_count, missing_scores
from competency_portal.shortlisting.ranking import rank_label
from competency_portal.shortlisting.scores import REASON_MAX, SCORE_LABELS, parse_value


def _entries(board: Board, form_data) -> tuple[dict, list[tuple[str, str]]]:
    entries, problems = {}, []
    for c in board.criteria:
        raw, reason = form_data.get(f"score-{c.item_id}", ""), form_data.get(f"reason-{c.item_id}", "")
        try:
            value = parse_value(raw)
        except ValueError:
            problems.append((f"score-{c.item_id}", f"Choose a score from 0 to 3 for {c.code}"))
            continue
        if len(reason) > REASON_MAX:
            problems.append(
                (f"reason-{c.item_id}", f"Keep the reason for {c.code} to {REASON_MAX:,} characters or fewer")
            )
        entries[c.item_id] = (value, reason)
    return entries, problems


def _render_score(board: Board, application: Application, status: int = 200, problems=(), chosen=None):
    rights = policy.rights_on(current_user, board.vacancy, board.panel)
    users = shortlist_board.people(
        db.session,
        {m.user_id for m in board.panel}
        | {d.decided_by_id for d in board.decisions.values()}
        | {m.moderated_by_id for m in board.moderations.values()},
    )
    own = {item: s for (_, item), s in board.own_scores(current_user.id, application.id).items()}
    if chosen is None:
        chosen = {}
        for item, s in own.items():
            chosen[f"score-{item}"], chosen[f"reason-{item}"] = ("" if s.value is None else str(s.value)), s.reason
    return render_template(
        "recruitment/score.html",
        board=board,
        vacancy=board.vacancy,
        application=application,
        member=board.member(current_user.id),
        rights=rights,
        viewer_done=rights.sees_scores,
        result=board.result(application.id),
        panel_scores=board.submitted_scores(application.id) if rights.sees_scores else {},
        users=users,
        answers={a.item_id: a.text for a in application.answers},
        own=own,
        chosen=chosen,
        problems=list(problems),
        errors=dict(reversed(list(problems))),
        form=ScoreSheetForm(formdata=None),
        labels=SCORE_LABELS,
        decision=board.decisions.get(application.id),
        complete=complete_count(board, current_user.id, application.id),
        rank_label=rank_label,
    ), status


def _check_problems(board: Board, application: Application) -> list[tuple[str, str]]:
    """What submission still needs on this application, field by field (after a refused submission)."""
    problems = []
    for m in missing_scores(board, current_user.id, application.id):
        if m.score:
            problems.append((f"score-{m.item_id}", f"Choose a score for {m.code}"))
        if m.reason:
            problems.append((f"reason-{m.item_id}", f"Give a short reason for your score on {m.code}"))
    return problems


def _saved_message(vacancy_id: int, application: Application, changed: int) -> str:
    board = shortlist_board.load(db.session, policy.vacancy_for(db.session, current_user, vacancy_id))
    done, total = complete_count(board, current_user.id, application.id), len(board.criteria)
    left = (
        "every criterion has a score and a reason"
        if done == total
        else f"{done} of {total} criteria have a score and a reason; the rest are kept as you left them"
    )
    return (
        f"Your scores for {application.reference} are saved ({changed} changed): {left}. "
        "Other panel members cannot see them."
    )


@bp.route(VACANCY + "/applications/<int:application_id>/score", methods=["GET", "POST"])
@policy.rule(policy.RECRUITER)
def score(vacancy_id: int, application_id: int):
    """Your scores (0-3, each with a reason) for one application's criteria; once submitted, the panel's too."""
    vacancy = policy.vacancy_for(db.session, current_user, vacancy_id)
    board = shortlist_board.load(db.session, vacancy)
    application = board.application(application_id) or abort(404)
    if request.method == "GET":
        checking = request.args.get("check") == "1" and policy.rights_on(current_user, vacancy, board.panel).score
        return _render_score(board, application, problems=_check_problems(board, application) if checking else ())
    if not ScoreSheetForm().validate_on_submit():
        abort(400)
    entries, problems = _entries(board, request.form)
    if not problems:
        saved = web.attempt(
            panel_scores.save_scores,
            db.session,
            vacancy,
            current_user,
            application,
            entries,
            clock.now(),
            refusals=shortlisting.ShortlistingError,
        )
        if saved:
            message = _saved_message(vacancy_id, application, saved.value)
            return web.done(message, "recruitment.shortlist", vacancy_id=vacancy_id)
        if isinstance(saved.refusal, shortlisting.Conflict):
            return web.refused(saved, "recruitment.score", vacancy_id=vacancy_id, application_id=application_id)
        problems = [("application-heading", saved.error)]
    board = shortlist_board.load(db.session, policy.vacancy_for(db.session, current_user, vacancy_id))
    return _render_score(board, board.application(application_id) or abort(404), 400, problems, chosen=request.form)
