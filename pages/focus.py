"""Focus: one indicator at a time, for teams mobilised on it."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from access.viewer import require
from components import actions as ac
from components import focus as fc
from components.charts import graph_config
from components.view import (NAV_ID, control_id, empty_state, filled, filter_bar, href, nav_location, open_view,
                             state_store)
from data.focus import set_focus
from metrics.registry import KPIS
from metrics.targets import target_error
from components import inputs
from components.view import page_title
from components.responses import whole
from i18n import N_, _

dash.register_page(__name__, path="/focus", name=N_("Focus"), title=page_title("Focus"), order=2)
# the title of the other side's indicators, per side of the focus KPI
RELATED_TITLES = {"delivered": N_("Related delivered indicators (correlation over the days)"),
                  "perceived": N_("Related perceived indicators (correlation over the days)")}


def layout(**query):
    view = open_view(query)
    if not view.has_data:
        return empty_state()
    stored = fc.team_focus(view)
    kpi_id = fc.chosen_kpi(view.state.extra, stored)
    kpi_options = [{"label": KPIS[k].label(), "value": k} for k in fc.FOCUS_KPIS]
    target = fc.focus_target(kpi_id, view, stored)
    return filled(html.Div([
        nav_location(),
        filter_bar(view),
        state_store("focus", view),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id=control_id("kpi"), options=kpi_options, value=kpi_id,
                                 clearable=False), md=4),
            dbc.Col(dbc.Button(_("Set as our focus…"), id="focus-open-form", size="sm", color="primary",
                               outline=True), width="auto", className="align-self-center",
                    style=None if view.viewer.may("focus") else {"display": "none"}),
            dbc.Col(dbc.Button(_("Record an action…"), id="focus-record-action", size="sm", color="secondary",
                               outline=True, href=view.state.href("/actions", kpi=kpi_id, dim=None)),
                    width="auto", className="align-self-center",
                    style=None if view.viewer.may("actions") else {"display": "none"}),
        ], className="g-2 mb-2"),
        dbc.Collapse(dbc.Card(dbc.CardBody(dbc.Row([
            dbc.Col([dbc.Label(_("Indicator"), className="small"),
                     dcc.Dropdown(id="focus-form-kpi", options=kpi_options, value=kpi_id, clearable=False)], md=3),
            dbc.Col([dbc.Label(_("Target"), className="small"),
                     dbc.Input(id="focus-form-target", type="number", step="any",
                               value=None if target is None else target.value)], md=2),
            dbc.Col([dbc.Label(_("Starts on"), className="small"),
                     dcc.DatePickerSingle(id="focus-form-start", date=view.state.start,
                                          display_format="DD/MM/YYYY", first_day_of_week=1)], md=2),
            dbc.Col([dbc.Label(_("Note"), className="small"),
                     dbc.Input(id="focus-form-note", maxLength=200, placeholder=_("why, what we do"))], md=3),
            dbc.Col(dbc.Button(_("Save"), id="focus-save", color="primary"), md=2,
                    className="align-self-end"),
            html.Div(id="focus-form-message", className="small text-danger"),
        ], className="g-2"))), id="focus-form", is_open=False, className="mb-2"),
        html.Div(id="focus-banner-slot"),
        dbc.Row([
            dbc.Col(html.Div(id="focus-headline"), lg=3),
            dbc.Col(dcc.Graph(id="focus-trend", config=graph_config()), lg=9),
        ], className="g-3"),
        html.H5(_("Actions in this period"), className="side-title mt-2"),
        html.Div(id="focus-actions"),
        dbc.Row([
            dbc.Col([
                html.H5(_("Where the gap comes from"), className="side-title mt-3"),
                dbc.InputGroup([
                    dbc.InputGroupText(_("By")),
                    dcc.Dropdown(id=control_id("dim"), value=fc.chosen_dim(view.state.extra), clearable=False,
                                 options=[{"label": _(fc.DIM_LABELS[d]), "value": d} for d in fc.BREAKDOWN_DIMS],
                                 style={"minWidth": "10rem"}),
                ], size="sm", className="flex-nowrap w-auto"),
                dcc.Graph(id="focus-breakdown", config=graph_config()),
            ], lg=7),
            dbc.Col([
                html.H5(_("Distribution"), className="side-title mt-3"),
                dcc.Graph(id="focus-distribution", config=graph_config()),
                html.H5(id="focus-related-title", className="side-title mt-3"),
                html.Div(id="focus-related-slot"),
            ], lg=5),
        ], className="g-3"),
    ]), CONTENT, focus_view, view.state.query())


# what the page shows of its view, filled in its layout (``focus_view``'s values)
CONTENT = [("focus-banner-slot", "children"), ("focus-headline", "children"), ("focus-trend", "figure"),
           ("focus-breakdown", "figure"), ("focus-distribution", "figure"), ("focus-related-title", "children"),
           ("focus-related-slot", "children"), ("focus-actions", "children")]


@whole
def focus_view(query):
    """Everything the page shows for a query, in the order of ``CONTENT``."""
    view = open_view(query)
    stored = fc.team_focus(view)
    kpi_id = fc.chosen_kpi(view.state.extra, stored)
    channel = fc.focus_channel(kpi_id, view)
    target = fc.focus_target(kpi_id, view, stored, channel)
    dim = fc.chosen_dim(view.state.extra)
    other = "delivered" if KPIS[kpi_id].group == "perceived" else "perceived"
    return (
        fc.team_focus_banner(view, kpi_id, stored),
        fc.headline_card(kpi_id, fc.headline(view, kpi_id, target, channel), view),
        fc.trend_figure(view, kpi_id, target, channel),
        fc.breakdown_figure(fc.breakdown(view, kpi_id, dim, target, channel), kpi_id, dim, view),
        fc.distribution_figure(view, kpi_id, channel),
        _(RELATED_TITLES[other]),
        fc.related_table(view, kpi_id, channel),
        ac.action_list(view, ac.chart_actions(view, filters=dict(fc.focus_scope(view, channel).filters)),
                       empty=_("No action in this scope and period.")),
    )


@callback(Output("focus-form", "is_open"), Input("focus-open-form", "n_clicks"),
          State("focus-form", "is_open"), prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.flag)
def update_form_open(_n, is_open):
    return not is_open


@callback(Output(NAV_ID, "href", allow_duplicate=True), Output("focus-form-message", "children"),
          Input("focus-save", "n_clicks"),
          State("focus-form-kpi", "value"), State("focus-form-target", "value"),
          State("focus-form-start", "date"), State("focus-form-note", "value"),
          State("focus-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.text, inputs.number, inputs.day, inputs.text, inputs.query)
def update_save_focus(_n, kpi_id, target, start, note, query):
    viewer = require("focus")
    if kpi_id not in fc.FOCUS_KPIS or not start:
        return no_update, _("Choose an indicator and a start date.")
    problem = target is not None and target_error(kpi_id, target)
    if problem:
        return no_update, _("Not saved: {problem}.", problem=problem)
    view = open_view(query)
    try:
        set_focus(view.db, kpi_id, target, start, note, actor=viewer.actor)
    except ValueError as exc:
        return no_update, _("Not saved: {problem}.", problem=exc)
    return href("/focus", view.state.query(kpi=kpi_id)), ""
