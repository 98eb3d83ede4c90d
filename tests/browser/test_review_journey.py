"""A supervisor returns evidence with a comment alone (levels are only for signing off), and the
person reads the decision history in words."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from world import NOW, submitted_to_supervisor

pytestmark = pytest.mark.browser


@pytest.fixture
def submitted(app, seeded, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW)
    return submitted_to_supervisor(seeded, tmp_path, "Crisis plan with a family")


def test_returning_asks_only_for_a_comment_and_signing_off_asks_for_levels(
    submitted, page, visit, check_accessibility, sign_in, sign_out, expect_error_response
):
    staff, boss, evidence_id = submitted
    sign_in(boss, "ready for")
    visit(f"/supervision/evidence/{evidence_id}")
    expect(page.get_by_text("Levels are needed only to sign off.")).to_be_visible()
    page.get_by_role("radio", name="Sign off").check()
    with expect_error_response(400, "POST", f"/supervision/evidence/{evidence_id}"):
        page.get_by_role("button", name="Save decision").click()
    check_accessibility()
    expect(page.get_by_role("alert")).to_contain_text("to sign off")

    page.get_by_role("radio", name="Return for changes").check()
    page.get_by_label("Comment", exact=True).fill("Add what the family said about the plan.")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("heading", name="Sign-off queue")).to_be_visible()
    check_accessibility()
    expect(page.get_by_text("Returned for changes: Crisis plan with a family (Robin Staff).")).to_be_visible()
    sign_out()

    sign_in(staff, "ready for")
    visit(f"/portfolio/evidence/{evidence_id}")
    expect(page.get_by_text("Kim Supervisor said: Add what the family said about the plan.")).to_be_visible()
    decisions = page.get_by_role("table", name="Every decision on this evidence and the revision it covers")
    expect(decisions).to_contain_text("Returned for changes")
    expect(decisions).not_to_contain_text("not demonstrated")
    expect(page.get_by_text("Digest")).to_have_count(0)
