"""Appraisal (PDR) reading: the items a role asks for, what the review pages and the PDR pack show,
whose appraisals a person has and holds, and whom to choose as appraiser."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from competency_portal import policy
from competency_portal.models import (
    Appraisal,
    Framework,
    FrameworkVersion,
    Item,
    Role,
    RoleProfile,
    RoleTarget,
    User,
)
from competency_portal.readiness import data
from competency_portal.readiness.model import Key, Readiness
from competency_portal.services.appraisal_rules import GAPS_CONSIDERED, Proposal, proposals_from
from competency_portal.services.evidence import current_supervisor
from competency_portal.services.pdr_pdf import LinkedItem


def role_item_ids(session: Session, role_slug: str | None) -> dict[Key, int]:
    """The item ids the current version of a role profile requires, by (framework slug, item code)."""
    if not role_slug:
        return {}
    role_id = (
        select(RoleProfile.id)
        .where(RoleProfile.slug == role_slug)
        .order_by(RoleProfile.revision.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Framework.slug, Item.code, Item.id)
        .select_from(RoleTarget)
        .join(Item, Item.id == RoleTarget.item_id)
        .join(FrameworkVersion, FrameworkVersion.id == Item.version_id)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(RoleTarget.role_profile_id == role_id)
    ).all()
    return {(slug, code): item_id for slug, code, item_id in rows}


def item_keys(session: Session, item_ids: set[int]) -> dict[int, tuple[Key, Item]]:
    """Each item's (framework slug, code) key and the item, in one query."""
    if not item_ids:
        return {}
    rows = session.execute(
        select(Framework.slug, Item)
        .join(FrameworkVersion, FrameworkVersion.id == Item.version_id)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(Item.id.in_(item_ids))
    ).all()
    return {item.id: ((slug, item.code), item) for slug, item in rows}


def propose(session: Session, person: User, result: Readiness | None, today: date) -> list[Proposal]:
    """Up to five objectives from the person's largest gaps, linked to their role profile's items."""
    if result is None:
        return []
    return proposals_from(result, role_item_ids(session, person.target_role), today)


def readiness(session: Session, person: User, today: date) -> Readiness | None:
    """Where the person stands against their target role today (None without one)."""
    return data.readiness_for(session, [person], today).get(person.id)


def role_title(session: Session, person: User) -> str | None:
    """The title of the person's target role, or None if they have none."""
    if not person.target_role:
        return None
    return data.role_titles(session, {person.target_role}).get(person.target_role, person.target_role)


def linked_items(session: Session, appraisal: Appraisal, result: Readiness | None) -> dict[int, list[LinkedItem]]:
    """Each objective's linked items, with where the person stands on each now."""
    keys = item_keys(session, {i for o in appraisal.objectives for i in (o.item_ids or [])})
    status = {i.required.key: i.status.label for i in result.items} if result else {}
    out = {}
    for o in appraisal.objectives:
        out[o.id] = [
            LinkedItem(keys[i][1].code, keys[i][1].statement, status.get(keys[i][0], "Not in the target role"))
            for i in (o.item_ids or [])
            if i in keys
        ]
    return out


def item_choices(
    session: Session, appraisal: Appraisal, result: Readiness | None, linked: list[int]
) -> list[tuple[int, str]]:
    """Items an objective may address: those linked already and the person's current gaps."""
    ids = role_item_ids(session, appraisal.person.target_role)
    gaps = (result.gaps() if result else [])[:GAPS_CONSIDERED]
    wanted = list(dict.fromkeys(list(linked) + [ids[g.required.key] for g in gaps if g.required.key in ids]))
    keys = item_keys(session, set(wanted))
    return [(i, f"{keys[i][1].code}: {_clip(keys[i][1].statement)}") for i in wanted if i in keys]


def _clip(statement: str, limit: int = 140) -> str:
    return statement if len(statement) <= limit else statement[: limit - 1] + "…"


def for_user(session: Session, user: User) -> tuple[list[Appraisal], list[Appraisal]]:
    """Appraisals of `user`, and appraisals `user` holds as appraiser, newest year first."""

    def appraisals(*where) -> list[Appraisal]:
        return list(
            session.scalars(
                select(Appraisal)
                .where(*where)
                .order_by(Appraisal.year.desc(), Appraisal.id.desc())
                .options(selectinload(Appraisal.person), selectinload(Appraisal.appraiser))
            )
        )

    return (
        appraisals(Appraisal.user_id == user.id),
        appraisals(Appraisal.appraiser_id == user.id, Appraisal.user_id != user.id),
    )


def active_supervisees(session: Session, user: User, today: date) -> list[User]:
    """The active people `user` supervises today (directly or as a deputy), by name."""
    return list(
        session.scalars(
            select(User)
            .where(User.id.in_(policy.supervisees(session, user.id, today)), User.active.is_(True))
            .order_by(User.name)
        )
    )


def appraiser_choices(session: Session, person: User) -> list[User]:
    """Who an administrator may choose as appraiser: active supervisors other than the person."""
    return [someone for someone in policy.holders(session, Role.SUPERVISOR) if someone is not person]


def default_appraiser(session: Session, person: User, actor: User, today: date) -> User | None:
    """The person's current supervisor; for a supervisor starting it, themself."""
    if not policy.chooses_appraiser(actor):
        return actor
    return current_supervisor(session, person.id, today)
