"""Recruitment views: the shortlist page (the panel's progress, then the ranked shortlist, flags,
decisions and charts), submitting your scores and agreeing the shortlist.

Only the vacancy's panel (and its lead) reach these pages; anyone else gets a 404 so as not to
reveal that the vacancy exists. Nothing here shows a candidate's name or email before the lead
agrees the shortlist.
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from competency_portal import charts, clock, policy, web
from competency_portal.extensions import db
from competency_portal.forms import id_arg
from competency_portal.models import Vacancy
from competency_portal.recruitment import VACANCY, bp
from competency_portal.recruitment.forms_shortlisting import ActionForm
from competency_portal.services import (
    panel_scores,
    recruitment_progress,
    recruitment_steps,
    shortlist_page,
    shortlisting,
)
from competency_portal.shortlisting.board import Missing
from competency_portal.shortlisting.ranking import rank_label
from competency_portal.shortlisting.scores import SCORE_LABELS


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
    rights = policy.rights_on(current_user, vacancy, page.panel)
    facts = recruitment_progress.progress(db.session, vacancy, current_user.id, rights, page)
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
        panel=page.panel_lines(current_user.id),
        problems=list(problems),
        rank_label=rank_label,
    ), status


def _missing_problems(vacancy: Vacancy, missing: list[Missing]) -> list[tuple[str, str]]:
    """One line for each application with criteria still to score, naming them, linking to its score page."""
    by_app: dict[int, list[Missing]] = {}
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


@bp.get(VACANCY + "/shortlist")
@policy.rule(policy.RECRUITER)
def shortlist(vacancy_id: int):
    """The panel's progress; once you have submitted, the ranked shortlist, flags, decisions and charts."""
    return _render_shortlist(policy.vacancy_for(db.session, current_user, vacancy_id))


@bp.post(VACANCY + "/scores/submit")
@policy.rule(policy.RECRUITER)
def submit_scores(vacancy_id: int):
    """Submit your scores for every application (after which you see the panel's)."""
    vacancy = policy.vacancy_for(db.session, current_user, vacancy_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    submitted = web.attempt(
        panel_scores.submit_scores,
        db.session,
        vacancy,
        current_user,
        clock.now(),
        refusals=shortlisting.ShortlistingError,
    )
    if submitted:
        return web.done(
            "Your scores are submitted. You can now see the panel's scores.",
            "recruitment.shortlist",
            vacancy_id=vacancy_id,
        )
    vacancy = policy.vacancy_for(db.session, current_user, vacancy_id)
    problems = [("#submit-scores", submitted.error)]
    if isinstance(submitted.refusal, shortlisting.IncompleteScores):
        problems += _missing_problems(vacancy, submitted.refusal.missing)
    return _render_shortlist(vacancy, 400, problems)


@bp.post(VACANCY + "/shortlist/agree")
@policy.rule(policy.RECRUITER)
def agree_shortlist(vacancy_id: int):
    """The lead agrees the shortlist: decisions are fixed and candidates' names are shown."""
    vacancy = policy.vacancy_for(db.session, current_user, vacancy_id)
    policy.require(policy.is_vacancy_lead(current_user, vacancy), 403)
    if not ActionForm().validate_on_submit():
        abort(400)
    agreed = web.attempt(
        shortlisting.agree, db.session, vacancy, current_user, clock.now(), refusals=shortlisting.ShortlistingError
    )
    if agreed:
        return web.done(
            "The shortlist is agreed. Candidates' names are now shown to the panel.",
            "recruitment.shortlist",
            vacancy_id=vacancy_id,
        )
    if isinstance(agreed.refusal, shortlisting.Conflict):
        return web.refused(agreed, "recruitment.shortlist", vacancy_id=vacancy_id)
    vacancy = policy.vacancy_for(db.session, current_user, vacancy_id)
    return _render_shortlist(vacancy, 400, [("#agree-shortlist", agreed.error)])
