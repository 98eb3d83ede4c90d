"""Self-assessment: a person rates themself against their role profile's items.

Every rating is kept; the latest is shown beside the level a supervisor has verified.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from competency_portal.models import Item, RoleProfile, RoleTarget, SelfAssessment, User
from competency_portal.services import audit
from competency_portal.services.catalogue import scale_labels
from competency_portal.services.signoff import verified_levels


class SelfAssessmentError(ValueError):
    """A rating that cannot be saved; the message says why."""


@dataclass(frozen=True)
class Row:
    """One item to rate."""

    item: Item
    target: int
    self_level: int | None
    note: str | None
    verified: int | None
    levels: dict[int, str]


@dataclass(frozen=True)
class Group:
    """The rows of one domain of one framework."""

    framework_title: str
    domain_title: str
    rows: list[Row]


def role_for(session: Session, user: User) -> RoleProfile | None:
    """The current version of the person's target role profile, with targets and items loaded."""
    if not user.target_role:
        return None
    return session.scalar(
        select(RoleProfile)
        .where(RoleProfile.slug == user.target_role)
        .order_by(RoleProfile.revision.desc())
        .limit(1)
        .options(
            selectinload(RoleProfile.targets).selectinload(RoleTarget.item).selectinload(Item.domain),
            selectinload(RoleProfile.targets).selectinload(RoleTarget.item).selectinload(Item.version),
        )
    )


def latest_ratings(session: Session, user_id: int) -> dict[int, SelfAssessment]:
    """The newest rating of each item by this person."""
    newest = (
        select(func.max(SelfAssessment.id)).where(SelfAssessment.user_id == user_id).group_by(SelfAssessment.item_id)
    )
    return {r.item_id: r for r in session.scalars(select(SelfAssessment).where(SelfAssessment.id.in_(newest)))}


def groups(session: Session, user: User, role: RoleProfile) -> list[Group]:
    """Everything the self-assessment page shows, grouped by framework and domain."""
    latest = latest_ratings(session, user.id)
    verified = verified_levels(session, user.id)
    labels = scale_labels(session)
    out: dict[tuple, list[Row]] = {}
    order: dict[tuple, tuple] = {}
    for target in role.targets:
        item = target.item
        key = (item.version.title, item.domain.title)
        order.setdefault(key, (item.version.title, item.domain.position))
        rating = latest.get(item.id)
        out.setdefault(key, []).append(
            Row(
                item,
                target.target_level,
                rating.level if rating else None,
                rating.note if rating else None,
                verified.get(item.id),
                labels.get(item.version.scale_slug, {}),
            )
        )
    return [
        Group(k[0], k[1], sorted(rows, key=lambda r: r.item.position))
        for k, rows in sorted(out.items(), key=lambda kv: order[kv[0]])
    ]


def rate(session: Session, user: User, role: RoleProfile, ratings: dict[int, tuple[int, str | None]]) -> int:
    """Save the ratings that changed; refuse items outside the role and levels off the scale."""
    targets = {t.item_id: t for t in role.targets}
    labels = scale_labels(session)
    latest = latest_ratings(session, user.id)
    saved = 0
    for item_id, (level, note) in ratings.items():
        target = targets.get(item_id)
        if target is None:
            raise SelfAssessmentError(
                "One of the items is not part of your role profile; reload the page and try again."
            )
        if level not in labels.get(target.item.version.scale_slug, {}):
            raise SelfAssessmentError(f"Choose a level from the scale for item {target.item.code}.")
        note = (note or "").strip() or None
        if note and len(note) > 2000:
            raise SelfAssessmentError(f"Keep the note on item {target.item.code} to 2000 characters or fewer.")
        previous = latest.get(item_id)
        if previous is not None and previous.level == level and previous.note == note:
            continue
        session.add(SelfAssessment(user_id=user.id, item_id=item_id, level=level, note=note))
        saved += 1
    if saved:
        session.flush()
        audit.record(
            session,
            actor_id=user.id,
            action="self_assessed",
            object_type="user",
            object_id=user.id,
            subject_id=user.id,
            detail={"ratings": {str(k): v[0] for k, v in ratings.items()}, "saved": saved},
        )
    return saved
