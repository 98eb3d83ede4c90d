"""Plotly figures, built by pure functions from readiness results.

Each function returns a `Chart`: the figure (as JSON for plotly.js), a sentence that says what the
chart shows, and the same data as a table (headings and rows) for screen readers and CSV. The
palette is NHS colours chosen to stay distinguishable with the common colour-vision deficiencies;
series also differ by line style and marker, never by colour alone.

Figures are written as plain dicts in plotly's JSON form (what `go.Figure(...).to_json()` gives),
not built as validated plotly objects: building and checking those took longer than the rest of a
dashboard. tests/test_charts.py checks each figure against plotly's validation.

Tables and CSV always carry full names and statements. An axis may shorten a label (with an
ellipsis) only where the hover and the table carry it in full. Each figure's `layout.meta` may hold
a `narrow` variant (shorter labels, smaller margins) that static/js/charts.js applies while the
chart is narrower than NARROW_BELOW pixels, and a `grid` that it uses to size square cells to fit.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date
from functools import cache

import plotly.graph_objects as go
import plotly.io as pio

from competency_portal.readiness.model import Readiness
from competency_portal.text import plural

NHS_BLUE, NHS_DARK_GREY, NHS_WARM_YELLOW, NHS_DARK_BLUE = "#005EB8", "#425563", "#FFB81C", "#003087"
SEQUENTIAL = [
    [0.0, "#FFFFFF"],
    [0.5, "#41B6E6"],
    [1.0, "#005EB8"],
]  # white to NHS blue, one hue: safe for colour-blindness
FONT = dict(family="Frutiger W01, Arial, sans-serif", size=14, color="#212B32")
NARROW_BELOW = 560  # chart width in pixels below which the narrow variant is used (a phone)


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
    fig.update_layout(
        font=FONT,
        margin=dict(l=40, r=40, t=30, b=40),
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.15),
    )
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


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word break where there is one, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def hover(text: str, width: int = 60) -> str:
    """Text for a hover box: escaped for plotly.js and broken into lines of about `width` characters."""
    return "<br>".join(plotly_text(line) for line in textwrap.wrap(text, width)) or plotly_text(text)


def item_label(code: str, statement: str, limit: int) -> str:
    """An axis label for an item: its code and as much of its statement as fits in `limit` characters."""
    return f"{code} {shorten(statement, max(8, limit - len(code) - 1))}"


def domain_label(framework: str, domain: str, limit: int = 40) -> str:
    """A short axis label for a domain (the hover and the table carry the full name)."""
    return shorten(domain, limit)


def _domain_names(domains: list[tuple[str, str]]) -> list[str]:
    """Each domain's full name, with its framework added where two frameworks use the same name."""
    names = [d for _, d in domains]
    return [f"{d} ({f})" if names.count(d) > 1 else d for f, d in domains]


def _two_lines(text: str, width: int) -> list[str]:
    """`text` in at most two lines of about `width` characters, the second shortened if need be."""
    lines = textwrap.wrap(text, width, break_long_words=False) or [text]
    return lines if len(lines) <= 2 else [lines[0], shorten(" ".join(lines[1:]), width)]


def _narrow(
    narrow_layout: dict, wide_layout: dict, narrow_data: dict | None = None, wide_data: dict | None = None
) -> dict:
    """`layout.meta` for charts.js: the updates for a narrow chart, and those that restore the wide one.

    Layout updates are plotly.relayout's ("xaxis.ticktext": [...]); data updates are plotly.restyle's,
    one value per trace ("marker.size": [18]).
    """
    return {
        "narrow": {
            "below": NARROW_BELOW,
            "layout": narrow_layout,
            "data": narrow_data or {},
            "wide": {"layout": wide_layout, "data": wide_data or {}},
        }
    }


