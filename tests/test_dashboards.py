"""Dashboards: readiness moves with sign-offs, lapses appear with time, queries stay bounded."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from test_auth import sign_in
from world import NOW, draft, item_ids, person, supervise

from competency_portal import charts
from competency_portal.extensions import db
from competency_portal.models import Decision
from competency_portal.readiness import data
from competency_portal.services import evidence as evidence_service
from competency_portal.services import signoff


@pytest.fixture
def team(app, seeded):
    app.config["PORTAL_NOW"] = NOW
    staff = person(seeded, "Sam Staff")
    boss = person(seeded, "Pat Supervisor", roles={"supervisor"})
    supervise(seeded, boss, staff)
    yield seeded, staff, boss
    app.config["PORTAL_NOW"] = None


def signed_off(session, staff, boss, tmp_path, items, when=NOW, level=3):
    evidence = draft(session, staff, tmp_path, items=items, with_file=False)
    evidence_service.submit(session, evidence, staff, when)
    signoff.decide(
        session, evidence, boss, Decision.SIGNED_OFF, {i: level for i in items}, {}, None, evidence.lock_version, when
    )
    session.commit()
    return evidence


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1

    def __enter__(self):
        db.session.expire_all()  # as in production, where each request starts with a fresh session
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self)


def test_a_sign_off_moves_readiness(team, tmp_path):
    session, staff, boss = team
    before = data.readiness_for(session, [staff], NOW.date())[staff.id]
    assert before.met == 0 and before.required == 64
    chosen = item_ids(session, staff, 4)
    signed_off(session, staff, boss, tmp_path, chosen)
    after = data.readiness_for(session, [staff], NOW.date())[staff.id]
    met = {i.required.key for i in after.items if i.status.value == "met"}
    assert len(met) >= 4 and after.share == pytest.approx(after.met / 64)
    from competency_portal.models import Item

    assert {("cpa-care-coordinator-competencies", session.get(Item, i).code) for i in chosen} <= met


def test_crosswalk_credit_through_the_database(team, tmp_path):
    session, staff, boss = team
    from competency_portal.models import Framework, FrameworkVersion, Item

    na1 = session.scalar(
        select(Item.id)
        .join(FrameworkVersion)
        .join(Framework)
        .where(Framework.slug == "cpa-care-coordinator-competencies", Item.code == "NA.1")
    )
    signed_off(session, staff, boss, tmp_path, [na1])
    result = data.readiness_for(session, [staff], NOW.date())[staff.id]
    met = {i.required.key for i in result.items if i.status.value == "met"}
    # NA.1 is paired with 1.1 in the crosswalk, so one sign-off meets both.
    assert ("cpa-care-coordinator-competencies", "NA.1") in met
    assert ("cpa-care-coordinator-responsibilities", "1.1") in met


def test_a_lapse_appears_as_evidence_ages_past_its_review_period(team, tmp_path):
    session, staff, boss = team
    from competency_portal.models import Framework, FrameworkVersion, Item

    ra5 = session.scalar(
        select(Item.id)
        .join(FrameworkVersion)
        .join(Framework)
        .where(Framework.slug == "cpa-care-coordinator-competencies", Item.code == "RA.5")
    )
    signed_off(session, staff, boss, tmp_path, [ra5], level=4)  # RA is targeted at 4 and reviewed every 12 months
    key = ("cpa-care-coordinator-competencies", "RA.5")

    def status(days):
        result = data.readiness_for(session, [staff], NOW.date() + timedelta(days=days))[staff.id]
        return next(i.status.value for i in result.items if i.required.key == key)

    assert status(0) == "met"
    assert status(300) == "lapsing"
    assert status(370) == "gap"


def test_the_dashboard_shows_headline_charts_tables_and_csv(app, team, tmp_path):
    session, staff, boss = team
    signed_off(session, staff, boss, tmp_path, item_ids(session, staff, 4))
    client = app.test_client()
    sign_in(client, staff.email)
    page = client.get("/dashboard").get_data(as_text=True)
    result = data.readiness_for(session, [staff], NOW.date())[staff.id]
    assert f"{round(result.share * 100)}% ready for Care Coordinator (Band 6)" in page
    assert f"{result.met} of 64 required items are verified at target" in page and result.met >= 4
    for name in ("domains", "gaps", "history"):
        assert f'id="figure-{name}"' in page and f"/dashboard/{name}.csv" in page
    assert page.count("Show the data as a table") == 3 and page.count('aria-hidden="true"></div>') == 3
    csv = client.get(f"/people/{staff.id}/dashboard/gaps.csv")
    assert csv.mimetype == "text/csv" and csv.get_data(as_text=True).startswith("Framework,Item,Statement,Target")
    assert client.get(f"/people/{staff.id}/dashboard/nope.csv").status_code == 404


def test_the_supervisor_sees_the_team_and_each_persons_dashboard(app, team, tmp_path):
    session, staff, boss = team
    client = app.test_client()
    sign_in(client, boss.email)
    page = client.get("/team").get_data(as_text=True)
    assert "Sam Staff" in page and 'id="figure-team"' in page
    assert client.get(f"/people/{staff.id}/dashboard").status_code == 200
    stranger = person(session, "Other Staff")
    assert client.get(f"/people/{stranger.id}/dashboard").status_code == 404


def test_person_dashboard_queries_do_not_grow_with_evidence(app, team, tmp_path):
    session, staff, boss = team
    client = app.test_client()
    sign_in(client, staff.email)
    signed_off(session, staff, boss, tmp_path, item_ids(session, staff, 2))
    with QueryCounter() as few:
        assert client.get("/dashboard").status_code == 200
    ids = item_ids(session, staff, 40)
    for start in range(0, 40, 4):
        signed_off(session, staff, boss, tmp_path, ids[start : start + 4])
    with QueryCounter() as many:
        client.get("/dashboard")
    assert many.count == few.count


def test_team_page_queries_do_not_grow_with_the_team(app, team, tmp_path):
    session, staff, boss = team
    client = app.test_client()
    sign_in(client, boss.email)
    with QueryCounter() as small:
        assert client.get("/team").status_code == 200
    for n in range(6):
        extra = person(session, f"Extra Person {n}")
        supervise(session, boss, extra)
        signed_off(session, extra, boss, tmp_path, item_ids(session, extra, 3))
    with QueryCounter() as large:
        page = client.get("/team").get_data(as_text=True)
    assert "Extra Person 5" in page and large.count == small.count


def test_charts_have_words_tables_and_no_heatmap_trace(team, tmp_path):
    session, staff, boss = team
    signed_off(session, staff, boss, tmp_path, item_ids(session, staff, 3))
    result = data.readiness_for(session, [staff], NOW.date())[staff.id]
    radar = charts.radar(result)
    assert radar.summary.startswith("Across 8 domains") and len(radar.rows) == 8
    gaps = charts.gaps_bar(result)
    assert f"{64 - result.met} required items are not yet verified" in gaps.summary and len(gaps.rows) == 10
    team_chart = charts.team_heatmap(["A", "B"], [("F", "D1"), ("F", "D2")], [[1.0, 0.5], [None, 0.0]])
    traces = json.loads(team_chart.figure_json)["data"]
    assert {t["type"] for t in traces} == {"scatter"}  # plotly's heatmap needs inline styles our CSP refuses
    assert team_chart.rows == [["A", "100%", "50%"], ["B", "n/a", "0%"]]


def test_the_organisation_view_ranks_common_gaps_by_team(app, team, tmp_path):
    session, staff, boss = team
    admin = person(session, "Ada Admin", roles={"admin"})
    other = person(session, "Other Staff")
    from competency_portal.services.people import team_named

    staff.team = team_named(session, "North CMHT")
    other.team = team_named(session, "South CMHT")
    session.commit()
    signed_off(session, staff, boss, tmp_path, item_ids(session, staff, 3))
    client = app.test_client()
    sign_in(client, admin.email)
    page = client.get("/organisation").get_data(as_text=True)
    assert "The most common gap is" in page and "North CMHT" in page and "South CMHT" in page
    north = client.get(f"/organisation?team={staff.team_id}").get_data(as_text=True)
    assert "North CMHT" in north and '<td class="nhsuk-table__cell">South CMHT</td>' not in north
    csv = client.get("/organisation/common-gaps.csv").get_data(as_text=True).splitlines()
    assert csv[0] == "Item,Statement,People with the gap"
    # Four people have a target role (every test person does); an item nobody has shown is a gap for all four.
    counts = {line.split(",")[0]: int(line.rsplit(",", 1)[1]) for line in csv[1:]}
    assert set(counts.values()) == {4} and len(counts) == 15


def test_team_view_shows_training_and_overdue_appraisals(app, team, tmp_path):
    from competency_portal.models import Appraisal, AppraisalState

    session, staff, boss = team
    session.add(
        Appraisal(
            user_id=staff.id,
            appraiser_id=boss.id,
            year="2024/25",
            state=AppraisalState.SIGNED,
            signed_by_person_at=NOW - timedelta(days=400),
            signed_by_appraiser_at=NOW - timedelta(days=400),
        )
    )
    session.commit()
    client = app.test_client()
    sign_in(client, boss.email)
    page = client.get("/team").get_data(as_text=True)
    assert "Overdue</strong>" in page and "expired or not recorded" in page


def test_organisation_view_queries_do_not_grow_with_staff(app, team, tmp_path):
    session, staff, boss = team
    admin = person(session, "Ada Admin", roles={"admin"})
    client = app.test_client()
    sign_in(client, admin.email)
    with QueryCounter() as small:
        assert client.get("/organisation").status_code == 200
    for n in range(5):
        person(session, f"More Staff {n}")
    with QueryCounter() as large:
        page = client.get("/organisation").get_data(as_text=True)
    assert "Mandatory training" in page and large.count == small.count


def test_the_team_page_says_who_has_no_target_role_and_how_to_set_it(app, team, tmp_path):
    session, staff, boss = team
    newcomer = person(session, "Nia Newcomer", target_role=None)  # as the staff import made everyone until now
    supervise(session, boss, newcomer)
    admin = person(session, "Ada Admin", roles={"admin"})
    client = app.test_client()
    sign_in(client, boss.email)
    page = client.get("/team").get_data(as_text=True)
    assert ">None<" not in page and "1 person has no target role" in page and "Nia Newcomer" in page
    assert f'ask Ada Admin (<a href="mailto:{admin.email}">' in page
    csv = client.get("/team/heatmap.csv").get_data(as_text=True).splitlines()
    assert [line.split(",")[0] for line in csv[1:]] == ["Sam Staff"]  # the chart and its table show the measured only
    assert (
        "1 person across 8 domains; nobody has every domain fully met. Not shown: Nia Newcomer, who has no target role"
        in page
    )
    mine = app.test_client()
    sign_in(mine, newcomer.email)
    assert "ask Ada Admin" in mine.get("/dashboard").get_data(as_text=True)

    boss_admin = person(session, "Bea Both", roles={"supervisor", "admin"})
    supervise(session, boss_admin, newcomer)
    both = app.test_client()
    sign_in(both, boss_admin.email)
    page = both.get("/team").get_data(as_text=True)
    assert f'href="/admin/people/{newcomer.id}#target_role">Set a target role for Nia Newcomer</a>' in page
