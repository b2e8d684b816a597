"""The focus view's parts: headline, trend against target and last year, gap breakdown,
distribution, related indicators and the team focus's progress."""
from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.charts import COLOURS, base_figure, empty_figure, titled
from components.kpi import change_text, help_text, status_badge, value_text
from components.state import GRAIN_WORD, grain_for
from components.view import View
from data.focus import Focus
from metrics.focus import WAIT_KPIS, distribution, gap_contributions, related_indicators, trend_with_last_year
from metrics.query import compute, dimension_values, values
from metrics.registry import KPIS
from metrics.targets import Target, scope_target

FOCUS_KPIS = tuple(k for k, v in KPIS.items() if v.kind == "ratio" and v.better != "none")
BREAKDOWN_DIMS = ("queue", "team", "agent", "channel", "campaign", "client", "site", "reason")
DIM_LABELS = {"channel": "Channel", "queue": "Queue", "campaign": "Campaign", "client": "Client",
              "site": "Site", "agent": "Agent", "team": "Team", "reason": "Reason"}
SERIES_COLOURS = {"answered": "#18bc9c", "abandoned": "#e74c3c", "promoter": "#18bc9c",
                  "passive": "#f39c12", "detractor": "#e74c3c", "satisfied": "#18bc9c",
                  "neutral": "#f39c12", "dissatisfied": "#e74c3c", "easy": "#18bc9c", "hard": "#e74c3c"}


def chosen_kpi(extra: dict, stored: Focus | None) -> str:
    """The URL's KPI; without one, the team's stored focus; else service level."""
    if extra.get("kpi") in FOCUS_KPIS:
        return extra["kpi"]
    return stored.kpi if stored and stored.kpi in FOCUS_KPIS else "service_level"


def chosen_dim(extra: dict) -> str:
    return extra.get("dim") if extra.get("dim") in BREAKDOWN_DIMS else "queue"


def focus_target(kpi_id: str, view: View, stored: Focus | None) -> Target | None:
    """The team's own target while the KPI is its focus, else the settings' target."""
    if stored and stored.kpi == kpi_id and stored.target is not None:
        return Target(stored.target)
    return scope_target(kpi_id, view.targets, view.scope())


@dataclass(frozen=True)
class Headline:
    value: float | None
    previous: float | None
    target: Target | None


def headline(view: View, kpi_id: str, target: Target | None) -> Headline:
    scope = view.scope()
    settings = view.settings.kpi
    start, end = view.state.previous_period()
    now = values(compute(view.db, scope, (kpi_id,), settings=settings).iloc[0])[kpi_id]
    before = values(compute(view.db, scope.with_period(start, end), (kpi_id,),
                            settings=settings).iloc[0])[kpi_id]
    return Headline(now, before, target)


def headline_card(kpi_id: str, h: Headline, view: View) -> dbc.Card:
    k = KPIS[kpi_id]
    change, direction = change_text(kpi_id, h.value, h.previous)
    target = ("No target" if h.target is None else f"Target {value_text(kpi_id, h.target.value)}")
    return dbc.Card(dbc.CardBody([
        html.Div(k.label_en, className="kpi-label"),
        html.Div(k.label_fr if k.label_fr != k.label_en else "", className="small text-muted"),
        html.Div(value_text(kpi_id, h.value), id="focus-value", className="focus-value"),
        html.Div([html.Span(target, id="focus-target", className="me-2"),
                  status_badge(kpi_id, h.value, h.target, id="focus-status")], className="mb-1"),
        html.Div(change, className=f"kpi-change {direction}"),
        html.Hr(),
        html.Div(help_text(kpi_id, view.settings.kpi), className="small text-muted focus-formula"),
    ]), className="h-100")


def trend_figure(view: View, kpi_id: str, target: Target | None) -> go.Figure:
    grain = grain_for(view.state.start, view.state.end)
    data = trend_with_last_year(view.db, view.scope(), kpi_id, grain, view.settings.kpi)
    if data.empty:
        return empty_figure("No data in this period")
    k = KPIS[kpi_id]
    fig = base_figure(height=340)
    fig.add_scatter(x=data["group"], y=data["last_year"], name="Same dates last year",
                    line=dict(color=COLOURS["muted"], dash="dot"), connectgaps=False)
    fig.add_scatter(x=data["group"], y=data[kpi_id], name=k.label_en, mode="lines+markers",
                    line=dict(color=COLOURS["delivered"], width=2.5), marker=dict(size=5))
    if target is not None:
        fig.add_hline(y=target.value, line=dict(color=COLOURS["target"], dash="dash"),
                      annotation_text=f"target {value_text(kpi_id, target.value)}",
                      annotation_position="top left")
    titled(fig, f"{k.label_en}, {GRAIN_WORD[grain]}, against target and last year")
    return fig


def breakdown(view: View, kpi_id: str, dim: str, target: Target | None) -> pd.DataFrame:
    if target is None:
        return pd.DataFrame(columns=["member", "volume", "value", "contribution"])
    return gap_contributions(view.db, view.scope(), kpi_id, dim, target.value, view.settings.kpi)