def radar(result: Readiness) -> Chart:
    """Target, self-assessed and verified level per domain (average over the domain's items)."""
    names = _domain_names([(d.framework, d.domain) for d in result.domains])
    labels = [plotly_text(shorten(n, 40)) for n in names]
    series = [
        ("Target", [d.target_mean for d in result.domains], NHS_DARK_GREY, "dash", "circle"),
        ("Self-assessed", [d.self_mean for d in result.domains], NHS_WARM_YELLOW, "dot", "square"),
        ("Verified", [d.verified_mean for d in result.domains], NHS_BLUE, "solid", "diamond"),
    ]
    full = [hover(n, 40) for n in names]
    data = [
        dict(
            type="scatterpolar",
            r=values + values[:1],
            theta=labels + labels[:1],
            name=name,
            line=dict(color=colour, dash=dash, width=3),
            marker=dict(symbol=marker, size=8),
            customdata=full + full[:1],
            hovertemplate=f"%{{customdata}}<br>{name}: %{{r:.1f}}<extra></extra>",
        )
        for name, values, colour, dash, marker in series
    ]
    top = max([1.0] + [v for _, values, *_ in series for v in values])
    weakest = min(result.domains, key=lambda d: d.verified_mean - d.target_mean, default=None)
    summary = (
        f"Across {plural(len(result.domains), 'domain')}, the verified level is furthest below target in "
        f"{weakest.domain} ({weakest.verified_mean:.1f} verified against a target of {weakest.target_mean:.1f})."
        if weakest
        else "There are no domains to show."
    )
    rows = [
        [
            d.framework,
            d.domain,
            round(d.target_mean, 1),
            round(d.self_mean, 1),
            round(d.verified_mean, 1),
            _pct(d.share),
        ]
        for d in result.domains
    ]
    # Narrow: each label in two short lines, so the labels round the circle stay inside the chart.
    two_lines = ["<br>".join(plotly_text(line) for line in _two_lines(n, 13)) for n in names]
    narrow = _narrow(
        {
            "polar.angularaxis.tickvals": labels,
            "polar.angularaxis.ticktext": two_lines,
            "polar.angularaxis.tickfont.size": 11,
            "polar.radialaxis.dtick": 1,
            "margin.l": 76,
            "margin.r": 76,
            "height": 420,
        },
        {
            "polar.angularaxis.tickvals": None,
            "polar.angularaxis.ticktext": None,
            "polar.angularaxis.tickfont.size": None,
            "polar.radialaxis.dtick": None,
            "margin.l": 40,
            "margin.r": 40,
            "height": 520,
        },
    )
    figure = _figure(data, 520, polar=dict(radialaxis=dict(range=[0, top], tickfont=dict(size=11))), meta=narrow)
    return Chart(
        "domains",
        "Target, self-assessed and verified level by domain",
        figure,
        summary,
        ["Framework", "Domain", "Average target", "Average self-assessed", "Average verified", "Items met"],
        rows,
    )


def _item_bars(
    codes: list[str],
    statements: list[str],
    values: list[float],
    hovers: list[str],
    colour: str,
    height: int,
    axis_title: str,
    dtick: int | None = None,
) -> str:
    """Horizontal bars, one per item, largest first at the top, labelled with code and short statement."""
    keys = [str(i) for i in range(len(codes))][::-1]  # categories by position: two items may share a code
    wide = [plotly_text(item_label(c, s, 48)) for c, s in zip(codes, statements)][::-1]
    short = [plotly_text(item_label(c, s, 24)) for c, s in zip(codes, statements)][::-1]
    data = [
        dict(
            type="bar",
            x=values[::-1],
            y=keys,
            orientation="h",
            marker=dict(color=colour),
            hovertext=hovers[::-1],
            hoverinfo="text",
        )
    ]
    xaxis = dict(title=dict(text=axis_title), rangemode="tozero", **({"dtick": dtick} if dtick else {}))
    narrow = _narrow(
        {"yaxis.ticktext": short, "yaxis.tickfont.size": 12, "margin.r": 16},
        {"yaxis.ticktext": wide, "yaxis.tickfont.size": None, "margin.r": 40},
    )
    return _figure(
        data,
        height,
        xaxis=xaxis,
        yaxis=dict(tickmode="array", tickvals=keys, ticktext=wide, automargin=True),
        meta=narrow,
    )


