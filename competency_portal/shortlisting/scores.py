"""Scores: the 0-3 scale, what makes a panel member's score complete, and one criterion's agreed score.

- Each panel member scores each criterion assessed at application: 0 no evidence, 1 partly,
  2 meets, 3 exceeds, each with a reason. A draft may hold either alone; only a score with its
  reason is complete.
- A criterion whose panel scores differ by 2 or more needs moderation: the lead records the agreed
  score and why. Otherwise the agreed score is the mean of the panel's scores, once every member's
  score is in.
- Totals are summed exactly (means of a panel of three are thirds, and float sums of thirds depend
  on their order), so equal totals are always equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

MODERATION_SPREAD = 2
SCORE_LABELS = {0: "No evidence", 1: "Partly", 2: "Meets", 3: "Exceeds"}
REASON_MAX = 1000  # a panel member's reason for one score
DECISION_REASON_MAX = 2000  # the lead's reason for an agreed score or a decision


def is_complete(value: int | None, reason: str | None) -> bool:
    """Whether a (draft) score has both a value and a reason."""
    return value is not None and bool((reason or "").strip())


def parse_value(raw: str | None) -> int | None:
    """A score from a form: None for blank, ValueError for anything not 0-3."""
    raw = (raw or "").strip()
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdecimal()) or int(raw) not in SCORE_LABELS:
        raise ValueError(raw)
    return int(raw)


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


def total(cells: Iterable[Cell]) -> float:
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
