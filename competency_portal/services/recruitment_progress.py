"""The facts the next steps on a vacancy are worked out from, read in a fixed number of queries.

`progress` reads them for one vacancy (the vacancy and shortlist pages), `progress_for_list` for
all of a recruiter's vacancies (the recruitment list); the rules are in `recruitment_steps`.
"""

from __future__ import annotations

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from competency_portal.models import Application, Item, Score, ShortlistDecision, User, Vacancy, VacancyStatus
from competency_portal.policy import VacancyRights
from competency_portal.services import shortlist_board, shortlist_page, shortlist_sums
from competency_portal.services.recruitment_steps import Progress
from competency_portal.shortlisting.criteria import APPLICATION_METHOD


def progress(
    session: Session,
    vacancy: Vacancy,
    viewer_id: int,
    rights: VacancyRights,
    page: shortlist_page.ShortlistPage | None = None,
) -> Progress:
    """The facts for one vacancy as `viewer_id` sees it, in a fixed number of queries.

    Given the shortlist `page` already loaded for this viewer, its criteria, panel, own counts and
    moderation flags are used rather than read and worked out again (the flags cost as much as the
    page's ranking).
    """
    if page is not None:
        criteria, panel, own = page.criteria, page.panel, page.own_counts
    else:
        criteria = shortlist_board.application_criteria(session, vacancy.spec_version_id)
        panel = shortlist_board.panel(session, vacancy.id)
        own = shortlist_board.own_counts(session, vacancy.id, viewer_id, [c.item_id for c in criteria])
    apps = list(
        session.execute(
            select(Application.id, Application.reference)
            .where(Application.vacancy_id == vacancy.id)
            .order_by(Application.reference)
        )
    )
    in_vacancy = select(Application.id).where(Application.vacancy_id == vacancy.id)
    decided = set(
        session.scalars(
            select(ShortlistDecision.application_id).where(ShortlistDecision.application_id.in_(in_vacancy)).distinct()
        )
    )
    member = next((m for m in panel if m.user_id == viewer_id), None)
    unscored = [(i, r) for i, r in apps if own.get(i, 0) < len(criteria)]
    found = Progress(
        vacancy=vacancy,
        applications=len(apps),
        criteria=len(criteria),
        panel=[(m.user.name, m.scores_submitted_at is not None) for m in panel],
        viewer_submitted=None if member is None else member.scores_submitted_at is not None,
        to_score=len(unscored) if member is not None else 0,
        next_to_score=unscored[0] if unscored else None,
        decided=len(decided),
        next_undecided=next(((i, r) for i, r in apps if i not in decided), None),
        lead_name=vacancy.lead.name,
        own=own,
        waiting=["you" if m.user_id == viewer_id else m.user.name for m in panel if m.scores_submitted_at is None],
    )
    if rights.sees_scores and found.everyone_submitted and apps and vacancy.status != VacancyStatus.OPEN:
        if page is not None and page.viewer_done:
            flagged = [(cand.application_id, c.item_id) for cand, c in page.flags]
        else:
            flagged = shortlist_sums.flagged(session, vacancy, criteria, len(panel), [m.user_id for m in panel])
        refs, codes = dict(apps), {c.item_id: c.code for c in criteria}
        found.flags = len(flagged)
        found.next_flag = next(((a, refs[a], i, codes[i]) for a, i in flagged), None)
    return found


def progress_for_list(session: Session, found: list[Vacancy], viewer_id: int) -> dict[int, Progress]:
    """The facts for each of a recruiter's vacancies (without moderation flags), in a fixed number of queries."""
    ids = [v.id for v in found] or [0]
    counts = dict(
        session.execute(
            select(Application.vacancy_id, func.count())
            .where(Application.vacancy_id.in_(ids))
            .group_by(Application.vacancy_id)
        ).all()
    )
    versions = {v.spec_version_id for v in found} or {0}
    criteria: dict[int, set[int]] = {}
    for item_id, version_id, assessed in session.execute(
        select(Item.id, Item.version_id, Item.assessed_by).where(Item.version_id.in_(versions))
    ):
        if APPLICATION_METHOD in (assessed or []):
            criteria.setdefault(version_id, set()).add(item_id)
    own: dict[int, list[int]] = {}
    every = {i for s in criteria.values() for i in s} or {0}
    for vacancy_id, n in session.execute(
        select(Application.vacancy_id, func.count())
        .join(Score, Score.application_id == Application.id)
        .where(
            Application.vacancy_id.in_(ids),
            Score.scorer_id == viewer_id,
            Score.item_id.in_(every),
            Score.value.is_not(None),
            Score.reason != "",
        )
        .group_by(Application.vacancy_id, Application.id)
    ):
        own.setdefault(vacancy_id, []).append(n)
    decided = dict(
        session.execute(
            select(Application.vacancy_id, func.count(distinct(ShortlistDecision.application_id)))
            .join(ShortlistDecision, ShortlistDecision.application_id == Application.id)
            .where(Application.vacancy_id.in_(ids))
            .group_by(Application.vacancy_id)
        ).all()
    )
    people = {v.lead_id for v in found} | {m.user_id for v in found for m in v.panel}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(people or {0}))).all())
    result = {}
    for v in found:
        member = next((m for m in v.panel if m.user_id == viewer_id), None)
        n_criteria = len(criteria.get(v.spec_version_id, ()))
        full = sum(1 for n in own.get(v.id, []) if n >= n_criteria)
        result[v.id] = Progress(
            vacancy=v,
            applications=counts.get(v.id, 0),
            criteria=n_criteria,
            panel=[("", m.scores_submitted_at is not None) for m in v.panel],
            viewer_submitted=None if member is None else member.scores_submitted_at is not None,
            to_score=counts.get(v.id, 0) - full if member is not None else 0,
            next_to_score=None,
            decided=decided.get(v.id, 0),
            lead_name=names.get(v.lead_id, ""),
            waiting=[
                "you" if m.user_id == viewer_id else names.get(m.user_id, "")
                for m in v.panel
                if m.scores_submitted_at is None
            ],
        )
    return result