def breakdown_figure(data: pd.DataFrame, kpi_id: str, dim: str, view: View) -> go.Figure:
    if data.empty:
        return empty_figure("No target, or no data, to compare with", height=300)
    k = KPIS[kpi_id]
    names = dict(dimension_values(view.db, view.scope(), ["agent"])["agent"]) if dim == "agent" else {}
    top = data.head(15).iloc[::-1]
    labels = [("(unknown)" if m is None or m != m else f"{names.get(m, m)}") for m in top["member"]]
    unit = {"percent": " pts", "score": " pts"}.get(k.unit, "")
    fig = base_figure(height=max(260, 26 * len(top) + 80), hovermode="closest",
                      margin=dict(l=10, r=20, t=40, b=30))
    fig.add_bar(y=labels, x=top["contribution"], orientation="h",
                marker_color=["#e74c3c" if c < 0 else "#18bc9c" for c in top["contribution"]],
                text=[f"{c:+.2f}{unit} · {value_text(kpi_id, v)} on {vol:,.0f}"
                      for c, v, vol in zip(top["contribution"], top["value"], top["volume"])],
                textposition="auto", hovertemplate="%{y}: %{text}<extra></extra>")
    fig.update_yaxes(automargin=True)
    titled(fig, f"Contribution to the gap to target, by {DIM_LABELS[dim].lower()}"
                                      " (worst first)")
    return fig


def distribution_figure(view: View, kpi_id: str) -> go.Figure:
    data = distribution(view.db, view.scope(), kpi_id, view.settings.kpi)
    if data is None:
        return empty_figure("No distribution behind this indicator", height=300)
    if data.empty:
        return empty_figure("No data in this period", height=300)
    titles = {"service_level": "Waits, as a share of the channel's threshold (100 % = threshold)",
              "aht": "Handle times, by minute", "nps": "Recommendation scores (0-10)",
              "csat": "Satisfaction scores (1-5)", "ces": "Effort scores (1-7, 7 = easiest)"}
    title = titles.get(kpi_id, titles["service_level"])
    labels = data.drop_duplicates("bin").sort_values("bin")["label"].tolist()
    if kpi_id in WAIT_KPIS:  # every bin on the axis, so that the threshold line sits at 100 %
        labels = [f"{b * 25}–{b * 25 + 25} %" for b in range(16)] + ["400 % +"]
    fig = base_figure(height=300, barmode="stack", hovermode="x unified")
    for series, part in data.groupby("series", sort=False):
        fig.add_bar(x=part["label"], y=part["count"], name=str(series),
                    marker_color=SERIES_COLOURS.get(series, COLOURS["accent"]))
    fig.update_xaxes(categoryorder="array", categoryarray=labels)
    if kpi_id in WAIT_KPIS:
        fig.add_vline(x=3.5, line=dict(color=COLOURS["target"], dash="dash"),
                      annotation_text="threshold", annotation_position="top")
    titled(fig, title)
    return fig


def related_table(view: View, kpi_id: str) -> dbc.Table:
    data = related_indicators(view.db, view.scope(), kpi_id, view.settings.kpi)
    rows = []
    for r in data.to_dict("records"):
        corr = r["correlation"]
        strength = ("–" if corr is None else "strong" if abs(corr) >= 0.5 else
                    "moderate" if abs(corr) >= 0.3 else "weak")
        rows.append(html.Tr([html.Td(KPIS[r["kpi"]].label_en),
                             html.Td("–" if corr is None else f"{corr:+.2f}", className="text-end"),
                             html.Td(strength), html.Td(f"{r['days']}", className="text-end")]))
    head = html.Thead(html.Tr([html.Th("Indicator"), html.Th("Correlation", className="text-end"),
                               html.Th("Strength"), html.Th("Days", className="text-end")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, className="bg-white",
                     id="focus-related")


def team_focus_banner(view: View, kpi_id: str, stored: Focus | None):
    """The team focus and its progress since its start date, when this KPI is it."""
    if stored is None or stored.kpi != kpi_id or view.last is None:
        return None
    scope = view.scope().with_period(stored.starts_on, max(stored.starts_on, view.last))
    weeks = compute(view.db, scope, (kpi_id,), by="week", settings=view.settings.kpi).dropna()
    since = f"Team focus since {stored.starts_on:%d/%m/%Y}"
    target = "" if stored.target is None else f": target {value_text(kpi_id, stored.target)}"
    progress = ""
    if len(weeks) >= 2:
        first, last = weeks.iloc[0][kpi_id], weeks.iloc[-1][kpi_id]
        change, _ = change_text(kpi_id, last, first)
        progress = (f" · first week {value_text(kpi_id, first)}, latest week {value_text(kpi_id, last)}"
                    f" ({change.replace('vs previous', 'since the start')})")
    note = f" · {stored.note}" if stored.note else ""
    return dbc.Alert(since + target + progress + note, color="primary", id="focus-banner",
                     className="py-2")

