"""How ready a person is for a role, computed from plain facts.

Pure and fast: no app, no request, no database (months are added by `clock.add_months`). The cost
is linear in the person's required items and sign-offs (plus the crosswalk, once per call).

- An item's verified level is the highest level confirmed by a current sign-off on that item, or
  on any item the crosswalk says asks for the same competence (equivalence is transitive: if A is
  the same as B and B as C, evidence for C counts for A). Items are matched by framework id and
  code, so a sign-off on an earlier version of a framework still counts for the same item.
- A sign-off stops counting once it is older than the item's `review_months`.
- Status: met (verified at target), lapsing (met, but out of date within 90 days), claimed (rated
  at target by the person but not verified), gap (neither).
- Readiness is the share of required items met (lapsing counts as met), per domain and overall.
  A person is ready for the role only when every required item is met and every essential
  person-specification criterion is evidenced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

from competency_portal.clock import add_months

LAPSING_DAYS = 90

Key = tuple[str, str]  # (framework id, item code)


class Status(str, Enum):
    """Where one required item stands."""

    MET = "met"
    LAPSING = "lapsing"
    CLAIMED = "claimed"
    GAP = "gap"

    @property
    def label(self) -> str:
        """The status as people name it."""
        return {"met": "Met", "lapsing": "Lapsing soon", "claimed": "Claimed, not verified", "gap": "Gap"}[self.value]


@dataclass(frozen=True)
class Required:
    """One item a role requires."""

    key: Key
    code: str
    statement: str
    framework: str  # framework title
    domain: str  # domain title
    target: int
    review_months: int | None = None
    essential: bool = False  # an essential person-specification criterion


@dataclass(frozen=True)
class Confirmation:
    """A level confirmed for an item by a current (unrevoked) sign-off, and when."""

    key: Key
    level: int
    decided_on: date


@dataclass(frozen=True)
class ItemReadiness:
    """The result for one required item."""

    required: Required
    self_level: int | None
    verified: int | None
    verified_on: date | None
    expires_on: date | None
    status: Status


@dataclass(frozen=True)
class DomainReadiness:
    """Roll-up for one domain of one framework."""

    framework: str
    domain: str
    required: int
    met: int
    target_mean: float
    self_mean: float
    verified_mean: float

    @property
    def share(self) -> float:
        """Share of the domain's required items met."""
        return self.met / self.required if self.required else 0.0


@dataclass(frozen=True)
class Readiness:
    """Everything the dashboards show about one person and one role."""

    items: list[ItemReadiness]
    domains: list[DomainReadiness]
    required: int
    met: int
    essentials_missing: int
    as_of: date = field(default_factory=date.today)

    @property
    def share(self) -> float:
        """Share of all required items met."""
        return self.met / self.required if self.required else 0.0

    @property
    def ready(self) -> bool:
        """Every required item met and every essential criterion evidenced."""
        return self.required > 0 and self.met == self.required and self.essentials_missing == 0

    def gaps(self) -> list[ItemReadiness]:
        """Unmet items, largest shortfall first."""
        unmet = [i for i in self.items if i.status in (Status.GAP, Status.CLAIMED)]
        return sorted(
            unmet, key=lambda i: (-(i.required.target - (i.verified or 0)), i.required.framework, i.required.code)
        )

    def lapsing(self) -> list[ItemReadiness]:
        """Met items going out of date within 90 days, soonest first."""
        return sorted((i for i in self.items if i.status == Status.LAPSING), key=lambda i: i.expires_on)


def equivalence(pairs: list[tuple[Key, Key]]) -> dict[Key, frozenset[Key]]:
    """Each key's group of equivalent keys (itself included), from crosswalk pairs."""
    parent: dict[Key, Key] = {}

    def find(k: Key) -> Key:
        parent.setdefault(k, k)
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[Key, set[Key]] = {}
    for k in list(parent):
        groups.setdefault(find(k), set()).add(k)
    return {k: frozenset(g) for g in groups.values() for k in g}


