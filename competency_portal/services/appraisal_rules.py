"""Appraisal (PDR) rules, as pure functions: the appraisal year, objectives proposed from the gaps,
what an objective may say, the digest both signatures cover, and who may change a review now.

No database: the queries are in `appraisal_queries`, the changes in `appraisal` (the review's cycle)
and `appraisal_objectives` (objectives and progress).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date

from competency_portal import policy
from competency_portal.clock import add_months
from competency_portal.models import Appraisal, AppraisalState, ObjectiveStatus, User
from competency_portal.readiness.model import Key, Readiness

MAX_PROPOSALS = 5
GAPS_CONSIDERED = 20
DUE_MONTHS = 6
YEAR = re.compile(r"^(\d{4})/(\d{2})$")
STALE = (
    "This appraisal was changed by someone else since you opened the page. Nothing of yours was saved; "
    "here is how it stands now."
)


class AppraisalError(Exception):
    """A change the rules refuse, with a message saying why and what to do."""


class AppraisalConflict(AppraisalError):
    """The page the change was made on is out of date."""


@dataclass
class Proposal:
    """A development objective proposed from the gap analysis."""

    title: str
    description: str
    item_ids: list[int] = field(default_factory=list)
    due_on: date | None = None


def year_label(today: date) -> str:
    """The appraisal year (April to March) that `today` falls in, e.g. "2026/27"."""
    start = today.year if today.month >= 4 else today.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def check_year(text: str) -> str:
    """A valid year label, or AppraisalError."""
    found = YEAR.match((text or "").strip())
    if not found or int(found.group(2)) != (int(found.group(1)) + 1) % 100 or not 2000 <= int(found.group(1)) <= 2098:
        raise AppraisalError("Enter the year as the first year and the next, for example 2026/27")
    return found.group(0)


def proposals_from(result: Readiness | None, item_ids: dict[Key, int], today: date) -> list[Proposal]:
    """Up to five objectives: the largest gaps, grouped by domain, largest first.

    `item_ids` maps the role profile's (framework slug, item code) keys to item ids, to link each
    objective to the items it addresses.
    """
    if result is None:
        return []
    groups: dict[tuple[str, str], list] = {}
    for gap in result.gaps()[:GAPS_CONSIDERED]:
        groups.setdefault((gap.required.framework, gap.required.domain), []).append(gap)
    proposals = []
    for (framework, domain), gaps in list(groups.items())[:MAX_PROPOSALS]:
        lines = [
            f"{g.required.code}: {g.required.statement} (target {g.required.target}, verified "
            f"{g.verified if g.verified is not None else 'none'})"
            for g in gaps
        ]
        title = f"Develop {domain} to target"
        proposals.append(
            Proposal(
                title=title if len(title) <= 200 else title[:199] + "…",
                description=f"Reach the target level, with evidence signed off, in these {framework} items:\n"
                + "\n".join(f"- {line}" for line in lines),
                item_ids=[item_ids[g.required.key] for g in gaps if g.required.key in item_ids],
                due_on=add_months(today, DUE_MONTHS),
            )
        )
    return proposals


def headline(result: Readiness | None) -> str | None:
    """Where the person stands, in one sentence (the review page and the PDR pack)."""
    if result is None:
        return None
    return (
        f"{round(result.share * 100)}% ready: {result.met} of {result.required} required items verified at target, "
        f"{len(result.lapsing())} lapsing within 90 days."
        + (" Ready for the role." if result.ready else " Not yet ready for the role.")
    )


def digest(appraisal: Appraisal) -> str:
    """SHA-256 of what the signatures cover: objectives, statuses, progress and the summary."""
    body = {
        "appraisal": appraisal.id,
        "person": appraisal.user_id,
        "appraiser": appraisal.appraiser_id,
        "year": appraisal.year,
        "summary": appraisal.summary or "",
        "objectives": [
            {
                "id": o.id,
                "title": o.title,
                "description": o.description or "",
                "due_on": o.due_on.isoformat() if o.due_on else None,
                "item_ids": sorted(o.item_ids or []),
                "status": ObjectiveStatus(o.status).value,
                "progress": [{"id": p.id, "author": p.author_id, "note": p.note} for p in o.progress],
            }
            for o in appraisal.objectives
        ],
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def signature_stale(appraisal: Appraisal) -> bool:
    """One side has signed, and the review has changed since."""
    return (
        bool(appraisal.signed_digest)
        and appraisal.state == AppraisalState.AGREED
        and appraisal.signed_digest != digest(appraisal)
    )


def guard(appraisal: Appraisal, actor: User, seen_version: int) -> str:
    """Refuse stale pages, signed reviews and people who do not take part; return the actor's side."""
    if appraisal.lock_version != seen_version:
        raise AppraisalConflict(STALE)
    if appraisal.state == AppraisalState.SIGNED:
        raise AppraisalError("This review has been signed by both of you, so it can no longer be changed.")
    side = policy.appraisal_side(actor, appraisal)
    if side is None:
        raise AppraisalError("Only the person and their appraiser can change this appraisal.")
    return side


def check_objective(title: str, description: str | None) -> tuple[str, str | None]:
    """An objective's title and description, trimmed, or AppraisalError saying what to fix."""
    title = (title or "").strip()
    if not title:
        raise AppraisalError("Enter a title for the objective")
    if len(title) > 200:
        raise AppraisalError("Enter a title of 200 characters or fewer")
    description = (description or "").strip() or None
    if description and len(description) > 5000:
        raise AppraisalError("Enter a description of 5,000 characters or fewer")
    return title, description
