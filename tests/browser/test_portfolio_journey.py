"""The portfolio's done-when journey, in a real browser, as the two people take it.

A staff member records evidence with an attachment and submits it; their supervisor returns it
with a comment; the staff member edits and resubmits; the supervisor signs it off; the audit chain
verifies (and a tampered record is named).

Everything is done by links, labels and buttons. Every page loaded is checked with axe-core (see
conftest.py): `visit` for pages opened by address, `check_accessibility` for pages reached by
clicking, once the new page's heading is seen.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from competency_portal.extensions import db
from competency_portal.models import Role, Supervision
from competency_portal.services import people

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
STAFF = ("Alex Staff", "alex.staff@example.org")
SUPERVISOR = ("Sam Supervisor", "sam.supervisor@example.org")
TITLE = "Joint initial assessment with the duty worker"
DESCRIPTION = (
    "I assessed a service user jointly with the duty worker because of the level of risk, and fed back to the team."
)
CHANGED_DESCRIPTION = DESCRIPTION + " The team agreed the plan; my reflection on the risk history is attached."
RETURN_COMMENT = "Say how the history and the level of risk decided that you assessed jointly."
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOMAIN_GROUP = "CPA policy: Care Co-ordinator competencies: Needs Assessment"
CODES = ("NA.1", "NA.3")
# The portal's clock for the journey: the evidence is submitted on day 0 and reviewed 3 days later.
SUBMITTED_AT = datetime.combine(date.today() - timedelta(days=10), time(10, 0), tzinfo=timezone.utc)
REVIEWED_AT = SUBMITTED_AT + timedelta(days=3)


def header_link(page, name):
    return page.get_by_role("banner").get_by_role("link", name=name)


def heading(page, name, level: int | None = None):
    if level is None:
        return page.get_by_role("heading", name=name)
    return page.get_by_role("heading", name=name, level=level)


def item_checkbox(page, code: str):
    return page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(code)}\s"))


@pytest.fixture
def journey_people(seeded, app, monkeypatch, tmp_path):
    """A staff member aiming at the Band 6 role, and their supervisor for the past year, committed."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "PORTAL_NOW", SUBMITTED_AT)
    session = db.session
    staff = people.create_person(
        session,
        name=STAFF[0],
        email=STAFF[1],
        roles={Role.STAFF},
        job_title="Community mental health nurse",
        band="Band 6",
        target_role="care-coordinator-band-6",
        password=PASSWORD,
    )
    supervisor = people.create_person(
        session,
        name=SUPERVISOR[0],
        email=SUPERVISOR[1],
        roles={Role.SUPERVISOR},
        job_title="Team leader",
        band="Band 7",
        password=PASSWORD,
    )
    session.add(
        Supervision(supervisor_id=supervisor.id, supervisee_id=staff.id, starts_on=date.today() - timedelta(days=365))
    )
    session.commit()
    return staff.id, supervisor.id


def test_evidence_is_recorded_returned_changed_resubmitted_signed_off_and_audited(
    journey_people, app, monkeypatch, page, visit, check_accessibility, expect_error_response, tmp_path
):
    attachment = tmp_path / "reflection.pdf"
    attachment.write_bytes(PDF)

    def sign_in(email: str, name: str) -> None:
        """Sign in on the sign-in page (signing out ends there; the first time, it is opened)."""
        if urlsplit(page.url).path != "/sign-in":
            visit("/sign-in")
        expect(heading(page, "Sign in", level=1)).to_be_visible()
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(header_link(page, re.compile(rf"^{re.escape(name)}\b"))).to_be_visible()
        check_accessibility()

    def sign_out() -> None:
        header_link(page, "Sign out").click()
        expect(heading(page, "Sign out", level=1)).to_be_visible()
        check_accessibility()
        page.get_by_role("main").get_by_role("button", name="Sign out", exact=True).click()
        expect(heading(page, "Sign in", level=1)).to_be_visible()
        check_accessibility()
        expect(page.get_by_text("You have signed out.")).to_be_visible()

    def choose_levels(levels: dict[str, str]) -> None:
        for code, level in levels.items():
            page.get_by_label(f"Level demonstrated for {code}", exact=True).select_option(label=level)

    # --- 1. The staff member records evidence with an attachment and submits it ----------------
    sign_in(STAFF[1], STAFF[0])
    header_link(page, "My portfolio").click()
    expect(heading(page, "My portfolio", level=1)).to_be_visible()
    check_accessibility()
    expect(page.get_by_text(f"Your evidence goes to {SUPERVISOR[0]} for sign-off.")).to_be_visible()

    page.get_by_role("link", name="Record evidence", exact=True).click()
    expect(heading(page, "Record evidence", level=1)).to_be_visible()
    check_accessibility()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Type of evidence").select_option(label="Case study or audit")
    activity = SUBMITTED_AT.date() - timedelta(days=5)
    date_group = page.get_by_role("group", name="Date of the activity")
    date_group.get_by_label("Day").fill(str(activity.day))
    date_group.get_by_label("Month").fill(str(activity.month))
    date_group.get_by_label("Year").fill(str(activity.year))
    page.get_by_label("Description", exact=True).fill(DESCRIPTION)
    for code in CODES:  # the groups start closed: their items are not yet on show
        expect(item_checkbox(page, code)).to_be_hidden()
    page.get_by_text(DOMAIN_GROUP, exact=True).click()
    for code in CODES:
        item_checkbox(page, code).check()
        expect(item_checkbox(page, code)).to_be_checked()
    page.get_by_label("Attachments").set_input_files(attachment)
    page.get_by_role("button", name="Save", exact=True).click()

    expect(heading(page, TITLE, level=1)).to_be_visible()
    check_accessibility()
    main = page.get_by_role("main")
    expect(page.get_by_role("status").filter(has_text="Evidence saved as a draft")).to_be_visible()
    expect(main.get_by_text("Draft", exact=True)).to_be_visible()
    expect(heading(page, "Revision 1 (draft)", level=2)).to_be_visible()
    expect(main.get_by_role("link", name="reflection.pdf", exact=True)).to_be_visible()
    for code in CODES:
        expect(main.get_by_role("listitem").filter(has_text=re.compile(rf"^{re.escape(code)}\s"))).to_have_count(1)
    evidence_url = page.url

    page.get_by_role("button", name="Submit for sign-off", exact=True).click()
    expect(page.get_by_role("status").filter(has_text=f"Submitted to {SUPERVISOR[0]} for sign-off.")).to_be_visible()
    check_accessibility()
    expect(main.get_by_text("Submitted", exact=True)).to_be_visible()
    expect(heading(page, "Revision 1 (as submitted)", level=2)).to_be_visible()
    expect(main.get_by_role("button", name="Submit for sign-off")).to_have_count(0)
    sign_out()

    # --- 2. Three days later the supervisor returns it with a comment -------------------------
    monkeypatch.setitem(app.config, "PORTAL_NOW", REVIEWED_AT)
    sign_in(SUPERVISOR[1], SUPERVISOR[0])
    expect(header_link(page, f"{SUPERVISOR[0]} (1 new)")).to_be_visible()
    header_link(page, "Sign-off queue").click()
    expect(heading(page, "Sign-off queue", level=1)).to_be_visible()
    check_accessibility()
    queue = page.get_by_role("table", name="Evidence waiting for your decision, oldest first")
    row = queue.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE, exact=True))
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell", name=STAFF[0], exact=True)).to_be_visible()
    expect(row.get_by_role("cell", name=SUBMITTED_AT.strftime("%-d %B %Y"), exact=True)).to_be_visible()
    expect(row.get_by_role("cell", name="3 days", exact=True)).to_be_visible()

    row.get_by_role("link", name=TITLE, exact=True).click()
    expect(heading(page, TITLE, level=1)).to_be_visible()
    check_accessibility()
    expect(page.get_by_text(f"Evidence from {STAFF[0]}, revision 1")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("main").get_by_role("link", name="reflection.pdf", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "reflection.pdf"
    assert download.failure() is None
    with open(download.path(), "rb") as handle:
        assert handle.read() == PDF

    # Returning without saying why is refused, with the error summary first.
    choose_levels({"NA.1": "2: Developing", "NA.3": "Not demonstrated"})
    page.get_by_role("radio", name="Return for changes", exact=True).check()
    with expect_error_response(400, "POST", urlsplit(page.url).path):
        page.get_by_role("button", name="Save decision", exact=True).click()
        summary = page.get_by_role("alert")
        expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_accessibility()
    expect(summary).to_be_focused()  # screen readers hear the problem first
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(
        summary.get_by_role("link", name="Say why in the comment, so the person knows what to do next")
    ).to_be_visible()
    # What was chosen is kept, so only the comment needs adding.
    expect(page.get_by_label("Level demonstrated for NA.1", exact=True)).to_have_value(re.compile(r"^2$"))
    expect(page.get_by_role("radio", name="Return for changes", exact=True)).to_be_checked()

    choose_levels({"NA.1": "2: Developing", "NA.3": "Not demonstrated"})
    page.get_by_label("Comment on NA.1").fill("Good feedback to the team.")
    page.get_by_role("radio", name="Return for changes", exact=True).check()
    page.get_by_label("Comment", exact=True).fill(RETURN_COMMENT)
    page.get_by_role("button", name="Save decision", exact=True).click()
    expect(heading(page, "Sign-off queue", level=1)).to_be_visible()
    check_accessibility()
    expect(page.get_by_role("status").filter(has_text=f"Returned for changes: {TITLE} ({STAFF[0]}).")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for your decision.")).to_be_visible()
    sign_out()

    # --- 3. The staff member sees why, changes the evidence and resubmits it -------------------
    sign_in(STAFF[1], STAFF[0])
    account = header_link(page, f"{STAFF[0]} (1 new)")
    expect(account).to_be_visible()
    account.click()
    expect(heading(page, "Notifications", level=1)).to_be_visible()
    check_accessibility()
    note = page.get_by_role("main").get_by_role("listitem").filter(has_text=TITLE)
    expect(note).to_have_count(1)
    expect(note.get_by_text("New", exact=True)).to_be_visible()
    note.get_by_role(
        "link", name=re.compile(rf"^{re.escape(SUPERVISOR[0])} returned your evidence for changes")
    ).click()
    expect(heading(page, TITLE, level=1)).to_be_visible()
    check_accessibility()
    assert page.url == evidence_url
    main = page.get_by_role("main")
    expect(main.get_by_text("Returned for changes", exact=True).first).to_be_visible()
    expect(heading(page, "Important: Returned for changes", level=2)).to_be_visible()
    expect(main.get_by_text(f"{SUPERVISOR[0]} said: {RETURN_COMMENT}")).to_be_visible()
    expect(
        main.get_by_role("paragraph").filter(has_text="NA.1: Good feedback to the team.")
    ).to_be_visible()  # in the callout
    expect(
        main.get_by_role("region", name="Every decision on this evidence and the revision it covers")
    ).not_to_contain_text("level 2")

    main.get_by_role("link", name="Change evidence", exact=True).click()
    expect(heading(page, "Change evidence", level=1)).to_be_visible()
    check_accessibility()
    expect(page.get_by_text("your changes will be saved as revision 2, which needs its own sign-off")).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value(TITLE)
    for code in CODES:  # the group with chosen items starts open, with them ticked
        expect(item_checkbox(page, code)).to_be_checked()
    page.get_by_label("Description", exact=True).fill(CHANGED_DESCRIPTION)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(heading(page, TITLE, level=1)).to_be_visible()
    check_accessibility()
    main = page.get_by_role("main")
    expect(page.get_by_role("status").filter(has_text="Changes saved as revision 2.")).to_be_visible()
    expect(heading(page, "Revision 2 (draft)", level=2)).to_be_visible()
    expect(main.get_by_text(CHANGED_DESCRIPTION, exact=True)).to_be_visible()
    expect(main.get_by_role("link", name="reflection.pdf", exact=True)).to_be_visible()  # carried over
    expect(main.get_by_text(re.compile(r"^Revision 1: “"))).to_be_visible()

    page.get_by_role("button", name="Submit for sign-off", exact=True).click()
    expect(page.get_by_role("status").filter(has_text=f"Submitted to {SUPERVISOR[0]} for sign-off.")).to_be_visible()
    check_accessibility()
    expect(heading(page, "Revision 2 (as submitted)", level=2)).to_be_visible()
    sign_out()

    # --- 4. The supervisor signs off revision 2 -------------------------------------------------
    sign_in(SUPERVISOR[1], SUPERVISOR[0])
    header_link(page, "Sign-off queue").click()
    expect(heading(page, "Sign-off queue", level=1)).to_be_visible()
    check_accessibility()
    page.get_by_role("table", name="Evidence waiting for your decision, oldest first").get_by_role(
        "link", name=TITLE, exact=True
    ).click()
    expect(heading(page, TITLE, level=1)).to_be_visible()
    check_accessibility()
    expect(page.get_by_text(f"Evidence from {STAFF[0]}, revision 2")).to_be_visible()
    expect(page.get_by_text(CHANGED_DESCRIPTION, exact=True)).to_be_visible()
    choose_levels({"NA.1": "3: Competent", "NA.3": "2: Developing"})
    page.get_by_role("radio", name="Sign off", exact=True).check()
    page.get_by_role("button", name="Save decision", exact=True).click()
    expect(heading(page, "Sign-off queue", level=1)).to_be_visible()
    check_accessibility()
    expect(page.get_by_role("status").filter(has_text=f"Signed off: {TITLE} ({STAFF[0]}).")).to_be_visible()
    sign_out()

    # The staff member sees it signed off, and which revision each decision covers.
    sign_in(STAFF[1], STAFF[0])
    header_link(page, "My portfolio").click()
    expect(heading(page, "My portfolio", level=1)).to_be_visible()
    check_accessibility()
    mine = page.get_by_role("table", name="Your evidence, most recently changed first")
    expect(mine.get_by_role("row").filter(has_text=TITLE).get_by_text("Signed off", exact=True)).to_be_visible()
    mine.get_by_role("link", name=TITLE, exact=True).click()
    expect(heading(page, TITLE, level=1)).to_be_visible()
    check_accessibility()
    main = page.get_by_role("main")
    expect(main.get_by_text("Signed off", exact=True).first).to_be_visible()
    expect(main.get_by_role("link", name="Change evidence")).to_be_visible()
    expect(main.get_by_role("button", name="Submit for sign-off")).to_have_count(0)
    decisions = page.get_by_role("table", name="Every decision on this evidence and the revision it covers")
    rows = decisions.get_by_role("row")
    expect(rows).to_have_count(3)  # the header and two decisions, newest first
    expect(rows.nth(1).get_by_role("cell").nth(0)).to_have_text("2")
    expect(rows.nth(1).get_by_role("cell").nth(1)).to_have_text("Signed off")
    expect(rows.nth(1)).to_contain_text("NA.1: level 3")
    expect(rows.nth(1)).to_contain_text("NA.3: level 2")
    expect(rows.nth(2).get_by_role("cell").nth(0)).to_have_text("1 (earlier)")
    expect(rows.nth(2).get_by_role("cell").nth(1)).to_have_text("Returned for changes")
    expect(rows.nth(2)).to_contain_text(RETURN_COMMENT)
    expect(rows.nth(2)).to_contain_text("NA.1: Good feedback to the team.")  # a return records comments, no levels
    expect(rows.nth(2)).not_to_contain_text("not demonstrated")
    expect(rows.nth(1)).to_contain_text("Sealed: revision 2 is exactly as it was signed")

    # --- 5. The audit chain holds every step, and names a record changed behind its back -------
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    match = re.search(r"audit chain intact: (\d+) records? verified", result.output)
    assert match, result.output
    actions = db.session.execute(text("SELECT action FROM audit_event ORDER BY seq")).scalars().all()
    for action in (
        "signed_in",
        "evidence_created",
        "evidence_submitted",
        "evidence_returned",
        "evidence_changed",
        "evidence_signed_off",
    ):
        assert action in actions, actions
    assert actions.count("evidence_submitted") == 2, actions
    assert int(match.group(1)) == len(actions) >= 10

    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET action = 'tampered' WHERE seq = 2"))
    db.session.rollback()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0, result.output
    assert "record 2 " in result.output, result.output
    assert "altered" in result.output, result.output
