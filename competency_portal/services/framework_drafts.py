"""Drafts in the browser: start one from a document, edit it, check it, load it, or discard it.

Every edit names the revision of the draft it was made on. An edit made on an older revision
than the one stored is refused (someone else saved first) rather than overwriting their work;
two saves racing each other are caught by the model's version counter, and the view says the
same. Every step is audited. The caller commits.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from datetime import datetime

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from competency_portal.frameworks import loader
from competency_portal.frameworks.loaded import Change
from competency_portal.frameworks.problems import FrameworkFileError, Problem
from competency_portal.frameworks.validate import read_named
from competency_portal.importer import ImportRefused, editing, import_document
from competency_portal.importer.editing import EditRefused
from competency_portal.importer.suggest import suggest
from competency_portal.models import DraftKind, DraftState, FrameworkDraft, InvalidTransition, User
from competency_portal.services import audit, catalogue, framework_import

SUGGESTIONS_PER_FRAMEWORK = 2
SUGGESTION_MINIMUM = 12  # out of 100: weaker matches are noise to a reviewer


class DraftRefused(ValueError):
    """The draft cannot be started, changed or loaded; the message says why and what to do."""


def start(session: Session, actor: User, filename: str, data: bytes, now: datetime) -> FrameworkDraft:
    """A new draft from an uploaded document, with suggested equivalents among loaded items."""
    try:
        draft = import_document(filename, data)
    except ImportRefused as exc:
        raise DraftRefused(str(exc)) from exc
    frameworks = [copy.deepcopy(f) for f in draft.frameworks]
    for framework in frameworks:
        _suggest(session, framework)
    row = FrameworkDraft(
        kind=DraftKind.DOCUMENT,
        filename=draft.filename,
        content={
            "frameworks": frameworks,
            "facts": draft.facts,
            "warnings": draft.warnings,
            "left_out": [list(x) for x in draft.left_out],
        },
        source=[[line.origin, line.text] for line in draft.lines],
        created_by_id=actor.id,
        updated_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _audit(session, actor, row, "framework_draft_started", {"file": draft.filename, "checks": draft.checks()})
    return row


def _suggest(session: Session, framework: dict, only_new: bool = False) -> None:
    """Suggested equivalents for the framework's items (only those that have none yet, if `only_new`)."""
    items = [i for d in framework["domains"] for i in d["items"] if not (only_new and "_suggestions" in i)]
    if not items:
        return
    found = suggest(
        [(i["code"], i["statement"]) for i in items],
        framework_import.candidates(session, exclude={framework["id"]}),
        per_framework=SUGGESTIONS_PER_FRAMEWORK,
        minimum=SUGGESTION_MINIMUM,
    )
    titles = {f.slug: f.title for f in catalogue.framework_summaries(session)}
    for item in items:
        item["_suggestions"] = [
            {"framework": s.framework, "title": titles.get(s.framework, s.framework), "code": s.code,
             "statement": s.statement, "score": s.score, "decision": None}
            for s in found.get(item["code"], [])
        ]  # fmt: skip


def editable(session: Session) -> list[FrameworkDraft]:
    """Drafts still being edited, the most recently changed first."""
    return list(
        session.scalars(
            select(FrameworkDraft)
            .where(FrameworkDraft.state == DraftState.EDITING)
            .order_by(FrameworkDraft.updated_at.desc(), FrameworkDraft.id.desc())
        )
    )


def change(
    session: Session,
    draft: FrameworkDraft,
    actor: User,
    seen_revision: int,
    index: int,
    operation: Callable[..., object],
    *args,
    now: datetime,
    **kwargs,
):
    """Apply one edit (a function of `editing`) to framework `index` of the draft, if nobody saved since."""
    _still_editable(draft, seen_revision)
    content = copy.deepcopy(draft.content)
    try:
        framework = content["frameworks"][index]
    except (IndexError, KeyError, TypeError) as exc:
        raise DraftRefused("that framework is not part of this draft") from exc
    try:
        result = operation(framework, *args, **kwargs)
    except EditRefused as exc:
        raise DraftRefused(str(exc)) from exc
    _suggest(session, framework, only_new=True)  # items made by a split or a new group
    draft.content = content
    draft.updated_by_id, draft.updated_at = actor.id, now
    _saved(session)
    _audit(session, actor, draft, "framework_draft_edited", {"edit": operation.__name__, "framework": framework["id"]})
    return result


