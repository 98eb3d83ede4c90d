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

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, selectinload

from competency_portal.extensions import take_sqlite_write_lock
from competency_portal.frameworks.problems import FrameworkFileError, Problem
from competency_portal.frameworks.schema import (
    CrosswalkSpec,
    FrameworkSpec,
    RoleProfileSpec,
    ScaleSpec,
    SubjectSpec,
    TrainingSpec,
)
from competency_portal.frameworks.validate import Bundle, Catalogue, Parsed, check_references
from competency_portal.frameworks.yamlsafe import Document
from competency_portal.models import (
    Crosswalk,
    CrosswalkPair,
    Domain,
    Framework,
    FrameworkKind,
    FrameworkVersion,
    Item,
    RoleProfile,
    RoleTarget,
    Scale,
    ScaleLevel,
    TrainingSubject,
)


@dataclass
class Change:
    """What a load does to one file's subject: new, new version, or unchanged, and the detail."""

    kind: str
    id: str
    action: str
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.kind} {self.id}: {self.action}"
        return "\n".join([head, *(f"  - {d}" for d in self.details)])


def content_hash(spec, extra: object = None) -> str:
    """SHA-256 of a spec's canonical JSON (plus anything it was resolved against)."""
    payload = {"spec": spec.model_dump(mode="json"), "extra": extra}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


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


# -- reading what is loaded ---------------------------------------------------------------


def _current(session: Session, model, options=()):
    latest = select(model.slug, func.max(model.revision).label("rev")).group_by(model.slug).subquery()
    stmt = select(model).join(latest, (model.slug == latest.c.slug) & (model.revision == latest.c.rev))
    return session.scalars(stmt.options(*options)).all()


def _latest(session: Session, model, slug: str):
    return session.scalar(select(model).where(model.slug == slug).order_by(model.revision.desc()).limit(1))


def _current_version(session: Session, slug: str) -> FrameworkVersion | None:
    return session.scalar(
        select(FrameworkVersion)
        .join(
            Framework,
            (FrameworkVersion.framework_id == Framework.id) & (FrameworkVersion.revision == Framework.current_revision),
        )
        .where(Framework.slug == slug)
        .options(selectinload(FrameworkVersion.domains).selectinload(Domain.items))
    )


def _current_items(session: Session) -> dict[tuple[str, str], tuple[Item, str]]:
    """(framework slug, item code) -> (item, its domain's code), for current versions."""
    rows = session.execute(
        select(Framework.slug, Domain.code, Item)
        .join(
            FrameworkVersion,
            (FrameworkVersion.framework_id == Framework.id) & (FrameworkVersion.revision == Framework.current_revision),
        )
        .join(Item, Item.version_id == FrameworkVersion.id)
        .join(Domain, Item.domain_id == Domain.id)
        .order_by(Item.position)
    )
    return {(slug, item.code): (item, domain) for slug, domain, item in rows}


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
            f"framework {fid!r} is loaded as a {kinds[fid].value}; a framework cannot change kind, so give this file a new id",
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


# -- frameworks -------------------------------------------------------------------------


def _item_view(item) -> dict:
    return {
        "statement": item.statement,
        "requirement": item.requirement,
        "assessed_by": list(item.assessed_by or []),
        "review_months": item.review_months,
        "evidence_types": list(item.evidence_types or []),
        "guidance": item.guidance,
    }


def _framework_change(session: Session, spec: FrameworkSpec) -> Change:
    current = _current_version(session, spec.id)
    count = sum(len(d.items) for d in spec.domains)
    if current is None:
        return Change(
            "framework", spec.id, "new", [f"version {spec.version}: {len(spec.domains)} domains, {count} items"]
        )
    if current.content_hash == content_hash(spec):
        return Change("framework", spec.id, "unchanged")
    details = []
    if spec.version == current.version_label:
        details.append(f"the content changed but the version label is still {spec.version!r}; consider raising it")
    else:
        details.append(f"version {current.version_label} -> {spec.version}")
    if spec.title != current.title:
        details.append(f"title: {current.title!r} -> {spec.title!r}")
    old_domains = {d.code: d.title for d in current.domains}
    new_domains = {d.code: d.title for d in spec.domains}
    details += [f"domain {c} added: {t}" for c, t in new_domains.items() if c not in old_domains]
    details += [f"domain {c} removed: {t}" for c, t in old_domains.items() if c not in new_domains]
    details += [
        f"domain {c} renamed: {old_domains[c]!r} -> {t!r}"
        for c, t in new_domains.items()
        if c in old_domains and old_domains[c] != t
    ]
    old_items = {i.code: _item_view(i) for d in current.domains for i in d.items}
    new_items = {i.code: _item_view(i) for _, i in spec.items()}
    details += [f"item {c} added: {v['statement'][:80]}" for c, v in new_items.items() if c not in old_items]
    details += [f"item {c} removed: {v['statement'][:80]}" for c, v in old_items.items() if c not in new_items]
    for code, new in new_items.items():
        old = old_items.get(code)
        if old and old != new:
            fields = ", ".join(k for k in new if new[k] != old[k])
            details.append(f"item {code} changed ({fields})")
    return Change("framework", spec.id, f"new version (revision {current.revision + 1})", details)


