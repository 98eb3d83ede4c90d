"""The PDR cycle in a real browser: the supervisor starts the appraisal, both agree the objectives,
progress is recorded, the supervisor writes the summary, both sign, and the person downloads the
PDR pack as a PDF. Every page is checked with axe-core."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from world import NOW, person, supervise

pytestmark = pytest.mark.browser


@pytest.fixture
def pair(app, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW)
    staff = person(seeded, "Robin Staff")
    boss = person(seeded, "Kim Supervisor", roles={"supervisor", "staff"})
    supervise(seeded, boss, staff)
    return staff.email, boss.email


def open_appraisal(page, visit, check_accessibility):
    visit("/appraisal")
    page.get_by_role("link", name=re.compile(r"^2026\/27 appraisal")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026/27 appraisal")
    check_accessibility()


def test_a_pdr_is_agreed_signed_and_downloaded_as_pdf(app, pair, page, visit, check_accessibility, sign_in, sign_out):
    staff, boss = pair

    # The supervisor starts the appraisal: objectives are proposed from the gap analysis.
    sign_in(boss, "ready for")
    visit("/appraisal")
    page.get_by_role("link", name="Start an appraisal for Robin Staff").click()
    check_accessibility()
    expect(page.get_by_role("textbox", name="Appraisal year")).to_have_value("2026/27")
    page.get_by_role("button", name="Start the appraisal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026/27 appraisal")
    check_accessibility()
    expect(page.get_by_text(re.compile(r"\d+ objectives? proposed from the gap analysis"))).to_be_visible()
    first_objective = page.locator(".nhsuk-card__heading").first
    expect(first_objective).to_contain_text("Develop")
    expect(first_objective).to_contain_text("to target")
    expect(page.locator("[data-plotly] svg").first).to_be_visible()  # the gap analysis on screen
    page.get_by_role("button", name="Agree objectives").click()
    check_accessibility()
    expect(page.get_by_text("They are agreed once the other side agrees too.")).to_be_visible()
    sign_out()

    # The person agrees too, and records progress on the first objective.
    sign_in(staff, "ready for")
    open_appraisal(page, visit, check_accessibility)
    page.get_by_role("button", name="Agree objectives").click()
    check_accessibility()
    expect(page.get_by_text("The objectives are agreed by both of you.")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Record progress")).first.click()
    check_accessibility()
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Progress note").fill("Co-led two risk reviews with my supervisor.")
    page.get_by_role("button", name="Save progress").click()
    check_accessibility()
    expect(page.get_by_text("Co-led two risk reviews with my supervisor.")).to_be_visible()
    sign_out()

    # The supervisor writes the year-end summary and signs.
    sign_in(boss, "ready for")
    open_appraisal(page, visit, check_accessibility)
    page.get_by_role("link", name="Write the year-end summary").click()
    check_accessibility()
    page.get_by_label("Year-end summary").fill("A strong year: risk assessment is now close to target.")
    page.get_by_role("button", name="Save summary").click()
    check_accessibility()
    page.get_by_role("button", name="Sign the review").click()
    check_accessibility()
    expect(
        page.get_by_text("You have signed the review. It is complete once the other side signs too.")
    ).to_be_visible()
    sign_out()

    # The person signs, and downloads the PDR pack.
    sign_in(staff, "ready for")
    open_appraisal(page, visit, check_accessibility)
    expect(page.get_by_text("A strong year: risk assessment is now close to target.")).to_be_visible()
    page.get_by_role("button", name="Sign the review").click()
    check_accessibility()
    expect(page.get_by_text("The review is signed by both of you and can no longer be changed.")).to_be_visible()
    expect(page.get_by_role("button", name="Agree objectives")).to_have_count(0)
    page.get_by_role("button", name="Get the PDR pack (PDF)").click()  # a background job makes it
    expect(page.get_by_text("The PDR pack is ready.")).to_be_visible()
    check_accessibility()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download pdr-robin-staff-2026-27.pdf").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert download.value.suggested_filename == "pdr-robin-staff-2026-27.pdf"
