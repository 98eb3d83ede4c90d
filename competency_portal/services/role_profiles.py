"""Role profiles made and changed in the browser: which frameworks a role needs, and the target
level for each item. A save is a load of the profile's file (versioned, audited, all or nothing,
and nothing new when nothing changed), made only if nobody saved the profile since it was opened.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal.frameworks import loader
from competency_portal.frameworks.loaded import Change
from competency_portal.frameworks.problems import FrameworkFileError
from competency_portal.frameworks.validate import read_named
from competency_portal.models import Framework, FrameworkVersion, RoleProfile, User
from competency_portal.services import audit, catalogue


class RoleRefused(ValueError):
    """The role profile cannot be saved; the message says why."""


@dataclass(frozen=True)
class Choice:
    """A framework a role may need, with the levels of its scale."""

    slug: str
    title: str
    kind: str
    levels: dict[int, str]


def choices(session: Session) -> list[Choice]:
    """Every loaded framework with its scale's levels, by kind and title (two queries however many)."""
    labels = catalogue.scale_labels(session)
    rows = session.execute(
        select(Framework.slug, FrameworkVersion.title, FrameworkVersion.kind, FrameworkVersion.scale_slug)
        .join(
            FrameworkVersion,
            (FrameworkVersion.framework_id == Framework.id) & (FrameworkVersion.revision == Framework.current_revision),
        )
        .order_by(FrameworkVersion.kind, FrameworkVersion.title)
    )
    return [Choice(slug, title, kind.value, labels.get(scale, {})) for slug, title, kind, scale in rows]


def document(profile: RoleProfile | None) -> dict:
    """The profile's file as stored (a copy), or an empty one for a new profile."""
    if profile is None:
        return {"kind": "role_profile", "id": "", "title": "", "requirements": []}
    return copy.deepcopy(profile.document)


def requirement(doc: dict, framework: str) -> dict | None:
    """The profile's requirement naming `framework`, if it has one."""
    return next((r for r in doc.get("requirements", []) if r.get("framework") == framework), None)


def with_frameworks(doc: dict, ident: str, title: str, description: str, targets: dict[str, int]) -> dict:
    """The document with its id, title and description, needing exactly the frameworks in `targets`.

    A framework kept keeps its per-domain and per-item targets and exclusions.
    """
    out = {"kind": "role_profile", "id": (ident or "").strip(), "title": (title or "").strip()}
    if (description or "").strip():
        out["description"] = description.strip()
    out["requirements"] = []
    for framework, target in targets.items():
        kept = copy.deepcopy(requirement(doc, framework) or {"framework": framework})
        kept["target"] = target
        out["requirements"].append(kept)
    return out


def with_items(doc: dict, framework: str, levels: dict[str, int | None], excluded: set[str]) -> dict:
    """The document with one framework's per-item targets (None: the framework's) and exclusions."""
    out = copy.deepcopy(doc)
    found = requirement(out, framework)
    if found is None:
        raise RoleRefused("the role does not need that framework; add it to the role first")
    found["items"] = {code: level for code, level in levels.items() if level is not None and code not in excluded}
    found["exclude"] = sorted(excluded)
    for key in ("items", "exclude"):
        if not found[key]:
            found.pop(key)
    return out


def save(session: Session, actor: User, doc: dict, seen_revision: int | None) -> list[Change]:
    """Load the profile's new content if nobody changed it since `seen_revision` (None: a new profile)."""
    current = catalogue.role_profile(session, doc.get("id", ""))
    now_revision = current.revision if current else None
    if now_revision != seen_revision:
        raise RoleRefused(
            f"role profile {doc.get('id')} already exists; choose another id"
            if seen_revision is None
            else "someone else saved this role profile after you opened it, so your change was not saved; "
            "open it again to see their version"
        )
    if not doc.get("requirements"):
        raise RoleRefused("choose at least one framework the role needs")
    name = f"{doc.get('id') or 'role'}.yaml"
    try:
        changes = loader.load(session, read_named({name: yaml.safe_dump(doc, sort_keys=False).encode()}))
    except FrameworkFileError as exc:
        raise RoleRefused("; ".join(f"{p.where or p.file}: {p.message}" for p in exc.problems)) from exc
    audit.record_loads(session, actor.id, changes, "role profile editor")
    return changes
