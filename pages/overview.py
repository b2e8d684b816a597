"""Overview: every KPI, delivered quality beside perceived quality, for a period."""
from __future__ import annotations

from datetime import date, timedelta

import dash
import dash_bootstrap_components as dbc
from dash import html

from data.db import engine
from metrics.query import Scope, compute, data_extent, values
from metrics.registry import KPIS, format_value
from settings import active

dash.register_page(__name__, path="/", name="Overview", title="Pilotage – Overview")


def default_period(db) -> tuple[date, date] | None:
    """The 30 days ending on the latest day with data."""
    _, last = data_extent(db, Scope(date.min, date.max))
    return None if last is None else (last - timedelta(days=29), last)


def kpi_rows(group_ids: list[str], row: dict) -> list:
    items = []
    for kpi_id in group_ids:
        k = KPIS[kpi_id]
        items.append(html.Tr([
            html.Td(k.label_en, title=f"{k.label_fr}\n{k.formula}"),
            html.Td(format_value(k, row[kpi_id]), className="text-end", id=f"value-{kpi_id}"),
        ]))
    return items


def layout(**query):
    settings = active()
    db = engine(settings.db)
    period = default_period(db)
    if period is None:
        return dbc.Alert("No data yet: load extracts with `python -m data load`.", color="info")
    start, end = period
    row = values(compute(db, Scope.of(start, end), settings=settings.kpi).iloc[0])
    sides = {
        "Delivered quality": [k for k in KPIS if KPIS[k].group in ("delivered", "outbound")],
        "Perceived quality": [k for k in KPIS if KPIS[k].group == "perceived"],
    }
    return html.Div([
        html.H2("Overview"),
        html.P(f"From {start:%d %b %Y} to {end:%d %b %Y}", className="text-muted", id="period"),
        dbc.Row([dbc.Col([html.H4(title), dbc.Table(html.Tbody(kpi_rows(ids, row)), size="sm")], md=6)
                 for title, ids in sides.items()]),
    ])