def _write_framework(session: Session, spec: FrameworkSpec) -> None:
    digest = content_hash(spec)
    framework = session.scalar(select(Framework).where(Framework.slug == spec.id))
    if framework is None:
        framework = Framework(slug=spec.id, kind=FrameworkKind(spec.kind), current_revision=0)
        session.add(framework)
        session.flush()
    else:
        current = session.scalar(
            select(FrameworkVersion).where(
                FrameworkVersion.framework_id == framework.id, FrameworkVersion.revision == framework.current_revision
            )
        )
        if current is not None and current.content_hash == digest:
            return
    revision = (
        session.scalar(select(func.max(FrameworkVersion.revision)).where(FrameworkVersion.framework_id == framework.id))
        or 0
    ) + 1
    version = FrameworkVersion(
        framework=framework,
        revision=revision,
        version_label=spec.version,
        title=spec.title,
        kind=FrameworkKind(spec.kind),
        scale_slug=spec.scale,
        source_document=spec.source.document,
        source_organisation=spec.source.organisation,
        source_post=spec.source.post,
        source_band=spec.source.band,
        source_date=spec.source.date,
        source_status=spec.source.status,
        notes=spec.notes,
        assessment_methods=list(spec.assessment_methods),
        item_count=sum(len(d.items) for d in spec.domains),
        content_hash=digest,
    )
    session.add(version)
    position = 0
    for d_pos, d in enumerate(spec.domains):
        domain = Domain(version=version, code=d.code, title=d.title, description=d.description, position=d_pos)
        session.add(domain)
        for i in d.items:
            position += 1
            domain.items.append(
                Item(
                    version=version,
                    code=i.code,
                    statement=i.statement,
                    requirement=i.requirement,
                    assessed_by=list(i.assessed_by or []),
                    review_months=i.review_months,
                    evidence_types=list(i.evidence_types),
                    guidance=i.guidance,
                    position=position,
                )
            )
    framework.current_revision = revision


# -- scales ---------------------------------------------------------------------------


def _scale_change(session: Session, spec: ScaleSpec) -> Change:
    current = _latest(session, Scale, spec.id)
    if current is None:
        return Change("scale", spec.id, "new", [f"{len(spec.levels)} levels"])
    if current.content_hash == content_hash(spec):
        return Change("scale", spec.id, "unchanged")
    old = {lv.value: lv.label for lv in current.levels}
    new = {lv.value: lv.label for lv in spec.levels}
    details = [
        f"level {v}: {old.get(v)!r} -> {new.get(v)!r}" for v in sorted(set(old) | set(new)) if old.get(v) != new.get(v)
    ]
    return Change(
        "scale", spec.id, f"new version (revision {current.revision + 1})", details or ["descriptions changed"]
    )


def _write_scale(session: Session, spec: ScaleSpec) -> None:
    current = _latest(session, Scale, spec.id)
    digest = content_hash(spec)
    if current is not None and current.content_hash == digest:
        return
    scale = Scale(
        slug=spec.id, revision=(current.revision + 1) if current else 1, title=spec.title, content_hash=digest
    )
    scale.levels = [ScaleLevel(value=lv.value, label=lv.label, description=lv.description) for lv in spec.levels]
    session.add(scale)


# -- role profiles ----------------------------------------------------------------------


def _dependency_hash(spec, frameworks: set[str], hashes: dict[str, str]) -> str:
    return content_hash(spec, sorted((f, hashes.get(f)) for f in frameworks))


def _role_targets(spec: RoleProfileSpec, domains_of: dict[str, dict[str, list[str]]]) -> dict[tuple[str, str], int]:
    targets: dict[tuple[str, str], int] = {}
    for req in spec.requirements:
        for domain, codes in domains_of[req.framework].items():
            for code in codes:
                if code in req.exclude:
                    continue
                targets[(req.framework, code)] = req.items.get(code, req.domains.get(domain, req.target))
    return targets


def _role_change(session: Session, spec: RoleProfileSpec, hashes: dict[str, str]) -> Change:
    current = _latest(session, RoleProfile, spec.id)
    digest = _dependency_hash(spec, {r.framework for r in spec.requirements}, hashes)
    if current is None:
        return Change("role profile", spec.id, "new", [f"{len(spec.requirements)} frameworks"])
    if current.content_hash == digest:
        return Change("role profile", spec.id, "unchanged")
    return Change(
        "role profile",
        spec.id,
        f"new version (revision {current.revision + 1})",
        ["targets or the frameworks they name changed"],
    )


