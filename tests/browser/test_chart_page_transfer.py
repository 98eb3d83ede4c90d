"""A chart page's weight in a real browser, as `make bench` reports it (bench/transfer.py).

The target holds whatever the data: a first visit transfers at most 1.5 MB (compressed, with a
Plotly bundle of only the trace types the portal draws) and a second visit no static bytes at all
(content-hashed names, kept for a year); the page itself is never cached.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bench.__main__ import chart_page_transfer, report, table
from bench.generate import Params, populate
from competency_portal.extensions import db

pytestmark = pytest.mark.browser


def test_a_chart_page_transfers_under_its_budget_first_and_no_static_bytes_the_second_time(app, browser):
    dataset = populate(
        db.session,
        Params(scale=0.0005, evidence_per_person=6, team_size=5, vacancies=1),
        datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc),
    )
    db.session.commit()
    transfer = chart_page_transfer(app, dataset, say=lambda *a: None, browser=browser)
    first, second = transfer["first_visit"], transfer["second_visit"]
    assert first["static_files"] >= 6 and first["static_files_fetched"] == first["static_files"], first
    assert first["page_bytes"] > 0 and first["total_bytes"] <= 1_500_000, f"first visit: {first['total_bytes']:,} bytes"
    assert second["static_files"] == first["static_files"], second
    assert second["static_bytes"] == 0 and second["static_files_fetched"] == 0, (
        f"second visit fetched static files again: {second}"
    )
    assert second["page_bytes"] > 0, "the page itself is never kept (no-store)"
    assert transfer["met"]
    run = {
        "dataset": {
            **dict.fromkeys(
                (
                    "staff",
                    "teams",
                    "evidence",
                    "links",
                    "sign_offs",
                    "self_assessments",
                    "vacancies",
                    "max_applications",
                    "generation_seconds",
                ),
                0,
            ),
            "database": "x",
            "scale": 1,
        },
        "pages": {},
        "answered": {},
        "transfer": transfer,
    }
    result = report({1.0: run}, repeats=1)
    assert result["transfer"] == transfer and result["checks"]["transfer"]["met"] is True
    assert "chart page (/dashboard) transfer, first visit" in table(result)
