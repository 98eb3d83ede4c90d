"""Permission expectations for the framework pages (imports, drafts, uploads, role profiles), merged
into tests/test_permissions.py. Every one is for administrators only.

GET: endpoint -> {kind of user: expected outcome of a GET} (see test_permissions for the kinds and outcomes).
url_values(world): a draft made from a document, with an item whose code is the world's item code.
post_cases(world): endpoint -> (url, form data, {kind: refusal outcome}, (allowed kind, status) or None).
"""

from __future__ import annotations

import copy

from importer_docs import prose_docx
from sqlalchemy import select

from competency_portal import clock
from competency_portal.extensions import db
from competency_portal.models import FrameworkDraft, User
from competency_portal.services import framework_drafts
from tests.portal_helpers import KINDS

SIGNIN = "sign-in"
ADMIN_ONLY = {"anonymous": SIGNIN, **{k: 403 for k in KINDS if k != "anonymous"}, "admin": 200}
POST_ONLY = {kind: 405 for kind in KINDS}
NOT_ADMIN = {k: 403 for k in KINDS if k not in ("anonymous", "admin")}

GET: dict[str, dict] = {
    "admin.frameworks": ADMIN_ONLY,
    "admin.upload_files": ADMIN_ONLY,
    "admin.draft": ADMIN_ONLY,
    "admin.draft_item": ADMIN_ONLY,
    "admin.draft_identity": ADMIN_ONLY,
    "admin.draft_yaml": ADMIN_ONLY,
    "admin.load_draft": ADMIN_ONLY,
    "admin.draft_item_action": POST_ONLY,
    "admin.draft_item_split": POST_ONLY,
    "admin.draft_group": POST_ONLY,
    "admin.discard_draft": POST_ONLY,
    "admin.roles": ADMIN_ONLY,
    "admin.edit_role": ADMIN_ONLY,
    "admin.role_items": ADMIN_ONLY,
}


def draft(world) -> FrameworkDraft:
    """The world's draft (made once): the admin's import of a document, its first item renamed to the
    world's item code so that one `code` fills every route."""
    found = db.session.scalars(select(FrameworkDraft).order_by(FrameworkDraft.id)).first()
    if found is None:
        admin = db.session.get(User, world.id("admin"))
        found = framework_drafts.start(db.session, admin, "cpn.docx", prose_docx(), clock.now())
        content = copy.deepcopy(found.content)  # a new value, or the JSON column would not see the change
        content["frameworks"][0]["domains"][0]["items"][0]["code"] = world.item_code
        found.content = content
        db.session.commit()
    return found


def url_values(world) -> dict:
    """A draft id, its first framework, and a framework the world's target role needs."""
    found = draft(world)
    values = {"draft_id": found.id, "index": 0, "framework": world.framework_slug, "action": "down"}
    db.session.rollback()
    return values


def post_cases(world) -> dict:
    """Refusal cases for the framework POST routes: everyone but an administrator is refused."""
    found = draft(world)
    base, revision, code = f"/admin/drafts/{found.id}/0", found.revision, world.item_code
    group = found.content["frameworks"][0]["domains"][0]["code"]
    db.session.rollback()
    item = {"revision": revision, "statement": "Changed", "domain": group}
    role = {"revision": 0, "ident": "new-role", "title": "New role", f"include-{world.framework_slug}": "y",
            f"target-{world.framework_slug}": "3"}  # fmt: skip
    return {
        "admin.frameworks": ("/admin/frameworks", {}, NOT_ADMIN, None),
        "admin.upload_files": ("/admin/frameworks/files", {}, NOT_ADMIN, None),
        "admin.draft_item": (f"{base}/items/{code}", item, NOT_ADMIN, None),
        "admin.draft_item_action": (f"{base}/items/{code}/down", {"revision": revision}, NOT_ADMIN, None),
        "admin.draft_item_split": (
            f"{base}/items/{code}/split",
            {"revision": revision, "parts": "A\nB"},
            NOT_ADMIN,
            None,
        ),  # fmt: skip
        "admin.draft_group": (
            f"{base}/groups/new",
            {"revision": revision, "title": "G", "first_item": "I"},
            NOT_ADMIN,
            None,
        ),  # fmt: skip
        "admin.draft_identity": (
            f"{base}/identity",
            {"revision": revision, "replaces": "", "ident": "x-y", "title": "T", "version": "1", "organisation": "O"},
            NOT_ADMIN,
            None,
        ),  # fmt: skip
        "admin.load_draft": (f"/admin/drafts/{found.id}/load", {"revision": revision}, NOT_ADMIN, None),
        "admin.discard_draft": (f"/admin/drafts/{found.id}/discard", {"revision": revision}, NOT_ADMIN, None),
        "admin.edit_role": ("/admin/roles/new", role, NOT_ADMIN, None),
        "admin.role_items": (
            f"/admin/roles/care-coordinator-band-6/frameworks/{world.framework_slug}",
            {"revision": 1},
            NOT_ADMIN,
            None,
        ),
    }
