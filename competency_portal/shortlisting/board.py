"""A vacancy's shortlisting board: what the panel has scored, moderated and decided, worked out.

`assemble` takes what the loader read (`services.shortlist_board.load`) and works out the shortlist
with the ranking rules. A member's scores are drafts, private to them, until they submit: only
submitted scores count, and `missing_scores` says what a member must still give before they can.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from competency_portal.shortlisting.criteria import SpecCriterion, at_application, at_interview
from competency_portal.shortlisting.ranking import Candidate, Result, shortlist, tied
from competency_portal.shortlisting.scores import is_complete

if TYPE_CHECKING:
    from competency_portal.models import Application, Moderation, PanelMember, ShortlistDecision, Vacancy

Score = Any  # a score row: application_id, item_id, scorer_id, value, reason (as on models.Score)


@dataclass
class Board:
    """Everything about a vacancy's shortlisting, loaded at once."""

    vacancy: Vacancy
    criteria: list[SpecCriterion]  # assessed at application: scored by the panel
    interview_criteria: list[SpecCriterion]  # assessed at interview, test or exercise
    applications: list[Application]  # by reference
    panel: list[PanelMember]
    scores: list[Score]  # every saved score, drafts included (`submitted_scores` gives those that count)
    moderations: dict[tuple[int, int], Moderation]
    decisions: dict[int, ShortlistDecision]  # application id -> the latest decision
    results: list[Result] = field(default_factory=list)
    ties: set[int] = field(default_factory=set)

    @property
    def submitted_ids(self) -> set[int]:
        """The panel members who have submitted their scores."""
        return {m.user_id for m in self.panel if m.scores_submitted_at is not None}

    @property
    def everyone_submitted(self) -> bool:
        """Whether every panel member has submitted (and there is a panel)."""
        return bool(self.panel) and all(m.scores_submitted_at is not None for m in self.panel)

    def member(self, user_id: int) -> PanelMember | None:
        """This person's place on the panel, or None."""
        return next((m for m in self.panel if m.user_id == user_id), None)

    # Lookups by id go through dictionaries built once: pages ask for every one of hundreds of
    # applications, and a scan per question made the shortlist quadratic in applications.
    @cached_property
    def _results_by_id(self) -> dict[int, Result]:
        return {r.candidate.application_id: r for r in self.results}

    @cached_property
    def _applications_by_id(self) -> dict[int, Application]:
        return {a.id: a for a in self.applications}

    @cached_property
    def _scores_by_application(self) -> dict[int, list[Score]]:
        found: dict[int, list[Score]] = {}
        for s in self.scores:
            found.setdefault(s.application_id, []).append(s)
        return found

    def result(self, application_id: int) -> Result | None:
        """One application's result, or None if it is not on this board."""
        return self._results_by_id.get(application_id)

    def application(self, application_id: int) -> Application | None:
        """One of the vacancy's applications, or None if it is not on this board."""
        return self._applications_by_id.get(application_id)

    def own_scores(self, user_id: int, application_id: int | None = None) -> dict[tuple[int, int], Score]:
        """(application id, item id) -> this person's score (draft or submitted)."""
        scores = self.scores if application_id is None else self._scores_by_application.get(application_id, [])
        return {(s.application_id, s.item_id): s for s in scores if s.scorer_id == user_id}

    def submitted_scores(self, application_id: int) -> dict[int, list[Score]]:
        """item id -> the submitted scores (every member who has submitted) for one application."""
        done = self.submitted_ids
        out: dict[int, list[Score]] = {}
        for s in self._scores_by_application.get(application_id, []):
            if s.scorer_id in done:
                out.setdefault(s.item_id, []).append(s)
        return out

    def flags(self) -> list[tuple[Result, SpecCriterion]]:
        """Every (application, criterion) waiting for the lead to moderate."""
        return [(r, c) for r in self.results for c in self.criteria if r.cells[c.item_id].needs_moderation]

    def undecided(self) -> list[Application]:
        """The applications the lead has not decided on yet."""
        return [a for a in self.applications if a.id not in self.decisions]

    def score_counts(self) -> dict[str, Counter]:
        """Submitted panel scores counted by value, for essential and desirable criteria."""
        essential = {c.item_id: c.essential for c in self.criteria}
        done = self.submitted_ids
        counts = {"Essential": Counter(), "Desirable": Counter()}
        for s in self.scores:
            if s.scorer_id in done and s.item_id in essential:
                counts["Essential" if essential[s.item_id] else "Desirable"][s.value] += 1
        return counts


def assemble(
    vacancy: Vacancy,
    every: list[SpecCriterion],
    applications: list[Application],
    panel: list[PanelMember],
    scores: list[Score],
    moderations: dict[tuple[int, int], Moderation],
    decisions: dict[int, ShortlistDecision],
) -> Board:
    """The board, with the shortlist worked out from the submitted scores and the moderations.

    `every` is every criterion of the vacancy's person specification, in order.
    """
    criteria = at_application(every)
    board = Board(vacancy, criteria, at_interview(every), applications, panel, scores, moderations, decisions)
    done = board.submitted_ids
    valid = {c.item_id for c in criteria}
    by_cell: dict[tuple[int, int], dict[int, int]] = {}
    for s in scores:
        if s.scorer_id in done and s.item_id in valid:
            by_cell.setdefault((s.application_id, s.item_id), {})[s.scorer_id] = s.value
    board.results = shortlist(
        [c.as_rule() for c in criteria],
        [Candidate(a.id, a.reference, a.guaranteed_interview) for a in applications],
        by_cell,
        {k: m.value for k, m in moderations.items()},
        len(panel),
    )
    board.ties = tied(board.results)
    return board


@dataclass(frozen=True)
class Missing:
    """What one criterion of one application still needs before its scorer can submit."""

    application_id: int
    reference: str
    item_id: int
    code: str
    score: bool  # the score is missing
    reason: bool  # the reason is missing


def missing_scores(board: Board, user_id: int, application_id: int | None = None) -> list[Missing]:
    """Every criterion (of one application, or all) without both a score and a reason from this person, in order."""
    mine = board.own_scores(user_id, application_id)
    apps = board.applications if application_id is None else [a for a in board.applications if a.id == application_id]
    found = []
    for a in apps:
        for c in board.criteria:
            s = mine.get((a.id, c.item_id))
            value, reason = (s.value, s.reason) if s is not None else (None, "")
            if not is_complete(value, reason):
                found.append(Missing(a.id, a.reference, c.item_id, c.code, value is None, not (reason or "").strip()))
    return found


def complete_count(board: Board, user_id: int, application_id: int | None = None) -> int:
    """How many (application, criterion) pairs this person has scored with a reason."""
    valid = {c.item_id for c in board.criteria}
    return sum(
        1
        for (_, i), s in board.own_scores(user_id, application_id).items()
        if i in valid and is_complete(s.value, s.reason)
    )
