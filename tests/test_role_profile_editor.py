"""Administrators create and change role profiles in the browser; each save is a new, audited version."""

from __future__ import annotations

from sqlalchemy import select
from test_admin import csrf_from, events

from competency_portal.extensions import db
from competency_portal.models import RoleProfile
from competency_portal.services import catalogue

CPA = "cpa-care-coordinator-competencies"


token = csrf_from  # the CSRF token on the form at a path


def revisions(slug: str) -> list[int]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(RoleProfile.revision).where(RoleProfile.slug == slug).order_by(RoleProfile.revision))
    )


def test_a_new_role_profile_needs_a_framework_at_a_level(as_admin):
    data = {"csrf_token": token(as_admin, "/admin/roles/new"), "revision": 0, "ident": "cpn-band-6",
            "title": "CPN (Band 6)", "description": "Community psychiatric nurse", f"include-{CPA}": "y",
            f"target-{CPA}": "3"}  # fmt: skip
    response = as_admin.post("/admin/roles/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    profile = catalogue.role_profile(db.session, "cpn-band-6")
    assert profile.title == "CPN (Band 6)" and len(profile.targets) == 42
    assert {t.target_level for t in profile.targets} == {3}
    assert events(db.session, "framework_loaded")[-1].detail["source"] == "role profile editor"
    # The same id again is refused, not overwritten.
    again = as_admin.post("/admin/roles/new", data={**data, "csrf_token": token(as_admin, "/admin/roles/new")})
    assert again.status_code == 400 and "already exists" in again.get_data(as_text=True)


def test_levels_item_by_item_make_a_new_version_and_keep_the_old(as_admin):
    slug = "care-coordinator-band-6"
    before = revisions(slug)
    path = f"/admin/roles/{slug}/frameworks/{CPA}"
    page = as_admin.get(path).get_data(as_text=True)
    assert "Not needed for this role" in page
    profile = catalogue.role_profile(db.session, slug)
    response = as_admin.post(
        path,
        data={
            "csrf_token": token(as_admin, path),
            "revision": profile.revision,
            "item-NA.1": "4",
            "item-OD.1": "exclude",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert revisions(slug) == before + [before[-1] + 1]
    profile = catalogue.role_profile(db.session, slug)
    levels = {t.item.code: t.target_level for t in profile.targets if t.item.version.framework.slug == CPA}
    assert levels["NA.1"] == 4 and "OD.1" not in levels
    # A save from a page opened on the old revision is refused.
    stale = as_admin.post(path, data={"csrf_token": token(as_admin, path), "revision": before[-1], "item-NA.1": "2"})
    assert stale.status_code == 400 and "someone else saved" in stale.get_data(as_text=True)


def test_a_role_must_need_at_least_one_framework(as_admin):
    slug = "care-coordinator-band-6"
    profile = catalogue.role_profile(db.session, slug)
    response = as_admin.post(
        f"/admin/roles/{slug}/edit",
        data={
            "csrf_token": token(as_admin, f"/admin/roles/{slug}/edit"),
            "revision": profile.revision,
            "title": "T",
        },
    )
    assert response.status_code == 400 and "at least one framework" in response.get_data(as_text=True)
