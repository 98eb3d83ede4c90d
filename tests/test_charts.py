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
    required = [Required(("cpa", f"D{d}.{i}"), f"D{d}.{i}", f"Statement {d}.{i} <b>bold</b>", "CPA", f"Domain {d}", 2 + i % 2)
                for d in range(1, 4) for i in range(1, 4)]
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
    yield charts.candidates_by_criteria(["A-001", "A-002"], [("AP.1", True), ("KS.16", False)], [[2.5, None], [0, 3]], {(0, 1)})
    yield charts.score_distribution({"Essential": {0: 2, 3: 5}, "Desirable": {1: 1}}, {0: "No evidence", 1: "Partly", 2: "Meets", 3: "Exceeds"})


@pytest.mark.parametrize("chart", list(_every_chart()), ids=lambda c: c.name)
def test_each_figure_is_valid_plotly_and_in_the_form_plotly_writes(chart):
    written = json.loads(chart.figure_json)
    validated = go.Figure(written)  # raises on any property plotly does not know
    assert json.loads(validated.to_json()) == written
    assert written["layout"]["font"]["family"].startswith("Frutiger") and written["layout"]["template"]["data"]
