"""Settings: the targets in force, and a form to set or remove one (stored in the database,
over the settings file's)."""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from access.viewer import require
from components.kpi import value_text
from components.view import open_view
from data.targets import set_target, stored_targets
from metrics.query import Scope, dimension_values
from metrics.registry import KPIS
from metrics.targets import target_error
from components import inputs

dash.register_page(__name__, path="/settings", name="Settings", title="Pilotage – Settings", order=10)

TARGET_KPIS = [k for k, v in KPIS.items() if v.better != "none"]


def target_rows(targets: dict, stored: list[dict], settings) -> list[tuple]:
    """(kpi, applies to, target, close from, source) for every target in force; the source is
    where it comes from: set here, the settings file, or Pilotage's defaults."""
    by_user = {(r["kpi"], r.get("channel"), r.get("client")) for r in stored}
    rows = []
    for kpi_id in TARGET_KPIS:
        spec = targets.get(kpi_id) or {}
        levels = [("every contact", None, None, spec)]
        levels += [(f"channel {name}", name, None, s) for name, s in sorted((spec.get("channel") or {}).items())]
        levels += [(f"client {name}", None, name, s) for name, s in sorted((spec.get("client") or {}).items())]
        for label, channel, client, s in levels:
            if s.get("target") is None:
                continue
            path = ["targets", kpi_id] + (["channel", channel] if channel else ["client", client] if client else [])
            source = "set here" if (kpi_id, channel, client) in by_user else settings.source(*path)
            rows.append((kpi_id, label, s["target"], s.get("amber"), source))
    return rows


def targets_table(view) -> dbc.Table:
    rows = target_rows(view.targets, stored_targets(view.db), view.settings)
    return dbc.Table([
        html.Thead(html.Tr([html.Th(h) for h in ("Indicator", "Applies to", "Target", "Close from", "Set in")])),
        html.Tbody([html.Tr([html.Td(KPIS[k].label_en), html.Td(where), html.Td(value_text(k, t)),
                             html.Td("–" if a is None else value_text(k, a)), html.Td(source)])
                    for k, where, t, a, source in rows]),
    ], size="sm", hover=True, className="bg-white", id="targets-table")


def layout(**_query):
    view = open_view({})
    found = (dimension_values(view.db, Scope(view.first, view.last), ["channel", "client"])
             if view.has_data else {"channel": [], "client": []})
    form = dbc.Card(dbc.CardBody([
        html.H5("Set a target"),
        dbc.Row([
            dbc.Col([dbc.Label("Indicator", className="small"), dcc.Dropdown(
                id="target-kpi", options=[{"label": KPIS[k].label_en, "value": k} for k in TARGET_KPIS],
                value="service_level", clearable=False)], md=3),
            dbc.Col([dbc.Label("For a channel (optional)", className="small"), dcc.Dropdown(
                id="target-channel", options=found["channel"])], md=2),
            dbc.Col([dbc.Label("or a client (optional)", className="small"), dcc.Dropdown(
                id="target-client", options=found["client"])], md=2),
            dbc.Col([dbc.Label("Target", className="small"),
                     dbc.Input(id="target-value", type="number", step="any")], md=2),
            dbc.Col([dbc.Label("Close from", className="small"),
                     dbc.Input(id="target-amber", type="number", step="any")], md=1),
            dbc.Col([dbc.Button("Save", id="target-save", color="primary", className="me-2"),
                     dbc.Button("Remove", id="target-remove", color="secondary", outline=True)],
                    md=2, className="align-self-end"),
        ], className="g-2"),
        html.Div(id="target-message", className="small mt-2"),
    ]), className="mb-3")
    return html.Div([
        html.H2("Settings"),
        html.P("Targets come from Pilotage's defaults, laid under the settings file's (when there is "
               "one); those set here take precedence over both, for every page. A target for a channel or "
               "a client applies when a view shows that channel or client alone. \u201cClose from\u201d is "
               "the amber band on the worse side. Rates are 0-100 %, NPS -100 to +100, effort 1 to 7, "
               "durations above 0 seconds.",
               className="text-muted"),
        form, html.H4("Targets in force", className="side-title"),
        html.Div(targets_table(view), id="targets-slot"),
    ])


@callback(Output("targets-slot", "children"), Output("target-message", "children"),
          Input("target-save", "n_clicks"), Input("target-remove", "n_clicks"),
          State("target-kpi", "value"), State("target-channel", "value"), State("target-client", "value"),
          State("target-value", "value"), State("target-amber", "value"), prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.count, inputs.text, inputs.text, inputs.text, inputs.number, inputs.number)
def update_target(_save, _remove, kpi_id, channel, client, target, amber):
    viewer = require("targets")
    removing = dash.ctx.triggered_id == "target-remove"
    if kpi_id not in TARGET_KPIS:
        return no_update, "Choose an indicator."
    if channel and client:
        return no_update, "Choose a channel or a client, not both."
    problem = None if removing else target_error(kpi_id, target, amber)
    if problem:
        return no_update, f"Not saved: {problem}."
    view = open_view({})
    found = dimension_values(view.db, Scope(view.first, view.last), ["channel", "client"]) if view.has_data else {}
    for key, value in (("channel", channel), ("client", client)):
        if value and value not in found.get(key, ()):
            return no_update, f"Not saved: no {key} {value[:60]!r} in the data."
    try:
        set_target(view.db, kpi_id, None if removing else target, None if removing else amber, channel, client,
                   actor=viewer.actor)
    except ValueError as exc:
        return no_update, f"Not saved: {exc}."
    return targets_table(open_view({})), "Removed." if removing else "Saved."
