"""Role profiles in the browser: which frameworks a role needs, at what level, item by item.

Each save is a new version of the profile (services/role_profiles.py), audited; the form names the
revision it was opened on, so a save never overwrites someone else's.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from competency_portal import policy, web
from competency_portal.admin import bp
from competency_portal.admin.framework_forms import RoleForm, RoleItemsForm
from competency_portal.extensions import db
from competency_portal.services import catalogue, role_profiles
from competency_portal.services.role_profiles import RoleRefused


def _profile_or_404(slug: str):
    return catalogue.role_profile(db.session, slug) or abort(404)


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 4 else None


@bp.get("/roles")
@policy.rule(policy.ADMIN)
def roles():
    """Every role profile, with links to change it, and to make a new one."""
    return render_template("admin/roles.html", profiles=catalogue.role_profiles(db.session))


@bp.route("/roles/new", methods=["GET", "POST"], defaults={"slug": None})
@bp.route("/roles/<slug>/edit", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def edit_role(slug: str | None):
    """A role's id, title, description, and the frameworks it needs with the target for each."""
    profile = _profile_or_404(slug) if slug else None
    doc = role_profiles.document(profile)
    frameworks = role_profiles.choices(db.session)
    form = RoleForm() if request.method == "POST" else RoleForm(
        formdata=None, ident=doc["id"], title=doc["title"], description=doc.get("description") or "",
        revision=profile.revision if profile else 0,
    )  # fmt: skip
    if profile:
        form.ident.data = profile.slug  # the id of a loaded profile never changes
    error = None
    if request.method == "POST" and form.validate():
        targets = {}
        for choice in frameworks:
            if request.form.get(f"include-{choice.slug}"):
                level = _number(request.form.get(f"target-{choice.slug}"))
                if level not in choice.levels:
                    error = f"Choose the target level for {choice.title}"
                    break
                targets[choice.slug] = level
        if error is None:
            new = role_profiles.with_frameworks(doc, form.ident.data, form.title.data, form.description.data, targets)
            seen = profile.revision if profile else None
            outcome = web.attempt(role_profiles.save, db.session, current_user, new, seen, refusals=RoleRefused)
            if outcome:
                action = next((c.action for c in outcome.value if c.kind == "role profile"), "unchanged")
                return web.done(f"Role profile {new['id']}: {action}.", "catalogue.role", slug=new["id"])
            error = outcome.error
    return render_template(
        "admin/role_edit.html", profile=profile, doc=doc, form=form, frameworks=frameworks, error=error,
        needed={r["framework"]: r for r in doc.get("requirements", [])},
    ), (400 if error or form.errors else 200)  # fmt: skip


@bp.route("/roles/<slug>/frameworks/<framework>", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def role_items(slug: str, framework: str):
    """The target for each item of one framework the role needs, or that the role does not need it."""
    profile = _profile_or_404(slug)
    doc = role_profiles.document(profile)
    needed = role_profiles.requirement(doc, framework) or abort(404)
    version = catalogue.framework_version(db.session, framework) or abort(404)
    levels = catalogue.scale_labels(db.session).get(version.scale_slug, {})
    form = RoleItemsForm() if request.method == "POST" else RoleItemsForm(formdata=None, revision=profile.revision)
    error = None
    if request.method == "POST" and form.validate():
        chosen, excluded = {}, set()
        for domain in version.domains:
            for item in domain.items:
                value = request.form.get(f"item-{item.code}", "")
                if value == "exclude":
                    excluded.add(item.code)
                elif value:
                    chosen[item.code] = _number(value) if _number(value) in levels else None
        new = role_profiles.with_items(doc, framework, chosen, excluded)
        seen = form.revision.data
        outcome = web.attempt(role_profiles.save, db.session, current_user, new, seen, refusals=RoleRefused)
        if outcome:
            return web.done(f"Targets for {version.title} saved.", "catalogue.role", slug=slug)
        error = outcome.error
    return render_template(
        "admin/role_items.html", profile=profile, version=version, needed=needed, levels=levels, form=form,
        error=error,
    ), (400 if error else 200)  # fmt: skip
