"""Recruitment views: shortlisting (panel scoring, moderation, the lead's decisions, the shortlist, exports).

Only the vacancy's panel (and its lead) reach these pages; anyone else gets a 404 so as not to
reveal that the vacancy exists. Nothing here shows a candidate's name or email before the lead
agrees the shortlist.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from competency_portal import charts, clock, policy
from competency_portal.extensions import db
from competency_portal.forms import id_arg
from competency_portal.models import Application, Outcome, Vacancy
from competency_portal.recruitment import bp
from competency_portal.recruitment.forms_shortlisting import ActionForm, DecisionForm, ModerationForm, ScoreSheetForm
from competency_portal.recruitment.shortlist import SCORE_LABELS
from competency_portal.services import recruitment_steps, shortlist_page, shortlisting
from competency_portal.services import shortlist_exports as exports

PREFIX = "/recruitment/vacancies/<int:vacancy_id>"


def _vacancy(vacancy_id: int) -> Vacancy:
    """The vacancy, if the signed-in person is on its panel or leads it (404 otherwise)."""
    vacancy = db.session.get(Vacancy, vacancy_id) or abort(404)
    policy.require(policy.can_see_vacancy(current_user, vacancy))
    return vacancy


def _rights(vacancy: Vacancy, member=None) -> policy.VacancyRights:
    member = member if member is not None else next((m for m in vacancy.panel if m.user_id == current_user.id), None)
    return policy.vacancy_rights(current_user, vacancy, member)


def _application(board: shortlisting.Board, application_id: int) -> Application:
    return board.application(application_id) or abort(404)


def _has_submitted(board: shortlisting.Board) -> bool:
    """Whether the signed-in person may see the panel's scores: they submitted theirs (or lead without scoring)."""
    return shortlist_page.sees_scores(board.vacancy, board.member(current_user.id), current_user.id)


def _charts(board: shortlisting.Board) -> list[charts.Chart]:
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


def _page_charts(page: shortlist_page.ShortlistPage) -> list[charts.Chart]:
    """The agreed scores of this page's applications, and how every submitted score is spread."""
    refs = [r.candidate.reference for r in page.results]
    agreed = [[r.cells[c.item_id].agreed for c in page.criteria] for r in page.results]
    flagged = {
        (i, j)
        for i, r in enumerate(page.results)
        for j, c in enumerate(page.criteria)
        if r.cells[c.item_id].needs_moderation
    }
    return [
        charts.candidates_by_criteria(
            refs, [(c.code, c.essential, c.statement) for c in page.criteria], agreed, flagged
        ),
        charts.score_distribution(page.score_counts, SCORE_LABELS),
    ]


def _render_shortlist(vacancy: Vacancy, status: int = 200, problems=()):
    page = shortlist_page.load_page(db.session, vacancy, current_user.id, id_arg(request.args.get("page")) or 1)
    rights = _rights(vacancy, page.member(current_user.id))
    facts = recruitment_steps.progress(db.session, vacancy, current_user.id, rights, page)
    return render_template(
        "recruitment/shortlist.html",
        board=page,
        vacancy=vacancy,
        viewer_done=page.viewer_done,
        member=page.member(current_user.id),
        rights=rights,
        step=recruitment_steps.next_step(facts, rights, clock.today()),
        charts=_page_charts(page) if page.viewer_done else [],
        form=ActionForm(),
        panel=[
            (m.user.name, m.user_id == vacancy.lead_id, m.user_id == current_user.id, m.scores_submitted_at)
            for m in page.panel
        ],
        problems=list(problems),
        rank_label=shortlisting.rank_label,
    ), status


