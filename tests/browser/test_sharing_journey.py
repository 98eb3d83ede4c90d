"""An internal candidate, asked by a shortlisting panel, agrees to share their verified portfolio, then stops."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from world import person

from tests.recruitment_helpers import add, recruiters, vacancy

pytestmark = pytest.mark.browser


@pytest.fixture
def asked(app, seeded):
    lead, panel, _outsider = recruiters(seeded)
    found = vacancy(seeded, lead, [panel], title="Care Coordinator (Band 6)")
    candidate = person(seeded, "Imogen Internal")
    add(seeded, found, lead, candidate.name, candidate.email, internal=True, portfolio_consent=True)
    email = candidate.email
    seeded.rollback()
    return {"email": email, "title": "Care Coordinator (Band 6)"}


def test_the_candidate_answers_from_the_notification(page, asked, sign_in, check_accessibility):
    sign_in(asked["email"], "Notifications", "/notifications")
    page.get_by_role(
        "link", name=f"The shortlisting panel for {asked['title']} asks to see your verified portfolio"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sharing your portfolio with shortlisting panels")
    expect(page.get_by_role("main")).to_contain_text("Waiting for your answer")
    check_accessibility()

    page.get_by_role("button", name=f"Share my verified portfolio for {asked['title']}").click()
    expect(page.get_by_role("status")).to_contain_text("Your verified portfolio is shared with the panel.")
    expect(page.get_by_role("main")).to_contain_text("The panel can see your verified portfolio for this vacancy.")
    check_accessibility()

    page.get_by_role("button", name=f"Stop sharing for {asked['title']}").click()
    expect(page.get_by_role("status")).to_contain_text("Your portfolio is not shared with the panel.")
    expect(page.get_by_role("main")).to_contain_text("No shortlisting panel has asked to see your portfolio.")
    check_accessibility()
