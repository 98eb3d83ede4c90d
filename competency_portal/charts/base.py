"""What every chart shares: the `Chart` it returns, the NHS palette and layout, and the label helpers.

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
from functools import cache

import plotly.graph_objects as go
import plotly.io as pio

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
    wide = [plotly_text(item_label(c, s, 48)) for c, s in zip(codes, statements, strict=True)][::-1]
    short = [plotly_text(item_label(c, s, 24)) for c, s in zip(codes, statements, strict=True)][::-1]
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
