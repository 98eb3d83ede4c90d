"""A whole shortlisting in the browser: two panel members score three applications on the seed 004 person
specification, one disagreement is moderated, one candidate fails an essential, the lead decides each
application with a reason, agrees the shortlist (names appear) and downloads the CSV export."""

from __future__ import annotations

import csv
import re
from datetime import datetime, timezone

import pytest
from permission_rules_recruitment_shortlisting import application_criteria, build_vacancy, recruiter
from playwright.sync_api import expect
from sqlalchemy import select

from competency_portal.models import Application
from tests.portal_helpers import PASSWORD

pytestmark = pytest.mark.browser

NOW = datetime(2026, 11, 21, 9, tzinfo=timezone.utc)
CANDIDATES = [
    ("A-001", "Alice Applicant", "alice.applicant@example.com", False),
    ("A-002", "Bob Bidder", "bob.bidder@example.com", True),
    ("A-003", "Cara Contender", "cara.contender@example.com", False),
]


@pytest.fixture
def vacancy(app, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW)
    lead, member = recruiter(seeded, "Lena Lead"), recruiter(seeded, "Max Member")
    made = build_vacancy(seeded, lead.id, [member.id], CANDIDATES)
    apps = dict(
        seeded.execute(select(Application.reference, Application.id).where(Application.vacancy_id == made.id)).all()
    )
    criteria = application_criteria(seeded)
    seeded.rollback()
    return {"id": made.id, "lead": lead.email, "member": member.email, "apps": apps, "criteria": criteria}


