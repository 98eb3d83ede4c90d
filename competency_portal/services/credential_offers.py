"""What a person may ask a credential for: each verified item, each domain verified whole, and readiness for the role.

Only current sign-offs count, as for readiness: signed off, not revoked, and not older than the
item's review period. Each offer carries the sign-offs it rests on and the date it stops being true
(the earliest review date among them), which become the credential's evidence and expiry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from competency_portal.clock import add_months
from competency_portal.models import (
    CredentialKind,
    Decision,
    Domain,
    Evidence,
    Framework,
    FrameworkVersion,
    Item,
    RoleProfile,
    RoleTarget,
    Scale,
    ScaleLevel,
    SignOff,
    SignOffItem,
    User,
)
from competency_portal.readiness import data as readiness_data


@dataclass(frozen=True)
class Current:
    """One current sign-off of one item at one level."""

    sign_off_id: int
    signer: str
    decided_at: datetime
    item: Item
    framework_slug: str
    framework_title: str
    level: int
    level_label: str
    expires_on: date | None


@dataclass(frozen=True)
class Offer:
    """Something a credential can be issued for, and what it rests on."""

    kind: CredentialKind
    ref: str  # the item's or domain's CASE identifier, or the role profile's slug
    title: str
    description: str
    criteria: str
    human_code: str
    items: list[Item]  # what the achievement is aligned to
    basis: list[Current] = field(default_factory=list)
    framework: str = ""  # the framework an item or domain belongs to (none for a role)

    @property
    def expires_on(self) -> date | None:
        """When the first sign-off behind it is due for review (None: never)."""
        dates = [c.expires_on for c in self.basis if c.expires_on is not None]
        return min(dates) if dates else None


def _labels(session: Session) -> dict[tuple[str, int], str]:
    newest: dict[str, int] = {}
    for slug, revision in session.execute(select(Scale.slug, Scale.revision)):
        newest[slug] = max(revision, newest.get(slug, 0))
    rows = session.execute(select(Scale.slug, Scale.revision, ScaleLevel.value, ScaleLevel.label).join(Scale.levels))
    return {(slug, value): label for slug, revision, value, label in rows if newest[slug] == revision}


def current_sign_offs(session: Session, person_id: int, today: date) -> list[Current]:
    """Every current sign-off of the person's items, with the level confirmed for each."""
    rows = session.execute(
        select(SignOffItem.level, SignOff.id, SignOff.decided_at, User.name, Item, Framework.slug, FrameworkVersion)
        .select_from(SignOffItem)
        .join(SignOff, SignOff.id == SignOffItem.sign_off_id)
        .join(Evidence, Evidence.id == SignOff.evidence_id)
        .join(User, User.id == SignOff.signer_id)
        .join(Item, Item.id == SignOffItem.item_id)
        .join(FrameworkVersion, FrameworkVersion.id == Item.version_id)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(
            Evidence.owner_id == person_id,
            SignOff.decision == Decision.SIGNED_OFF,
            SignOff.revoked_at.is_(None),
            SignOffItem.level.is_not(None),
        )
    ).all()
    labels = _labels(session)
    found = []
    for level, sign_off_id, decided_at, signer, item, slug, version in rows:
        decided = decided_at.date()
        expires = add_months(decided, item.review_months) if item.review_months else None
        if decided > today or (expires is not None and expires <= today):
            continue
        label = labels.get((version.scale_slug, level), "")
        found.append(Current(sign_off_id, signer, decided_at, item, slug, version.title, level, label, expires))
    return found


def _best(candidates: list[Current], at_least: int = 0) -> Current | None:
    good = [c for c in candidates if c.level >= at_least]
    return max(good, key=lambda c: (c.level, c.expires_on or date.max, c.decided_at), default=None)


