"""The shortlist page of a vacancy, one page of applications at a time, in a fixed number of queries.

Every application's standing (to rank them all), the flagged cells and the score counts come summed
in SQL (`shortlist_sums`); the cells of only the applications on the page shown are worked out by
the pure rules (`competency_portal.shortlisting`) from their scores, as everywhere else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload

from competency_portal import policy
from competency_portal.models import Application, Moderation, PanelMember, Score, ShortlistDecision, Vacancy
from competency_portal.services import shortlist_board, shortlist_sums
from competency_portal.shortlisting.criteria import SpecCriterion
from competency_portal.shortlisting.ranking import Candidate, Result, shortlist, tied

PAGE_SIZE = 50


@dataclass
class ShortlistPage:
    """What the shortlist page shows: all applications' standing, and one page of them in full."""

    vacancy: Vacancy
    criteria: list[SpecCriterion]  # assessed at application
    panel: list[PanelMember]
    count: int  # applications in the vacancy
    page: int  # 1-based, within 1..pages
    results: list[Result]  # this page's applications, in shortlist order, with their cells
    applications: dict[int, Application]  # this page's applications by id
    decisions: dict[int, ShortlistDecision]  # this page's applications' latest decisions
    ties: set[int]  # application ids (of all) sharing their rank
    flags: list[tuple[Candidate, SpecCriterion]]  # every cell waiting for moderation, over all applications
    score_counts: dict[str, Counter]  # submitted scores by value, over all applications
    # application id -> criteria the viewer has scored with a reason (their "Your scores" list)
    own_counts: dict[int, int]
    own_total: int  # (application, criterion) pairs the viewer has scored with a reason, over all applications
    viewer_done: bool  # the viewer sees the panel's scores (and so the standings)

    @property
    def pages(self) -> int:
        """How many pages of PAGE_SIZE applications there are (at least one)."""
        return max(1, -(-self.count // PAGE_SIZE))

    def span(self, page: int) -> tuple[int, int]:
        """The positions (1-based) of the first and last application on `page`."""
        return (page - 1) * PAGE_SIZE + 1, min(self.count, page * PAGE_SIZE)

    @property
    def everyone_submitted(self) -> bool:
        """Whether every panel member has submitted (and there is a panel)."""
        return bool(self.panel) and all(m.scores_submitted_at is not None for m in self.panel)

    @property
    def to_score(self) -> int:
        """How many (application, criterion) pairs each member scores."""
        return self.count * len(self.criteria)

    def member(self, user_id: int) -> PanelMember | None:
        """This person's place on the panel, or None."""
        return next((m for m in self.panel if m.user_id == user_id), None)

    def application(self, application_id: int) -> Application | None:
        """One of this page's applications, or None."""
        return self.applications.get(application_id)

    def panel_lines(self, viewer_id: int) -> list[tuple[str, bool, bool, datetime | None]]:
        """The panel as the page lists it: (name, leads the vacancy, is the viewer, submitted at) for each member."""
        return [
            (m.user.name, m.user_id == self.vacancy.lead_id, m.user_id == viewer_id, m.scores_submitted_at)
            for m in self.panel
        ]


def load_page(session: Session, vacancy: Vacancy, viewer_id: int, page: int = 1) -> ShortlistPage:
    """The shortlist page for `viewer_id`: `page` (clamped to those there are) of PAGE_SIZE applications.

    A viewer who sees the panel's scores gets the applications in shortlist order with their
    results; anyone else in reference order, with their own progress only.
    """
    criteria = shortlist_board.application_criteria(session, vacancy.spec_version_id)
    panel = shortlist_board.panel(session, vacancy.id)
    submitted = [m.user_id for m in panel if m.scores_submitted_at is not None]
    member = next((m for m in panel if m.user_id == viewer_id), None)
    with_standings = policy.sees_panel_scores(vacancy, member, viewer_id)
    count = (
        session.scalar(select(func.count()).select_from(Application).where(Application.vacancy_id == vacancy.id)) or 0
    )
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    own = shortlist_board.own_counts(session, vacancy.id, viewer_id, [c.item_id for c in criteria])
    results: list[Result] = []
    flags: list[tuple[Candidate, SpecCriterion]] = []
    counts = {"Essential": Counter(), "Desirable": Counter()}
    ties: set[int] = set()
    if with_standings:
        standings, flagged, counts = shortlist_sums.standings(session, vacancy, criteria, len(panel), submitted)
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
    criteria: list[SpecCriterion],
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
