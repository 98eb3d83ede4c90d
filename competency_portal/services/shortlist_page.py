"""The shortlist page of a vacancy, one page of applications at a time, in a fixed number of queries.

`shortlisting.load` reads every panel score (three panel members x 29 criteria x 500 applications is
43,500 rows) to work out every cell; the shortlist page needs far less: each application's totals,
whether it is complete and meets the essentials (to rank them all), the flagged cells, and the
score counts for the distribution chart, all summed in SQL with GROUP BY; and the cells of only the
applications on the page shown, which the pure rules in `recruitment.shortlist` work out from their
scores, as everywhere else.

The SQL applies the same rules as `recruitment.shortlist.cell` (tests/test_shortlist_page.py checks
that both give the same shortlist): a cell is agreed once every member's submitted score is in and
they differ by less than 2, or once the lead moderated it; its agreed score is then the panel's sum
over the panel size (each member scores a cell at most once), or the moderated score. Totals are
summed in integers over the panel size, so they are exact, as in `recruitment.shortlist.total`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from sqlalchemy import Integer, and_, case, cast, exists, func, literal, null, select, union_all
from sqlalchemy.orm import Session, lazyload, selectinload

from competency_portal.models import Application, Moderation, PanelMember, Score, ShortlistDecision, Vacancy
from competency_portal.recruitment.shortlist import (
    MODERATION_SPREAD,
    SCORE_LABELS,
    Candidate,
    Result,
    rank,
    shortlist,
    tied,
)
from competency_portal.services import shortlisting  # a module: the two import each other's package

PAGE_SIZE = 50


@dataclass
class ShortlistPage:
    """What the shortlist page shows: all applications' standing, and one page of them in full."""

    vacancy: Vacancy
    criteria: list[shortlisting.SpecCriterion]  # assessed at application
    panel: list[PanelMember]
    count: int  # applications in the vacancy
    page: int  # 1-based, within 1..pages
    results: list[Result]  # this page's applications, in shortlist order, with their cells
    applications: dict[int, Application]  # this page's applications by id
    decisions: dict[int, ShortlistDecision]  # this page's applications' latest decisions
    ties: set[int]  # application ids (of all) sharing their rank
    flags: list[
        tuple[Candidate, shortlisting.SpecCriterion]
    ]  # every cell waiting for moderation, over all applications
    score_counts: dict[str, Counter]  # submitted scores by value, over all applications
    own_counts: dict[
        int, int
    ]  # application id -> criteria the viewer has scored with a reason (their "Your scores" list)
    own_total: int  # (application, criterion) pairs the viewer has scored with a reason, over all applications
    viewer_done: bool  # the viewer sees the panel's scores (and so the standings)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))

    def span(self, page: int) -> tuple[int, int]:
        """The positions (1-based) of the first and last application on `page`."""
        return (page - 1) * PAGE_SIZE + 1, min(self.count, page * PAGE_SIZE)

    @property
    def everyone_submitted(self) -> bool:
        return bool(self.panel) and all(m.scores_submitted_at is not None for m in self.panel)

    @property
    def to_score(self) -> int:
        return self.count * len(self.criteria)

    def member(self, user_id: int) -> PanelMember | None:
        return next((m for m in self.panel if m.user_id == user_id), None)

    def application(self, application_id: int) -> Application | None:
        return self.applications.get(application_id)


def _cells(vacancy_id: int, criteria: list[int], submitted, panel_size: int):
    """One row per agreed or flagged (application, criterion): its score times the panel size (None
    while not agreed) and whether it waits for moderation."""
    in_vacancy = select(Application.id).where(Application.vacancy_id == vacancy_id)
    scored = (
        select(
            Score.application_id,
            Score.item_id,
            func.count().label("n"),
            func.sum(Score.value).label("total"),
            (func.max(Score.value) - func.min(Score.value)).label("spread"),
            *[func.sum(case((Score.value == v, 1), else_=0)).label(f"v{v}") for v in SCORE_LABELS],
        )
        .where(Score.application_id.in_(in_vacancy), Score.item_id.in_(criteria), Score.scorer_id.in_(submitted))
        .group_by(Score.application_id, Score.item_id)
        .subquery()
    )
    m = Moderation
    with_scores = (
        select(
            scored.c.application_id,
            scored.c.item_id,
            case(
                (m.value.is_not(None), m.value * panel_size),
                (and_(scored.c.spread < MODERATION_SPREAD, scored.c.n >= panel_size), scored.c.total),
                else_=None,
            ).label("scaled"),
            case((and_(m.value.is_(None), scored.c.spread >= MODERATION_SPREAD), 1), else_=0).label("flagged"),
            *[scored.c[f"v{v}"] for v in SCORE_LABELS],
        )
        .select_from(scored)
        .outerjoin(m, and_(m.application_id == scored.c.application_id, m.item_id == scored.c.item_id))
    )
    # A moderated cell counts even if none of its scores is (now) submitted, as in the pure rules.
    only_moderated = select(
        m.application_id,
        m.item_id,
        (m.value * panel_size).label("scaled"),
        literal(0).label("flagged"),
        *[literal(0).label(f"v{v}") for v in SCORE_LABELS],
    ).where(
        m.application_id.in_(in_vacancy),
        m.item_id.in_(criteria),
        ~exists().where(
            Score.application_id == m.application_id, Score.item_id == m.item_id, Score.scorer_id.in_(submitted)
        ),
    )
    return union_all(with_scores, only_moderated).cte("cells")


