"""Daily service: one day per queue and half-hour against target and last week, its agents,
and four weeks of service level by half-hour."""
from datetime import date, timedelta

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from components import service as sv
from components.kpi import change_text, status_badge, value_text
from components.view import NAV_ID, empty_state, filter_bar, href, nav_location, open_view, state_store
from metrics.query import compute, values
from metrics.registry import KPIS
from metrics.targets import scope_target

dash.register_page(__name__, path="/service", name="Daily service", title="Pilotage – Daily service",
                   order=3)

GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False}
HEADLINE = ("offered", "service_level", "answer_rate", "asa", "abandon_rate", "aht")


def service_query(query: dict) -> dict:
    """A team lead's day is about the phone unless a channel is chosen: e-mail waits in
    hours would drown the intervals' service level."""
    return query if query.get("channel") else {**query, "channel": "phone"}


def layout(**query):
    view = open_view(service_query(query))
    if not view.has_data:
        return empty_state()
    day = sv.chosen_day(view.state.extra, view.last)
    return html.Div([
        nav_location(),
        filter_bar(view, period=False),
        state_store("service", view),
        dbc.Row([
            dbc.Col(dbc.InputGroup([
                dbc.InputGroupText("Day"),
                dcc.DatePickerSingle(id="service-day", date=day, min_date_allowed=view.first,
                                     max_date_allowed=view.last, display_format="DD/MM/YYYY",
                                     first_day_of_week=1),
            ], size="sm", className="flex-nowrap"), width="auto"),
            dbc.Col(html.Div(f"compared with {day - timedelta(days=7):%A %d/%m} (same weekday, last week)",
                             className="text-muted small"),
                    className="align-self-center"),
        ], className="g-2 mb-2"),
        dcc.Loading(html.Div(id="service-headline"), type="dot", delay_show=300),
        html.H4("Half-hour intervals", className="side-title mt-3"),
        html.P("Intervals that missed the service-level target are marked ✗ and highlighted.",
               className="small text-muted mb-1"),
        dag.AgGrid(id="service-intervals", className="ag-theme-alpine explore-grid service-grid",
                   columnSize="autoSize", style={"height": None},
                   dashGridOptions={"domLayout": "autoHeight", "animateRows": False,
                                    "rowClassRules": {"row-missed": "params.data.missed"}}),
        dcc.Graph(id="service-queues", config=GRAPH_CONFIG, className="mt-3"),
        html.H4("Agents of the day", className="side-title mt-3"),
        html.P("Flagged: beyond Tukey's fences among agents with 5 handled contacts or more "
               "(handle time or transfer rate above Q3 + 1.5 IQR, NPS below Q1 − 1.5 IQR).",
               className="small text-muted mb-1"),
        dag.AgGrid(id="service-agents", className="ag-theme-alpine explore-grid", columnSize="autoSize",
                   style={"height": None}, dashGridOptions={"domLayout": "autoHeight", "animateRows": False}),
        dcc.Graph(id="service-weeks", config=GRAPH_CONFIG, className="mt-3"),
    ])


def headline(view, day):
    scope = sv.day_scope(view, day)
    settings = view.settings.kpi
    now = values(compute(view.db, scope, HEADLINE, settings=settings).iloc[0])
    week = values(compute(view.db, sv.day_scope(view, day - timedelta(days=7)),
                          HEADLINE, settings=settings).iloc[0])
    cards = []
    for k in HEADLINE:
        target = scope_target(k, view.targets, scope)
        change, direction = change_text(k, now[k], week[k])
        cards.append(dbc.Col(dbc.Card(dbc.CardBody([
            html.Div(KPIS[k].label_en, className="kpi-label"),
            html.Div(value_text(k, now[k]), className="kpi-value", id=f"service-{k}"),
            html.Div(status_badge(k, now[k], target) or "", className="small"),
            html.Div(change.replace("vs previous", "vs last week"), className=f"kpi-change small {direction}"),
        ]), className="kpi-card h-100")))
    return dbc.Row(cards, className="row-cols-2 row-cols-md-6 g-2")


@callback(
    Output("service-headline", "children"),
    Output("service-intervals", "rowData"),
    Output("service-intervals", "columnDefs"),
    Output("service-queues", "figure"),
    Output("service-agents", "rowData"),
    Output("service-agents", "columnDefs"),
    Output("service-weeks", "figure"),
    Input("service-state", "data"),
)
def update_service(query):
    view = open_view(service_query(query or {}))
    day = sv.chosen_day(view.state.extra, view.last)
    return (headline(view, day), sv.interval_rows(sv.intervals(view, day)), sv.interval_columns(),
            sv.queue_heatmap(view, day), sv.agent_rows(sv.agents_of_day(view, day)), sv.agent_columns(),
            sv.weeks_heatmap(view, day))


@callback(Output(NAV_ID, "href", allow_duplicate=True), Input("service-day", "date"),
          State("service-state", "data"), prevent_initial_call=True)
def update_day(day, query):
    """A day picked writes the URL; the day the page shows (the latest by default) does not,
    or opening the page would lay it out and compute it twice."""
    view = open_view(query)
    if not day or str(day)[:10] == sv.chosen_day(view.state.extra, view.last).isoformat():
        return no_update
    return href("/service", view.state.query(day=date.fromisoformat(str(day)[:10])))
