"""Plotly figures, built by pure functions from service results (readiness, shortlisting).

Each function returns a `Chart`: the figure (as JSON for plotly.js), a sentence that says what the
chart shows, and the same data as a table (headings and rows) for screen readers and CSV. The
palette is NHS colours chosen to stay distinguishable with the common colour-vision deficiencies;
series also differ by line style and marker, never by colour alone.

`base` holds what every chart shares; `person`, `groups` (team and organisation) and `shortlist`
hold the charts of each kind of page. Callers use the names below: `charts.radar(result)`.
"""

from competency_portal.charts.base import NARROW_BELOW, Chart, domain_label, hover, item_label, plotly_text, shorten
from competency_portal.charts.groups import common_gaps, team_heatmap
from competency_portal.charts.person import gaps_bar, history_line, radar
from competency_portal.charts.shortlist import candidates_by_criteria, score_distribution

__all__ = [
    "NARROW_BELOW",
    "Chart",
    "candidates_by_criteria",
    "common_gaps",
    "domain_label",
    "gaps_bar",
    "history_line",
    "hover",
    "item_label",
    "plotly_text",
    "radar",
    "score_distribution",
    "shorten",
    "team_heatmap",
]
