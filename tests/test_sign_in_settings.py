"""Administrators switching password sign-in off (for staff, or for all but their own emergency route),
and unlinking a person's provider account.

The portal here has an identity provider configured (none needs to answer: these tests never go to
it); the sign-in itself through a real provider is tests/test_oidc_sign_in.py's.
"""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select
from test_oidc_sign_in import PROVIDER, portal_for
from world import PASSWORD, person

from competency_portal.models import AuditEvent, ExternalIdentity, PasswordSignIn, Role
from competency_portal.services import sign_in_admin
from tests.portal_helpers import Browser, body

OFF = "Password sign-in is switched off for your account. Use “Sign in with your trust account” instead."


@pytest.fixture
def portal(app):
    return portal_for(app, None)


@pytest.fixture
def people_(session):
    found = {
        "admin": person(session, "Ada Admin", roles=(Role.ADMIN, Role.STAFF)),
        "staff": person(session, "Sam Staff"),
        "supervisor": person(session, "Sue Supervisor", roles=(Role.SUPERVISOR, Role.STAFF)),
    }
    session.commit()
    return found


def _switch(portal, admin, mode: PasswordSignIn) -> None:
    office = Browser(portal)
    office.sign_in(admin.email, PASSWORD)
    response = office.post("/admin/sign-in", {"mode": mode.value})
    assert response.status_code == 302, body(response)
    assert f"Saved: {mode.label}." in unescape(body(office.get("/admin/sign-in")))


def _password(portal, who) -> tuple[int, str, str]:
    response = Browser(portal).post("/sign-in", {"email": who.email, "password": PASSWORD})
    return response.status_code, response.headers.get("Location", ""), unescape(body(response))


def test_off_for_staff_sends_staff_to_the_provider_and_keeps_it_for_other_roles(portal, people_, session):
    _switch(portal, people_["admin"], PasswordSignIn.NOT_STAFF)
    status, _, page = _password(portal, people_["staff"])
    assert status == 400 and OFF in page
    assert _password(portal, people_["supervisor"])[:2] == (302, "/dashboard")
    page = body(Browser(portal).get("/sign-in"))
    assert "Staff sign in with the button above" in page and 'name="password"' in page
    refused = session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in_refused")).all()
    assert [e.detail["reason"] for e in refused] == ["password sign-in is off"]
    changed = session.scalars(select(AuditEvent).where(AuditEvent.action == "password_sign_in_changed")).one()
    assert changed.detail == {"from": "everyone", "to": "not_staff"} and changed.actor_id == people_["admin"].id


def test_off_for_everyone_leaves_administrators_an_emergency_route_with_two_factor(portal, people_):
    _switch(portal, people_["admin"], PasswordSignIn.ADMINISTRATORS)
    page = body(Browser(portal).get("/sign-in"))
    assert "Administrators: emergency sign-in with a password" in page and "<details" in page
    assert "Or sign in with a password" not in page
    for who in ("staff", "supervisor"):
        status, _, page = _password(portal, people_[who])
        assert status == 400 and OFF in page and '<details class="nhsuk-details" open>' in page
    # Not production, yet the administrator must now set up an authenticator to come in by password.
    assert _password(portal, people_["admin"])[:2] == (302, "/sign-in/set-up-code")


def test_password_sign_in_cannot_be_switched_off_with_no_provider_and_a_saved_setting_then_lapses(
    app, portal, people_, session
):
    _switch(portal, people_["admin"], PasswordSignIn.ADMINISTRATORS)
    plain = Browser(app)  # the same database, with no provider configured
    plain.sign_in(people_["admin"].email, PASSWORD)
    assert "No identity provider is set up" in body(plain.get("/admin/sign-in"))
    refused = plain.post("/admin/sign-in", {"mode": PasswordSignIn.NOT_STAFF.value})
    assert refused.status_code == 400 and "cannot be switched off until an identity provider is set up" in body(refused)
    assert sign_in_admin.saved_mode(session) is PasswordSignIn.ADMINISTRATORS
    assert _password(app, people_["staff"])[:2] == (302, "/dashboard"), "with no provider, nobody may be shut out"


def test_an_administrator_unlinks_a_provider_account_from_the_person_page(portal, people_, session):
    sam = people_["staff"]
    session.add(ExternalIdentity(provider=PROVIDER, subject="sam-at-the-trust", user_id=sam.id))
    session.commit()
    office = Browser(portal)
    office.sign_in(people_["admin"].email, PASSWORD)
    page = unescape(body(office.get(f"/admin/people/{sam.id}")))
    assert "Sign-in with the trust's identity" in page and "Unlink Sign in with your trust account" in page
    response = office.post(f"/admin/people/{sam.id}/provider/{PROVIDER}/unlink")
    assert response.status_code == 302
    assert "is no longer linked" in body(office.get(response.headers["Location"]))
    assert session.scalars(select(ExternalIdentity)).all() == []
    unlinked = session.scalars(select(AuditEvent).where(AuditEvent.action == "provider_account_unlinked")).one()
    assert unlinked.subject_id == sam.id and unlinked.detail == {"provider": PROVIDER}
