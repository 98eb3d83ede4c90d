"""Frameworks and scales: what a load changes for each, and writing a new revision.

A changed framework or scale becomes a new revision; earlier revisions, and what links to them, are kept.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competency_portal.frameworks.loaded import (
    Change,
    _current_version,
    _latest,
    content_hash,
)
from competency_portal.frameworks.schema import (
    FrameworkSpec,
    ScaleSpec,
)
from competency_portal.models import (
    Domain,
    Framework,
    FrameworkKind,
    FrameworkVersion,
    Item,
    Scale,
    ScaleLevel,
)

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
