"""Alerts: the open alerts the viewer may see, to acknowledge, and the rules that raise them."""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, html

from access.viewer import require
from alerts.check import acknowledge
from alerts.rules import rules
from components import alerts as al
from components import inputs
from components.grids import grid
from components.view import page_title
from data.db import engine
from i18n import N_, _
from settings import active

dash.register_page(__name__, path="/alerts", name=N_("Alerts"), title=page_title("Alerts"), nav=False)


def layout(**_query):
    return html.Div([
        html.H4(_("Open alerts"), className="side-title"),
        html.P(_("Raised after every load and by the scheduler, which tells them by e-mail; an alert stays here "
                 "until someone acknowledges it."), className="small text-muted mb-1"),
        grid("alerts-grid", getRowId="params.data.id", options={"rowSelection": "single"}),
        dbc.Button(_("Acknowledge the chosen alert"), id="alerts-ack", size="sm", color="primary", className="mt-2"),
        html.Span(id="alerts-message", className="small ms-2"),
        html.H4(_("Rules"), className="side-title mt-3"),
        html.Ul(id="alerts-rules", className="small"),
        html.P(_("Rules are added with python -m alerts add (see the README)."), className="small text-muted"),
    ])


@callback(Output("alerts-grid", "rowData"), Output("alerts-grid", "columnDefs"), Output("alerts-rules", "children"),
          Output("alerts-message", "children"),
          Input("alerts-ack", "n_clicks"), State("alerts-grid", "selectedRows"))
@inputs.takes(inputs.count, inputs.records)
def update_alerts(_clicks, chosen):
    viewer, db = require("alerts"), engine(active().db)     # staff only, as the page
    message = ""
    if ctx.triggered_id == "alerts-ack":
        shown = set(al.visible(db, viewer)["id"].astype(str))
        picked = [r.get("id") for r in chosen if isinstance(r, dict) and str(r.get("id")) in shown]
        message = (_("Acknowledged.") if picked and acknowledge(db, int(picked[0]), viewer.name)
                   else _("Choose an open alert first."))
    found = al.visible(db, viewer)
    named = [html.Li(r.text() + (f" → {', '.join(r.to)}" if r.to else "")) for r in rules(db)
             if r.condition == "legal_risk" or al.fits(r, viewer)]
    return al.alert_rows(found), al.alert_columns(), named or [html.Li(_("No rule yet."))], message