def _write_role(session: Session, spec: RoleProfileSpec, hashes: dict[str, str], items: dict) -> None:
    current = _latest(session, RoleProfile, spec.id)
    digest = _dependency_hash(spec, {r.framework for r in spec.requirements}, hashes)
    if current is not None and current.content_hash == digest:
        return
    domains_of: dict[str, dict[str, list[str]]] = {}
    for (slug, code), (_, domain) in items.items():
        domains_of.setdefault(slug, {}).setdefault(domain, []).append(code)
    role = RoleProfile(
        slug=spec.id,
        revision=(current.revision + 1) if current else 1,
        title=spec.title,
        description=spec.description,
        document=spec.model_dump(mode="json"),
        content_hash=digest,
    )
    role.targets = [
        RoleTarget(item=items[key][0], target_level=level) for key, level in _role_targets(spec, domains_of).items()
    ]
    session.add(role)


# -- crosswalks -------------------------------------------------------------------------


def _crosswalk_frameworks(spec: CrosswalkSpec) -> set[str]:
    return {ref.split(":")[0] for pair in spec.pairs for ref in (pair.a, pair.b)}


def _crosswalk_change(session: Session, spec: CrosswalkSpec, hashes: dict[str, str]) -> Change:
    current = _latest(session, Crosswalk, spec.id)
    digest = _dependency_hash(spec, _crosswalk_frameworks(spec), hashes)
    if current is None:
        return Change("crosswalk", spec.id, "new", [f"{len(spec.pairs)} pairs"])
    if current.content_hash == digest:
        return Change("crosswalk", spec.id, "unchanged")
    old = {(p["a"], p["b"]) for p in current.document["pairs"]}
    new = {(p.a, p.b) for p in spec.pairs}
    details = [f"pair added: {a} = {b}" for a, b in sorted(new - old)]
    details += [f"pair removed: {a} = {b}" for a, b in sorted(old - new)]
    return Change(
        "crosswalk",
        spec.id,
        f"new version (revision {current.revision + 1})",
        details or ["notes or the frameworks it names changed"],
    )


def _write_crosswalk(session: Session, spec: CrosswalkSpec, hashes: dict[str, str], items: dict) -> None:
    current = _latest(session, Crosswalk, spec.id)
    digest = _dependency_hash(spec, _crosswalk_frameworks(spec), hashes)
    if current is not None and current.content_hash == digest:
        return
    walk = Crosswalk(
        slug=spec.id,
        revision=(current.revision + 1) if current else 1,
        title=spec.title,
        document=spec.model_dump(mode="json"),
        content_hash=digest,
    )
    walk.pairs = [
        CrosswalkPair(item_a=items[_ref(p.a)][0], item_b=items[_ref(p.b)][0], note=p.note) for p in spec.pairs
    ]
    session.add(walk)


def _ref(reference: str) -> tuple[str, str]:
    framework, code = reference.split(":", 1)
    return framework, code


# -- training subjects ------------------------------------------------------------------


def _subject_hash(subject: SubjectSpec, position: int) -> str:
    return content_hash(subject, {"position": position})


def _subject_view(title: str, renewal_months: int | None, roles: dict, position: int) -> dict:
    return {
        "title": title,
        "renewal_months": renewal_months,
        "roles": dict(sorted(roles.items())),
        "position": position,
    }


def _training_change(session: Session, spec: TrainingSpec) -> Change:
    existing = {s.slug: s for s in session.scalars(select(TrainingSubject))}
    if not existing:
        return Change("training", spec.id, "new", [f"{len(spec.subjects)} subjects"])
    details = []
    for position, subject in enumerate(spec.subjects):
        row = existing.get(subject.id)
        if row is None:
            details.append(f"subject {subject.id} added: {subject.title}")
            continue
        if row.retired:
            details.append(f"subject {subject.id} restored (it had been retired)")
        if row.content_hash != _subject_hash(subject, position):
            old = _subject_view(row.title, row.renewal_months, row.role_rules or {}, row.position)
            new = _subject_view(subject.title, subject.renewal_months, subject.roles, position)
            fields = ", ".join(k for k in new if new[k] != old[k])
            details.append(f"subject {subject.id} changed ({fields or 'content'})")
    listed = {subject.id for subject in spec.subjects}
    details += [
        f"subject {slug} retired (records of it are kept)"
        for slug, row in existing.items()
        if slug not in listed and not row.retired
    ]
    if not details:
        return Change("training", spec.id, "unchanged")
    return Change("training", spec.id, "updated", details)


def _write_training(session: Session, spec: TrainingSpec) -> None:
    existing = {s.slug: s for s in session.scalars(select(TrainingSubject))}
    for position, subject in enumerate(spec.subjects):
        digest = _subject_hash(subject, position)
        row = existing.get(subject.id)
        if row is None:
            row = TrainingSubject(slug=subject.id)
            session.add(row)
        elif row.content_hash == digest and not row.retired:
            continue
        row.title, row.renewal_months, row.role_rules = subject.title, subject.renewal_months, dict(subject.roles)
        row.position, row.content_hash, row.retired = position, digest, False
    listed = {subject.id for subject in spec.subjects}
    for slug, row in existing.items():
        if slug not in listed and not row.retired:
            row.retired = True
