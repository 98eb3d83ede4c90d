"""A person's charts: readiness by domain (radar), the largest gaps, and readiness over time."""

from __future__ import annotations

from datetime import date

from competency_portal.charts.base import (
    NHS_BLUE,
    NHS_DARK_GREY,
    NHS_WARM_YELLOW,
    Chart,
    _domain_names,
    _figure,
    _item_bars,
    _narrow,
    _pct,
    _two_lines,
    hover,
    plotly_text,
    shorten,
)
from competency_portal.readiness.model import Readiness
from competency_portal.text import plural


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


def gaps_bar(result: Readiness, top: int = 10) -> Chart:
    """The items furthest from target, largest shortfall first."""
    every = result.gaps()
    gaps = every[:top]
    short = [g.required.target - (g.verified or 0) for g in gaps]
    hovers = [
        f"<b>{plotly_text(g.required.code)}</b> {hover(g.required.statement)}<br>{plural(n, 'level')} short of target"
        for g, n in zip(gaps, short, strict=True)
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
