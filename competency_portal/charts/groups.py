"""A team's and the organisation's charts: the readiness heatmap and the most common gaps."""

from __future__ import annotations

from competency_portal.charts.base import (
    NHS_DARK_BLUE,
    SEQUENTIAL,
    Chart,
    _domain_names,
    _figure,
    _item_bars,
    _narrow,
    _pct,
    hover,
    plotly_text,
    shorten,
)
from competency_portal.text import plural


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
    for i, (name, row) in enumerate(zip(names, z, strict=True)):
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
        summary = (
            f"{plural(len(names), 'person', 'people')} across {plural(len(domains), 'domain')}; "
            f"{who} every domain fully met."
        )
    else:
        summary = "Nobody with a target role to show."
    if not_shown:
        summary += (
            f" Not shown: {', '.join(not_shown)}, who {'has' if len(not_shown) == 1 else 'have'} no target role, "
            "so there is nothing to measure readiness against."
        )
    rows = [[name] + [("n/a" if v is None else _pct(v)) for v in row] for name, row in zip(names, shares, strict=True)]
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
