"""Shortlisting arithmetic: agreed scores, moderation flags, essential gates and ranking.

Pure functions over plain data, so the rules are tested directly and run fast for a vacancy with
hundreds of applications. Decision support only: nobody is rejected automatically; the lead
decides every application, with a reason.

- Each panel member scores each criterion assessed at application: 0 no evidence, 1 partly,
  2 meets, 3 exceeds.
- A criterion whose panel scores differ by 2 or more needs moderation: the lead records the agreed
  score and why. Otherwise the agreed score is the mean of the panel's scores.
- An application with an agreed 0 on any essential criterion does not meet the essentials.
- The rest are ranked by their essential total, then their desirable total; equal totals share a
  rank (ties are shown, not broken). Totals are summed exactly (means of a panel of three are
  thirds, and float sums of thirds depend on their order), so equal totals are always equal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

MODERATION_SPREAD = 2
SCORE_LABELS = {0: "No evidence", 1: "Partly", 2: "Meets", 3: "Exceeds"}


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
class Cell:
    """One application's result on one criterion."""

    scores: dict[int, int]  # scorer id -> score
    moderated: int | None
    needs_moderation: bool
    agreed: float | None  # None while scores are missing or moderation is needed

    @property
    def spread(self) -> int:
        """The difference between the highest and lowest panel score."""
        return max(self.scores.values()) - min(self.scores.values()) if self.scores else 0


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


def cell(scores: dict[int, int], moderated: int | None, panel_size: int) -> Cell:
    """Agree one criterion's score from the panel's scores and any moderation."""
    spread = (max(scores.values()) - min(scores.values())) if scores else 0
    needs = spread >= MODERATION_SPREAD and moderated is None
    if moderated is not None:
        agreed: float | None = float(moderated)
    elif needs or len(scores) < panel_size:
        agreed = None
    else:
        agreed = sum(scores.values()) / len(scores)
    return Cell(dict(scores), moderated, needs, agreed)


def total(cells) -> float:
    """The exact sum of the cells' agreed scores (unagreed count 0), as the nearest float.

    Numerators are added per denominator (the panel size, or 1 for a moderated score), in integers.
    """
    by_denominator: dict[int, int] = {}
    for c in cells:
        if c.agreed is None:
            continue
        n, d = (c.moderated, 1) if c.moderated is not None else (sum(c.scores.values()), len(c.scores))
        by_denominator[d] = by_denominator.get(d, 0) + n
    return float(sum((Fraction(n, d) for d, n in by_denominator.items()), Fraction(0)))


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
