"""Daily service: one day per queue and half-hour against target and last week, its agents,
and four weeks of service level by half-hour."""
from datetime import timedelta

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from components import service as sv
from components.staffing import staffing_link
from components.charts import graph_config
from components.grids import fitted, grid
from components.kpi import change_text, help_mark, reading, status_badge
from components.view import NAV_ID, empty_state, filled, filter_bar, href, nav_location, open_view, state_store
from metrics.query import compute, values
from metrics.registry import KPIS
from metrics.targets import scope_target
from components import inputs
from components.view import page_title
from components.responses import whole
from i18n import N_, _, formats

dash.register_page(__name__, path="/service", name=N_("Daily service"), title=page_title("Daily service"),
                   order=3)
HEADLINE = ("offered", "service_level", "answer_rate", "asa", "abandon_rate", "aht")


def service_query(query: dict) -> dict:
    """A team lead's day is about one channel, the phone unless another is chosen: each
    channel has its own threshold and targets, and e-mail waits in hours would drown the
    phone's seconds."""
    query = inputs.query(query)
    channel = next((c for c in query.get("channel", "").split(",") if c), "phone")
    return {**query, "channel": channel}


INTERVAL_OPTIONS = {"rowClassRules": {"row-missed": "params.data.row == 'missed'",
                                     "row-close": "params.data.row == 'close'"}}


def layout(**query):
    view = open_view(service_query(query))
    if not view.has_data:
        return empty_state()
    day = sv.chosen_day(view.state.extra, view.first, view.last)
    return filled(html.Div([
        nav_location(),
        filter_bar(view, period=False, single=("channel",)),
        state_store("service", view),
        dbc.Row([
            dbc.Col(dbc.InputGroup([
                dbc.InputGroupText(_("Day")),
                dcc.DatePickerSingle(id="service-day", date=day, min_date_allowed=view.first,
                                     max_date_allowed=view.last, display_format="DD/MM/YYYY",
                                     first_day_of_week=1),
            ], size="sm", className="flex-nowrap"), width="auto"),
            dbc.Col(html.Div(_("compared with {day} (same weekday, last week)",
                               day=formats.short_day(day - timedelta(days=7))),
                             className="text-muted small"),
                    className="align-self-center"),
            wall_link(view),
            staffing_link(view, day),
        ], className="g-2 mb-2"),
        html.Div(id="service-headline"),
        html.H4(_("Half-hour intervals"), className="side-title mt-3"),
        html.Div(sv.interval_legend(view), className="small text-muted mb-1", id="service-legend"),
        grid("service-intervals", "service-grid", INTERVAL_OPTIONS),
        dcc.Graph(id="service-queues", config=graph_config(), className="mt-3"),
        html.H4(_("Agents of the day"), className="side-title mt-3"),
        html.P(_("Flagged: beyond Tukey's fences among agents with 5 handled contacts or more "
                 "(handle time or transfer rate above Q3 + 1.5 IQR, NPS below Q1 − 1.5 IQR among those with "
                 "{min_answers} answers or more). A score from fewer answers is shown greyed with its "
                 "count, and not judged.", min_answers=formats.number(view.settings.min_answers)),
               className="small text-muted mb-1"),
        grid("service-agents"),
        dcc.Graph(id="service-weeks", config=graph_config(), className="mt-3"),
    ]), CONTENT, service_content, view.state.query())


# what the page shows of its day, filled in its layout (``service_content``'s values)
CONTENT = [("service-headline", "children"),
           ("service-intervals", "rowData"), ("service-intervals", "columnDefs"),
           ("service-intervals", "dashGridOptions"), ("service-intervals", "style"), ("service-queues", "figure"),
           ("service-agents", "rowData"), ("service-agents", "columnDefs"), ("service-agents", "dashGridOptions"),
           ("service-agents", "style"), ("service-weeks", "figure")]


def wall_link(view):
    """The wallboard of the same channel and filters, for the staff who may open it."""
    if not view.viewer.may_open("/wall"):
        return None
    filters = {k: ",".join(v) for k, v in view.state.filters.items() if v}
    return dbc.Col(html.A(_("Open the wallboard"), href=href("/wall", filters), id="service-wall", target="_blank",
                          className="small"), width="auto", className="align-self-center ms-auto")


def headline(view, day):
    scope = sv.day_scope(view, day)
    settings = view.settings.kpi
    now = values(compute(view.db, scope, HEADLINE, settings=settings, counts=True).iloc[0])
    week = values(compute(view.db, sv.day_scope(view, day - timedelta(days=7)),
                          HEADLINE, settings=settings).iloc[0])
    cards = []
    for k in HEADLINE:
        r = reading(k, now)
        target = scope_target(k, view.targets, scope)
        change, direction = change_text(k, r.value, week[k], _("last week"))
        cards.append(dbc.Col(dbc.Card(dbc.CardBody([
            html.Div([html.Span(KPIS[k].label(), className="kpi-label"), help_mark(k, settings)]),
            html.Div(r.text, className="kpi-value", id=f"service-{k}"),
            html.Div([html.Span(sv.target_text(k, target), className="me-1"), status_badge(k, r.value, target)],
                     className="small kpi-target"),
            html.Div(change, className=f"kpi-change small {direction}"),
        ]), className="kpi-card h-100")))
    return dbc.Row(cards, className="row-cols-2 row-cols-md-6 g-2")


@whole
def service_content(query):
    view = open_view(service_query(query))
    day = sv.chosen_day(view.state.extra, view.first, view.last)
    intervals = sv.interval_rows(sv.intervals(view, day))
    agents = sv.agent_rows(sv.agents_of_day(view, day), view.settings.min_answers)
    return (headline(view, day), intervals, sv.interval_columns(view), *fitted(intervals, INTERVAL_OPTIONS),
            sv.queue_heatmap(view, day), agents, sv.agent_columns(view), *fitted(agents),
            sv.weeks_heatmap(view, day))


@callback(Output(NAV_ID, "href", allow_duplicate=True), Input("service-day", "date"),
          State("service-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.day, inputs.query)
def update_day(day, query):
    """A day picked writes the URL; the day the page shows (the latest by default) does not,
    or opening the page would lay it out and compute it twice."""
    view = open_view(query)
    if day is None or view.last is None or day == sv.chosen_day(view.state.extra, view.first, view.last):
        return no_update
    return href("/service", view.state.query(day=day))
