"""Plotly figures in one house style.

The style is spelled out instead of taken from a Plotly template: a template travels inside
every figure sent to the browser, and an overview holds two dozen figures.
"""
from __future__ import annotations

import math
from urllib.parse import quote

import plotly.graph_objects as go

from i18n import formats

COLOURS = {"delivered": "#2c3e50", "perceived": "#18bc9c", "accent": "#3498db",
           "muted": "#95a5a6", "target": "#e74c3c", "bar": "#dfe6ec"}
FONT = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=12, color="#2c3e50")
AXIS = dict(gridcolor="#edf0f3", linecolor="#cfd8df", zerolinecolor="#cfd8df", automargin=True)
LEGEND = dict(orientation="h", x=0, y=1.02, yanchor="bottom")   # above the plot, never over it


def base_layout(height: int = 320, **layout) -> dict:
    """The house style as a plain layout (a figure built as a dict skips Plotly's checks,
    which cost tens of milliseconds a figure), with the language's decimal and thousands
    separators."""
    style = dict(template="none", height=height, font=FONT, paper_bgcolor="white", separators=formats.separators(),
                 plot_bgcolor="white", margin=dict(l=50, r=50, t=40, b=40), hovermode="x unified",
                 legend=LEGEND, xaxis=AXIS, yaxis=AXIS)
    return {**style, **layout}


def graph_config() -> dict:
    """A chart's config: no Plotly logo or toolbar, the language's month and day names and
    separators (Plotly's locale, given inline)."""
    return formats.plotly_config({"displaylogo": False, "displayModeBar": False})


def base_figure(height: int = 320, **layout) -> go.Figure:
    return go.Figure(layout=base_layout(height, **layout))


def title_layout(layout: dict, text: str) -> dict:
    """A layout with a title above the legend, neither hiding the other."""
    return {**layout, "title": dict(text=text, x=0, y=0.98, yanchor="top", font=dict(size=13)),
            "legend": dict(orientation="h", x=0, y=1.0, yanchor="bottom"),
            "margin": {**layout.get("margin", {}), "t": 75}}


def titled(fig: go.Figure, text: str) -> go.Figure:
    """A title above the legend, neither hiding the other."""
    fig.update_layout(**title_layout({}, text))
    return fig


def second_axis(title: str, side: str, **extra) -> dict:
    """A y axis laid over the first (traces opt in with ``yaxis="y2"``; they are drawn over
    the first axis' traces) with round ticks of its own: Plotly aligns an overlaying axis'
    ticks on the first one's unless told otherwise, which gives ticks such as 157, 403, 649."""
    return {**AXIS, "title": dict(text=title), "overlaying": "y", "side": side, "tickmode": "auto",
            "showgrid": False, **extra}


def plot_text(text) -> str:
    """A value from the data as a chart's text: Plotly reads a few HTML tags in text, so its
    markup characters are written as entities (it shows them as they are)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(values) -> list:
    """JSON-ready values: NaN and None become null."""
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        else:
            out.append(v.item() if hasattr(v, "item") else v)
    return out


SPARK_WIDTH, SPARK_HEIGHT = 100, 40    # the drawing's units; the image is stretched to its box


def sparkline(y, colour: str) -> str:
    """A tiny line without axes, as an SVG image (a data URI: the browser draws two dozen of
    them at once, where as many Plotly graphs took it a second): one point per value, spread
    over the width, the lowest value at the bottom and the highest at the top; a missing value
    breaks the line, and a steady value (within rounding noise) is drawn flat at mid-height."""
    ys = plain(y)
    known = [v for v in ys if v is not None]
    low, high = (min(known), max(known)) if known else (0.0, 0.0)
    steady = high - low <= 1e-9 * max(1.0, abs(high))
    step = SPARK_WIDTH / max(1, len(ys) - 1)
    pad = 2     # the stroke's half-width above and below
    height = lambda v: SPARK_HEIGHT / 2 if steady else (  # noqa: E731
        pad + (SPARK_HEIGHT - 2 * pad) * (high - v) / (high - low))
    runs, run = [], []
    for i, v in enumerate(ys + [None]):
        if v is not None:
            run.append((i * step, height(v)))
        elif run:
            runs.append(run if len(run) > 1 else [(run[0][0] - 1, run[0][1]), (run[0][0] + 1, run[0][1])])
            run = []
    lines = "".join('<polyline vector-effect="non-scaling-stroke" points="'
                    + " ".join(f"{x:.2f},{h:.2f}" for x, h in r) + '"/>' for r in runs)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}"'
           f' preserveAspectRatio="none"><g fill="none" stroke="{colour}" stroke-width="1.5"'
           f' stroke-linejoin="round">{lines}</g></svg>')
    return "data:image/svg+xml;utf8," + quote(svg)


def empty_figure(message: str, height: int = 320) -> go.Figure:
    fig = base_figure(height)
    fig.add_annotation(text=message, showarrow=False, font=dict(size=14, color=COLOURS["muted"]),
                       xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig
