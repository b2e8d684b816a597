"""Alerts: the open alerts the viewer may see, to acknowledge, and the rules that raise them,
to add (the filter bar is a new rule's scope) or remove."""
import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from access.viewer import require
from alerts.check import acknowledge
from components import alerts as al
from components import inputs
from components.grids import grid
from components.view import filter_bar, nav_location, open_view, page_title, state_store
from data.db import engine
from i18n import N_, _
from settings import active

dash.register_page(__name__, path="/alerts", name=N_("Alerts"), title=page_title("Alerts"), nav=False)


def layout(**query):
    view = open_view(query)
    return html.Div([
        nav_location(),
        state_store("alerts", view),
        dcc.Store(id="alerts-changed", data=0),
        html.H4(_("Open alerts"), className="side-title"),
        html.P(_("Raised after every load and by the scheduler, which tells them by e-mail; an alert stays here "
                 "until someone acknowledges it."), className="small text-muted mb-1"),
        grid("alerts-grid", getRowId="params.data.id", options={"rowSelection": "single"}),
        dbc.Button(_("Acknowledge the chosen alert"), id="alerts-ack", size="sm", color="primary", className="mt-2"),
        html.Span(id="alerts-message", className="small ms-2"),
        html.H4(_("Rules"), className="side-title mt-3"),
        html.Ul(id="alerts-rules", className="small"),
        html.P(_("Rules are added here or with python -m alerts add (see the README)."),
               className="small text-muted"),
        html.H4(_("Add a rule"), className="side-title mt-3"),
        filter_bar(view, period=False),
        al.form(view),
    ])


@callback(Output("alerts-grid", "rowData"), Output("alerts-grid", "columnDefs"), Output("alerts-rules", "children"),
          Output("alerts-message", "children"),
          Input("alerts-ack", "n_clicks"), Input("alerts-changed", "data"), State("alerts-grid", "selectedRows"))
@inputs.takes(inputs.count, inputs.count, inputs.records)
def update_alerts(_clicks, _changed, chosen):
    viewer, db = require("alerts"), engine(active().db)     # staff only, as the page
    message = ""
    if ctx.triggered_id == "alerts-ack":
        shown = set(al.visible(db, viewer)["id"].astype(str))
        picked = [r.get("id") for r in chosen if isinstance(r, dict) and str(r.get("id")) in shown]
        message = (_("Acknowledged.") if picked and acknowledge(db, int(picked[0]), viewer.name)
                   else _("Choose an open alert first."))
    return al.alert_rows(al.visible(db, viewer)), al.alert_columns(), al.rule_list(db, viewer), message


def _clicked(trigger: dict, clicks: list[int]) -> bool:
    """Whether the remove button that triggered was clicked (not only laid out anew)."""
    ids = [i.get("id") if isinstance(i, dict) else None for i in ctx.inputs_list[1]]
    return any(i == trigger and n for i, n in zip(ids, clicks))


@callback(Output("alerts-changed", "data"), Output("alerts-rule-message", "children"),
          Input("alerts-add", "n_clicks"), Input({"role": al.REMOVE, "rule": ALL}, "n_clicks"),
          State("alerts-kpi", "value"), State("alerts-condition", "value"), State("alerts-threshold", "value"),
          State("alerts-min-volume", "value"), State("alerts-to", "value"), State("alerts-state", "data"),
          State("alerts-changed", "data"), prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.each(inputs.count), inputs.text, inputs.text, inputs.number, inputs.number,
              inputs.text, inputs.query, inputs.count)
def update_rules(_add, removes, kpi, condition, threshold, min_volume, to, query, changed):
    viewer = require("alerts")
    trigger = ctx.triggered_id
    if trigger == "alerts-add":
        view = open_view(query)
        message = al.add_from_form(view.db, viewer, kpi, condition, threshold, min_volume, to, view.state.filters)
    elif isinstance(trigger, dict) and isinstance(trigger.get("rule"), int) and _clicked(trigger, removes):
        message = al.remove_from_page(engine(active().db), viewer, trigger["rule"])
    else:                   # the rules' buttons laid out anew, not a click
        return no_update, no_update
    return changed + 1, message
