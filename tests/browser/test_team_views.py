"""The team and gap views in a browser at a phone's width and a desktop's: numbers in the heatmap
never overlap, gap charts name each item, and everyone in the team is accounted for."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from world import NOW, draft, item_ids, person, supervise

from competency_portal.extensions import db
from competency_portal.models import Decision
from competency_portal.services import evidence as evidence_service
from competency_portal.services import signoff

pytestmark = pytest.mark.browser

PEOPLE = ["Alexandra Featherstonehaugh", "Ben Ng", "Chloe Odunsi-Whitaker", "Dev Patel"]

# The boxes of the numbers printed in the heatmap's cells, and whether any two of them overlap.
TEXT_BOXES = """(plot) => {
  const boxes = [...plot.querySelectorAll('.textpoint text')].filter(t => t.textContent)
    .map(t => t.getBoundingClientRect());
  const overlap = boxes.some((a, i) => boxes.slice(i + 1).some(b =>
    a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5));
  const cells = [...plot.querySelectorAll('.points path')].map(p => p.getBoundingClientRect());
  const outside = boxes.some(t => !cells.some(c =>
    t.left >= c.left - 1 && t.right <= c.right + 1 && t.top >= c.top - 1 && t.bottom <= c.bottom + 1));
  return {count: boxes.length, overlap, outside};
}"""


@pytest.fixture
def team(app, seeded, monkeypatch, tmp_path):
    """A supervisor with four supervisees at different stages."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW)
    boss = person(seeded, "Kim Supervisor", roles={"supervisor"})
    for n, name in enumerate(PEOPLE):
        staff = person(seeded, name)
        supervise(seeded, boss, staff)
        if n:
            items = item_ids(seeded, staff, 12 * n)
            evidence = draft(seeded, staff, tmp_path, items=items, with_file=False)
            evidence_service.submit(seeded, evidence, staff, NOW)
            signoff.decide(
                seeded, evidence, boss, Decision.SIGNED_OFF, {i: 4 for i in items}, {}, None, evidence.lock_version, NOW
            )
            db.session.commit()
    return boss


def _fitted(page, width: int) -> None:
    """Wait until charts.js has fitted every chart to its width now."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-plotly]')]"
        ".every(e => e.dataset.plotlyWidth && e.clientWidth === +e.dataset.plotlyWidth)"
    )


def test_heatmap_numbers_never_overlap_and_fit_their_cells_at_375_and_1280_px(team, page, visit, sign_in):
    sign_in(team.email, "ready for")
    for width in (375, 1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        visit("/team")
        _fitted(page, width)
        found = page.locator("[data-plotly='figure-team']").evaluate(TEXT_BOXES)
        assert not found["overlap"] and not found["outside"], f"at {width} px: {found}"
        if width == 1280:
            assert found["count"] == len(PEOPLE) * 8, "at desktop width every cell shows its number"
    # Going from wide to narrow without reloading refits the chart too.
    page.set_viewport_size({"width": 375, "height": 900})
    _fitted(page, 375)
    found = page.locator("[data-plotly='figure-team']").evaluate(TEXT_BOXES)
    assert not found["overlap"] and not found["outside"], f"after resizing to 375 px: {found}"
    page.get_by_text("Show the data as a table: Team readiness by domain").click()
    table = page.get_by_role("table", name="Team readiness by domain")
    expect(
        table.get_by_role("columnheader", name="Relapse Prevention, Crisis Planning and Management", exact=True)
    ).to_be_visible()


def test_gap_charts_show_code_and_statement_on_their_axis(team, page, visit, sign_in):
    sign_in(PEOPLE[0].lower().replace(" ", ".") + "@example.nhs.uk", "ready for")
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        visit("/dashboard")
        _fitted(page, width)
        ticks = page.locator("[data-plotly='figure-gaps'] .ytick text").all_text_contents()
        assert len(ticks) == 10 and all(" " in t and len(t.split(" ", 1)[1]) >= 6 for t in ticks), ticks
