"""The demo, as a new user meets it: the demo data (`demo.seed`, as `make run` adds it) and each role's
journey from the sign-in page by links alone, found by their accessible names. The recruiter goes from
the recruitment list to an agreed shortlist and the interview sheet, at desktop and phone widths; the
staff member finds the started appraisal and downloads an attachment; the deputy works the queue they
cover. Every page is checked with axe-core, and console errors fail the test."""

from __future__ import annotations

import csv
import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from competency_portal.extensions import db
from competency_portal.services import demo
from competency_portal.storage import LocalStorage

pytestmark = pytest.mark.browser

NOW = datetime(2026, 12, 3, 9, tzinfo=timezone.utc)
VACANCY = "Care Coordinator (Band 6), Recovery Centre"


@pytest.fixture
def demo_data(app, seeded, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW)
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    accounts = demo.seed(db.session, NOW.date(), "testing", LocalStorage(tmp_path / "uploads"))
    db.session.commit()
    return {a.email: a for a in accounts}


def header_link(page, name: str):
    """Follow a link in the header's navigation, through its "More" menu when the screen is narrow."""
    link = page.get_by_role("banner").get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        page.get_by_role("banner").get_by_role("button", name=re.compile("More")).click()
    link.click()


def next_step(page):
    """The "What to do next" panel's link (an NHS.UK action link)."""
    return page.locator("#next-step").get_by_role("link")