def gaps_bar(result: Readiness, top: int = 10) -> Chart:
    """The items furthest from target, largest shortfall first."""
    every = result.gaps()
    gaps = every[:top]
    short = [g.required.target - (g.verified or 0) for g in gaps]
    hovers = [
        f"<b>{plotly_text(g.required.code)}</b> {hover(g.required.statement)}<br>{plural(n, 'level')} short of target"
        for g, n in zip(gaps, short)
    ]
    summary = (
        f"{plural(len(every), 'required item')} {'is' if len(every) == 1 else 'are'} not yet verified at target; "
        f"the largest gap is {gaps[0].required.code} ({shorten(gaps[0].required.statement, 80)}), "
        f"{plural(short[0], 'level')} short."
        if gaps
        else "Every required item is verified at target."
    )
    rows = [
        [
            g.required.framework,
            g.required.code,
            g.required.statement,
            g.required.target,
            g.verified if g.verified is not None else "none",
            g.self_level if g.self_level is not None else "not rated",
            g.status.label,
        ]
        for g in gaps
    ]
    figure = _item_bars(
        [g.required.code for g in gaps],
        [g.required.statement for g in gaps],
        short,
        hovers,
        NHS_BLUE,
        60 + 36 * max(3, len(gaps)),
        "Levels short of target",
        dtick=1,
    )
    return Chart(
        "gaps",
        f"Top {top} gaps",
        figure,
        summary,
        ["Framework", "Item", "Statement", "Target", "Verified", "Self-assessed", "Status"],
        rows,
    )


def history_line(points: list[tuple[date, float]]) -> Chart:
    """Readiness at the end of each month."""
    data = [
        dict(
            type="scatter",
            x=[d.isoformat() for d, _ in points],
            y=[round(s * 100, 1) for _, s in points],
            mode="lines+markers",
            line=dict(color=NHS_BLUE, width=3),
            marker=dict(size=8),
            name="Readiness",
        )
    ]
    if points:
        first, last = points[0], points[-1]
        summary = (
            f"Readiness went from {_pct(first[1])} on {first[0]:%-d %B %Y} to {_pct(last[1])} on {last[0]:%-d %B %Y}."
        )
    else:
        summary = "There is no history to show."
    figure = _figure(data, 360, yaxis=dict(title=dict(text="Required items met (%)"), range=[0, 100]))
    return Chart(
        "history",
        "Readiness over the last 12 months",
        figure,
        summary,
        ["Date", "Required items met"],
        [[d.isoformat(), _pct(s)] for d, s in points],
    )


def team_heatmap(
    names: list[str], domains: list[tuple[str, str]], shares: list[list[float | None]], not_shown: list[str] = ()
) -> Chart:
    """People by domain: the share of each domain's required items met.

    `names` are the people with a target role (the chart's rows); `not_shown` names those without
    one, whom the sentence mentions so that it counts the same people as the chart and the table.
    """
    full = _domain_names(domains)
    z = [[None if v is None else round(v * 100) for v in row] for row in shares]
    # Categories are positions (two people may share a name); tick texts carry the names.
    columns, rows_at = [f"d{j}" for j in range(len(domains))], [f"p{i}" for i in range(len(names))]
    # Drawn as a grid of square markers rather than a Heatmap trace: plotly's heatmap writes inline
    # style attributes, which our Content-Security-Policy (rightly) refuses.
    xs, ys, values, text, custom = [], [], [], [], []
    for i, (name, row) in enumerate(zip(names, z)):
        for j, v in enumerate(row):
            if v is not None:
                xs.append(columns[j]), ys.append(rows_at[i]), values.append(v), text.append(f"{v}%")
                custom.append([plotly_text(name), hover(full[j], 50)])
    data = [
        dict(
            type="scatter",
            x=xs,
            y=ys,
            mode="markers+text",
            text=text,
            customdata=custom,
            textfont=dict(
                color=["#FFFFFF" if v >= 60 else "#212B32" for v in values], size=12
            ),  # keeps contrast on dark cells
            marker=dict(
                symbol="square",
                size=44,
                color=values,
                colorscale=SEQUENTIAL,
                cmin=0,
                cmax=100,
                showscale=False,
                line=dict(color="#D8DDE0", width=1),
            ),  # values are printed in each cell; the colour bar would need inline styles
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}: %{text}<extra></extra>",
        )
    ]
    complete = sum(1 for row in shares if row and all(v == 1.0 for v in row if v is not None))
    if names:
        who = "nobody has" if complete == 0 else f"{complete} {'has' if complete == 1 else 'have'}"
        summary = f"{plural(len(names), 'person', 'people')} across {plural(len(domains), 'domain')}; {who} every domain fully met."
    else:
        summary = "Nobody with a target role to show."
    if not_shown:
        summary += (
            f" Not shown: {', '.join(not_shown)}, who {'has' if len(not_shown) == 1 else 'have'} no target role, "
            "so there is nothing to measure readiness against."
        )
    rows = [[name] + [("n/a" if v is None else _pct(v)) for v in row] for name, row in zip(names, shares)]
    wide_x, narrow_x = [plotly_text(shorten(n, 40)) for n in full], [plotly_text(shorten(n, 18)) for n in full]
    wide_y, narrow_y = [plotly_text(n) for n in names], [plotly_text(shorten(n, 16)) for n in names]
    narrow = _narrow(
        {
            "xaxis.ticktext": narrow_x,
            "xaxis.tickangle": -90,
            "xaxis.tickfont.size": 11,
            "yaxis.ticktext": narrow_y,
            "yaxis.tickfont.size": 12,
            "margin.r": 8,
        },
        {
            "xaxis.ticktext": wide_x,
            "xaxis.tickangle": -30,
            "xaxis.tickfont.size": None,
            "yaxis.ticktext": wide_y,
            "yaxis.tickfont.size": None,
            "margin.r": 40,
        },
    )
    meta = {**narrow, "grid": {"columns": len(domains), "rows": len(names), "max": 44, "text": 38}}
    figure = _figure(
        data,
        220 + 52 * max(3, len(names)),
        xaxis=dict(
            tickmode="array",
            tickvals=columns,
            ticktext=wide_x,
            range=[-0.5, len(domains) - 0.5],
            showgrid=False,
            zeroline=False,
            tickangle=-30,
            automargin=True,
        ),
        yaxis=dict(
            tickmode="array",
            tickvals=rows_at,
            ticktext=wide_y,
            range=[len(names) - 0.5, -0.5],
            showgrid=False,
            zeroline=False,
            automargin=True,
        ),
        meta=meta,
    )
    return Chart("team", "Team readiness by domain", figure, summary, ["Person"] + full, rows)