def assess(
    required: list[Required],
    confirmations: list[Confirmation],
    self_levels: dict[Key, int],
    groups: dict[Key, frozenset[Key]],
    today: date,
) -> Readiness:
    """Readiness of one person for one role on `today`."""
    by_key: dict[Key, list[Confirmation]] = {}
    for c in confirmations:
        if c.decided_on <= today:
            by_key.setdefault(c.key, []).append(c)
    items = []
    for req in required:
        best: tuple[int, date, date | None] | None = None  # level, decided, expires
        for key in groups.get(req.key, (req.key,)):
            for c in by_key.get(key, ()):
                expires = add_months(c.decided_on, req.review_months) if req.review_months else None
                if expires is not None and expires <= today:
                    continue  # out of date: no longer counts
                candidate = (c.level, c.decided_on, expires)
                if best is None or _better(candidate, best, req.target):
                    best = candidate
        verified, decided, expires = best if best else (None, None, None)
        own = self_levels.get(req.key)
        if verified is not None and verified >= req.target:
            lapsing = expires is not None and expires <= _plus_days(today, LAPSING_DAYS)
            status = Status.LAPSING if lapsing else Status.MET
        elif own is not None and own >= req.target:
            status = Status.CLAIMED
        else:
            status = Status.GAP
        items.append(ItemReadiness(req, own, verified, decided, expires, status))
    return _roll_up(items, today)


def met_until(
    required: list[Required],
    confirmations: list[Confirmation],
    groups: dict[Key, frozenset[Key]],
) -> dict[Key, tuple[bool, date | None]]:
    """For each required item: (met for good, met until) - the facts `assess` needs that do not depend on the date.

    An item is met (or lapsing) on a day when it is met for good, or `until` is after that day: the
    latest expiry of any confirmation at or above the target, on the item or an equivalent one.
    (Unlike `assess`, a confirmation decided after the day still counts; the portal never makes
    one, and the organisation view that uses this is always for today.)
    """
    by_key: dict[Key, list[Confirmation]] = {}
    for c in confirmations:
        by_key.setdefault(c.key, []).append(c)
    found: dict[Key, tuple[bool, date | None]] = {}
    for req in required:
        forever, until = False, None
        for key in groups.get(req.key, (req.key,)):
            for c in by_key.get(key, ()):
                if c.level < req.target:
                    continue
                if not req.review_months:
                    forever = True
                    break
                expires = add_months(c.decided_on, req.review_months)
                until = expires if until is None or expires > until else until
            if forever:
                break
        found[req.key] = (forever, None if forever else until)
    return found


def _plus_days(day: date, days: int) -> date:
    # Saturates at the last representable day: readiness may be asked for any date (the API's as_of).
    return day + timedelta(days=days) if day <= date.max - timedelta(days=days) else date.max


def _better(candidate, best, target) -> bool:
    # Prefer meeting the target; then the later expiry (None = never); then the higher level.
    def rank(c):
        level, _, expires = c
        return (level >= target, expires or date.max, level)

    return rank(candidate) > rank(best)


def _roll_up(items: list[ItemReadiness], today: date) -> Readiness:
    domains: dict[tuple[str, str], list[ItemReadiness]] = {}
    for i in items:
        domains.setdefault((i.required.framework, i.required.domain), []).append(i)
    rolled = []
    for (framework, domain), rows in domains.items():
        n = len(rows)
        rolled.append(
            DomainReadiness(
                framework,
                domain,
                n,
                sum(r.status in (Status.MET, Status.LAPSING) for r in rows),
                sum(r.required.target for r in rows) / n,
                sum(r.self_level or 0 for r in rows) / n,
                sum(r.verified or 0 for r in rows) / n,
            )
        )
    met = sum(i.status in (Status.MET, Status.LAPSING) for i in items)
    essentials_missing = sum(1 for i in items if i.required.essential and i.status not in (Status.MET, Status.LAPSING))
    return Readiness(items, rolled, len(items), met, essentials_missing, today)


def history(
    required: list[Required],
    confirmations: list[Confirmation],
    groups: dict[Key, frozenset[Key]],
    today: date,
    months: int = 12,
) -> list[tuple[date, float]]:
    """Readiness at the end of each of the last `months` months, and today."""
    points = [add_months(today.replace(day=1), -k) - timedelta(days=1) for k in range(months - 1, -1, -1)] + [today]
    return [(day, assess(required, confirmations, {}, groups, day).share) for day in points]
