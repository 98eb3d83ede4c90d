"""Plan and apply a load of framework files into the database.

`plan` says what a load would change without writing; `load` writes it inside the caller's
transaction (the caller commits once, so a failure anywhere leaves the database as it was).
Loading is idempotent: content already loaded is recognised by its SHA-256 and left alone.
Changed content becomes a new revision; earlier revisions and what links to them are kept.
When a framework changes, the role profiles and crosswalks that name it are resolved again
against the new version, from the documents stored with them.
Training subjects are upserted one by one (each with its own hash); a subject taken out of the
training file is retired, never deleted, because people's records point at it.
Loads run one at a time (`_one_load_at_a_time`): a second load started meanwhile waits, then plans
against what the first committed, so the same files loaded twice at once give one revision.
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from competency_portal.extensions import take_sqlite_write_lock
from competency_portal.frameworks.dependants import (
    _crosswalk_change,
    _role_change,
    _training_change,
    _write_crosswalk,
    _write_role,
    _write_training,
)
from competency_portal.frameworks.loaded import (
    Change,
    _current,
    _current_items,
    content_hash,
)
from competency_portal.frameworks.problems import FrameworkFileError, Problem
from competency_portal.frameworks.references import check_references
from competency_portal.frameworks.schema import (
    CrosswalkSpec,
    RoleProfileSpec,
)
from competency_portal.frameworks.validate import Bundle, Catalogue, Parsed
from competency_portal.frameworks.versions import _framework_change, _scale_change, _write_framework, _write_scale
from competency_portal.frameworks.yamlsafe import Document
from competency_portal.models import (
    Crosswalk,
    Domain,
    Framework,
    FrameworkVersion,
    Item,
    RoleProfile,
    Scale,
)

__all__ = ["Change", "catalogue", "content_hash", "load", "plan"]


def catalogue(session: Session) -> Catalogue:
    """What is loaded now, in the form reference checks need."""
    cat = Catalogue()
    rows = session.execute(
        select(Framework.slug, FrameworkVersion.scale_slug, Domain.code, Item.code)
        .join(
            FrameworkVersion,
            (FrameworkVersion.framework_id == Framework.id) & (FrameworkVersion.revision == Framework.current_revision),
        )
        .join(Domain, Domain.version_id == FrameworkVersion.id)
        .join(Item, Item.domain_id == Domain.id)
    )
    for slug, scale, domain, item in rows:
        entry = cat.frameworks.setdefault(slug, {"scale": scale, "domains": {}})
        entry["domains"].setdefault(domain, []).append(item)
    for scale in _current(session, Scale, options=[selectinload(Scale.levels)]):
        cat.scales[scale.slug] = {level.value for level in scale.levels}
    cat.roles = set(session.scalars(select(RoleProfile.slug).distinct()))
    return cat


def plan(session: Session, bundle: Bundle) -> list[Change]:
    """What loading `bundle` would change, checking every reference first."""
    bundle = _with_dependants(session, bundle)
    check_references(bundle, catalogue(session))
    _check_kinds(session, bundle)
    hashes = _framework_hashes(session, bundle)
    changes = [_scale_change(session, p.spec) for p in bundle.scales.values()]
    changes += [_framework_change(session, p.spec) for p in bundle.frameworks.values()]
    changes += [_role_change(session, p.spec, hashes) for p in bundle.roles.values()]
    changes += [_crosswalk_change(session, p.spec, hashes) for p in bundle.crosswalks.values()]
    changes += [_training_change(session, p.spec) for p in bundle.training.values()]
    return changes


LOAD_LOCK_KEY = 0x6672616D65  # any constant shared by every load; "frame"


def _one_load_at_a_time(session: Session) -> None:
    """Hold a lock until the caller's transaction ends; a concurrent load waits here before planning."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOAD_LOCK_KEY})
    else:
        take_sqlite_write_lock(session)  # now, rather than at the first insert after a stale plan


def load(session: Session, bundle: Bundle) -> list[Change]:
    """Write what `plan` describes; the caller commits (or rolls back on any exception)."""
    _one_load_at_a_time(session)
    changes = plan(session, bundle)
    bundle = _with_dependants(session, bundle)
    hashes = _framework_hashes(session, bundle)
    for parsed in bundle.scales.values():
        _write_scale(session, parsed.spec)
    for parsed in bundle.frameworks.values():
        _write_framework(session, parsed.spec)
    session.flush()
    items = _current_items(session)
    for parsed in bundle.roles.values():
        _write_role(session, parsed.spec, hashes, items)
    for parsed in bundle.crosswalks.values():
        _write_crosswalk(session, parsed.spec, hashes, items)
    for parsed in bundle.training.values():
        _write_training(session, parsed.spec)
    session.flush()
    return changes


def _with_dependants(session: Session, bundle: Bundle) -> Bundle:
    """The bundle plus loaded role profiles and crosswalks that name a framework it changes."""
    if not bundle.frameworks:
        return bundle
    out = Bundle(
        dict(bundle.frameworks), dict(bundle.scales), dict(bundle.roles), dict(bundle.crosswalks), dict(bundle.training)
    )
    changed = set(bundle.frameworks)
    for role in _current(session, RoleProfile):
        spec = RoleProfileSpec.model_validate(role.document)
        if role.slug not in out.roles and changed & {r.framework for r in spec.requirements}:
            out.roles[role.slug] = Parsed(spec, Document(f"(loaded role profile {role.slug})", role.document, None))
    for walk in _current(session, Crosswalk):
        spec = CrosswalkSpec.model_validate(walk.document)
        named = {ref.split(":")[0] for pair in spec.pairs for ref in (pair.a, pair.b)}
        if walk.slug not in out.crosswalks and changed & named:
            out.crosswalks[walk.slug] = Parsed(spec, Document(f"(loaded crosswalk {walk.slug})", walk.document, None))
    return out


def _check_kinds(session: Session, bundle: Bundle) -> None:
    kinds = dict(session.execute(select(Framework.slug, Framework.kind)).all())
    problems = [
        Problem(
            p.document.name,
            f"framework {fid!r} is loaded as a {kinds[fid].value}; a framework cannot change kind, so give this "
            "file a new id",
            "kind",
            p.document.line_of(("kind",)),
        )
        for fid, p in bundle.frameworks.items()
        if fid in kinds and kinds[fid].value != p.spec.kind
    ]
    if problems:
        raise FrameworkFileError(problems)


def _framework_hashes(session: Session, bundle: Bundle) -> dict[str, str]:
    """Content hash of every framework as it will be after the load."""
    hashes = dict(
        session.execute(
            select(Framework.slug, FrameworkVersion.content_hash).join(
                FrameworkVersion,
                (FrameworkVersion.framework_id == Framework.id)
                & (FrameworkVersion.revision == Framework.current_revision),
            )
        ).all()
    )
    hashes.update({fid: content_hash(p.spec) for fid, p in bundle.frameworks.items()})
    return hashes