def follow_next_step(page, check_accessibility, expected: str | re.Pattern):
    link = next_step(page)
    expect(link).to_have_text(expected)
    link.click()
    check_accessibility()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_demo_recruiter_walks_from_sign_in_to_the_interview_sheet_by_links(
    demo_data, page, sign_in, check_accessibility, tmp_path, width
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in("recruiter@example.nhs.uk", "ready for", password=demo.DEMO_PASSWORD)
    header_link(page, "Recruitment")
    check_accessibility()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recruitment")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=VACANCY, exact=True))
    expect(row).to_contain_text("Lead")
    expect(row.get_by_role("link", name=re.compile("^Score 1 application"))).to_be_visible()
    page.get_by_role("link", name=VACANCY, exact=True).click()
    check_accessibility()

    # The vacancy page says what to do: finish scoring the part-scored application.
    expect(page.locator("#next-step")).to_contain_text("Score 1 application")
    expect(page.get_by_role("link", name="Score the applications")).to_be_visible()
    follow_next_step(page, check_accessibility, "Score C-005")
    expect(page.get_by_text("20 of 29 criteria have a score and a reason")).to_be_visible()
    for score in page.get_by_role("combobox", name=re.compile("^Score for ")).all():
        if score.input_value() == "":
            score.select_option("2")
    for reason in page.get_by_role("textbox", name=re.compile("^Reason for your score on ")).all():
        if reason.input_value() == "":
            reason.fill("Meets it: a clear example in the statement.")
    page.get_by_role("button", name="Save scores for C-005").click()
    check_accessibility()
    expect(page.get_by_text("every criterion has a score and a reason")).to_be_visible()

    # Submit, then moderate whatever the panel disagrees on, then decide each application, all by the next step.
    follow_next_step(page, check_accessibility, "Submit your scores")
    page.get_by_role("button", name="Submit my scores").click()
    check_accessibility()
    expect(page.get_by_text("Your scores are submitted")).to_be_visible()
    moderated = 0
    while (label := next_step(page).inner_text()).startswith("Moderate "):
        follow_next_step(page, check_accessibility, label)
        page.get_by_label("2: Meets").check()
        page.get_by_label("Why the panel agreed this score").fill(
            "Discussed at panel: one good example, so it meets the criterion."
        )
        page.get_by_role("button", name="Record the agreed score").click()
        check_accessibility()
        moderated += 1
    assert moderated >= 2  # the demo's two planned disagreements, at least
    decided = 0
    while (label := next_step(page).inner_text()).startswith("Record the decision for "):
        ref = label.rsplit(" ", 1)[1]
        follow_next_step(page, check_accessibility, label)
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Decision for {ref}")
        fails = "No: an agreed 0" in page.get_by_role("main").inner_text()
        outcome = "Not shortlisted" if fails else ("Shortlisted" if decided < 2 else "Reserve")
        page.get_by_label(f"Decision for {ref}").select_option(label=outcome)
        page.get_by_label("Reason for the decision").fill(f"{outcome}: judged against the essential criteria.")
        page.get_by_role("button", name="Save decision").click()
        check_accessibility()
        expect(page.get_by_text(f"{outcome}: {ref}.")).to_be_visible()
        decided += 1
    assert decided == 5
    expect(page.get_by_role("main")).not_to_contain_text("Amara Okonkwo")

    follow_next_step(page, check_accessibility, "Agree the shortlist")  # the same page, at the agreement
    page.get_by_role("button", name="Agree the shortlist").click()
    check_accessibility()
    expect(page.locator("#shortlist-table")).to_contain_text("Amara Okonkwo")  # names are shown now
    with page.expect_download() as info:
        page.get_by_role("link", name="Shortlist with reasons (CSV)").click()
    saved = tmp_path / f"shortlist-{width}.csv"
    info.value.save_as(saved)
    rows = list(csv.reader(saved.open(encoding="utf-8")))
    assert rows[0][2] == "Candidate" and {r[2] for r in rows[1:]} >= {"Amara Okonkwo", "Daniel Price"}

    # Then on to interviews and the interview sheet, from the next step each time.
    follow_next_step(page, check_accessibility, "Move to interviews")
    page.get_by_role("button", name="Move to interviews").click()
    check_accessibility()
    follow_next_step(page, check_accessibility, "Open the interview scoring sheet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Interview scoring sheet")
    expect(page.get_by_role("heading", name=re.compile(r"^C-00\d: Amara Okonkwo$"))).to_be_visible()

    # The vacancy led by the other recruiter: its shortlist is agreed, with a reason for each decision.
    header_link(page, "Recruitment")
    check_accessibility()
    page.get_by_role("link", name="Mental Health Social Worker / Care Co-ordinator (Grade H)", exact=True).click()
    check_accessibility()
    page.get_by_role("link", name="Shortlist and exports").click()
    check_accessibility()
    table = page.locator("#shortlist-table")
    expect(table).to_contain_text("Hannah Cole")
    expect(table).to_contain_text("Does not yet hold a social work qualification with HCPC registration")


def test_the_demo_staff_member_sees_the_started_appraisal_and_downloads_an_attachment(
    demo_data, page, sign_in, check_accessibility
):
    sign_in("tom.okafor@example.nhs.uk", "ready for", password=demo.DEMO_PASSWORD)
    header_link(page, "Appraisal")
    check_accessibility()
    page.get_by_role("link", name=re.compile(r"^2026\/27 appraisal")).click()
    check_accessibility()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026/27 appraisal")
    expect(page.get_by_role("main")).to_contain_text("Objectives agreed by")
    expect(page.get_by_role("main")).to_contain_text("Develop Risk Assessment and Management to target")
    expect(page.get_by_role("button", name="Agree objectives")).to_be_visible()  # his part: agree them too

    header_link(page, "My portfolio")
    check_accessibility()
    page.get_by_role("link", name="Reviewing a risk management plan after missed appointments").click()
    check_accessibility()
    with page.expect_download() as info:
        page.get_by_role("link", name="supervision-notes.txt").click()
    assert (
        "Supervision notes on reviewing and adjusting a risk management plan"
        in open(info.value.path(), encoding="utf-8").read()
    )


def test_the_demo_deputy_works_the_queue_they_cover_today(demo_data, page, sign_in, check_accessibility):
    sign_in("deputy@example.nhs.uk", "ready for", password=demo.DEMO_PASSWORD)
    header_link(page, "Sign-off queue")
    check_accessibility()
    queue = page.get_by_role("table")
    for person in ("Priya Shah", "Tom Okafor", "Grace Lee", "Dan Hughes"):  # Sam Patel's supervisees
        expect(queue).to_contain_text(person)
    page.get_by_role("link", name="Chairing a CPA review with the service user and their carer").click()
    check_accessibility()
    with page.expect_download() as info:
        page.get_by_role("link", name="cpa-review-observation.pdf").click()
    assert open(info.value.path(), "rb").read().startswith(b"%PDF")