def _saved(session: Session) -> None:
    """Write the edit now, so that a save racing another is refused here rather than lost."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise DraftRefused(
            "Someone else saved this draft at the same moment, so your change was not saved. Open the draft "
            "again to see their version, then make your change again."
        ) from exc


def set_identity(session, draft, actor, seen_revision, index, *, ident: str, title: str, version: str,
                 organisation: str, now):  # fmt: skip
    """Give a drafted framework its id (an existing id makes it a new version of that framework),
    title, version and the organisation whose document it is."""

    def identity(framework: dict) -> None:
        framework.update(id=ident.strip(), title=title.strip(), version=version.strip())
        framework["source"]["organisation"] = organisation.strip()

    identity.__name__ = "set_identity"
    return change(session, draft, actor, seen_revision, index, identity, now=now)


def _still_editable(draft: FrameworkDraft, seen_revision: int) -> None:
    if draft.state is not DraftState.EDITING:
        raise DraftRefused(f"this draft was {draft.state.value} and can no longer be changed")
    if seen_revision != draft.revision:
        raise DraftRefused(
            f"{draft.updated_by.name} changed this draft at {draft.updated_at:%H:%M} after you opened it, "
            "so your change was not saved. The page now shows their version: make your change again."
        )


def files(draft: FrameworkDraft) -> dict[str, bytes]:
    """The draft as framework files, by name (with a crosswalk of the equivalents accepted), or as uploaded."""
    if draft.kind is DraftKind.FILES:  # stored as uploaded (services/framework_uploads.py)
        return {name: base64.b64decode(text) for name, text in draft.content["files"].items()}
    out: dict[str, bytes] = {}
    for framework in draft.content["frameworks"]:
        out[f"{framework['id']}.yaml"] = yaml_of(framework).encode()
        pairs = editing.accepted(framework)
        if pairs:
            walk = {
                "kind": "crosswalk",
                "id": f"{framework['id']}-equivalents"[:80],
                "title": f"{framework['title']}: equivalents accepted on import"[:300],
                "pairs": [
                    {
                        "a": f"{framework['id']}:{code}",
                        "b": f"{s['framework']}:{s['code']}",
                        "note": f"Suggested by the importer (score {s['score']}) and accepted by a reviewer.",
                    }
                    for code, s in pairs
                ],
            }
            out[f"{walk['id']}.yaml"] = yaml.safe_dump(walk, sort_keys=False, allow_unicode=True).encode()
    return out


def yaml_of(framework: dict) -> str:
    """One drafted framework as a YAML file, as the loader and the command line read it."""
    return yaml.safe_dump(editing.for_loading(framework), sort_keys=False, allow_unicode=True, width=100)


def plan(session: Session, draft: FrameworkDraft) -> tuple[list[Change], list[Problem]]:
    """What loading the draft would change, or the problems that stop it (by file, line and key)."""
    try:
        return loader.plan(session, read_named(files(draft))), []
    except FrameworkFileError as exc:
        return [], exc.problems


def load(session: Session, draft: FrameworkDraft, actor: User, seen_revision: int, now: datetime) -> list[Change]:
    """Load the draft, all or nothing, exactly as `plan` showed it; the draft is then closed."""
    _still_editable(draft, seen_revision)
    try:
        changes = loader.load(session, read_named(files(draft)))
    except FrameworkFileError as exc:
        raise DraftRefused(f"the draft cannot be loaded yet: {len(exc.problems)} problem(s) to fix first") from exc
    audit.record_loads(session, actor.id, changes, f"draft {draft.id}")
    draft.mark_loaded([c.id for c in changes if c.action != "unchanged"] or ["nothing changed"])
    draft.updated_by_id, draft.updated_at = actor.id, now
    _saved(session)
    _audit(session, actor, draft, "framework_draft_loaded", {"frameworks": draft.loaded_as})
    return changes


def discard(session: Session, draft: FrameworkDraft, actor: User, seen_revision: int, now: datetime) -> None:
    """Nobody will load this draft."""
    _still_editable(draft, seen_revision)
    try:
        draft.discard()
    except InvalidTransition as exc:
        raise DraftRefused(str(exc)) from exc
    draft.updated_by_id, draft.updated_at = actor.id, now
    _saved(session)
    _audit(session, actor, draft, "framework_draft_discarded", {})


def _audit(session: Session, actor: User, draft: FrameworkDraft, action: str, detail: dict) -> None:
    audit.record(
        session, actor_id=actor.id, action=action, object_type="framework_draft", object_id=draft.id, detail=detail
    )


__all__ = ["DraftRefused", "change", "discard", "editable", "files", "load", "plan", "set_identity", "start", "yaml_of"]
