"""Every chart's figure is one plotly accepts as it stands.

The figures are written as plain dicts (building validated plotly objects cost more than the rest of
a dashboard), so nothing checks them as they are made: here plotly's own validation does, and a
figure plotly would write differently (a misspelt or misplaced property) fails.
"""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go
import pytest

from competency_portal import charts
from competency_portal.readiness.model import Confirmation, Required, assess

TODAY = date(2026, 11, 21)


def _readiness():
    required = [
        Required(("cpa", f"D{d}.{i}"), f"D{d}.{i}", f"Statement {d}.{i} <b>bold</b>", "CPA", f"Domain {d}", 2 + i % 2)
        for d in range(1, 4)
        for i in range(1, 4)
    ]
    confirmed = [Confirmation(r.key, 2, date(2026, 6, 1)) for r in required[::2]]
    return assess(required, confirmed, {r.key: 1 for r in required[1::3]}, {}, TODAY)


def _every_chart():
    result = _readiness()
    yield charts.radar(result)
    yield charts.gaps_bar(result)
    yield charts.history_line([(date(2026, m, 28), m / 12) for m in range(1, 12)])
    yield charts.history_line([])
    yield charts.team_heatmap(["Ann <i>", "Bo"], [("CPA", "Domain 1"), ("CPA", "Domain 2")], [[0.5, None], [1.0, 0.25]])
    yield charts.team_heatmap([], [], [])
    yield charts.common_gaps([("D1.1", "Statement", 12), ("D1.2", "Another", 3)], 40)
    yield charts.common_gaps([], 0)
    yield charts.candidates_by_criteria(
        ["A-001", "A-002"], [("AP.1", True), ("KS.16", False)], [[2.5, None], [0, 3]], {(0, 1)}
    )
    yield charts.candidates_by_criteria(["A-001"], [("AP.1", True, "A <b>statement</b> & more")], [[1]], set())
    yield charts.team_heatmap(["Ann"], [("CPA", "D1")], [[0.5]], not_shown=["Bo <b>"])
    yield charts.score_distribution(
        {"Essential": {0: 2, 3: 5}, "Desirable": {1: 1}}, {0: "No evidence", 1: "Partly", 2: "Meets", 3: "Exceeds"}
    )


@pytest.mark.parametrize("chart", list(_every_chart()), ids=lambda c: c.name)
def test_each_figure_is_valid_plotly_and_in_the_form_plotly_writes(chart):
    written = json.loads(chart.figure_json)
    validated = go.Figure(written)  # raises on any property plotly does not know
    assert json.loads(validated.to_json()) == written
    assert written["layout"]["font"]["family"].startswith("Frutiger") and written["layout"]["template"]["data"]


LONG_DOMAIN = "Relapse Prevention, Crisis Planning and Contingency Planning"


def _axis(chart, axis: str) -> list[str]:
    return json.loads(chart.figure_json)["layout"][axis]["ticktext"]


def test_tables_and_downloads_carry_full_domain_names_and_an_axis_shortens_only_with_the_full_name_in_the_hover():
    chart = charts.team_heatmap(
        ["Ann", "Bo"], [("CPA", LONG_DOMAIN), ("CPA", "Needs Assessment")], [[0.5, 1.0], [1.0, 1.0]]
    )
    assert chart.headings == ["Person", LONG_DOMAIN, "Needs Assessment"]  # the table and the CSV download
    ticks = _axis(chart, "xaxis")
    assert ticks[1] == "Needs Assessment" and ticks[0].endswith("…") and len(ticks[0]) <= 40
    hovers = [point[1].replace("<br>", " ") for point in json.loads(chart.figure_json)["data"][0]["customdata"]]
    assert LONG_DOMAIN in hovers


def test_one_domain_name_in_two_frameworks_stays_two_columns():
    chart = charts.team_heatmap(["Ann"], [("CPA", "Other Duties"), ("Leeds", "Other Duties")], [[0.5, 1.0]])
    assert chart.headings == ["Person", "Other Duties (CPA)", "Other Duties (Leeds)"]
    assert len(set(json.loads(chart.figure_json)["data"][0]["x"])) == 2


def test_two_people_with_one_name_are_two_rows_of_the_heatmap():
    chart = charts.team_heatmap(["Sam Lee", "Sam Lee"], [("CPA", "D1")], [[0.5], [1.0]])
    assert len(set(json.loads(chart.figure_json)["data"][0]["y"])) == 2 and _axis(chart, "yaxis") == [
        "Sam Lee",
        "Sam Lee",
    ]