def _standings(
    session: Session, vacancy: Vacancy, criteria: list[shortlisting.SpecCriterion], panel_size: int, submitted
) -> tuple[list[Result], list, dict[str, Counter]]:
    """Every application's result without cells, ranked; the flagged cells; the submitted scores
    counted by value for essential and desirable criteria (one query)."""
    essential = [c.item_id for c in criteria if c.essential]
    cells = _cells(vacancy.id, [c.item_id for c in criteria], submitted, panel_size)
    is_essential = cells.c.item_id.in_(essential)
    by_value = [func.coalesce(func.sum(case((is_essential, cells.c[f"v{v}"]), else_=0)), 0) for v in SCORE_LABELS] + [
        func.coalesce(func.sum(case((is_essential, 0), else_=cells.c[f"v{v}"])), 0) for v in SCORE_LABELS
    ]
    totals = (
        select(
            literal(0).label("kind"),
            Application.id,
            cast(null(), Integer).label("item_id"),
            Application.reference,
            Application.guaranteed_interview,
            func.coalesce(func.sum(case((is_essential, cells.c.scaled), else_=0)), 0),
            func.coalesce(func.sum(case((is_essential, 0), else_=cells.c.scaled)), 0),
            func.count(cells.c.scaled),
            func.coalesce(func.max(case((and_(is_essential, cells.c.scaled == 0), 1), else_=0)), 0),
            *by_value,
        )
        .select_from(Application)
        .outerjoin(cells, cells.c.application_id == Application.id)
        .where(Application.vacancy_id == vacancy.id)
        .group_by(Application.id, Application.reference, Application.guaranteed_interview)
    )
    # The flagged cells come in the same statement, so the cells are worked out once.
    flags = select(
        literal(1),
        cells.c.application_id,
        cells.c.item_id,
        null(),
        null(),
        literal(0),
        literal(0),
        literal(0),
        literal(0),
        *[literal(0)] * len(by_value),
    ).where(cells.c.flagged == 1)
    results, flagged = [], []
    scale = max(panel_size, 1)
    counts = {"Essential": Counter(), "Desirable": Counter()}
    values = list(SCORE_LABELS)
    for kind, app_id, item_id, reference, guaranteed, ess, des, agreed, fails, *by_value_row in session.execute(
        union_all(totals, flags)
    ):
        if kind == 1:
            flagged.append((app_id, item_id))
            continue
        results.append(
            Result(
                Candidate(app_id, reference, bool(guaranteed)),
                {},
                agreed == len(criteria),
                bool(fails),
                int(ess) / scale,
                int(des) / scale,
                None,
            )
        )
        for n, v in enumerate(values):
            counts["Essential"][v] += int(by_value_row[n])
            counts["Desirable"][v] += int(by_value_row[len(values) + n])
    for series in counts.values():  # as Counter() over the scores would have it: no zero counts
        for v in values:
            if not series[v]:
                del series[v]
    return rank(results), flagged, counts


def flagged(
    session: Session,
    vacancy: Vacancy,
    criteria: list[shortlisting.SpecCriterion],
    panel_size: int,
    submitted: list[int],
) -> list[tuple[int, int]]:
    """Every (application id, item id) waiting for moderation, in the order the shortlist page lists them."""
    standings, cells, _ = _standings(session, vacancy, criteria, panel_size, submitted)
    position = {r.candidate.application_id: n for n, r in enumerate(standings)}
    order = {c.item_id: n for n, c in enumerate(criteria)}
    return sorted(cells, key=lambda f: (position[f[0]], order[f[1]]))


def sees_scores(vacancy: Vacancy, member: PanelMember | None, user_id: int) -> bool:
    """Whether this person sees the panel's scores: they submitted theirs (or lead without scoring)."""
    return member.scores_submitted_at is not None if member is not None else vacancy.lead_id == user_id


