"""Loading the facts readiness is computed from, for one person or many, in a fixed number of queries.

Whatever the amount of evidence, a person's or a team's readiness takes: one query per distinct
target role, one for the crosswalk, one for sign-offs and one for self-assessments.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from competency_portal.models import (
    Crosswalk,
    CrosswalkPair,
    Decision,
    Domain,
    Evidence,
    Framework,
    FrameworkKind,
    FrameworkVersion,
    Item,
    RoleProfile,
    RoleTarget,
    SelfAssessment,
    SignOff,
    SignOffItem,
    User,
)
from competency_portal.readiness.model import Confirmation, Key, Readiness, Required, assess, equivalence, history


def requirements(session: Session, role_slug: str) -> list[Required]:
    """The items the current version of a role profile requires, in framework and item order."""
    role_id = (
        select(RoleProfile.id)
        .where(RoleProfile.slug == role_slug)
        .order_by(RoleProfile.revision.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Framework.slug,
            FrameworkVersion.title,
            FrameworkVersion.kind,
            Domain.title,
            Domain.position,
            Item,
            RoleTarget.target_level,
        )
        .select_from(RoleTarget)
        .join(Item, Item.id == RoleTarget.item_id)
        .join(Domain, Domain.id == Item.domain_id)
        .join(FrameworkVersion, FrameworkVersion.id == Item.version_id)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(RoleTarget.role_profile_id == role_id)
        .order_by(FrameworkVersion.title, Domain.position, Item.position)
    ).all()
    return [
        Required(
            (slug, item.code),
            item.code,
            item.statement,
            fw_title,
            domain,
            target,
            item.review_months,
            kind == FrameworkKind.PERSON_SPECIFICATION and item.requirement == "essential",
        )
        for slug, fw_title, kind, domain, _, item, target in rows
    ]


def crosswalk_groups(session: Session) -> dict[Key, frozenset[Key]]:
    """Equivalent items according to the current version of every crosswalk."""
    latest = select(Crosswalk.slug, func.max(Crosswalk.revision).label("rev")).group_by(Crosswalk.slug).subquery()
    current = select(Crosswalk.id).join(
        latest, and_(Crosswalk.slug == latest.c.slug, Crosswalk.revision == latest.c.rev)
    )
    ia, ib = aliased(Item), aliased(Item)
    va, vb = aliased(FrameworkVersion), aliased(FrameworkVersion)
    fa, fb = aliased(Framework), aliased(Framework)
    rows = session.execute(
        select(fa.slug, ia.code, fb.slug, ib.code)
        .select_from(CrosswalkPair)
        .join(ia, ia.id == CrosswalkPair.item_a_id)
        .join(va, va.id == ia.version_id)
        .join(fa, fa.id == va.framework_id)
        .join(ib, ib.id == CrosswalkPair.item_b_id)
        .join(vb, vb.id == ib.version_id)
        .join(fb, fb.id == vb.framework_id)
        .where(CrosswalkPair.crosswalk_id.in_(current))
    ).all()
    return equivalence([((a, ac), (b, bc)) for a, ac, b, bc in rows])


def confirmations(session: Session, owner_ids: list[int]) -> dict[int, list[Confirmation]]:
    """Levels confirmed by current sign-offs, per owner."""
    rows = session.execute(
        select(Evidence.owner_id, Framework.slug, Item.code, SignOffItem.level, SignOff.decided_at)
        .select_from(SignOffItem)
        .join(SignOff, SignOff.id == SignOffItem.sign_off_id)
        .join(Evidence, Evidence.id == SignOff.evidence_id)
        .join(Item, Item.id == SignOffItem.item_id)
        .join(FrameworkVersion, FrameworkVersion.id == Item.version_id)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(
            Evidence.owner_id.in_(owner_ids),
            SignOff.decision == Decision.SIGNED_OFF,
            SignOff.revoked_at.is_(None),
            SignOffItem.level.is_not(None),
        )
    ).all()
    found: dict[int, list[Confirmation]] = defaultdict(list)
    for owner, slug, code, level, decided in rows:
        found[owner].append(Confirmation((slug, code), level, decided.date()))
    return found


def self_levels(session: Session, user_ids: list[int]) -> dict[int, dict[Key, int]]:
    """Each person's latest self-assessed level per item."""
    newest = (
        select(func.max(SelfAssessment.id))
        .where(SelfAssessment.user_id.in_(user_ids))
        .group_by(SelfAssessment.user_id, SelfAssessment.item_id)
    )
    rows = session.execute(
        select(SelfAssessment.user_id, Framework.slug, Item.code, SelfAssessment.level)
        .join(Item, Item.id == SelfAssessment.item_id)
        .join(FrameworkVersion, FrameworkVersion.id == Item.version_id)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(SelfAssessment.id.in_(newest))
    ).all()
    found: dict[int, dict[Key, int]] = defaultdict(dict)
    for user_id, slug, code, level in rows:
        found[user_id][(slug, code)] = level
    return found


def readiness_for(session: Session, people: list[User], today: date) -> dict[int, Readiness]:
    """Readiness of each person with a target role (others are left out)."""
    with_role = [p for p in people if p.target_role]
    if not with_role:
        return {}
    roles = {slug: requirements(session, slug) for slug in {p.target_role for p in with_role}}
    groups = crosswalk_groups(session)
    ids = [p.id for p in with_role]
    confirmed, rated = confirmations(session, ids), self_levels(session, ids)
    return {
        p.id: assess(roles[p.target_role], confirmed.get(p.id, []), rated.get(p.id, {}), groups, today)
        for p in with_role
    }


def readiness_with_history(
    session: Session, person: User, today: date
) -> tuple[Readiness | None, list[tuple[date, float]]]:
    """A person's readiness and their readiness over twelve months, from one reading of the facts (four queries)."""
    if not person.target_role:
        return None, []
    required, groups = requirements(session, person.target_role), crosswalk_groups(session)
    confirmed = confirmations(session, [person.id]).get(person.id, [])
    rated = self_levels(session, [person.id]).get(person.id, {})
    return assess(required, confirmed, rated, groups, today), history(required, confirmed, groups, today)


def role_titles(session: Session, slugs: set[str]) -> dict[str, str]:
    """The current title of each role profile named."""
    rows = session.execute(
        select(RoleProfile.slug, RoleProfile.title, RoleProfile.revision).where(RoleProfile.slug.in_(slugs))
    ).all()
    return {slug: title for slug, title, _ in sorted(rows, key=lambda r: r[2])}
