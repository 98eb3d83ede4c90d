"""Reviewing a draft framework: the draft beside its source, and each change a reviewer makes.

Every change is a small form naming the draft revision it was made on (see
services/framework_drafts.py), so nothing another administrator saved meanwhile is overwritten.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from competency_portal import clock, policy, web
from competency_portal.admin import bp
from competency_portal.admin.framework_forms import GroupForm, IdentityForm, ItemForm, RevisionForm, SplitForm
from competency_portal.extensions import db
from competency_portal.importer import editing
from competency_portal.importer.editing import EditRefused
from competency_portal.models import DraftKind
from competency_portal.services import catalogue, framework_drafts
from competency_portal.services.framework_drafts import DraftRefused

ACTIONS = {"up": (editing.move_item, -1), "down": (editing.move_item, 1), "merge": (editing.merge_with_next, None),
           "delete": (editing.delete_item, None)}  # fmt: skip
DONE = {"up": "Moved up.", "down": "Moved down.", "merge": "Merged with the next item.", "delete": "Deleted."}


def _framework(draft, index: int) -> dict:
    frameworks = draft.content["frameworks"]
    if not 0 <= index < len(frameworks):
        abort(404)
    return frameworks[index]


def _item(framework: dict, code: str) -> tuple[dict, dict]:
    try:
        domain, position = editing.find(framework, code)
    except EditRefused:
        abort(404)
    return domain, domain["items"][position]


@bp.get("/drafts/<int:draft_id>")
@policy.rule(policy.ADMIN)
def draft(draft_id: int):
    """The draft's frameworks, group by group, beside the document's text as it was read."""
    found = policy.draft_for(db.session, draft_id)
    if found.kind is DraftKind.FILES:  # uploaded files have nothing to review item by item
        return redirect(url_for("admin.load_draft", draft_id=found.id))
    checks = sum(len(i.get("check", [])) for f in found.content["frameworks"] for d in f["domains"] for i in d["items"])
    anchors: dict[str, int] = {}
    for number, (origin, _text) in enumerate(found.source, 1):
        anchors.setdefault(origin, number)
    return render_template(
        "admin/draft.html",
        draft=found,
        checks=checks,
        anchors=anchors,
        form=RevisionForm(formdata=None, revision=found.revision),
        editing=found.state.value == "editing",
    )


@bp.route("/drafts/<int:draft_id>/<int:index>/items/<code>", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def draft_item(draft_id: int, index: int, code: str):
    """Edit one item: its words, group, flags and the equivalents suggested for it."""
    found = policy.draft_for(db.session, draft_id)
    framework = _framework(found, index)
    domain, item = _item(framework, code)
    spec = framework["kind"] == "person_specification"
    form = ItemForm() if request.method == "POST" else ItemForm(
        formdata=None, revision=found.revision, statement=item["statement"], domain=domain["code"],
        requirement=item.get("requirement"), assessed_by=item.get("assessed_by", []),
    )  # fmt: skip
    form.domain.choices = [(d["code"], f"{d['title']} ({d['code']})") for d in framework["domains"]]
    if not spec:
        del form.requirement, form.assessed_by
    error = None
    if request.method == "POST" and form.validate():
        keys = [f"{s['framework']}:{s['code']}" for s in item.get("_suggestions", [])]
        decisions = {k: request.form.get(f"decision-{k}") or None for k in keys if f"decision-{k}" in request.form}
        outcome = web.attempt(
            framework_drafts.change, db.session, found, current_user, form.revision.data, index, editing.update_item,
            code, statement=form.statement.data, domain=form.domain.data, checked=form.checked.data,
            requirement=form.requirement.data if spec else None, assessed_by=form.assessed_by.data if spec else None,
            decisions=decisions, now=clock.now(), refusals=DraftRefused,
        )  # fmt: skip
        if outcome:
            return web.done(
                f"{outcome.value} saved.", "admin.draft", draft_id=found.id, _anchor=f"item-{index}-{outcome.value}"
            )
        error = outcome.error
        db.session.refresh(found)
        framework = _framework(found, index)
    return render_template(
        "admin/draft_item.html",
        draft=found,
        index=index,
        framework=framework,
        domain=domain,
        item=item,
        form=form,
        split_form=SplitForm(formdata=None, revision=found.revision, parts=item["statement"]),
        error=error,
        source=[line for line in found.source if line[0] == item.get("origin")],
    ), (400 if error or form.errors else 200)


@bp.post("/drafts/<int:draft_id>/<int:index>/items/<code>/<action>")
@policy.rule(policy.ADMIN)
def draft_item_action(draft_id: int, index: int, code: str, action: str):
    """Move an item up or down, merge it with the next, or delete it."""
    found = policy.draft_for(db.session, draft_id)
    _framework(found, index)
    if action not in ACTIONS:
        abort(404)
    form = RevisionForm()
    if not form.validate():
        abort(400)
    operation, step = ACTIONS[action]
    args = (code, step) if step is not None else (code,)
    outcome = web.attempt(
        framework_drafts.change, db.session, found, current_user, form.revision.data, index, operation, *args,
        now=clock.now(), refusals=DraftRefused,
    )  # fmt: skip
    if outcome:
        return web.done(f"{code}: {DONE[action]}", "admin.draft", draft_id=found.id, _anchor=f"framework-{index}")
    return web.refused(outcome, "admin.draft", draft_id=found.id)


@bp.post("/drafts/<int:draft_id>/<int:index>/items/<code>/split")
@policy.rule(policy.ADMIN)
def draft_item_split(draft_id: int, index: int, code: str):
    """Split an item into one item a line."""
    found = policy.draft_for(db.session, draft_id)
    _framework(found, index)
    form = SplitForm()
    if not form.validate():
        return web.refused(web.Outcome(refusal=DraftRefused("Put each item on a line of its own.")), "admin.draft_item",
                           draft_id=found.id, index=index, code=code)  # fmt: skip
    outcome = web.attempt(
        framework_drafts.change, db.session, found, current_user, form.revision.data, index, editing.split_item, code,
        form.parts.data.splitlines(), now=clock.now(), refusals=DraftRefused,
    )  # fmt: skip
    if outcome:
        return web.done(f"{code} split into {', '.join(outcome.value)}.", "admin.draft", draft_id=found.id,
                        _anchor=f"item-{index}-{code}")  # fmt: skip
    return web.refused(outcome, "admin.draft_item", draft_id=found.id, index=index, code=code)


@bp.post("/drafts/<int:draft_id>/<int:index>/groups/<code>")
@policy.rule(policy.ADMIN)
def draft_group(draft_id: int, index: int, code: str):
    """Rename a group (code "new": add a group with its first item)."""
    found = policy.draft_for(db.session, draft_id)
    _framework(found, index)
    form = GroupForm()
    if not form.validate():
        return web.refused(web.Outcome(refusal=DraftRefused("Enter the group's title.")), "admin.draft",
                           draft_id=found.id)  # fmt: skip
    if code == "new":
        operation, args = editing.add_domain, (form.title.data, form.first_item.data)
    else:
        operation, args = editing.rename_domain, (code, form.title.data)
    outcome = web.attempt(
        framework_drafts.change, db.session, found, current_user, form.revision.data, index, operation, *args,
        now=clock.now(), refusals=DraftRefused,
    )  # fmt: skip
    if outcome:
        return web.done("Group saved.", "admin.draft", draft_id=found.id, _anchor=f"framework-{index}")
    return web.refused(outcome, "admin.draft", draft_id=found.id)


@bp.route("/drafts/<int:draft_id>/<int:index>/identity", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def draft_identity(draft_id: int, index: int):
    """Name the drafted framework, or make it a new version of one already loaded."""
    found = policy.draft_for(db.session, draft_id)
    framework = _framework(found, index)
    same_kind = [s for s in catalogue.framework_summaries(db.session) if s.kind.value == framework["kind"]]
    replacing = framework["id"] if framework["id"] in {s.slug for s in same_kind} else ""
    form = IdentityForm() if request.method == "POST" else IdentityForm(
        formdata=None, revision=found.revision, ident=framework["id"], title=framework["title"],
        version=framework["version"], replaces=replacing, organisation=framework["source"]["organisation"],
    )  # fmt: skip
    form.replaces.choices = [("", "A new framework")] + [
        (s.slug, f"A new version of {s.title} ({s.slug})") for s in same_kind
    ]
    error = None
    if request.method == "POST" and form.validate():
        ident = form.replaces.data or form.ident.data
        outcome = web.attempt(
            framework_drafts.set_identity, db.session, found, current_user, form.revision.data, index, ident=ident,
            title=form.title.data, version=form.version.data, organisation=form.organisation.data, now=clock.now(),
            refusals=DraftRefused,
        )  # fmt: skip
        if outcome:
            return web.done("Saved.", "admin.draft", draft_id=found.id, _anchor=f"framework-{index}")
        error = outcome.error
    return render_template(
        "admin/draft_identity.html", draft=found, index=index, framework=framework, form=form, error=error
    ), (400 if error or form.errors else 200)
