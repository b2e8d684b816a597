"""Overview: delivered quality beside perceived quality, against targets and the previous
period, with trends and a delivered-versus-perceived chart."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.overview import (COMPARABLE_DELIVERED, COMPARABLE_PERCEIVED, COSTS, DELIVERED, shows_costs,
                                 PER_CHANNEL, PERCEIVED, channels_shown, compared_pair,
                                 comparison_figure, comparison_series, correlation_text, kpi_card, kpi_options,
                                 overview_data, per_channel_card, trend_figure, barometer_card)
from components.actions import chart_actions
from components.charts import graph_config
from components.view import control_id, empty_state, filled, filter_bar, nav_location, open_view, page_title
from components.responses import whole
from i18n import N_, _

dash.register_page(__name__, path="/", name=N_("Overview"), title=page_title("Overview"), order=0)

TREND_TITLES = {"day": N_("Daily trend"), "week": N_("Weekly trend"), "month": N_("Monthly trend")}


def layout(**query):
    view = open_view(query)
    if not view.has_data:
        return empty_state()
    delivered, perceived = compared_pair(view.state.extra)
    side = lambda title, container, width: dbc.Col([  # noqa: E731
        html.H4(title, className="side-title"),
        html.Div(id=container),
    ], lg=width)
    return filled(html.Div([
        nav_location(),
        filter_bar(view),
        dbc.Row([side(_("Delivered quality"), "overview-delivered", 8),
                  side(_("Perceived quality"), "overview-perceived", 4)], className="g-4"),
        html.H4(id="overview-trend-title", className="side-title mt-4"),
        dbc.Row([
            dbc.Col(dcc.Graph(id="overview-trend-delivered", config=graph_config()), lg=8),
            dbc.Col(dcc.Graph(id="overview-trend-perceived", config=graph_config()), lg=4),
        ], className="g-4"),
        html.H4(_("Delivered against perceived"), className="side-title mt-4"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id=control_id("dkpi"), options=kpi_options(COMPARABLE_DELIVERED),
                                 value=delivered, clearable=False), md=3),
            dbc.Col(dcc.Dropdown(id=control_id("pkpi"), options=kpi_options(COMPARABLE_PERCEIVED),
                                 value=perceived, clearable=False), md=3),
            dbc.Col(html.Div(id="overview-correlation", className="text-muted small"),
                    className="align-self-center"),
        ], className="g-2"),
        dcc.Graph(id="overview-comparison", config=graph_config()),
    ]), CONTENT, overview_content, view.state.query())


# what the page shows of its view, filled in its layout (``overview_content``'s values)
CONTENT = [("overview-delivered", "children"), ("overview-perceived", "children"),
           ("overview-trend-title", "children"), ("overview-trend-delivered", "figure"),
           ("overview-trend-perceived", "figure"), ("overview-comparison", "figure"),
           ("overview-correlation", "children")]


@whole
def overview_content(query):
    view = open_view(query)
    data = overview_data(view)
    delivered, perceived = compared_pair(view.state.extra)
    cards = lambda ids, cols: dbc.Row([kpi_card(k, data, view) for k in ids],  # noqa: E731
                                      className=f"row-cols-2 row-cols-md-{cols} g-2")
    series, note = comparison_series(view, data, delivered)
    split = [k for k in PER_CHANNEL if channels_shown(k, data.current)]
    marks = chart_actions(view)     # the actions the trends mark
    return (
        [cards([k for k in DELIVERED if k not in split], 4)] + ([per_channel_card(split, data, view)] if split else [])
        + ([html.H5(_("What it costs"), className="side-title mt-3"), cards(COSTS, 4)] if shows_costs(view) else []),
        [html.Div(_("Answers about a contact (hot surveys)."), className="small text-muted mb-1"),
         cards(PERCEIVED, 2), barometer_card(view)],
        _(TREND_TITLES[data.grain]),
        trend_figure(data.series, "offered", ["service_level", "answer_rate", "fcr"], marks),
        trend_figure(data.series, "responses", ["nps", "csat"], marks),
        comparison_figure(series, delivered, perceived, note),
        correlation_text(series, delivered, perceived, data.grain),
    )
