"""The shortlist summed in SQL: every application's totals and standing, the flagged cells and the
score counts, in one query whatever the number of applications.

`shortlist_board.load` reads every panel score (three panel members x 29 criteria x 500 applications
is 43,500 rows) to work out every cell; the shortlist page needs far less: each application's
totals, whether it is complete and meets the essentials (to rank them all), the flagged cells, and
the score counts for the distribution chart, all summed here with GROUP BY.

The SQL applies the same rules as `shortlisting.scores.cell` (tests/test_shortlist_page.py checks
that both give the same shortlist): a cell is agreed once every member's submitted score is in and
they differ by less than 2, or once the lead moderated it; its agreed score is then the panel's sum
over the panel size (each member scores a cell at most once), or the moderated score. Totals are
summed in integers over the panel size, so they are exact, as in `shortlisting.scores.total`.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Integer, and_, case, cast, exists, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from competency_portal.models import Application, Moderation, Score, Vacancy
from competency_portal.shortlisting.criteria import SpecCriterion
from competency_portal.shortlisting.ranking import Candidate, Result, rank
from competency_portal.shortlisting.scores import MODERATION_SPREAD, SCORE_LABELS


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


def standings(
    session: Session, vacancy: Vacancy, criteria: list[SpecCriterion], panel_size: int, submitted
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
    criteria: list[SpecCriterion],
    panel_size: int,
    submitted: list[int],
) -> list[tuple[int, int]]:
    """Every (application id, item id) waiting for moderation, in the order the shortlist page lists them."""
    ranked, cells, _ = standings(session, vacancy, criteria, panel_size, submitted)
    position = {r.candidate.application_id: n for n, r in enumerate(ranked)}
    order = {c.item_id: n for n, c in enumerate(criteria)}
    return sorted(cells, key=lambda f: (position[f[0]], order[f[1]]))