def _missing_problems(vacancy: Vacancy, missing: list[shortlisting.Missing]) -> list[tuple[str, str]]:
    """One line for each application with criteria still to score, naming them, linking to its score page."""
    by_app: dict[int, list[shortlisting.Missing]] = {}
    for m in missing:
        by_app.setdefault(m.application_id, []).append(m)
    lines = []
    for app_id, found in by_app.items():
        groups = (
            ("a score and a reason", [m.code for m in found if m.score and m.reason]),
            ("a score", [m.code for m in found if m.score and not m.reason]),
            ("a reason", [m.code for m in found if m.reason and not m.score]),
        )
        parts = [f"{what} for {', '.join(codes)}" for what, codes in groups if codes]
        said = parts[0] if len(parts) == 1 else "; ".join(parts[:-1]) + " and " + parts[-1]
        lines.append(
            (
                url_for("recruitment.score", vacancy_id=vacancy.id, application_id=app_id, check=1),
                f"{found[0].reference} still needs {said}",
            )
        )
    return lines


# -- the shortlist ----------------------------------------------------------------------


@bp.get(PREFIX + "/shortlist")
@policy.rule(policy.RECRUITER)
def shortlist(vacancy_id: int):
    """The panel's progress; once you have submitted, the ranked shortlist, flags, decisions and charts."""
    return _render_shortlist(_vacancy(vacancy_id))


@bp.post(PREFIX + "/scores/submit")
@policy.rule(policy.RECRUITER)
def submit_scores(vacancy_id: int):
    """Submit your scores for every application (after which you see the panel's)."""
    vacancy = _vacancy(vacancy_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        shortlisting.submit_scores(db.session, vacancy, current_user, clock.now())
    except shortlisting.IncompleteScores as exc:
        db.session.rollback()
        vacancy = _vacancy(vacancy_id)
        return _render_shortlist(vacancy, 400, [("#submit-scores", str(exc))] + _missing_problems(vacancy, exc.missing))
    except shortlisting.ShortlistingError as exc:
        db.session.rollback()
        return _render_shortlist(_vacancy(vacancy_id), 400, [("#submit-scores", str(exc))])
    db.session.commit()
    flash("Your scores are submitted. You can now see the panel's scores.")
    return redirect(url_for("recruitment.shortlist", vacancy_id=vacancy_id))


@bp.post(PREFIX + "/shortlist/agree")
@policy.rule(policy.RECRUITER)
def agree_shortlist(vacancy_id: int):
    """The lead agrees the shortlist: decisions are fixed and candidates' names are shown."""
    vacancy = _vacancy(vacancy_id)
    policy.require(policy.is_vacancy_lead(current_user, vacancy), 403)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        shortlisting.agree(db.session, vacancy, current_user, clock.now())
    except shortlisting.Conflict as exc:
        db.session.rollback()
        flash(str(exc))
        return redirect(url_for("recruitment.shortlist", vacancy_id=vacancy_id))
    except shortlisting.ShortlistingError as exc:
        db.session.rollback()
        return _render_shortlist(_vacancy(vacancy_id), 400, [("#agree-shortlist", str(exc))])
    db.session.commit()
    flash("The shortlist is agreed. Candidates' names are now shown to the panel.")
    return redirect(url_for("recruitment.shortlist", vacancy_id=vacancy_id))


# -- scoring one application ------------------------------------------------------------


def _entries(board: shortlisting.Board, form_data) -> tuple[dict, list[tuple[str, str]]]:
    entries, problems = {}, []
    for c in board.criteria:
        raw, reason = form_data.get(f"score-{c.item_id}", ""), form_data.get(f"reason-{c.item_id}", "")
        try:
            value = shortlisting.parse_value(raw)
        except ValueError:
            problems.append((f"score-{c.item_id}", f"Choose a score from 0 to 3 for {c.code}"))
            continue
        if len(reason) > shortlisting.REASON_MAX:
            problems.append(
                (
                    f"reason-{c.item_id}",
                    f"Keep the reason for {c.code} to {shortlisting.REASON_MAX:,} characters or fewer",
                )
            )
        entries[c.item_id] = (value, reason)
    return entries, problems


def _render_score(board: shortlisting.Board, application: Application, status: int = 200, problems=(), chosen=None):
    member = board.member(current_user.id)
    rights = _rights(board.vacancy, member)
    result = board.result(application.id)
    users = shortlisting.people(
        db.session,
        {m.user_id for m in board.panel}
        | {d.decided_by_id for d in board.decisions.values()}
        | {m.moderated_by_id for m in board.moderations.values()},
    )
    answers = {a.item_id: a.text for a in application.answers}
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
        member=member,
        rights=rights,
        viewer_done=rights.sees_scores,
        result=result,
        panel_scores=board.submitted_scores(application.id) if rights.sees_scores else {},
        users=users,
        answers=answers,
        own=own,
        chosen=chosen,
        problems=list(problems),
        errors=dict(reversed(list(problems))),
        form=ScoreSheetForm(formdata=None),
        labels=SCORE_LABELS,
        decision=board.decisions.get(application.id),
        complete=shortlisting.complete_count(board, current_user.id, application.id),
        rank_label=shortlisting.rank_label,
    ), status


