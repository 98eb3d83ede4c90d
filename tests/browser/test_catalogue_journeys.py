"""Journeys through the catalogue, as a person takes them: by links, labels and buttons, not selectors.

Every page loaded is checked with axe-core (see conftest.py): `visit` for pages opened by address,
`check_accessibility` for pages reached by clicking, once the new page's heading is seen.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CPA_COMPETENCIES = "CPA policy: Care Co-ordinator competencies"
CPA_RESPONSIBILITIES = "Responsibilities of the Care Co-ordinator or lead professional"
LEEDS_PERSON_SPEC = "Leeds Recovery Centre (Community Links): Care Coordinator (Band 6): person specification"


def header_link(page, name: str):
    return page.get_by_role("banner").get_by_role("link", name=name, exact=True)


def heading(page, name, level: int | None = None):
    if level is None:
        return page.get_by_role("heading", name=name)
    return page.get_by_role("heading", name=name, level=level)


def test_browse_from_home_to_a_framework_item_and_its_crosswalk(seeded, page, visit, check_accessibility):
    visit("/")
    expect(heading(page, "Competency Portal", level=1)).to_be_visible()

    header_link(page, "Frameworks").click()
    expect(heading(page, "Frameworks", level=1)).to_be_visible()
    check_accessibility()
    for kind in ("Competency frameworks", "Job description duties", "Person specifications"):
        expect(heading(page, re.compile(rf"^{re.escape(kind)}\b"), level=2)).to_be_visible()

    page.get_by_role("link", name=CPA_COMPETENCIES, exact=True).click()
    expect(heading(page, CPA_COMPETENCIES, level=1)).to_be_visible()
    check_accessibility()
    expect(heading(page, "Risk Assessment and Management", level=2)).to_be_visible()
    expect(heading(page, "Needs Assessment", level=2)).to_be_visible()
    expect(heading(page, "Version history", level=2)).to_be_visible()

    page.get_by_role("link", name="NA.1", exact=True).click()
    expect(heading(page, "Item NA.1", level=1)).to_be_visible()
    check_accessibility()
    expect(heading(page, "The same competence elsewhere", level=2)).to_be_visible()
    crosswalk = page.get_by_role("table", name="Items the crosswalk pairs with NA.1")
    expect(crosswalk).to_be_visible()
    expect(crosswalk.get_by_role("columnheader", name="Why they are the same")).to_be_visible()
    row = crosswalk.get_by_role("row").filter(has_text=CPA_RESPONSIBILITIES)
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell", name=CPA_RESPONSIBILITIES, exact=True)).to_be_visible()

    # The crosswalk link leads to the paired item.
    row.get_by_role("link", name="1.1", exact=True).click()
    expect(heading(page, "Item 1.1", level=1)).to_be_visible()
    check_accessibility()
    expect(page.get_by_text(f"{CPA_RESPONSIBILITIES}:", exact=False).first).to_be_visible()


def test_person_specification_shows_essential_desirable_and_assessment(seeded, page, visit, check_accessibility):
    visit("/frameworks/")
    page.get_by_role("link", name=LEEDS_PERSON_SPEC, exact=True).click()
    expect(heading(page, LEEDS_PERSON_SPEC, level=1)).to_be_visible()
    check_accessibility()
    main = page.get_by_role("main")
    expect(main.get_by_text("Essential", exact=True).first).to_be_visible()
    expect(main.get_by_text("Desirable", exact=True).first).to_be_visible()
    expect(main.get_by_text("Assessed by: Application", exact=True).first).to_be_visible()


def test_search_finds_items_and_explains_a_query_that_is_too_long(seeded, page, visit, check_accessibility):
    visit("/")
    header_link(page, "Search items").click()
    expect(heading(page, "Search framework items", level=1)).to_be_visible()
    check_accessibility()

    field = page.get_by_label("Search framework items")
    field.fill("advocacy")
    page.get_by_role("button", name="Search", exact=True).click()
    results_heading = heading(page, re.compile(r"^\d+\+? items? found for “advocacy”$"), level=2)
    expect(results_heading).to_be_visible()
    check_accessibility()
    assert not results_heading.inner_text().startswith("0 "), "no item matched 'advocacy'"
    results = page.get_by_role("main").get_by_role("listitem")
    expect(results.first).to_be_visible()
    first = results.first.get_by_role("link").first
    code = first.inner_text().strip()
    first.click()
    expect(heading(page, f"Item {code}", level=1)).to_be_visible()
    check_accessibility()
    expect(page.get_by_text("advocacy", exact=False).first).to_be_visible()

    page.go_back()
    expect(results_heading).to_be_visible()
    check_accessibility()

    field = page.get_by_label("Search framework items")
    field.fill("advocacy " * 25)  # 225 characters
    page.get_by_role("button", name="Search", exact=True).click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_accessibility()
    expect(page).to_have_title(re.compile(r"^Error: "))
    message = summary.get_by_role("link", name="Enter 200 characters or fewer")
    expect(message).to_have_attribute("href", "#q")
    expect(page.get_by_label("Search framework items")).to_have_accessible_description(
        re.compile(r"Error:\s+Enter 200 characters or fewer")
    )
    message.click()
    expect(page.get_by_label("Search framework items")).to_be_focused()
    expect(results_heading).to_have_count(0)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main_content(seeded, page, visit):
    visit("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()


def test_accessibility_statement_is_linked_from_the_footer(seeded, page, visit, check_accessibility):
    visit("/")
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement", exact=True).click()
    expect(heading(page, "Accessibility statement", level=1)).to_be_visible()
    check_accessibility()
    expect(page).to_have_title(re.compile(r"^Accessibility statement"))


def test_role_profile_lists_target_levels(seeded, page, visit, check_accessibility):
    visit("/")
    header_link(page, "Role profiles").click()
    expect(heading(page, "Role profiles", level=1)).to_be_visible()
    check_accessibility()

    page.get_by_role("main").get_by_role("link", name="Care Coordinator (Band 6)", exact=True).click()
    expect(heading(page, "Care Coordinator (Band 6)", level=1)).to_be_visible()
    check_accessibility()
    table = page.get_by_role("table", name=f"Target levels for {CPA_COMPETENCIES}")
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader", name="Target level")).to_be_visible()
    na1 = table.get_by_role("row").filter(has=page.get_by_role("link", name="NA.1", exact=True))
    expect(na1.get_by_role("cell", name="3 (Competent)", exact=True)).to_be_visible()
    ra = table.get_by_role("row").filter(has_text="Risk Assessment and Management")
    expect(ra.first.get_by_role("cell", name="4 (Proficient)", exact=True)).to_be_visible()
    expect(page.get_by_role("table", name=f"Target levels for {CPA_RESPONSIBILITIES}")).to_be_visible()
