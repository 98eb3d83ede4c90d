"""Error pages in a real browser: plain words, and no console error (the layout's inline script
carries the nonce the page's Content-Security-Policy allows, even when the request was refused
before any view ran)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from competency_portal.extensions import db
from competency_portal.models import Evidence, EvidenceState
from tests.portal_helpers import PASSWORD

pytestmark = pytest.mark.browser


def test_a_form_refused_for_its_token_says_what_to_do_and_saves_nothing(
    world, page, sign_in, visit, check_accessibility, expect_error_response
):
    sign_in(world.emails["owner"], "ready for", password=PASSWORD)
    visit(f"/portfolio/evidence/{world.draft}")
    # As if the page had been open since before the person signed in again elsewhere.
    page.evaluate(
        "() => document.querySelectorAll('input[name=csrf_token]').forEach(i => { i.value = 'from-an-old-session'; })"
    )
    with expect_error_response(400, "POST", f"/portfolio/evidence/{world.draft}/submit"):
        page.get_by_role("button", name="Submit for sign-off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not save that")
    expect(page.get_by_role("main")).to_contain_text(
        "This page was open too long or in another tab; we could not save it. Go back, and send it again."
    )
    check_accessibility()  # fails on any console error, a blocked inline script included
    assert page.evaluate("document.body.classList.contains('js-enabled')"), "the layout's inline script did not run"
    assert db.session.get(Evidence, world.draft).state is EvidenceState.DRAFT

    page.go_back()
    check_accessibility()
    page.get_by_role("button", name="Submit for sign-off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Crisis plan draft")
    check_accessibility()
    db.session.expire_all()
    assert db.session.get(Evidence, world.draft).state is EvidenceState.SUBMITTED


def test_a_missing_page_has_no_console_error(page, live_server, check_accessibility, expect_error_response, app):
    with expect_error_response(404, "GET", "/no-such-page"):
        page.goto(live_server + "/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    check_accessibility()
    assert page.evaluate("document.body.classList.contains('js-enabled')")
