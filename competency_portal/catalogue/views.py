"""Framework list and pages, item pages with crosswalk equivalents, search, role profiles."""

from flask import abort, current_app, render_template, request

from competency_portal import policy
from competency_portal.catalogue import bp
from competency_portal.catalogue.forms import SearchForm
from competency_portal.extensions import db
from competency_portal.models import FrameworkKind
from competency_portal.services import catalogue


@bp.get("/frameworks/")
@policy.rule(policy.PUBLIC)
def index():
    """Every loaded framework, grouped by kind."""
    summaries = catalogue.framework_summaries(db.session)
    groups = [(kind, [s for s in summaries if s.kind == kind]) for kind in FrameworkKind]
    return render_template("catalogue/index.html", groups=[g for g in groups if g[1]], total=len(summaries))


@bp.get("/frameworks/<slug>")
@bp.get("/frameworks/<slug>/versions/<int:revision>")
@policy.rule(policy.PUBLIC)
def framework(slug: str, revision: int | None = None):
    """A framework's domains and items, source details and version history."""
    version = catalogue.framework_version(db.session, slug, revision) or abort(404)
    history = catalogue.version_history(db.session, slug)
    return render_template(
        "catalogue/framework.html",
        slug=slug,
        version=version,
        history=history,
        is_current=version.revision == history[0].revision,
    )


@bp.get("/frameworks/<slug>/items/<code>")
@bp.get("/frameworks/<slug>/versions/<int:revision>/items/<code>")
@policy.rule(policy.PUBLIC)
def item(slug: str, code: str, revision: int | None = None):
    """One item and what the crosswalk says is the same competence elsewhere."""
    found = catalogue.item_in_version(db.session, slug, code, revision) or abort(404)
    item, version = found
    domain = next(d for d in version.domains if d.id == item.domain_id)
    return render_template(
        "catalogue/item.html",
        slug=slug,
        item=item,
        version=version,
        domain=domain,
        equivalents=catalogue.equivalents(db.session, slug, code),
    )


@bp.get("/frameworks/search")
@policy.rule(policy.PUBLIC)
def search():
    """Search every item of the current frameworks."""
    form = SearchForm(request.args)
    hits, more, searched = [], False, False
    if request.args.get("q") is not None and form.validate() and (form.q.data or "").strip():
        hits, more = catalogue.search_items(db.session, form.q.data, current_app.config["SEARCH_PAGE_SIZE"])
        searched = True
    return render_template("catalogue/search.html", form=form, hits=hits, more=more, searched=searched)


@bp.get("/roles/")
@policy.rule(policy.PUBLIC)
def roles():
    """Every role profile."""
    return render_template("catalogue/roles.html", roles=catalogue.role_profiles(db.session))


@bp.get("/roles/<slug>")
@policy.rule(policy.PUBLIC)
def role(slug: str):
    """What a role requires: each framework's items with their target levels."""
    profile = catalogue.role_profile(db.session, slug) or abort(404)
    return render_template(
        "catalogue/role.html",
        role=profile,
        groups=catalogue.role_targets_by_framework(profile),
        labels=catalogue.scale_labels(db.session),
    )