def _check_problems(board: shortlisting.Board, application: Application) -> list[tuple[str, str]]:
    """What submission still needs on this application, field by field (after a refused submission)."""
    problems = []
    for m in shortlisting.missing_scores(board, current_user.id, application.id):
        if m.score:
            problems.append((f"score-{m.item_id}", f"Choose a score for {m.code}"))
        if m.reason:
            problems.append((f"reason-{m.item_id}", f"Give a short reason for your score on {m.code}"))
    return problems


@bp.route(PREFIX + "/applications/<int:application_id>/score", methods=["GET", "POST"])
@policy.rule(policy.RECRUITER)
def score(vacancy_id: int, application_id: int):
    """Your scores (0-3, each with a reason) for one application's criteria; once submitted, the panel's too."""
    vacancy = _vacancy(vacancy_id)
    board = shortlisting.load(db.session, vacancy)
    application = _application(board, application_id)
    if request.method == "GET":
        checking = request.args.get("check") == "1" and _rights(vacancy, board.member(current_user.id)).score
        return _render_score(board, application, problems=_check_problems(board, application) if checking else ())
    form = ScoreSheetForm()
    if not form.validate_on_submit():
        abort(400)
    entries, problems = _entries(board, request.form)
    if not problems:
        try:
            changed = shortlisting.save_scores(db.session, vacancy, current_user, application, entries, clock.now())
        except shortlisting.Conflict as exc:
            db.session.rollback()
            flash(str(exc))
            return redirect(url_for("recruitment.score", vacancy_id=vacancy_id, application_id=application_id))
        except shortlisting.ShortlistingError as exc:
            db.session.rollback()
            problems = [("application-heading", str(exc))]
        else:
            db.session.commit()
            board = shortlisting.load(db.session, _vacancy(vacancy_id))
            done, total = shortlisting.complete_count(board, current_user.id, application.id), len(board.criteria)
            left = (
                "every criterion has a score and a reason"
                if done == total
                else (f"{done} of {total} criteria have a score and a reason; the rest are kept as you left them")
            )
            flash(
                f"Your scores for {application.reference} are saved ({changed} changed): {left}. Other panel members cannot see them."
            )
            return redirect(url_for("recruitment.shortlist", vacancy_id=vacancy_id))
    board = shortlisting.load(db.session, _vacancy(vacancy_id))
    return _render_score(board, _application(board, application_id), 400, problems, chosen=request.form)


def _render_decision(board: shortlisting.Board, application: Application, form: DecisionForm, status: int = 200):
    rights = _rights(board.vacancy, board.member(current_user.id))
    result = board.result(application.id)
    decision = board.decisions.get(application.id)
    flags = [c for c in board.criteria if result is not None and result.cells[c.item_id].needs_moderation]
    users = shortlisting.people(db.session, {decision.decided_by_id} if decision else set())
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
        rank_label=shortlisting.rank_label,
        can_decide=rights.decide and board.everyone_submitted and not flags,
    ), status


