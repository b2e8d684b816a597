"""The overview's parts: its data, KPI cards, trend and comparison charts."""
from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from components.charts import COLOURS, dual_axis_figure, empty_figure, sparkline
from components.kpi import change_text, help_text, status_badge, value_text
from components.state import grain_for
from components.view import View
from metrics.query import compute, values
from metrics.registry import KPIS
from metrics.stats import pearson
from metrics.targets import scope_target

DELIVERED = [k for k, v in KPIS.items() if v.group in ("delivered", "outbound")]
PERCEIVED = [k for k, v in KPIS.items() if v.group == "perceived"]
COMPARABLE_DELIVERED = [k for k in DELIVERED if KPIS[k].kind == "ratio"]
COMPARABLE_PERCEIVED = [k for k in PERCEIVED if KPIS[k].kind == "ratio"]
GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False}


@dataclass(frozen=True)
class OverviewData:
    current: dict
    previous: dict
    series: pd.DataFrame    # one row per time bucket, column `group` (ISO date) + every KPI
    grain: str


def overview_data(view: View) -> OverviewData:
    """Every KPI for the period, the previous period of the same length, and over time."""
    scope = view.scope()
    settings = view.settings.kpi
    start, end = view.state.previous_period()
    grain = grain_for(view.state.start, view.state.end)
    return OverviewData(
        current=values(compute(view.db, scope, settings=settings).iloc[0]),
        previous=values(compute(view.db, scope.with_period(start, end), settings=settings).iloc[0]),
        series=compute(view.db, scope, by=grain, settings=settings),
        grain=grain,
    )


def kpi_card(kpi_id: str, data: OverviewData, view: View) -> dbc.Col:
    k = KPIS[kpi_id]
    value = data.current[kpi_id]
    target = scope_target(kpi_id, view.targets, view.scope())
    change, direction = change_text(kpi_id, value, data.previous[kpi_id])
    colour = COLOURS["perceived"] if k.group == "perceived" else COLOURS["delivered"]
    target_line = [html.Span(f"Target {value_text(kpi_id, target.value)}", className="me-2")
                   if target else html.Span("No target", className="me-2 text-muted"),
                   status_badge(kpi_id, value, target, id=f"status-{kpi_id}")]
    body = dbc.Card(dbc.CardBody([
        html.Div([html.Span(k.label_en, className="kpi-label"),
                  html.Span("i", className="kpi-help", title=help_text(kpi_id, view.settings.kpi))],
                 title=help_text(kpi_id, view.settings.kpi)),
        html.Div(value_text(kpi_id, value), id=f"value-{kpi_id}", className="kpi-value"),
        html.Div(target_line, className="kpi-target small"),
        html.Div(change, className=f"kpi-change small {direction}"),
        dcc.Graph(figure=sparkline(data.series["group"], data.series[kpi_id], colour),
                  config={"staticPlot": True}, className="kpi-spark"),
    ]), className="kpi-card h-100")
    # an indicator with a direction opens its focus view; a volume opens its breakdown
    link = (view.state.href("/focus", kpi=kpi_id) if k.better != "none"
            else view.state.href("/explore", by="channel"))
    return dbc.Col(dcc.Link(body, href=link, className="kpi-link", id=f"card-{kpi_id}"))


def trend_figure(series: pd.DataFrame, volume: str, lines: list[str]) -> go.Figure:
    """Volume as bars (right axis) and rates as lines (left axis) over time."""
    if series.empty:
        return empty_figure("No data in this period")
    fig = dual_axis_figure("%, score", "volume")
    fig.add_bar(x=series["group"], y=series[volume], name=KPIS[volume].label_en,
                marker_color=COLOURS["bar"], yaxis="y2")
    palette = [COLOURS["delivered"], COLOURS["accent"], COLOURS["perceived"], "#f39c12"]
    for kpi_id, colour in zip(lines, palette):
        fig.add_scatter(x=series["group"], y=series[kpi_id], name=KPIS[kpi_id].label_en,
                        mode="lines+markers", line=dict(color=colour), marker=dict(size=4))
    return fig


def comparison_figure(series: pd.DataFrame, delivered: str, perceived: str) -> go.Figure:
    """A delivered KPI against a perceived one over time, each on its own axis."""
    if series.empty:
        return empty_figure("No data in this period")
    fig = dual_axis_figure(KPIS[delivered].label_en, KPIS[perceived].label_en)
    fig.add_scatter(x=series["group"], y=series[delivered], name=KPIS[delivered].label_en,
                    line=dict(color=COLOURS["delivered"]))
    fig.add_scatter(x=series["group"], y=series[perceived], name=KPIS[perceived].label_en,
                    line=dict(color=COLOURS["perceived"], dash="dot"), yaxis="y2")
    return fig


def compared_pair(extra: dict) -> tuple[str, str]:
    """The delivered and perceived KPIs of the comparison chart (URL keys dkpi, pkpi)."""
    delivered = extra.get("dkpi") if extra.get("dkpi") in COMPARABLE_DELIVERED else "service_level"
    perceived = extra.get("pkpi") if extra.get("pkpi") in COMPARABLE_PERCEIVED else "nps"
    return delivered, perceived


def kpi_options(ids: list[str]) -> list[dict]:
    return [{"label": KPIS[k].label_en, "value": k} for k in ids]


def correlation_text(series: pd.DataFrame, delivered: str, perceived: str, grain: str) -> str:
    r, n = pearson(series[delivered], series[perceived]) if not series.empty else (None, 0)
    unit = {"day": "days", "week": "weeks", "month": "months"}[grain]
    if r is None:
        return f"Correlation: – (needs at least 3 {unit} with both values; {n} here)"
    return f"Correlation over {n} {unit}: {r:+.2f}"
