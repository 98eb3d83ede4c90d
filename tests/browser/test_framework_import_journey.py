"""Importing a job description in the browser, as an administrator takes it: Administration >
Frameworks, upload a document, review the draft beside the document's text, correct an item, look
at the importer's guesses, then check and load the draft.

Every page loaded is checked with axe-core (see conftest.py). The documents are in our own words
(tests/importer_docs.py), written to pytest's tmp_path and uploaded through the file input.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from world import person

from competency_portal import clock
from competency_portal.models import Role
from competency_portal.services import framework_drafts
from tests.importer_docs import lists_docx, wrapped_pdf

pytestmark = pytest.mark.browser

ADMIN_NAME = "Ada Admin"
ADMIN_EMAIL = "ada.admin@example.nhs.uk"
DUTIES_TITLE = "Community Psychiatric Nurse: duties"
SPEC_TITLE = "Community Psychiatric Nurse: person specification"
FLAGGED_TEXT = b"Main duties\nClinical work\n- Visit people at home. To write up each visit.\n"
FLAGGED_TITLE = "Main duties: duties"
SOURCE = "The document as read"
CHECKED = "I have looked at what the importer asked me to check"
FITS = "() => ({scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth})"
OPEN_DETAILS = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"


@pytest.fixture
def admin(seeded):
    """An administrator (no target role of their own), with the real frameworks loaded."""
    return person(seeded, ADMIN_NAME, roles=(Role.ADMIN,), target_role=None)


@pytest.fixture
def lists_draft(seeded, admin):
    """A draft made from lists_docx() the way an upload makes one; its id."""
    draft = framework_drafts.start(seeded, admin, "cpn-band-6.docx", lists_docx(), clock.now())
    seeded.commit()
    return draft.id


def heading(page, name, level: int = 1):
    return page.get_by_role("heading", name=name, level=level)


def flash(page, text: str):
    return page.get_by_text(text, exact=True)


def item_link(page, code: str):
    """The Edit or Check link of a drafted item (its code is visually hidden text in the link)."""
    return page.get_by_role("link", name=re.compile(rf"^(Edit|Check) {re.escape(code)}$"))


def upload(page, check_accessibility, tmp_path, filename: str, data: bytes) -> None:
    """On Administration > Frameworks: choose the document, draft it, arrive on the review page."""
    path = tmp_path / filename
    path.write_bytes(data)
    page.get_by_label("Job description or person specification").set_input_files(str(path))
    page.get_by_role("button", name="Draft a framework", exact=True).click()
    expect(heading(page, "Review the draft")).to_be_visible()
    check_accessibility()
    expect(page.get_by_text(f"Draft from {filename}", exact=True)).to_be_visible()


def to_admin_frameworks(page, check_accessibility, sign_in) -> None:
    """Sign in, then Admin (header) > Frameworks (administration pages), by links alone."""
    sign_in(ADMIN_EMAIL, "Readiness")
    page.get_by_role("banner").get_by_role("link", name="Admin", exact=True).click()
    expect(heading(page, "People")).to_be_visible()
    check_accessibility()
    admin_pages = page.get_by_role("navigation", name="Administration pages")
    admin_pages.get_by_role("link", name="Frameworks", exact=True).click()
    expect(heading(page, "Frameworks")).to_be_visible()
    check_accessibility()
    expect(heading(page, "Import a job description", level=2)).to_be_visible()


def tab_until(page, target, limit: int = 150) -> int:
    """Press Tab until `target` has the keyboard focus; how many presses it took (fails past `limit`)."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return presses
    where = page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
    pytest.fail(f"{limit} presses of Tab never reached the element; the focus ended on {where}", pytrace=False)


def test_an_administrator_imports_a_document_corrects_it_and_loads_it(
    admin, page, check_accessibility, sign_in, tmp_path
):
    to_admin_frameworks(page, check_accessibility, sign_in)
    upload(page, check_accessibility, tmp_path, "cpn-band-6.docx", lists_docx())

    # The draft beside the document's text as it was read.
    expect(heading(page, DUTIES_TITLE, level=2)).to_be_visible()
    expect(heading(page, SPEC_TITLE, level=2)).to_be_visible()
    expect(heading(page, SOURCE, level=2)).to_be_visible()
    source = page.get_by_role("region", name=SOURCE)
    expect(source).to_be_visible()
    expect(source).to_contain_text("Visit people at home to review their medication.")
    expect(source).to_contain_text("Registered mental health nurse with current NMC registration")
    expect(page.get_by_role("main").get_by_text("Visit people at home to review their medication.")).to_have_count(2)
    for name in ("Move down", "Merge with the next", "Delete"):
        expect(page.get_by_role("button", name=f"{name} QUA.1", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Move up QUA.2", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Discard the draft", exact=True)).to_be_visible()

    # Open the first duty, repair its words, accept a suggested equivalent if one is offered.
    item_link(page, "KR.1").click()
    expect(heading(page, re.compile(r"^(Edit|Check) KR\.1$"))).to_be_visible()
    check_accessibility()
    expect(page.get_by_role("link", name="Back to the draft", exact=True)).to_be_visible()
    statement = page.get_by_label("Item", exact=True)
    expect(statement).to_have_value("Visit people at home to review their medication.")
    expect(page.get_by_label("Group", exact=True)).to_be_visible()
    expect(page.get_by_label("Put each item on a line of its own", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Split KR.1", exact=True)).to_be_visible()
    new_words = "Visit people at home to review their medication with them."
    statement.fill(new_words)
    accepted = None
    if page.get_by_role("heading", name="Suggested equivalents", level=2).count():
        accept = page.get_by_role("radio", name=re.compile(r"^Accept .+ \S+$")).first
        accepted = accept.get_attribute("name").removeprefix("decision-")  # framework:code
        accept_name = accept.evaluate("e => e.labels[0].textContent.trim().replace(/\\s+/g, ' ')")
        expect(accept).not_to_be_checked()
        accept.check()
        expect(accept).to_be_checked()
    if page.get_by_label(CHECKED).count():
        page.get_by_label(CHECKED).check()
    page.get_by_role("button", name="Save KR.1", exact=True).click()
    expect(heading(page, "Review the draft")).to_be_visible()
    check_accessibility()
    expect(flash(page, "KR.1 saved.")).to_be_visible()
    saved = page.locator("li", has=item_link(page, "KR.1"))
    expect(saved).to_contain_text(new_words)
    if accepted:
        expect(saved).to_contain_text("1 accepted")
        item_link(page, "KR.1").click()
        expect(heading(page, re.compile(r"^(Edit|Check) KR\.1$"))).to_be_visible()
        check_accessibility()
        expect(page.get_by_role("radio", name=accept_name, exact=True)).to_be_checked()
        page.get_by_role("link", name="Back to the draft", exact=True).click()
        expect(heading(page, "Review the draft")).to_be_visible()
        check_accessibility()

    # Check the draft: what loading it would change; then load it.
    page.get_by_role("link", name="Check and load the draft", exact=True).click()
    expect(heading(page, "Load the draft")).to_be_visible()
    check_accessibility()
    expect(page.get_by_text("to fix before loading")).to_have_count(0)
    expect(page.get_by_text("Loading makes these changes, all together or not at all:")).to_be_visible()
    changes = page.locator("#changes")
    expect(changes).to_contain_text("framework community-psychiatric-nurse-duties: new")
    expect(changes).to_contain_text("framework community-psychiatric-nurse-person-spec: new")
    if accepted:
        expect(changes).to_contain_text("crosswalk community-psychiatric-nurse-duties-equivalents: new")
    page.get_by_role("button", name="Load the draft", exact=True).click()
    expect(heading(page, DUTIES_TITLE)).to_be_visible()
    check_accessibility()
    expect(page.get_by_text(re.compile(r"^Loaded: .*community-psychiatric-nurse-duties \(new\)"))).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(new_words)
    if accepted:  # the accepted equivalent is paired with the new item in the catalogue
        page.get_by_role("link", name="KR.1", exact=True).click()
        expect(heading(page, "Item KR.1")).to_be_visible()
        check_accessibility()
        pairs = page.get_by_role("table", name="Items the crosswalk pairs with KR.1")
        expect(pairs.get_by_role("link", name=accepted.split(":")[1], exact=True)).to_be_visible()


def test_a_guess_the_importer_flagged_stops_the_load_until_it_is_looked_at(
    admin, page, check_accessibility, sign_in, tmp_path
):
    to_admin_frameworks(page, check_accessibility, sign_in)
    upload(page, check_accessibility, tmp_path, "main-duties.txt", FLAGGED_TEXT)
    expect(page.get_by_role("heading", name=re.compile(r"^Important: \d+ guess(es)? to look at$"))).to_be_visible()
    expect(page.get_by_text("Check", exact=True).first).to_be_visible()
    expect(item_link(page, "CW.1")).to_have_accessible_name("Check CW.1")

    page.get_by_role("link", name="Check and load the draft", exact=True).click()
    expect(heading(page, "Load the draft")).to_be_visible()
    check_accessibility()
    problems = page.get_by_role("alert")
    expect(problems.get_by_role("heading", name=re.compile(r"to fix before loading$"))).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_role("button", name="Load the draft")).to_have_count(0)
    problems.get_by_role("link").first.click()
    expect(heading(page, "Check CW.1")).to_be_visible()
    check_accessibility()
    expect(page.get_by_text("“Clinical work” was read as a heading from its layout alone", exact=False)).to_be_visible()
    expect(page.get_by_role("region", name=re.compile(r"^The document at "))).to_be_visible()
    looked = page.get_by_label(CHECKED, exact=True)
    expect(looked).not_to_be_checked()
    looked.check()
    page.get_by_role("button", name="Save CW.1", exact=True).click()
    expect(heading(page, "Review the draft")).to_be_visible()
    check_accessibility()
    expect(flash(page, "CW.1 saved.")).to_be_visible()
    expect(item_link(page, "CW.1")).to_have_accessible_name("Edit CW.1")
    expect(page.get_by_role("heading", name=re.compile(r"guess(es)? to look at$"))).to_have_count(0)

    page.get_by_role("link", name="Check and load the draft", exact=True).click()
    expect(heading(page, "Load the draft")).to_be_visible()
    check_accessibility()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("#changes")).to_contain_text("framework main-duties-duties: new")
    page.get_by_role("button", name="Load the draft", exact=True).click()
    expect(heading(page, FLAGGED_TITLE)).to_be_visible()
    check_accessibility()
    expect(page.get_by_role("main")).to_contain_text("Visit people at home. To write up each visit.")


def test_the_review_page_works_from_the_keyboard(admin, lists_draft, page, visit, check_accessibility, sign_in):
    sign_in(ADMIN_EMAIL, "Readiness")
    visit(f"/admin/drafts/{lists_draft}")
    expect(heading(page, "Review the draft")).to_be_visible()

    load = page.get_by_role("link", name="Check and load the draft", exact=True)
    tab_until(page, load)
    expect(load).to_be_focused()
    first_item = item_link(page, "KR.1")
    tab_until(page, first_item)
    expect(first_item).to_be_focused()
    source = page.get_by_role("region", name=SOURCE)
    expect(source).to_have_attribute("tabindex", "0")
    tab_until(page, source)
    expect(source).to_be_focused()
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == SOURCE

    # Enter on the focused link opens the item; Enter on the load link opens the load page.
    visit(f"/admin/drafts/{lists_draft}")
    tab_until(page, first_item)
    page.keyboard.press("Enter")
    expect(heading(page, re.compile(r"^(Edit|Check) KR\.1$"))).to_be_visible()
    check_accessibility()
    statement = page.get_by_label("Item", exact=True)
    tab_until(page, statement)
    expect(statement).to_be_focused()

    visit(f"/admin/drafts/{lists_draft}")
    tab_until(page, load)
    page.keyboard.press("Enter")
    expect(heading(page, "Load the draft")).to_be_visible()
    check_accessibility()
    button = page.get_by_role("button", name="Load the draft", exact=True)
    tab_until(page, button)
    expect(button).to_be_focused()


@pytest.mark.parametrize("filename, build", [("cpn-band-6.docx", lists_docx), ("cpn-wrapped.pdf", wrapped_pdf)])
def test_the_review_page_fits_a_375_px_window(seeded, admin, page, visit, sign_in, filename, build):
    draft = framework_drafts.start(seeded, admin, filename, build(), clock.now())
    seeded.commit()
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(ADMIN_EMAIL, "Readiness")
    visit(f"/admin/drafts/{draft.id}")
    expect(heading(page, "Review the draft")).to_be_visible()
    expect(page.get_by_role("region", name=SOURCE)).to_be_visible()
    for state in ("as it opens", "with every <details> open"):
        size = page.evaluate(FITS)
        assert size["scrollWidth"] <= size["innerWidth"], (
            f"/admin/drafts/{draft.id} ({filename}) {state} is {size['scrollWidth']} px wide "
            f"in a {size['innerWidth']} px window"
        )
        page.evaluate(OPEN_DETAILS)