@bp.route(PREFIX + "/applications/<int:application_id>/decision", methods=["GET", "POST"])
@policy.rule(policy.RECRUITER)
def decide(vacancy_id: int, application_id: int):
    """The lead's decision on one application (shortlist, reserve, not shortlisted), with the reason; others see it."""
    vacancy = _vacancy(vacancy_id)
    board = shortlisting.load(db.session, vacancy)
    application = _application(board, application_id)
    if request.method == "GET":
        if not _rights(vacancy, board.member(current_user.id)).sees_scores:
            flash("Submit your own scores first: decisions are made on the panel's scores.")
            return redirect(url_for("recruitment.shortlist", vacancy_id=vacancy_id))
        current = board.decisions.get(application.id)
        form = DecisionForm(formdata=None, outcome=current.outcome.value if current else "")
        return _render_decision(board, application, form)
    policy.require(policy.is_vacancy_lead(current_user, vacancy), 403)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            shortlisting.decide(
                db.session,
                vacancy,
                current_user,
                application,
                Outcome(form.outcome.data),
                form.reason.data,
                clock.now(),
            )
        except shortlisting.ShortlistingError as exc:
            db.session.rollback()
            form.outcome.errors = [str(exc)]
        else:
            db.session.commit()
            flash(f"{Outcome(form.outcome.data).label}: {application.reference}.")
            return redirect(url_for("recruitment.shortlist", vacancy_id=vacancy_id))
    if form.csrf_token.errors:
        abort(400)
    board = shortlisting.load(db.session, _vacancy(vacancy_id))
    return _render_decision(board, _application(board, application_id), form, 400)


# -- moderation -------------------------------------------------------------------------


@bp.route(PREFIX + "/applications/<int:application_id>/criteria/<int:item_id>/moderate", methods=["GET", "POST"])
@policy.rule(policy.RECRUITER)
def moderate(vacancy_id: int, application_id: int, item_id: int):
    """The lead records the agreed score, and why, where the panel's scores differ by 2 or more."""
    vacancy = _vacancy(vacancy_id)
    policy.require(policy.is_vacancy_lead(current_user, vacancy), 403)
    board = shortlisting.load(db.session, vacancy)
    application = _application(board, application_id)
    criterion = next((c for c in board.criteria if c.item_id == item_id), None) or abort(404)
    form = ModerationForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                shortlisting.moderate(
                    db.session,
                    vacancy,
                    current_user,
                    application,
                    item_id,
                    int(form.value.data),
                    form.reason.data,
                    clock.now(),
                )
            except shortlisting.Conflict as exc:
                db.session.rollback()
                flash(str(exc))
                return redirect(
                    url_for(
                        "recruitment.moderate", vacancy_id=vacancy_id, application_id=application_id, item_id=item_id
                    )
                )
            except shortlisting.ShortlistingError as exc:
                db.session.rollback()
                form.value.errors = [str(exc)]
            else:
                db.session.commit()
                flash(f"Agreed score recorded for {criterion.code} on {application.reference}.")
                return redirect(url_for("recruitment.shortlist", vacancy_id=vacancy_id))
        if form.csrf_token.errors:
            abort(400)
        status = 400
        board = shortlisting.load(db.session, _vacancy(vacancy_id))
        application = _application(board, application_id)
    viewer_done = _has_submitted(board)
    result = board.result(application.id)
    moderation = board.moderations.get((application.id, item_id))
    users = shortlisting.people(
        db.session, {m.user_id for m in board.panel} | ({moderation.moderated_by_id} if moderation else set())
    )
    return render_template(
        "recruitment/moderate.html",
        board=board,
        vacancy=board.vacancy,
        application=application,
        criterion=criterion,
        cell=result.cells[item_id],
        scores=board.submitted_scores(application.id).get(item_id, []) if viewer_done else [],
        viewer_done=viewer_done,
        moderation=moderation,
        users=users,
        form=form,
        labels=SCORE_LABELS,
        answer=next((a.text for a in application.answers if a.item_id == item_id), None),
        can_moderate=_rights(board.vacancy, board.member(current_user.id)).moderate
        and board.everyone_submitted
        and moderation is None
        and result.cells[item_id].needs_moderation,
    ), status