def score_everything(page, check_accessibility, v, special: dict[str, dict[str, int]], reason: str):
    """Score every criterion of every application (2 unless `special` says otherwise), then submit."""
    for ref in v["apps"]:
        page.get_by_role("table", name=re.compile("^Applications to score")).get_by_role(
            "link", name=f"Score {ref}", exact=True
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Application {ref}")
        check_accessibility()
        for c in v["criteria"]:
            value = special.get(ref, {}).get(c.code, 2)
            page.locator(f"#score-{c.item_id}").select_option(str(value))
            page.locator(f"#reason-{c.item_id}").fill(f"{reason}: {c.code} scored {value}")
        page.get_by_role("button", name=f"Save scores for {ref}").click()
        expect(page.get_by_text(f"Your scores for {ref} are saved")).to_be_visible()
        check_accessibility()
    expect(page.get_by_text(f"You have scored {3 * len(v['criteria'])} of {3 * len(v['criteria'])}")).to_be_visible()
    page.get_by_role("button", name="Submit my scores").click()
    expect(page.get_by_text("Your scores are submitted")).to_be_visible()
    check_accessibility()


def test_a_whole_shortlisting_with_two_panel_members(
    app, vacancy, page, visit, check_accessibility, expect_error_response, tmp_path, sign_in, sign_out
):
    v = vacancy
    shortlist = f"/recruitment/vacancies/{v['id']}/shortlist"
    first = v["criteria"][0]  # AP.1, essential
    ks1 = next(c for c in v["criteria"] if c.code == "KS.1")  # essential, assessed at application only

    # The panel member scores first: a score saved without its reason is kept as a draft, but submitting
    # is refused, naming what is missing, with links to the fields.
    sign_in(v["member"], "Shortlisting", shortlist, password=PASSWORD)
    expect(page.get_by_role("main")).not_to_contain_text("Alice")
    page.get_by_role(
        "link", name="Score A-001", exact=True
    ).first.click()  # the next step, and the table of applications
    check_accessibility()
    page.locator(f"#score-{first.item_id}").select_option("3")
    page.get_by_role("button", name="Save scores for A-001").click()
    expect(page.get_by_text("Your scores for A-001 are saved")).to_be_visible()
    check_accessibility()
    with expect_error_response(400, "POST", f"/recruitment/vacancies/{v['id']}/scores/submit"):
        page.get_by_role("button", name="Submit my scores").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(f"A-001 still needs a score and a reason for {v['criteria'][1].code}")
    expect(summary).to_contain_text(f"and a reason for {first.code}")
    check_accessibility()
    summary.get_by_role("link", name=re.compile("^A-001 still needs")).click()
    check_accessibility()
    expect(page.get_by_label(f"Score for {first.code}")).to_have_value("3")
    page.get_by_role("alert").get_by_role("link", name=f"Give a short reason for your score on {first.code}").click()
    expect(page.get_by_label(f"Reason for your score on {first.code}")).to_be_focused()
    visit(shortlist)
    score_everything(page, check_accessibility, v, {"A-001": {first.code: 3}, "A-003": {ks1.code: 0}}, "Member")
    expect(page.get_by_role("main")).not_to_contain_text("Lead:")  # the lead has not submitted: nothing of theirs shows
    sign_out()

    # The lead scores, disagreeing by 2 on AP.1 for A-001, and agreeing A-003 has no evidence for KS.1.
    sign_in(v["lead"], "Shortlisting", shortlist, password=PASSWORD)
    score_everything(page, check_accessibility, v, {"A-001": {first.code: 1}, "A-003": {ks1.code: 0}}, "Lead")
    table = page.locator("#shortlist-table")
    expect(table.get_by_role("row").filter(has_text="A-003")).to_contain_text("Does not meet the essentials")
    expect(table.get_by_role("row").filter(has_text="A-002")).to_contain_text("Guaranteed interview")
    expect(table.get_by_role("row").filter(has_text="A-001")).to_contain_text("1 to moderate")
    expect(page.locator("[data-plotly] svg").first).to_be_visible()  # plotly.js drew the charts
    page.get_by_text("Show the data as a table: Agreed scores by application and criterion").click()
    expect(
        page.get_by_role("table", name="Agreed scores by application and criterion").get_by_role(
            "cell", name="M", exact=True
        )
    ).to_be_visible()

    # The lead moderates the disagreement, seeing both scores and reasons.
    page.get_by_role(
        "link", name=f"Moderate {first.code} for A-001"
    ).first.click()  # what to do next, and the list of flags
    check_accessibility()
    expect(page.get_by_role("main")).to_contain_text(f"Member: {first.code} scored 3")
    expect(page.get_by_role("main")).to_contain_text(f"Lead: {first.code} scored 1")
    page.get_by_label("2: Meets").check()
    page.get_by_label("Why the panel agreed this score").fill("Discussed: a good example, not an exceptional one")
    page.get_by_role("button", name="Record the agreed score").click()
    expect(page.get_by_text(f"Agreed score recorded for {first.code} on A-001")).to_be_visible()
    check_accessibility()
    expect(table.get_by_role("row").filter(has_text="A-001")).not_to_contain_text("to moderate")

    # A decision, with a reason, for each application.
    for ref, outcome, reason in (
        ("A-001", "Shortlisted", "Meets every essential; strong on AP.1"),
        ("A-002", "Shortlisted", "Meets the essentials; guaranteed interview"),
        ("A-003", "Not shortlisted", "No evidence of a professional qualification (KS.1)"),
    ):
        page.locator("#shortlist-table").get_by_role("link", name=f"Record the decision for {ref}").click()
        check_accessibility()
        page.get_by_label(f"Decision for {ref}").select_option(label=outcome)
        page.get_by_label("Reason for the decision").fill(reason)
        page.get_by_role("button", name="Save decision").click()
        expect(page.get_by_text(f"{outcome}: {ref}.")).to_be_visible()
        check_accessibility()
    expect(page.get_by_role("main")).not_to_contain_text("Alice Applicant")

    # Agreeing the shortlist shows the names.
    page.get_by_role("button", name="Agree the shortlist").click()
    expect(page.get_by_text("The shortlist is agreed. Candidates' names are now shown")).to_be_visible()
    check_accessibility()
    expect(table.get_by_role("row").filter(has_text="A-001")).to_contain_text("Alice Applicant")
    expect(table.get_by_role("row").filter(has_text="A-003")).to_contain_text("Cara Contender")

    # The CSV export, with names and reasons.
    with page.expect_download() as info:
        page.get_by_role("link", name="Shortlist with reasons (CSV)").click()
    saved = tmp_path / "shortlist.csv"
    info.value.save_as(saved)
    rows = list(csv.reader(saved.open(encoding="utf-8")))
    assert rows[0][:4] == ["Rank", "Reference", "Candidate", "Email"]
    by_ref = {r[1]: r for r in rows[1:]}
    assert by_ref["A-001"][2] == "Alice Applicant" and by_ref["A-001"][8] == "Shortlisted"
    assert (
        by_ref["A-003"][0] == "Does not meet the essentials"
        and by_ref["A-003"][9] == "No evidence of a professional qualification (KS.1)"
    )

    # The interview sheet: the criteria assessed at interview for those shortlisted.
    page.get_by_role("link", name="Interview scoring sheet").click()
    check_accessibility()
    expect(page.get_by_role("heading", name="A-001: Alice Applicant")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Cara Contender"))).to_have_count(0)
    expect(page.get_by_role("cell", name="AP.4", exact=True).first).to_be_visible()