def common_gaps(counts: list[tuple[str, str, int]], people: int) -> Chart:
    """The items most often not met across the organisation: (code, statement, people with the gap)."""
    top = counts[:15]
    hovers = [
        f"<b>{plotly_text(code)}</b> {hover(s)}<br>{plural(n, 'person', 'people')} with this gap" for code, s, n in top
    ]
    summary = (
        f"The most common gap is {top[0][0]} ({shorten(top[0][1], 80)}), for {top[0][2]} of "
        f"{plural(people, 'person', 'people')}."
        if top
        else "There are no gaps to show."
    )
    figure = _item_bars(
        [c for c, _, _ in top],
        [s for _, s, _ in top],
        [n for _, _, n in top],
        hovers,
        NHS_DARK_BLUE,
        60 + 32 * max(3, len(top)),
        "People with this gap",
    )
    return Chart(
        "common-gaps",
        "Most common gaps",
        figure,
        summary,
        ["Item", "Statement", "People with the gap"],
        [[c, s, n] for c, s, n in top],
    )


def candidates_by_criteria(
    references: list[str],
    criteria: list[tuple[str, bool] | tuple[str, bool, str]],
    agreed: list[list[float | None]],
    flagged: set[tuple[int, int]] = frozenset(),
) -> Chart:
    """Applications by application criterion: each criterion's agreed panel score (0 to 3).

    `criteria` are (code, essential) or (code, essential, statement); `agreed[i][j]` is application
    i's agreed score on criterion j, or None while it is not agreed; `flagged` holds (i, j) cells
    waiting for the lead to moderate. Drawn, like `team_heatmap`, as square markers (a Heatmap trace
    writes inline styles the CSP refuses), with the value printed in each cell and no colour bar.
    """
    codes = [c[0] + ("" if c[1] else " (D)") for c in criteria]
    statements = [c[2] if len(c) > 2 else "" for c in criteria]
    columns = [f"c{j}" for j in range(len(criteria))]  # positions: the tick texts carry the labels
    # Each column's hover text, made once: a vacancy's board has thousands of cells.
    column_hover = [
        f"<b>{plotly_text(code)}</b> {hover(statement, 50)}".rstrip() for code, statement in zip(codes, statements)
    ]
    xs, ys, values, text, custom = [], [], [], [], []
    for i, (ref, row) in enumerate(zip(references, agreed)):
        for j, v in enumerate(row):
            if v is not None or (i, j) in flagged:
                xs.append(columns[j]), ys.append(ref), values.append(v), text.append("M" if v is None else f"{v:g}")
                custom.append(column_hover[j])
    trace = dict(
        type="scatter",
        x=xs,
        y=ys,
        mode="markers+text",
        text=text,
        customdata=custom,
        textfont=dict(color=["#FFFFFF" if v is not None and v >= 2 else "#212B32" for v in values], size=11),
        marker=dict(
            symbol="square",
            size=26,
            color=[(-1 if v is None else v) for v in values],
            colorscale=[[0.0, "#FFB81C"], [0.25, "#FFFFFF"], [0.625, "#41B6E6"], [1.0, "#005EB8"]],
            cmin=-1,
            cmax=3,
            showscale=False,
            line=dict(color="#D8DDE0", width=1),
        ),
        hovertemplate="%{y}<br>%{customdata}: %{text}<extra></extra>",
    )
    zero = sum(1 for row in agreed for v, c in zip(row, criteria) if v == 0 and c[1])
    summary = (
        f"{plural(len(references), 'application')} across {plural(len(criteria), 'criterion', 'criteria')} assessed at "
        f"application (D marks a desirable criterion, M a score waiting for moderation); "
        f"{plural(len(flagged), 'score')} {'waits' if len(flagged) == 1 else 'wait'} for moderation and "
        f"{plural(zero, 'essential criterion score')} {'is' if zero == 1 else 'are'} agreed at 0."
        if references
        else "There are no applications to show."
    )
    rows = [
        [ref] + [("M" if (i, j) in flagged else "n/a") if v is None else f"{v:g}" for j, v in enumerate(row)]
        for i, (ref, row) in enumerate(zip(references, agreed))
    ]
    wide = [plotly_text(item_label(c, s, 26) if s else c) for c, s in zip(codes, statements)]
    narrow = _narrow(
        {"xaxis.ticktext": [plotly_text(c) for c in codes], "xaxis.tickangle": -90, "margin.r": 8},
        {"xaxis.ticktext": wide, "xaxis.tickangle": -45, "margin.r": 40},
    )
    meta = {**narrow, "grid": {"columns": len(criteria), "rows": len(references), "max": 26, "text": 22}}
    figure = _figure(
        [trace],
        200 + 36 * max(3, len(references)),
        xaxis=dict(
            tickmode="array",
            tickvals=columns,
            ticktext=wide,
            range=[-0.5, len(criteria) - 0.5],
            showgrid=False,
            zeroline=False,
            tickangle=-45,
            automargin=True,
        ),
        yaxis=dict(categoryorder="array", categoryarray=list(reversed(references)), showgrid=False, automargin=True),
        meta=meta,
    )
    headings = [f"{c}: {s}" if s else c for c, s in zip(codes, statements)]
    return Chart(
        "criteria", "Agreed scores by application and criterion", figure, summary, ["Application"] + headings, rows
    )