def test_the_heatmap_sentence_counts_who_it_shows_and_names_who_has_no_target_role():
    one = charts.team_heatmap(["Ann", "Bo"], [("CPA", "D1")], [[1.0], [0.5]], not_shown=["Cy New"])
    assert one.summary.startswith("2 people across 1 domain; 1 has every domain fully met.")
    assert "Not shown: Cy New, who has no target role" in one.summary and [r[0] for r in one.rows] == ["Ann", "Bo"]
    assert "nobody has every domain" in charts.team_heatmap(["Ann"], [("CPA", "D1")], [[0.5]]).summary
    assert "1 person across 1 domain" in charts.team_heatmap(["Ann"], [("CPA", "D1")], [[0.5]]).summary


def test_gap_charts_label_each_bar_with_its_code_and_a_short_statement_in_full_in_the_hover():
    long = "To deliver and/or co-ordinate the delivery of the care plan with the service user and their carers"
    chart = charts.common_gaps([("CP.5", long, 8), ("1.21", "Arrange for someone to deputise", 3)], 10)
    ticks = _axis(chart, "yaxis")
    assert ticks[::-1][0].startswith("CP.5 To deliver") and ticks[::-1][0].endswith("…")
    assert ticks[::-1][1] == "1.21 Arrange for someone to deputise"
    hover = json.loads(chart.figure_json)["data"][0]["hovertext"][::-1][0].replace("<br>", " ")
    assert long in hover and "8 people with this gap" in hover
    assert chart.rows[0] == ["CP.5", long, 8]
    assert chart.summary.startswith("The most common gap is CP.5 (To deliver") and chart.summary.endswith(
        "for 8 of 10 people."
    )
    gaps = charts.gaps_bar(_readiness())
    assert all(tick.split(" ", 1)[1].startswith("Statement") for tick in _axis(gaps, "yaxis"))


def test_the_narrow_variant_carries_shorter_labels_for_the_same_bars():
    chart = charts.common_gaps([("CP.5", "To deliver and/or co-ordinate the delivery of the care plan", 8)], 10)
    meta = json.loads(chart.figure_json)["layout"]["meta"]["narrow"]
    assert meta["below"] == charts.NARROW_BELOW
    narrow, wide = meta["layout"]["yaxis.ticktext"], meta["wide"]["layout"]["yaxis.ticktext"]
    assert len(narrow[0]) < len(wide[0]) and narrow[0].startswith("CP.5 ") and narrow[0].endswith("…")


def test_sentences_agree_in_number():
    required = [Required(("cpa", "A.1"), "A.1", "Statement", "CPA", "Domain", 3)]
    one_gap = charts.gaps_bar(assess(required, [Confirmation(("cpa", "A.1"), 2, date(2026, 6, 1))], {}, {}, TODAY))
    assert (
        one_gap.summary
        == "1 required item is not yet verified at target; the largest gap is A.1 (Statement), 1 level short."
    )
    assert (
        "(s)" not in charts.gaps_bar(_readiness()).summary and "levels short" in charts.gaps_bar(_readiness()).summary
    )
    shortlist = charts.candidates_by_criteria(
        ["A-001"], [("AP.1", True, "Holds a relevant qualification")], [[0]], set()
    )
    assert shortlist.summary.startswith("1 application across 1 criterion") and "(s)" not in shortlist.summary
    assert "1 essential criterion score is agreed at 0" in shortlist.summary
    spread = charts.score_distribution({"Essential": {3: 1}}, {0: "No", 3: "Exceeds"})
    assert spread.summary == "1 submitted panel score; the most common is 3 (Exceeds), given 1 time."


def test_the_criteria_chart_names_each_criterion_with_its_statement():
    chart = charts.candidates_by_criteria(
        ["A-001"], [("AP.1", True, "Holds a relevant professional qualification")], [[2]], set()
    )
    assert chart.headings == ["Application", "AP.1: Holds a relevant professional qualification"]
    assert _axis(chart, "xaxis")[0].startswith("AP.1 Holds")


def test_counts_take_the_word_that_agrees_with_them():
    from competency_portal.text import plural

    assert [plural(n, "item") for n in (0, 1, 2)] == ["0 items", "1 item", "2 items"]
    assert plural(1, "person", "people") == "1 person" and plural(3, "person", "people") == "3 people"
