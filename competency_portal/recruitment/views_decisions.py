"""Recruitment views: the lead's decision on one application, and the agreed score where the
panel's scores differ by 2 or more (moderation).

Only the vacancy's panel (and its lead) reach these pages; anyone else gets a 404. Only the lead
records decisions and agreed scores; the panel sees them once their own scores are in.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from competency_portal import clock, policy, web
from competency_portal.extensions import db
from competency_portal.models import Application, Outcome
from competency_portal.recruitment import VACANCY, bp
from competency_portal.recruitment.forms_shortlisting import DecisionForm, ModerationForm
from competency_portal.services import shortlist_board, shortlisting
from competency_portal.shortlisting.board import Board
from competency_portal.shortlisting.criteria import SpecCriterion
from competency_portal.shortlisting.ranking import rank_label
from competency_portal.shortlisting.scores import SCORE_LABELS


def _render_decision(board: Board, application: Application, form: DecisionForm, status: int = 200):
    rights = policy.rights_on(current_user, board.vacancy, board.panel)
    result = board.result(application.id)
    decision = board.decisions.get(application.id)
    flags = [c for c in board.criteria if result is not None and result.cells[c.item_id].needs_moderation]
    users = shortlist_board.people(db.session, {decision.decided_by_id} if decision else set())
    return render_template(
        "recruitment/decision.html",
        board=board,
        vacancy=board.vacancy,
        application=application,
        rights=rights,
        result=result,
        decision=decision,
        flags=flags,
        users=users,
        form=form,
        rank_label=rank_label,
        can_decide=rights.decide and board.everyone_submitted and not flags,
    ), status


@bp.route(VACANCY + "/applications/<int:application_id>/decision", methods=["GET", "POST"])
@policy.rule(policy.RECRUITER)
def decide(vacancy_id: int, application_id: int):
    """The lead's decision on one application (shortlist, reserve, not shortlisted), with the reason; others see it."""
    vacancy = policy.vacancy_for(db.session, current_user, vacancy_id)
    board = shortlist_board.load(db.session, vacancy)
    application = board.application(application_id) or abort(404)
    if request.method == "GET":
        if not policy.rights_on(current_user, vacancy, board.panel).sees_scores:
            flash("Submit your own scores first: decisions are made on the panel's scores.")
            return redirect(url_for("recruitment.shortlist", vacancy_id=vacancy_id))
        current = board.decisions.get(application.id)
        form = DecisionForm(formdata=None, outcome=current.outcome.value if current else "")
        return _render_decision(board, application, form)
    policy.require(policy.is_vacancy_lead(current_user, vacancy), 403)
    form = DecisionForm()
    if form.validate_on_submit():
        outcome = Outcome(form.outcome.data)
        decided = web.attempt(
            shortlisting.decide,
            db.session,
            vacancy,
            current_user,
            application,
            outcome,
            form.reason.data,
            clock.now(),
            refusals=shortlisting.ShortlistingError,
        )
        if decided:
            return web.done(
                f"{outcome.label}: {application.reference}.", "recruitment.shortlist", vacancy_id=vacancy_id
            )
        form.outcome.errors = [decided.error]
    if form.csrf_token.errors:
        abort(400)
    board = shortlist_board.load(db.session, policy.vacancy_for(db.session, current_user, vacancy_id))
    return _render_decision(board, board.application(application_id) or abort(404), form, 400)


def _render_moderation(board: Board, application: Application, criterion: SpecCriterion, form, status: int):
    rights = policy.rights_on(current_user, board.vacancy, board.panel)
    item_id = criterion.item_id
    cell = board.result(application.id).cells[item_id]
    moderation = board.moderations.get((application.id, item_id))
    users = shortlist_board.people(
        db.session, {m.user_id for m in board.panel} | ({moderation.moderated_by_id} if moderation else set())
    )
    return render_template(
        "recruitment/moderate.html",
        board=board,
        vacancy=board.vacancy,
        application=application,
        criterion=criterion,
        cell=cell,
        scores=board.submitted_scores(application.id).get(item_id, []) if rights.sees_scores else [],
        viewer_done=rights.sees_scores,
        moderation=moderation,
        users=users,
        form=form,
        labels=SCORE_LABELS,
        answer=next((a.text for a in application.answers if a.item_id == item_id), None),
        can_moderate=rights.moderate and board.everyone_submitted and moderation is None and cell.needs_moderation,
    ), status


@bp.route(VACANCY + "/applications/<int:application_id>/criteria/<int:item_id>/moderate", methods=["GET", "POST"])
@policy.rule(policy.RECRUITER)
def moderate(vacancy_id: int, application_id: int, item_id: int):
    """The lead records the agreed score, and why, where the panel's scores differ by 2 or more."""
    vacancy = policy.vacancy_for(db.session, current_user, vacancy_id)
    policy.require(policy.is_vacancy_lead(current_user, vacancy), 403)
    board = shortlist_board.load(db.session, vacancy)
    application = board.application(application_id) or abort(404)
    criterion = next((c for c in board.criteria if c.item_id == item_id), None) or abort(404)
    form = ModerationForm()
    if request.method == "GET":
        return _render_moderation(board, application, criterion, form, 200)
    if form.validate_on_submit():
        moderated = web.attempt(
            shortlisting.moderate,
            db.session,
            vacancy,
            current_user,
            application,
            item_id,
            int(form.value.data),
            form.reason.data,
            clock.now(),
            refusals=shortlisting.ShortlistingError,
        )
        if moderated:
            return web.done(
                f"Agreed score recorded for {criterion.code} on {application.reference}.",
                "recruitment.shortlist",
                vacancy_id=vacancy_id,
            )
        if isinstance(moderated.refusal, shortlisting.Conflict):
            return web.refused(
                moderated, "recruitment.moderate", vacancy_id=vacancy_id, application_id=application_id, item_id=item_id
            )
        form.value.errors = [moderated.error]
    if form.csrf_token.errors:
        abort(400)
    board = shortlist_board.load(db.session, policy.vacancy_for(db.session, current_user, vacancy_id))
    return _render_moderation(board, board.application(application_id) or abort(404), criterion, form, 400)
