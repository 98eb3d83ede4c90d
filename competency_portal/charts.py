"""Plotly figures, built by pure functions from readiness results.

Each function returns a `Chart`: the figure (as JSON for plotly.js), a sentence that says what the
chart shows, and the same data as a table (headings and rows) for screen readers and CSV. The
palette is NHS colours chosen to stay distinguishable with the common colour-vision deficiencies;
series also differ by line style and marker, never by colour alone.

Figures are written as plain dicts in plotly's JSON form (what `go.Figure(...).to_json()` gives),
not built as validated plotly objects: building and checking those took longer than the rest of a
dashboard. tests/test_charts.py checks each figure against plotly's validation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import plotly.graph_objects as go
import plotly.io as pio

from competency_portal.readiness.model import Readiness

NHS_BLUE, NHS_DARK_GREY, NHS_WARM_YELLOW, NHS_DARK_BLUE = "#005EB8", "#425563", "#FFB81C", "#003087"
SEQUENTIAL = [[0.0, "#FFFFFF"], [0.5, "#41B6E6"], [1.0, "#005EB8"]]  # white to NHS blue, one hue: safe for colour-blindness
FONT = dict(family="Frutiger W01, Arial, sans-serif", size=14, color="#212B32")


@dataclass(frozen=True)
class Chart:
    """A figure with its text summary and data table."""

    name: str
    title: str
    figure_json: str
    summary: str
    headings: list[str]
    rows: list[list]


@cache
def _base_layout() -> dict:
    """Our layout over plotly's default template, as plotly writes it (worked out once)."""
    fig = go.Figure()
    fig.update_layout(font=FONT, margin=dict(l=40, r=40, t=30, b=40), paper_bgcolor="white",
                      plot_bgcolor="white", legend=dict(orientation="h", y=-0.15))
    return fig.to_dict()["layout"]


def _figure(data: list[dict], height: int, **layout) -> str:
    """The figure's JSON: traces, and our layout with `layout` (plotly's nested form) over it."""
    return pio.to_json({"data": data, "layout": {**_base_layout(), "height": height, **layout}}, validate=False)


def _pct(x: float) -> str:
    return f"{round(x * 100)}%"