def _item_offers(current: list[Current]) -> list[Offer]:
    by_item: dict[int, list[Current]] = defaultdict(list)
    for c in current:
        by_item[c.item.id].append(c)
    offers = []
    for candidates in by_item.values():
        best = _best(candidates)
        item = best.item
        offers.append(
            Offer(
                CredentialKind.ITEM,
                item.case_identifier,
                f"{item.code} {item.statement}",
                f"Verified competence in {item.code} of {best.framework_title}, at level {best.level}"
                + (f" ({best.level_label})" if best.level_label else "")
                + ".",
                item.statement,
                item.code,
                [item],
                [best],
                best.framework_title,
            )
        )
    return sorted(offers, key=lambda o: (o.framework, o.items[0].domain_id, o.items[0].position))


def _domain_offers(session: Session, current: list[Current]) -> list[Offer]:
    by_key: dict[tuple[str, str], list[Current]] = defaultdict(list)
    for c in current:
        by_key[(c.framework_slug, c.item.code)].append(c)
    slugs = {slug for slug, _ in by_key}
    if not slugs:
        return []
    versions = session.execute(
        select(Framework.slug, FrameworkVersion)
        .join(FrameworkVersion, FrameworkVersion.framework_id == Framework.id)
        .where(Framework.slug.in_(slugs), FrameworkVersion.revision == Framework.current_revision)
    ).all()
    offers = []
    for slug, version in versions:
        domains = session.scalars(
            select(Domain)
            .where(Domain.version_id == version.id)
            .order_by(Domain.position)
            .options(selectinload(Domain.items))  # one query for every domain's items, not one per domain
        )
        for domain in domains:
            basis = [_best(by_key.get((slug, item.code), [])) for item in domain.items]
            if not domain.items or None in basis:
                continue
            offers.append(
                Offer(
                    CredentialKind.DOMAIN,
                    domain.case_identifier,
                    f"{domain.title} ({version.title})",
                    (
                        f"Every one of the {len(domain.items)} items of {domain.title}"
                        if len(domain.items) > 1
                        else f"The one item of {domain.title}"
                    )
                    + f", in {version.title}, verified.",
                    "; ".join(f"{item.code} {item.statement}" for item in domain.items),
                    domain.code,
                    list(domain.items),
                    basis,
                    version.title,
                )
            )
    return offers


def _role_offer(session: Session, person: User, current: list[Current], today: date) -> Offer | None:
    if not person.target_role:
        return None
    readiness = readiness_data.readiness_for(session, [person], today).get(person.id)
    if readiness is None or not readiness.ready:
        return None
    groups = readiness_data.crosswalk_groups(session)
    by_key: dict[tuple[str, str], list[Current]] = defaultdict(list)
    for c in current:
        by_key[(c.framework_slug, c.item.code)].append(c)
    role = session.scalar(
        select(RoleProfile).where(RoleProfile.slug == person.target_role).order_by(RoleProfile.revision.desc()).limit(1)
    )
    targets = session.scalars(
        select(RoleTarget)
        .where(RoleTarget.role_profile_id == role.id)
        .options(selectinload(RoleTarget.item).selectinload(Item.version))  # the alignments name both
    ).all()
    basis = []
    for required in readiness.items:
        same = groups.get(required.required.key, frozenset({required.required.key}))
        best = _best([c for key in same for c in by_key.get(key, [])], required.required.target)
        if best is None:  # met by a sign-off decided today after the snapshot; ask again later
            return None
        if best not in basis:
            basis.append(best)
    return Offer(
        CredentialKind.ROLE,
        role.slug,
        f"Ready for the role: {role.title}",
        f"Every item the {role.title} role requires, verified at its target level.",
        role.description or f"All {readiness.required} requirements of the {role.title} role profile met.",
        "",
        [t.item for t in targets],
        basis,
    )


def by_framework(offers: list[Offer]) -> list[tuple[str, list[Offer]]]:
    """Item offers grouped under their framework's title, in the order given."""
    groups: dict[str, list[Offer]] = {}
    for offer in offers:
        groups.setdefault(offer.framework, []).append(offer)
    return list(groups.items())


def offers(session: Session, person: User, today: date) -> list[Offer]:
    """Everything the person may ask a credential for today: the role first, then domains, then items."""
    current = current_sign_offs(session, person.id, today)
    role = _role_offer(session, person, current, today)
    return ([role] if role else []) + _domain_offers(session, current) + _item_offers(current)