# -- exports ----------------------------------------------------------------------------


def _export_board(vacancy_id: int) -> shortlisting.Board | Response:
    board = shortlisting.load(db.session, _vacancy(vacancy_id))
    if not _has_submitted(board):
        flash("Submit your own scores first: the shortlist shows the panel's scores.")
        return redirect(url_for("recruitment.shortlist", vacancy_id=vacancy_id))
    return board


def _download(data, mimetype: str, filename: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _export_rows(board: shortlisting.Board):
    users = shortlisting.people(db.session, {d.decided_by_id for d in board.decisions.values()})
    return shortlisting.export_rows(board, users)


@bp.get(PREFIX + "/shortlist.csv")
@policy.rule(policy.RECRUITER)
def shortlist_csv(vacancy_id: int):
    """The shortlist with reasons, as CSV."""
    board = _export_board(vacancy_id)
    if isinstance(board, Response):
        return board
    return _download(exports.to_csv(*_export_rows(board)), "text/csv", f"shortlist-{vacancy_id}.csv")


@bp.get(PREFIX + "/shortlist.xlsx")
@policy.rule(policy.RECRUITER)
def shortlist_xlsx(vacancy_id: int):
    """The shortlist with reasons, as an Excel workbook."""
    board = _export_board(vacancy_id)
    if isinstance(board, Response):
        return board
    return _download(
        exports.to_xlsx(board.vacancy, *_export_rows(board)),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"shortlist-{vacancy_id}.xlsx",
    )


@bp.get(PREFIX + "/shortlist.pdf")
@policy.rule(policy.RECRUITER)
def shortlist_pdf(vacancy_id: int):
    """The shortlist with reasons, as PDF."""
    board = _export_board(vacancy_id)
    if isinstance(board, Response):
        return board
    return _download(
        exports.to_pdf(board.vacancy, *_export_rows(board), clock.now()),
        "application/pdf",
        f"shortlist-{vacancy_id}.pdf",
    )


@bp.get(PREFIX + "/shortlist/charts/<chart>.csv")
@policy.rule(policy.RECRUITER)
def shortlist_chart_csv(vacancy_id: int, chart: str):
    """One of the shortlist's charts, as CSV."""
    board = _export_board(vacancy_id)
    if isinstance(board, Response):
        return board
    found = next((c for c in _charts(board) if c.name == chart), None) or abort(404)
    return _download(exports.to_csv(found.headings, found.rows), "text/csv", f"{found.name}-{vacancy_id}.csv")


# -- the interview sheet ----------------------------------------------------------------


@bp.get(PREFIX + "/interview-sheet")
@policy.rule(policy.RECRUITER)
def interview_sheet(vacancy_id: int):
    """The criteria assessed at interview, test or exercise, as a scoring sheet for each shortlisted candidate."""
    board = shortlisting.load(db.session, _vacancy(vacancy_id))
    return render_template(
        "recruitment/interview_sheet.html",
        board=board,
        vacancy=board.vacancy,
        candidates=shortlisting.shortlisted(board) if board.vacancy.names_visible else [],
        labels=SCORE_LABELS,
    )


@bp.get(PREFIX + "/interview-sheet.pdf")
@policy.rule(policy.RECRUITER)
def interview_sheet_pdf(vacancy_id: int):
    """The interview scoring sheet as PDF (one page per shortlisted candidate; a blank sheet before agreement)."""
    board = shortlisting.load(db.session, _vacancy(vacancy_id))
    agreed = board.vacancy.names_visible
    data = exports.interview_sheet_pdf(
        board.vacancy, board.interview_criteria, shortlisting.shortlisted(board) if agreed else [], agreed, clock.now()
    )
    return _download(data, "application/pdf", f"interview-sheet-{vacancy_id}.pdf")