def plotly_text(text: str) -> str:
    """Text for a plotly.js label or hover: it reads a little HTML there (<a href>, <b>, <br>), so a
    person's name is written with &, < and > as entities, which plotly.js shows as the characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def domain_label(framework: str, domain: str) -> str:
    """A short axis label for a domain."""
    return domain if len(domain) <= 40 else domain[:38] + "…"


def radar(result: Readiness) -> Chart:
    """Target, self-assessed and verified level per domain (average over the domain's items)."""
    labels = [domain_label(d.framework, d.domain) for d in result.domains]
    series = [("Target", [d.target_mean for d in result.domains], NHS_DARK_GREY, "dash", "circle"),
              ("Self-assessed", [d.self_mean for d in result.domains], NHS_WARM_YELLOW, "dot", "square"),
              ("Verified", [d.verified_mean for d in result.domains], NHS_BLUE, "solid", "diamond")]
    data = [dict(type="scatterpolar", r=values + values[:1], theta=labels + labels[:1], name=name,
                 line=dict(color=colour, dash=dash, width=3), marker=dict(symbol=marker, size=8))
            for name, values, colour, dash, marker in series]
    top = max([1.0] + [v for _, values, *_ in series for v in values])
    weakest = min(result.domains, key=lambda d: d.verified_mean - d.target_mean, default=None)
    summary = (f"Across {len(result.domains)} domains, the verified level is furthest below target in "
               f"{weakest.domain} ({weakest.verified_mean:.1f} verified against a target of {weakest.target_mean:.1f})."
               if weakest else "There are no domains to show.")
    rows = [[d.framework, d.domain, round(d.target_mean, 1), round(d.self_mean, 1), round(d.verified_mean, 1), _pct(d.share)] for d in result.domains]
    figure = _figure(data, 520, polar=dict(radialaxis=dict(range=[0, top], tickfont=dict(size=11))))
    return Chart("domains", "Target, self-assessed and verified level by domain", figure, summary,
                 ["Framework", "Domain", "Average target", "Average self-assessed", "Average verified", "Items met"], rows)


def gaps_bar(result: Readiness, top: int = 10) -> Chart:
    """The items furthest from target, largest shortfall first."""
    gaps = result.gaps()[:top]
    labels = [f"{g.required.code}" for g in gaps][::-1]
    short = [g.required.target - (g.verified or 0) for g in gaps][::-1]
    data = [dict(type="bar", x=short, y=labels, orientation="h", marker=dict(color=NHS_BLUE),
                 hovertext=[g.required.statement[:120] for g in gaps][::-1], hoverinfo="text+x")]
    summary = (f"{len(result.gaps())} required item(s) are not yet verified at target; the largest gap is "
               f"{gaps[0].required.code} ({gaps[0].required.target - (gaps[0].verified or 0)} level(s) short)."
               if gaps else "Every required item is verified at target.")
    rows = [[g.required.framework, g.required.code, g.required.statement, g.required.target, g.verified if g.verified is not None else "none",
             g.self_level if g.self_level is not None else "not rated", g.status.label] for g in gaps]
    figure = _figure(data, 60 + 36 * max(3, len(gaps)), xaxis=dict(title=dict(text="Levels short of target"), dtick=1, rangemode="tozero"))
    return Chart("gaps", f"Top {top} gaps", figure, summary,
                 ["Framework", "Item", "Statement", "Target", "Verified", "Self-assessed", "Status"], rows)


def history_line(points: list[tuple[date, float]]) -> Chart:
    """Readiness at the end of each month."""
    data = [dict(type="scatter", x=[d.isoformat() for d, _ in points], y=[round(s * 100, 1) for _, s in points],
                 mode="lines+markers", line=dict(color=NHS_BLUE, width=3), marker=dict(size=8), name="Readiness")]
    if points:
        first, last = points[0], points[-1]
        summary = f"Readiness went from {_pct(first[1])} on {first[0]:%-d %B %Y} to {_pct(last[1])} on {last[0]:%-d %B %Y}."
    else:
        summary = "There is no history to show."
    figure = _figure(data, 360, yaxis=dict(title=dict(text="Required items met (%)"), range=[0, 100]))
    return Chart("history", "Readiness over the last 12 months", figure, summary,
                 ["Date", "Required items met"], [[d.isoformat(), _pct(s)] for d, s in points])


def team_heatmap(names: list[str], domains: list[tuple[str, str]], shares: list[list[float | None]]) -> Chart:
    """People by domain: the share of each domain's required items met."""
    labels = [domain_label(f, d) for f, d in domains]
    z = [[None if v is None else round(v * 100) for v in row] for row in shares]
    # Drawn as a grid of square markers rather than a Heatmap trace: plotly's heatmap writes inline
    # style attributes, which our Content-Security-Policy (rightly) refuses.
    xs, ys, values, text = [], [], [], []
    shown = [plotly_text(name) for name in names]
    for name, row in zip(shown, z):
        for label, v in zip(labels, row):
            if v is not None:
                xs.append(label), ys.append(name), values.append(v), text.append(f"{v}%")
    data = [dict(
        type="scatter", x=xs, y=ys, mode="markers+text", text=text,
        textfont=dict(color=["#FFFFFF" if v >= 60 else "#212B32" for v in values], size=12),  # keeps contrast on dark cells
        marker=dict(symbol="square", size=44, color=values, colorscale=SEQUENTIAL, cmin=0, cmax=100,
                    showscale=False, line=dict(color="#D8DDE0", width=1)),  # values are printed in each cell; the colour bar would need inline styles
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
    )]
    complete = sum(1 for row in shares if row and all(v == 1.0 for v in row if v is not None))
    summary = f"{len(names)} people across {len(domains)} domains; {complete} have every domain fully met." if names else "Nobody to show."
    rows = [[name] + [("n/a" if v is None else _pct(v)) for v in row] for name, row in zip(names, shares)]
    figure = _figure(data, 220 + 52 * max(3, len(names)),
                     xaxis=dict(categoryorder="array", categoryarray=labels, showgrid=False, tickangle=-30),
                     yaxis=dict(categoryorder="array", categoryarray=list(reversed(shown)), showgrid=False))
    return Chart("team", "Team readiness by domain", figure, summary,
                 ["Person"] + labels, rows)


def common_gaps(counts: list[tuple[str, str, int]], people: int) -> Chart:
    """The items most often not met across the organisation: (code, statement, people with the gap)."""
    top = counts[:15]
    data = [dict(type="bar", x=[c for _, _, c in top][::-1], y=[code for code, _, _ in top][::-1], orientation="h",
                 marker=dict(color=NHS_DARK_BLUE), hovertext=[s[:120] for _, s, _ in top][::-1], hoverinfo="text+x")]
    summary = (f"The most common gap is {top[0][0]}, for {top[0][2]} of {people} people." if top else "There are no gaps to show.")
    figure = _figure(data, 60 + 32 * max(3, len(top)), xaxis=dict(title=dict(text="People with this gap"), rangemode="tozero"))
    return Chart("common-gaps", "Most common gaps", figure, summary,
                 ["Item", "Statement", "People with the gap"], [[c, s, n] for c, s, n in top])


def candidates_by_criteria(references: list[str], criteria: list[tuple[str, bool]], agreed: list[list[float | None]],
                           flagged: set[tuple[int, int]] = frozenset()) -> Chart:
    """Applications by application criterion: each criterion's agreed panel score (0 to 3).

    `criteria` are (code, essential); `agreed[i][j]` is application i's agreed score on criterion j, or
    None while it is not agreed; `flagged` holds (i, j) cells waiting for the lead to moderate. Drawn,
    like `team_heatmap`, as square markers (a Heatmap trace writes inline styles the CSP refuses),
    with the value printed in each cell and no colour bar.
    """
    labels = [code + ("" if essential else " (D)") for code, essential in criteria]
    xs, ys, values, text = [], [], [], []
    for i, (ref, row) in enumerate(zip(references, agreed)):
        for j, (label, v) in enumerate(zip(labels, row)):
            if v is not None:
                xs.append(label), ys.append(ref), values.append(v), text.append(f"{v:g}")
            elif (i, j) in flagged:
                xs.append(label), ys.append(ref), values.append(None), text.append("M")
    trace = dict(
        type="scatter", x=xs, y=ys, mode="markers+text", text=text,
        textfont=dict(color=["#FFFFFF" if v is not None and v >= 2 else "#212B32" for v in values], size=11),
        marker=dict(symbol="square", size=26, color=[(-1 if v is None else v) for v in values],
                    colorscale=[[0.0, "#FFB81C"], [0.25, "#FFFFFF"], [0.625, "#41B6E6"], [1.0, "#005EB8"]], cmin=-1, cmax=3,
                    showscale=False, line=dict(color="#D8DDE0", width=1)),
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
    )
    zero = sum(1 for row in agreed for v, (_, essential) in zip(row, criteria) if v == 0 and essential)
    summary = (f"{len(references)} application(s) across {len(criteria)} criteria assessed at application (D marks a desirable "
               f"criterion, M a score waiting for moderation); {len(flagged)} score(s) wait for moderation and {zero} essential "
               f"criterion score(s) are agreed at 0." if references else "There are no applications to show.")
    rows = [[ref] + [("M" if (i, j) in flagged else "n/a") if v is None else f"{v:g}" for j, v in enumerate(row)]
            for i, (ref, row) in enumerate(zip(references, agreed))]
    figure = _figure([trace], 200 + 36 * max(3, len(references)),
                     xaxis=dict(categoryorder="array", categoryarray=labels, showgrid=False, tickangle=-45),
                     yaxis=dict(categoryorder="array", categoryarray=list(reversed(references)), showgrid=False))
    return Chart("criteria", "Agreed scores by application and criterion", figure,
                 summary, ["Application"] + labels, rows)


def score_distribution(counts: dict[str, dict[int, int]], labels: dict[int, str]) -> Chart:
    """How the panel's submitted scores spread over 0 to 3, for essential and desirable criteria.

    `counts` maps a series name ("Essential", "Desirable") to {score: how many}. Series differ by
    bar position, legend and printed count as well as colour.
    """
    colours = [NHS_BLUE, NHS_WARM_YELLOW]
    data = []
    for (name, by_value), colour in zip(counts.items(), colours):
        ys = [by_value.get(v, 0) for v in labels]
        data.append(dict(type="bar", x=[f"{v}: {label}" for v, label in labels.items()], y=ys, name=f"{name} criteria",
                         marker=dict(color=colour, line=dict(color=NHS_DARK_GREY, width=1)), text=[str(y) for y in ys],
                         textposition="outside", hovertemplate=f"{name}: %{{x}}: %{{y}}<extra></extra>"))
    total = sum(sum(c.values()) for c in counts.values())
    if total:
        common = max(labels, key=lambda v: sum(c.get(v, 0) for c in counts.values()))
        summary = (f"{total} submitted panel score(s); the most common is {common} ({labels[common]}), given "
                   f"{sum(c.get(common, 0) for c in counts.values())} time(s).")
    else:
        summary = "No panel scores have been submitted yet."
    rows = [[f"{v}: {label}"] + [c.get(v, 0) for c in counts.values()] for v, label in labels.items()]
    figure = _figure(data, 380, barmode="group", yaxis=dict(title=dict(text="Panel scores"), rangemode="tozero"))
    return Chart("distribution", "How the panel's scores are spread", figure, summary,
                 ["Score"] + [f"{name} criteria" for name in counts], rows)
