"""A vacancy's shortlisting charts: candidates by criterion, and how the panel's scores spread."""

from __future__ import annotations

from competency_portal.charts.base import (
    NHS_BLUE,
    NHS_DARK_GREY,
    NHS_WARM_YELLOW,
    Chart,
    _figure,
    _narrow,
    hover,
    item_label,
    plotly_text,
)
from competency_portal.text import plural


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
        f"<b>{plotly_text(code)}</b> {hover(statement, 50)}".rstrip()
        for code, statement in zip(codes, statements, strict=True)
    ]
    xs, ys, values, text, custom = [], [], [], [], []
    for i, (ref, row) in enumerate(zip(references, agreed, strict=True)):
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
    zero = sum(1 for row in agreed for v, c in zip(row, criteria, strict=True) if v == 0 and c[1])
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
        for i, (ref, row) in enumerate(zip(references, agreed, strict=True))
    ]
    wide = [plotly_text(item_label(c, s, 26) if s else c) for c, s in zip(codes, statements, strict=True)]
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
    headings = [f"{c}: {s}" if s else c for c, s in zip(codes, statements, strict=True)]
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
    for (name, by_value), colour in zip(counts.items(), colours, strict=False):
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