def load_page(session: Session, vacancy: Vacancy, viewer_id: int, page: int = 1) -> ShortlistPage:
    """The shortlist page for `viewer_id`: `page` (clamped to those there are) of PAGE_SIZE applications.

    A viewer who sees the panel's scores gets the applications in shortlist order with their
    results; anyone else in reference order, with their own progress only.
    """
    every = shortlisting.spec_criteria(session, vacancy.spec_version_id)
    criteria = [c for c in every if shortlisting.APPLICATION_METHOD in c.assessed_by]
    item_ids = [c.item_id for c in criteria]
    panel = list(
        session.scalars(
            select(PanelMember)
            .where(PanelMember.vacancy_id == vacancy.id)
            .options(selectinload(PanelMember.user))
            .order_by(PanelMember.id)
        )
    )
    submitted = [m.user_id for m in panel if m.scores_submitted_at is not None]
    with_standings = sees_scores(vacancy, next((m for m in panel if m.user_id == viewer_id), None), viewer_id)
    count = (
        session.scalar(select(func.count()).select_from(Application).where(Application.vacancy_id == vacancy.id)) or 0
    )
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    in_vacancy = select(Application.id).where(Application.vacancy_id == vacancy.id)
    # Only criteria with both a score and a reason count as scored (drafts may hold either alone).
    own = dict(
        session.execute(
            select(Score.application_id, func.count())
            .where(
                Score.application_id.in_(in_vacancy),
                Score.scorer_id == viewer_id,
                Score.item_id.in_(item_ids),
                Score.value.is_not(None),
                Score.reason != "",
            )
            .group_by(Score.application_id)
        ).all()
    )
    results: list[Result] = []
    flags: list[tuple[Candidate, shortlisting.SpecCriterion]] = []
    counts = {"Essential": Counter(), "Desirable": Counter()}
    ties: set[int] = set()
    if with_standings:
        standings, flagged, counts = _standings(session, vacancy, criteria, len(panel), submitted)
        ties = tied(standings)
        on_page = standings[start : start + PAGE_SIZE]
        ids = [r.candidate.application_id for r in on_page]
        by_id = {c.item_id: c for c in criteria}
        candidates = {r.candidate.application_id: r.candidate for r in standings}
        position = {r.candidate.application_id: n for n, r in enumerate(standings)}
        order = {c.item_id: n for n, c in enumerate(criteria)}
        flags = [(candidates[a], by_id[i]) for a, i in sorted(flagged, key=lambda f: (position[f[0]], order[f[1]]))]
        results = _with_cells(session, criteria, on_page, submitted, len(panel))
    else:
        ids = list(
            session.scalars(
                select(Application.id)
                .where(Application.vacancy_id == vacancy.id)
                .order_by(Application.reference)
                .offset(start)
                .limit(PAGE_SIZE)
            )
        )
    applications = {
        a.id: a
        for a in session.scalars(
            select(Application).where(Application.id.in_(ids or [0])).options(lazyload(Application.answers))
        )
    }
    decisions: dict[int, ShortlistDecision] = {}
    for d in session.scalars(
        select(ShortlistDecision)
        .where(ShortlistDecision.application_id.in_(ids or [0]))
        .order_by(ShortlistDecision.decided_at, ShortlistDecision.id)
    ):
        decisions[d.application_id] = d  # a changed decision is a new row: the last one stands
    if not with_standings:
        results = [
            Result(
                Candidate(i, applications[i].reference, applications[i].guaranteed_interview),
                {},
                False,
                False,
                0,
                0,
                None,
            )
            for i in ids
        ]
    return ShortlistPage(
        vacancy,
        criteria,
        panel,
        count,
        page,
        results,
        applications,
        decisions,
        ties,
        flags,
        counts,
        own,
        sum(own.values()),
        with_standings,
    )


def _with_cells(
    session: Session,
    criteria: list[shortlisting.SpecCriterion],
    on_page: list[Result],
    submitted: list[int],
    panel_size: int,
) -> list[Result]:
    """The page's results with their cells, worked out by the pure rules from the page's scores (two queries)."""
    ids = [r.candidate.application_id for r in on_page]
    by_cell: dict[tuple[int, int], dict[int, int]] = {}
    for app_id, item_id, scorer_id, value in session.execute(
        select(Score.application_id, Score.item_id, Score.scorer_id, Score.value).where(
            Score.application_id.in_(ids or [0]), Score.scorer_id.in_(submitted)
        )
    ):
        by_cell.setdefault((app_id, item_id), {})[scorer_id] = value
    moderated = {
        (a, i): v
        for a, i, v in session.execute(
            select(Moderation.application_id, Moderation.item_id, Moderation.value).where(
                Moderation.application_id.in_(ids or [0])
            )
        )
    }
    worked = {
        r.candidate.application_id: r
        for r in shortlist(
            [c.as_rule() for c in criteria], [r.candidate for r in on_page], by_cell, moderated, panel_size
        )
    }
    # The rank is the one among all applications; everything else the pure rules say.
    return [replace(worked[r.candidate.application_id], rank=r.rank) for r in on_page]
