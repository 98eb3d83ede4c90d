"""Ranking: every application's result on the criteria, and the order the shortlist shows them in.

Decision support only: nobody is rejected automatically; the lead decides every application, with
a reason. Linear in applications x criteria, so it runs fast for a vacancy with hundreds of them.

- An application with an agreed 0 on any essential criterion does not meet the essentials.
- The rest, once every criterion is agreed, are ranked by their essential total, then their
  desirable total; equal totals share a rank (ties are shown, not broken).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from competency_portal.shortlisting.scores import Cell, cell, total


@dataclass(frozen=True)
class Criterion:
    """A person-specification criterion assessed at application."""

    item_id: int
    code: str
    statement: str
    essential: bool


@dataclass(frozen=True)
class Candidate:
    """An application, as the panel knows it."""

    application_id: int
    reference: str
    guaranteed_interview: bool = False


@dataclass(frozen=True)
class Result:
    """One application's shortlisting picture."""

    candidate: Candidate
    cells: dict[int, Cell]  # criterion item id -> cell
    complete: bool
    fails_essentials: bool
    essential_total: float
    desirable_total: float
    rank: int | None  # None for those who do not meet the essentials or are incomplete

    @property
    def guaranteed_interview_flag(self) -> bool:
        """A guaranteed-interview candidate who meets the essentials."""
        return self.candidate.guaranteed_interview and self.complete and not self.fails_essentials


def shortlist(
    criteria: list[Criterion],
    candidates: list[Candidate],
    scores: dict[tuple[int, int], dict[int, int]],
    moderations: dict[tuple[int, int], int],
    panel_size: int,
) -> list[Result]:
    """Every application's result, ranked; ties share a rank. Linear in applications x criteria."""
    results = []
    for c in candidates:
        cells = {
            k.item_id: cell(
                scores.get((c.application_id, k.item_id), {}),
                moderations.get((c.application_id, k.item_id)),
                panel_size,
            )
            for k in criteria
        }
        complete = all(x.agreed is not None for x in cells.values())
        fails = any(x.agreed == 0 for k in criteria if k.essential for x in [cells[k.item_id]])
        essential = total(cells[k.item_id] for k in criteria if k.essential)
        desirable = total(cells[k.item_id] for k in criteria if not k.essential)
        results.append(Result(c, cells, complete, fails, essential, desirable, None))
    return rank(results)


def rank(results: list[Result]) -> list[Result]:
    """Rank results (their `rank` ignored): complete ones meeting the essentials, by essential then
    desirable total, equal totals sharing a rank; then the rest. In the order the shortlist shows."""
    rankable = sorted(
        (r for r in results if r.complete and not r.fails_essentials),
        key=lambda r: (-r.essential_total, -r.desirable_total),
    )
    ranks: dict[int, int] = {}
    previous, position_rank = None, 0
    for position, r in enumerate(rankable, start=1):
        key = (r.essential_total, r.desirable_total)
        if key != previous:
            position_rank, previous = position, key
        ranks[r.candidate.application_id] = position_rank
    ranked = [replace(r, rank=ranks.get(r.candidate.application_id)) for r in results]
    return sorted(ranked, key=lambda r: (r.rank is None, r.rank or 0, r.fails_essentials, r.candidate.reference))


def tied(results: list[Result]) -> set[int]:
    """Application ids that share their rank with another."""
    seen: dict[int, list[int]] = {}
    for r in results:
        if r.rank is not None:
            seen.setdefault(r.rank, []).append(r.candidate.application_id)
    return {a for ids in seen.values() if len(ids) > 1 for a in ids}


def rank_label(result: Result, ties: set[int]) -> str:
    """'1', 'Joint 2' for a shared rank, or why there is no rank."""
    if result.rank is not None:
        return f"Joint {result.rank}" if result.candidate.application_id in ties else str(result.rank)
    if result.fails_essentials:
        return "Does not meet the essentials"
    return "Not yet agreed"
