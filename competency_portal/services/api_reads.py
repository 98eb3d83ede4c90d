"""What the JSON API answers, as plain data: frameworks, role profiles, people and their readiness.

Built on the same queries the pages use (catalogue, readiness); who may see whom is decided by the
policy module before these are called. `base` is the portal's public address, for CASE URIs.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal.case.parts import uri as case_uri
from competency_portal.case.vocabulary import PATH as CASE_PATH
from competency_portal.models import Framework, FrameworkVersion, User
from competency_portal.readiness import data as readiness_data
from competency_portal.readiness.model import Status
from competency_portal.services import catalogue


def _summary(slug: str, version: FrameworkVersion, base: str) -> dict:
    return {
        "id": slug,
        "title": version.title,
        "version": version.version_label,
        "revision": version.revision,
        "kind": version.kind.value,
        "items": version.item_count,
        "organisation": version.source_organisation,
        "case_package": case_uri(base + CASE_PATH, "CFPackages", version.case_identifier),
    }


def frameworks(session: Session, base: str, kind: str | None) -> list[dict]:
    """The current version of every framework (of one kind, if given), by title."""
    stmt = (
        select(Framework.slug, FrameworkVersion)
        .join(
            Framework,
            (FrameworkVersion.framework_id == Framework.id) & (FrameworkVersion.revision == Framework.current_revision),
        )
        .order_by(FrameworkVersion.title, Framework.slug)
    )
    if kind:
        stmt = stmt.where(FrameworkVersion.kind == kind)
    return [_summary(slug, version, base) for slug, version in session.execute(stmt)]


def framework(session: Session, slug: str, base: str) -> dict | None:
    """One framework's current version with its domains and items, or None."""
    version = catalogue.framework_version(session, slug)
    if version is None:
        return None
    items_base = base + CASE_PATH
    return {
        **_summary(slug, version, base),
        "domains": [
            {
                "code": d.code,
                "title": d.title,
                "items": [
                    {
                        "code": i.code,
                        "statement": i.statement,
                        "requirement": i.requirement,
                        "review_months": i.review_months,
                        "case_uri": case_uri(items_base, "CFItems", i.case_identifier),
                    }
                    for i in d.items
                ],
            }
            for d in version.domains
        ],
    }


def roles(session: Session) -> list[dict]:
    """The current version of every role profile."""
    return [
        {"id": p.slug, "title": p.title, "revision": p.revision, "items": len(p.targets)}
        for p in catalogue.role_profiles(session)
    ]


def role(session: Session, slug: str) -> dict | None:
    """One role profile with the items it requires, or None."""
    profile = catalogue.role_profile(session, slug)
    if profile is None:
        return None
    targets = sorted(
        profile.targets, key=lambda t: (t.item.version.framework.slug, t.item.domain.position, t.item.position)
    )
    return {
        "id": profile.slug,
        "title": profile.title,
        "revision": profile.revision,
        "items": len(targets),
        "description": profile.description,
        "targets": [
            {
                "framework": t.item.version.framework.slug,
                "code": t.item.code,
                "statement": t.item.statement,
                "target": t.target_level,
            }
            for t in targets
        ],
    }


def person(user: User) -> dict:
    """A person, as the API shows them."""
    return {
        "id": user.id,
        "name": user.name,
        "job_title": user.job_title,
        "team": user.team.name if user.team else None,
        "target_role": user.target_role,
    }


def readiness(session: Session, user: User, as_of: date) -> dict:
    """A person's readiness for their target role on a day, with the domains and the gaps."""
    found = readiness_data.readiness_for(session, [user], as_of).get(user.id)
    body = {"person": person(user), "role": user.target_role, "as_of": as_of}
    if found is None:
        return {**body, "required": 0, "met": 0, "share": 0.0, "ready": False, "domains": [], "gaps": []}
    return {
        **body,
        "required": found.required,
        "met": found.met,
        "share": round(found.share, 4),
        "ready": found.ready,
        "domains": [
            {"framework": d.framework, "domain": d.domain, "required": d.required, "met": d.met} for d in found.domains
        ],
        "gaps": [
            {
                "framework": g.required.key[0],
                "code": g.required.code,
                "statement": g.required.statement,
                "target": g.required.target,
                "verified": g.verified,
                "status": "claimed" if g.status == Status.CLAIMED else "gap",
            }
            for g in found.gaps()
        ],
    }
