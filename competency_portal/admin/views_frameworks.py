"""Frameworks in the browser: import a document as a draft, then check the draft and load it.

Reviewing and editing a draft's items is in views_drafts.py.
"""

from __future__ import annotations

import re

from flask import Response, render_template, request, url_for
from flask_login import current_user

from competency_portal import clock, policy, web
from competency_portal.admin import bp
from competency_portal.admin.framework_forms import DocumentForm, FilesForm, RevisionForm
from competency_portal.extensions import db
from competency_portal.importer.pipeline import MAX_BYTES
from competency_portal.models import DraftKind
from competency_portal.services import background_work, catalogue, framework_drafts, framework_uploads
from competency_portal.services.framework_drafts import DraftRefused

MAX_UPLOAD = framework_uploads.MAX_TOTAL
_ITEM_PATH = re.compile(r"^domains\[(\d+)\]\.items\[(\d+)\]")
_CHECK_PATH = re.compile(r"^domains\[\d+\]\.items\[\d+\]\.check\[(\d+)\]$")


@bp.route("/frameworks", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def frameworks():
    """Loaded frameworks, drafts being reviewed, and a form to import a document as a new draft."""
    form = DocumentForm()
    if form.validate_on_submit():
        data = form.file.data.stream.read(MAX_BYTES + 1)
        outcome = web.attempt(
            framework_drafts.start,
            db.session,
            current_user,
            form.file.data.filename,
            data,
            clock.now(),
            refusals=DraftRefused,
        )
        if outcome:
            return web.done(None, "admin.draft", draft_id=outcome.value.id)
        form.file.errors.append(outcome.error)
    return render_template(
        "admin/frameworks.html",
        form=form,
        drafts=framework_drafts.editable(db.session),
        loaded=catalogue.framework_summaries(db.session),
        max_mb=MAX_BYTES // (1024 * 1024),
    ), (400 if form.errors else 200)


@bp.route("/frameworks/files", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def upload_files():
    """Upload framework YAML files (or a zip of a folder of them); the next page checks them."""
    form = FilesForm()
    if form.validate_on_submit():
        uploads = [(f.filename or "", f.stream.read(MAX_UPLOAD + 1)) for f in form.files.data if f]
        outcome = web.attempt(
            framework_uploads.stage, db.session, current_user, uploads, clock.now(), refusals=DraftRefused
        )
        if outcome:
            return web.done(None, "admin.load_draft", draft_id=outcome.value.id)
        form.files.errors.append(outcome.error)
    return render_template("admin/framework_files.html", form=form), (400 if form.errors else 200)


@bp.get("/drafts/<int:draft_id>/<int:index>.yaml")
@policy.rule(policy.ADMIN)
def draft_yaml(draft_id: int, index: int):
    """One drafted framework as a YAML file, for the command line or for keeping."""
    draft = policy.draft_for(db.session, draft_id)
    frameworks = draft.content["frameworks"]
    if not 0 <= index < len(frameworks):
        return Response("No such framework in this draft.", status=404, mimetype="text/plain")
    framework = frameworks[index]
    return Response(
        framework_drafts.yaml_of(framework),
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{framework["id"]}.yaml"'},
    )


@bp.route("/drafts/<int:draft_id>/load", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def load_draft(draft_id: int):
    """What loading the draft would change (or what stops it), then load it: all or nothing."""
    draft = policy.draft_for(db.session, draft_id)
    form = RevisionForm()
    if request.method == "POST" and form.validate_on_submit():
        outcome = web.attempt(
            framework_drafts.load,
            db.session,
            draft,
            current_user,
            form.revision.data,
            clock.now(),
            refusals=DraftRefused,
        )
        if outcome:
            loaded = [c for c in outcome.value if c.action != "unchanged"]
            message = f"Loaded: {', '.join(f'{c.kind} {c.id} ({c.action})' for c in loaded) or 'nothing had changed'}."
            recompute = background_work.readiness_recompute(db.session)
            if recompute is not None:  # with a queue, the load's readiness recompute is still to come: follow it
                return web.done(f"{message} Everyone's readiness is being recomputed.", "main.job", job_id=recompute.id)
            if draft.kind is DraftKind.FILES:
                return web.done(message, "admin.frameworks")
            return web.done(message, "catalogue.framework", slug=draft.content["frameworks"][0]["id"])
        return web.refused(outcome, "admin.load_draft", draft_id=draft.id)
    changes, problems = framework_drafts.plan(db.session, draft)
    db.session.rollback()  # planning reads only; end its transaction before the page renders
    return render_template(
        "admin/draft_load.html",
        draft=draft,
        changes=changes,
        problems=[_described(draft, p) for p in problems],
        form=RevisionForm(formdata=None, revision=draft.revision),
    )


def _described(draft, problem) -> tuple[str, str | None]:
    """What a problem says to an administrator, and the page of the item it is about if there is one.

    A drafted item's problem is told by its code, in words ("CW.1: ..."), not by YAML line and key:
    the person reviewing a draft may never have seen the file. Uploaded files keep file, line and key.
    """
    if draft.kind is DraftKind.FILES:
        line = f", line {problem.line}" if problem.line else ""
        where = f", {problem.where}" if problem.where else ""
        return f"{problem.file}{line}{where}: {problem.message}", None
    found = _ITEM_PATH.match(problem.where or "")
    for index, framework in enumerate(draft.content.get("frameworks", [])):
        if found and problem.file == f"{framework['id']}.yaml":
            try:
                item = framework["domains"][int(found.group(1))]["items"][int(found.group(2))]
            except (IndexError, KeyError):
                break
            link = url_for("admin.draft_item", draft_id=draft.id, index=index, code=item["code"])
            checked = _CHECK_PATH.match(problem.where)
            if checked and int(checked.group(1)) < len(item.get("check", [])):
                note = item["check"][int(checked.group(1))]
                return (
                    f"{item['code']}: {note}. Open it, correct it if needed, and tick that you have looked at it.",
                    link,
                )
            return f"{item['code']}: {problem.message}", link
    return f"{problem.file}: {problem.message}", None


@bp.post("/drafts/<int:draft_id>/discard")
@policy.rule(policy.ADMIN)
def discard_draft(draft_id: int):
    """Close a draft nobody will load."""
    draft = policy.draft_for(db.session, draft_id)
    form = RevisionForm()
    if not form.validate_on_submit():
        return web.refused(web.Outcome(refusal=DraftRefused("Reload the page and try again.")), "admin.draft",
                           draft_id=draft.id)  # fmt: skip
    outcome = web.attempt(
        framework_drafts.discard,
        db.session,
        draft,
        current_user,
        form.revision.data,
        clock.now(),
        refusals=DraftRefused,
    )
    if outcome:
        return web.done(f"The draft from {draft.filename} was discarded.", "admin.frameworks")
    return web.refused(outcome, "admin.draft", draft_id=draft.id)
