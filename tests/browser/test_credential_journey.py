"""A staff member takes proof of a verified competence with them, and anyone checks it, in a real browser.

The staff member's evidence was signed off; from their portfolio they find their credentials, get
one for the signed-off item, and copy it. Then, signed out like anyone outside the trust, they open
the credential checker from the page footer, paste it and read that it is valid and what it says;
after the sign-off is revoked the same credential reads as revoked. By links, labels and buttons.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from competency_portal import storage
from competency_portal.extensions import db
from competency_portal.models import Item, Role, SignOff, Supervision, User
from competency_portal.services import people, signoff
from tests.credential_helpers import sign_off

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture
def signed_off_staff(seeded, app, monkeypatch, tmp_path):
    """A staff member whose evidence for NA.1 their supervisor signed off at level 3, committed."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    session = db.session
    staff = people.create_person(
        session,
        name="Alex Staff",
        email="alex.staff@example.org",
        roles={Role.STAFF},
        target_role="care-coordinator-band-6",
        password=PASSWORD,
    )
    boss = people.create_person(session, name="Sam Supervisor", email="sam@example.org", roles={Role.SUPERVISOR})
    session.add(Supervision(supervisor_id=boss.id, supervisee_id=staff.id, starts_on=date(2025, 1, 1)))
    session.flush()
    item = session.query(Item).filter_by(code="NA.1").order_by(Item.id.desc()).first()
    when = datetime.now(timezone.utc) - timedelta(days=3)
    decided = sign_off(session, staff, boss, {item.id: 3}, when, storage.from_config(app.config))
    session.commit()
    return decided.id, boss.id


def test_a_staff_member_gets_a_credential_and_anyone_checks_it(signed_off_staff, app, page, visit, check_accessibility):
    visit("/sign-in")
    page.get_by_label("Email address").fill("alex.staff@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("banner").get_by_role("link", name="My portfolio")).to_be_visible()
    check_accessibility()
    page.get_by_role("banner").get_by_role("link", name="My portfolio").click()
    expect(page.get_by_role("heading", name="My portfolio", level=1)).to_be_visible()
    check_accessibility()
    page.get_by_role("link", name=re.compile("^My credentials")).click()
    expect(page.get_by_role("heading", name="My credentials", level=1)).to_be_visible()
    check_accessibility()
    page.get_by_text(re.compile(r"^CPA policy: Care Co-ordinator competencies \(1 verified item\)")).click()
    page.get_by_role("button", name=re.compile(r"^Get a credential for NA\.1 ")).click()
    expect(page.get_by_text("Your credential has been issued.")).to_be_visible()
    check_accessibility()
    expect(page.get_by_text("Sam Supervisor signed off NA.1 at level 3")).to_be_visible()
    token = page.get_by_label("The credential as text").input_value()
    assert token.count(".") == 2

    page.get_by_role("banner").get_by_role("link", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign out", level=1)).to_be_visible()
    check_accessibility()
    page.get_by_role("main").get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    check_accessibility()
    page.get_by_role("contentinfo").get_by_role("link", name="Check a credential").click()
    expect(page.get_by_role("heading", name="Check a credential", level=1)).to_be_visible()
    check_accessibility()
    page.get_by_label("Paste the credential").fill(token)
    page.get_by_label("Email address of the person it was issued to (optional)").fill("alex.staff@example.org")
    page.get_by_role("button", name="Check the credential").click()
    expect(page.get_by_role("heading", name="Valid", level=2)).to_be_visible()
    check_accessibility()
    expect(page.get_by_text("Issued to alex.staff@example.org.")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Alex Staff")

    sign_off_id, boss_id = signed_off_staff
    signoff.revoke(
        db.session,
        db.session.get(SignOff, sign_off_id),
        db.session.get(User, boss_id),
        "Wrong person",
        datetime.now(timezone.utc),
    )
    db.session.commit()
    page.get_by_label("Paste the credential").fill(token)
    page.get_by_role("button", name="Check the credential").click()
    expect(page.get_by_role("heading", name="Revoked", level=2)).to_be_visible()
    check_accessibility()
