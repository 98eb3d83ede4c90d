"""Role profiles, crosswalks and training subjects: what a load changes for each, and writing them.

Role profiles and crosswalks are resolved against the current framework versions, so their hash
includes those versions' hashes; training subjects are upserted one by one and retired, never
deleted, when taken out of the file.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal.frameworks.loaded import (
    Change,
    _latest,
    content_hash,
)
from competency_portal.frameworks.schema import (
    CrosswalkSpec,
    RoleProfileSpec,
    SubjectSpec,
    TrainingSpec,
)
from competency_portal.models import (
    Crosswalk,
    CrosswalkPair,
    RoleProfile,
    RoleTarget,
    TrainingSubject,
)

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
