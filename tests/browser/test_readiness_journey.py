"""Readiness in the browser: a sign-off moves the dashboard, and a lapse appears as evidence ages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from world import NOW, submitted_to_supervisor

from competency_portal.models import Framework, FrameworkVersion, Item

pytestmark = pytest.mark.browser


@pytest.fixture
def submitted(app, seeded, monkeypatch, tmp_path):
    """A staff member's evidence for RA.5 (reviewed every 12 months), submitted to their supervisor."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW)
    ra5 = seeded.scalar(
        select(Item.id)
        .join(FrameworkVersion)
        .join(Framework)
        .where(Framework.slug == "cpa-care-coordinator-competencies", Item.code == "RA.5")
    )
    return submitted_to_supervisor(seeded, tmp_path, "Annual risk review", items=[ra5])


def test_sign_off_moves_readiness_and_the_charts_then_the_evidence_lapses(
    app, submitted, page, visit, check_accessibility, monkeypatch, sign_in, sign_out
):
    staff, boss, evidence_id = submitted
    sign_in(staff, "ready for")
    expect(page.get_by_role("heading", level=1)).to_have_text("0% ready for Care Coordinator (Band 6)")
    expect(page.locator("[data-plotly] svg").first).to_be_visible()  # plotly.js drew the charts
    gaps_table = page.get_by_role("table", name="Top 10 gaps")
    page.get_by_text("Show the data as a table: Top 10 gaps").click()
    expect(gaps_table.get_by_role("cell", name="RA.5", exact=True)).to_be_visible()
    sign_out()

    sign_in(boss, "ready for")
    visit(f"/supervision/evidence/{evidence_id}")
    page.get_by_label("Level demonstrated for RA.5").select_option(label="4: Proficient")
    page.get_by_role("radio", name="Sign off").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("heading", name="Sign-off queue")).to_be_visible()
    check_accessibility()
    sign_out()

    sign_in(staff, "ready for")
    expect(page.get_by_role("heading", level=1)).to_have_text("2% ready for Care Coordinator (Band 6)")
    expect(page.get_by_text("1 of 64 required items are verified at target.")).to_be_visible()
    page.get_by_text("Show the data as a table: Top 10 gaps").click()
    expect(page.get_by_role("table", name="Top 10 gaps").get_by_role("cell", name="RA.5", exact=True)).to_have_count(0)
    expect(page.get_by_text("Nothing verified goes out of date in the next 90 days.")).to_be_visible()

    # Ten months on, the sign-off is about to go out of date...
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW + timedelta(days=300))
    visit("/dashboard")
    lapsing = page.get_by_role("table", name=re.compile("going out of date"))
    expect(lapsing.get_by_role("cell", name=re.compile(r"^RA\.5"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"1 of them lapsing within 90 days"))).to_be_visible()

    # ...and after twelve months it no longer counts.
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW + timedelta(days=370))
    visit("/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("0% ready for Care Coordinator (Band 6)")
    page.get_by_text("Show the data as a table: Top 10 gaps").click()
    expect(page.get_by_role("table", name="Top 10 gaps").get_by_role("cell", name="RA.5", exact=True)).to_be_visible()
