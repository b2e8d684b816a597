"""The daily service view's parts: a day's intervals against target and last week, its
queues, its agents with outliers flagged, and four weeks of service level by half-hour."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go

from dash import html

from components import inputs
from components.actions import annotate_days, chart_actions
from components.charts import base_layout, empty_figure, plain, plot_text, title_layout
from components.grids import kpi_column
from components.kpi import Reading, help_text, reading
from i18n.labels import channel_label
from components.view import View
from i18n import N_, _, formats
from metrics.query import Scope, compute, compute_measures, dimension_values, kpis_from_measures, measures_for
from metrics.registry import KPIS, format_value
from metrics.targets import STATUS, Target, scope_target, status

INTERVAL_KPIS = ("service_level", "answer_rate", "asa", "abandon_rate", "aht")
AGENT_KPIS = ("handled", "aht", "transfer_rate", "responses", "nps", "csat")
HEATMAP_WEEKS = 4
# an agent's flags, looked up where they are shown
FLAGS = {"aht": N_("long handle time"), "transfer_rate": N_("many transfers"), "nps": N_("low NPS")}


def chosen_day(extra: dict, first: date, last: date) -> date:
    """The day the URL asks for, within the data's days (``first`` to ``last``); the latest
    by default."""
    asked = inputs.day(extra.get("day"))
    return min(max(asked, first), last) if asked else last


def day_scope(view: View, day: date) -> Scope:
    return view.scope().with_period(day, day)


def intervals(view: View, day: date) -> pd.DataFrame:
    """Per half-hour of the day: offered, answered and the interval KPIs, each KPI's status
    against target, and the same weekday of the previous week (``lw_`` columns)."""
    settings = view.settings.kpi
    names = ["offered", "answered"] + measures_for(INTERVAL_KPIS)

    def per_interval(d: date) -> pd.DataFrame:
        m = compute_measures(view.db, day_scope(view, d), names, by="half_hour", settings=settings)
        out = kpis_from_measures(m, INTERVAL_KPIS)
        out.insert(1, "offered", m["offered"].astype(int))
        out.insert(2, "answered", m["answered"].astype(int))
        return out.rename(columns={"group": "interval"})

    today, last_week = per_interval(day), per_interval(day - timedelta(days=7))
    out = today.merge(last_week[["interval", "offered", "service_level"]].rename(
        columns={"offered": "lw_offered", "service_level": "lw_service_level"}), on="interval", how="left")
    scope = day_scope(view, day)
    for k in INTERVAL_KPIS:
        target = scope_target(k, view.targets, scope)
        # object dtype: pandas would store a missing status among strings as NaN
        out[f"{k}__status"] = pd.Series([status(k, _value(v), target) for v in out[k]], index=out.index,
                                        dtype=object)
    return out


def _value(v):
    return None if v is None or (isinstance(v, float) and v != v) else float(v)


def target_text(kpi_id: str, target: Target | None) -> str:
    return _("no target") if target is None else _("target {value}", value=format_value(KPIS[kpi_id], target.value))


def interval_legend(view: View) -> list:
    """What the marks of the intervals say, with the service-level target they are judged
    against (the channel's own)."""
    channel = view.state.filters.get("channel", ("phone",))[0]
    target = scope_target("service_level", view.targets, view.scope())
    threshold = view.settings.kpi.threshold(channel)
    threshold = formats.duration(threshold)
    close = (_("! close to target") if target is None or target.amber is None else
             _("! close to target (within tolerance: from {value})",
               value=format_value(KPIS['service_level'], target.amber)))
    judged = (_("Service level of the {channel}: answered within {threshold}, with no target. Marks: ",
                channel=channel_label(channel), threshold=threshold) if target is None else
              _("Service level of the {channel}: answered within {threshold}, against its target {value}. "
                "Marks: ", channel=channel_label(channel), threshold=threshold,
                value=format_value(KPIS["service_level"], target.value)))
    return [judged,
            html.Span(_("✓ on target"), className="legend-met"), " · ",
            html.Span(close, className="legend-close"), " · ",
            html.Span(_("✗ missed"), className="legend-missed"),
            _("; the row of an interval close to or missing the service-level target is highlighted.")]


def interval_rows(data: pd.DataFrame) -> list[dict]:
    """Grid rows: numbers for sorting, text with unit and status icon, the row's mark (the
    service level's status: highlighted when close or missed)."""
    rows = []
    for r in data.to_dict("records"):
        row = {"interval": r["interval"], "offered": r["offered"], "answered": r["answered"],
               "lw_offered": None if pd.isna(r["lw_offered"]) else int(r["lw_offered"]),
               "lw_service_level__text": format_value(KPIS["service_level"], _value(r["lw_service_level"])),
               "row": r["service_level__status"]}
        for k in INTERVAL_KPIS:
            row[k] = _value(r[k])
            state = r[f"{k}__status"]
            row[f"{k}__status"] = state
            row[f"{k}__text"] = format_value(KPIS[k], row[k]) + (f" {STATUS[state][1]}" if state else "")
        rows.append(row)
    return rows


def interval_columns(view: View) -> list[dict]:
    last_week = {"type": "rightAligned", "cellClass": "text-muted"}
    return [{"field": "interval", "headerName": _("Half-hour"), "pinned": "left", "width": 110},
            {"field": "offered", "headerName": _("Offered"), "type": "rightAligned",
             "headerTooltip": help_text("offered", view.settings.kpi)},
            {"field": "lw_offered", "headerName": _("Offered, last week"), **last_week},
            {"field": "answered", "headerName": _("Answered"), "type": "rightAligned",
             "headerTooltip": _("inbound contacts answered by an agent")},
            kpi_column("service_level", view.settings.kpi),
            {"field": "lw_service_level__text", "headerName": _("Service level, last week"), **last_week}
            ] + [kpi_column(k, view.settings.kpi) for k in INTERVAL_KPIS[1:]]


def queue_heatmap(view: View, day: date) -> go.Figure | dict:
    """Service level per queue and half-hour of the day."""
    data = compute(view.db, day_scope(view, day), ("service_level", "offered"), by=("queue", "half_hour"),
                   settings=view.settings.kpi)
    data = data[data["queue"].notna()]
    if data.empty:
        return empty_figure(_("No queue traffic on this day"), height=260)
    return _heatmap(data, "half_hour", "queue", view, day_scope(view, day),
                    _("Service level by queue and half-hour, {day}", day=formats.short_day(day)))


def weeks_heatmap(view: View, day: date) -> go.Figure | dict:
    """Service level by half-hour (columns) and day (rows) over the four weeks to ``day``, the
    actions over those days and the page's scope framed."""
    start = day - timedelta(days=7 * HEATMAP_WEEKS - 1)
    scope = view.scope().with_period(start, day)
    data = compute(view.db, scope, ("service_level", "offered"), by=("day", "half_hour"),
                   settings=view.settings.kpi)
    if data.empty:
        return empty_figure(_("No data in the last four weeks"), height=300)
    fig = _heatmap(data, "half_hour", "day", view, scope,
                   _("Service level by half-hour over the {weeks} weeks to {day}", weeks=HEATMAP_WEEKS,
                     day=formats.day(day)),
                   labels=False,   # 28 × 24 cells: colours show the pattern, the value is on hover
                   row_label=lambda d: formats.short_day(pd.Timestamp(d).date()))
    days = [pd.Timestamp(d).date() for d in sorted(data["day"].unique())]
    return annotate_days(fig, chart_actions(view, start, day), days)


def _heatmap(data: pd.DataFrame, x: str, y: str, view: View, scope: Scope, title: str,
             labels: bool = True, row_label=str) -> dict:
    """Service level as colours around its target, as a plain figure, with each cell's value
    written in it (``labels``: a browser takes about half a second to draw 700 of them). Rows
    come in the order of their values (ISO days: by date), shown through ``row_label``."""
    table = data.pivot(index=y, columns=x, values="service_level").astype(float)
    offered = data.pivot(index=y, columns=x, values="offered").reindex_like(table)
    target = scope_target("service_level", view.targets, scope)
    mid = target.value if target else 80.0
    z = [plain(row) for row in table.to_numpy()]
    layout = base_layout(height=max(260, 22 * len(table) + 110), hovermode="closest",
                         margin=dict(l=10, r=10, t=60, b=40))
    layout["yaxis"] = dict(layout["yaxis"], autorange="reversed", automargin=True, type="category")
    layout["xaxis"] = dict(layout["xaxis"], type="category")
    heatmap = dict(type="heatmap", x=list(table.columns), y=[plot_text(row_label(v)) for v in table.index], z=z,
                   customdata=[plain(row) for row in offered.to_numpy()],
                   zmin=max(0.0, mid - 40), zmax=100, zmid=mid,
                   colorscale=[[0, "#c0392b"], [0.5, "#f9e79f"], [1, "#18bc9c"]],
                   colorbar=dict(title=dict(text="%"), thickness=10),
                   hovertemplate=_("%{y} %{x}: %{z:.1f} % of %{customdata} offered") + "<extra></extra>",
                   hoverongaps=False)
    if labels:
        heatmap.update(text=[["" if v is None else f"{v:.0f}" for v in row] for row in z], texttemplate="%{text}")
    return dict(data=[heatmap], layout=title_layout(layout, title))


def agents_of_day(view: View, day: date) -> pd.DataFrame:
    """The agents who handled contacts that day, their KPIs and the outliers among them.

    An outlier lies beyond Tukey's fences among the agents with at least 5 handled contacts:
    handle time or transfer rate above Q3 + 1.5 × IQR, NPS below Q1 − 1.5 × IQR (3 answers
    at least)."""
    scope = day_scope(view, day)
    data = compute(view.db, scope, AGENT_KPIS, by="agent", settings=view.settings.kpi, counts=True)
    data = data[data["group"].notna() & (data["handled"] > 0)].rename(columns={"group": "agent"})
    names = dict(dimension_values(view.db, scope, ["agent"])["agent"])
    data.insert(1, "name", [names.get(a, a) for a in data["agent"]])
    busy = data["handled"] >= 5
    flags = [[] for _ in range(len(data))]
    judged = data["nps__n"] >= view.settings.min_answers
    for k, side, enough in (("aht", "high", busy), ("transfer_rate", "high", busy), ("nps", "low", busy & judged)):
        word = _(FLAGS[k])
        values = pd.to_numeric(data.loc[enough, k], errors="coerce").dropna()
        if len(values) < 4:
            continue
        q1, q3 = values.quantile(0.25), values.quantile(0.75)
        fence = q3 + 1.5 * (q3 - q1) if side == "high" else q1 - 1.5 * (q3 - q1)
        for i, v in enumerate(pd.to_numeric(data[k], errors="coerce")):
            if enough.iloc[i] and v == v and (v > fence if side == "high" else v < fence):
                flags[i].append(word)
    data["outlier"] = [", ".join(f) for f in flags]
    return data.sort_values(["outlier", "handled"], ascending=[False, False]).reset_index(drop=True)


def agent_rows(data: pd.DataFrame, min_answers: int) -> list[dict]:
    """The agents' rows: a score from fewer than ``min_answers`` answers with its count, greyed."""
    rows = []
    for r in data.to_dict("records"):
        row = {"agent": f"{r['name']} ({r['agent']})", "outlier": ("⚑ " + r["outlier"]) if r["outlier"] else ""}
        for k in AGENT_KPIS:
            value: Reading = reading(k, r, min_answers)
            row[k], row[f"{k}__text"] = value.value, value.cell
            row[f"{k}__status"] = "few" if value.too_few else None
        rows.append(row)
    return rows


def agent_columns(view: View) -> list[dict]:
    return ([{"field": "agent", "headerName": _("Agent"), "pinned": "left", "minWidth": 200},
             {"field": "outlier", "headerName": _("Flag"), "minWidth": 200,
              "cellClassRules": {"cell-missed": "params.value != ''"}}]
            + [kpi_column(k, view.settings.kpi) for k in AGENT_KPIS])