def score_distribution(counts: dict[str, dict[int, int]], labels: dict[int, str]) -> Chart:
    """How the panel's submitted scores spread over 0 to 3, for essential and desirable criteria.

    `counts` maps a series name ("Essential", "Desirable") to {score: how many}. Series differ by
    bar position, legend and printed count as well as colour.
    """
    colours = [NHS_BLUE, NHS_WARM_YELLOW]
    data = []
    for (name, by_value), colour in zip(counts.items(), colours):
        ys = [by_value.get(v, 0) for v in labels]
        data.append(
            dict(
                type="bar",
                x=[f"{v}: {label}" for v, label in labels.items()],
                y=ys,
                name=f"{name} criteria",
                marker=dict(color=colour, line=dict(color=NHS_DARK_GREY, width=1)),
                text=[str(y) for y in ys],
                textposition="outside",
                hovertemplate=f"{name}: %{{x}}: %{{y}}<extra></extra>",
            )
        )
    total = sum(sum(c.values()) for c in counts.values())
    if total:
        common = max(labels, key=lambda v: sum(c.get(v, 0) for c in counts.values()))
        given = sum(c.get(common, 0) for c in counts.values())
        summary = (
            f"{plural(total, 'submitted panel score')}; the most common is {common} ({labels[common]}), given "
            f"{plural(given, 'time')}."
        )
    else:
        summary = "No panel scores have been submitted yet."
    rows = [[f"{v}: {label}"] + [c.get(v, 0) for c in counts.values()] for v, label in labels.items()]
    figure = _figure(data, 380, barmode="group", yaxis=dict(title=dict(text="Panel scores"), rangemode="tozero"))
    return Chart(
        "distribution",
        "How the panel's scores are spread",
        figure,
        summary,
        ["Score"] + [f"{name} criteria" for name in counts],
        rows,
    )
