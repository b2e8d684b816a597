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
from i18n.labels import channel_label, dropdown_texts, source_label
from components.view import page_title
from i18n import N_, _

dash.register_page(__name__, path="/settings", name=N_("Settings"), title=page_title("Settings"), order=10, manage=True)

TARGET_KPIS = [k for k, v in KPIS.items() if v.better != "none"]


def target_rows(targets: dict, stored: list[dict], settings) -> list[tuple]:
    """(kpi, applies to, target, close from, source) for every target in force; the source is
    where it comes from: set here, the settings file, or Pilotage's defaults."""
    by_user = {(r["kpi"], r.get("channel"), r.get("client")) for r in stored}
    rows = []
    for kpi_id in TARGET_KPIS:
        spec = targets.get(kpi_id) or {}
        levels = [(_("every contact"), None, None, spec)]
        levels += [(_("channel {name}", name=channel_label(name)), name, None, s)
                   for name, s in sorted((spec.get("channel") or {}).items())]
        levels += [(_("client {name}", name=name), None, name, s) for name, s in sorted((spec.get("client") or {}).items())]
        for label, channel, client, s in levels:
            if s.get("target") is None:
                continue
            path = ["targets", kpi_id] + (["channel", channel] if channel else ["client", client] if client else [])
            source = _("set here") if (kpi_id, channel, client) in by_user else source_label(settings.source(*path))
            rows.append((kpi_id, label, s["target"], s.get("amber"), source))
    return rows


def targets_table(view) -> dbc.Table:
    rows = target_rows(view.targets, stored_targets(view.db), view.settings)
    return dbc.Table([
        html.Thead(html.Tr([html.Th(h) for h in (_("Indicator"), _("Applies to"), _("Target"), _("Close from"),
                                                 _("Set in"))])),
        html.Tbody([html.Tr([html.Td(KPIS[k].label()), html.Td(where), html.Td(value_text(k, t)),
                             html.Td("–" if a is None else value_text(k, a)), html.Td(source)])
                    for k, where, t, a, source in rows]),
    ], size="sm", hover=True, className="bg-white", id="targets-table")


def layout(**_query):
    view = open_view({})
    found = (dimension_values(view.db, Scope(view.first, view.last), ["channel", "client"])
             if view.has_data else {"channel": [], "client": []})
    form = dbc.Card(dbc.CardBody([
        html.H5(_("Set a target")),
        dbc.Row([
            dbc.Col([dbc.Label(_("Indicator"), className="small"), dcc.Dropdown(
                id="target-kpi", options=[{"label": KPIS[k].label(), "value": k} for k in TARGET_KPIS],
                value="service_level", clearable=False, labels=dropdown_texts())], md=3),
            dbc.Col([dbc.Label(_("For a channel (optional)"), className="small"), dcc.Dropdown(
                id="target-channel", options=[{"label": channel_label(c), "value": c} for c in found["channel"]],
                placeholder=_("Every channel"), labels=dropdown_texts())], md=2),
            dbc.Col([dbc.Label(_("or a client (optional)"), className="small"), dcc.Dropdown(
                id="target-client", options=found["client"], placeholder=_("Every client"),
                labels=dropdown_texts())], md=2),
            dbc.Col([dbc.Label(_("Target"), className="small"),
                     dbc.Input(id="target-value", type="number", step="any")], md=1),
            dbc.Col([dbc.Label(_("Close from"), className="small"),
                     dbc.Input(id="target-amber", type="number", step="any")], md=1),
            dbc.Col([dbc.Button(_("Save"), id="target-save", color="primary", className="me-2"),
                     dbc.Button(_("Remove"), id="target-remove", color="secondary", outline=True)],
                    md=3, className="align-self-end text-nowrap"),   # both buttons on one line, in French too
        ], className="g-2"),
        html.Div(id="target-message", className="small mt-2"),
    ]), className="mb-3")
    return html.Div([
        html.H2(_("Settings")),
        html.P(_("Targets come from Pilotage's defaults, laid under the settings file's (when there is "
                 "one); those set here take precedence over both, for every page. A target for a channel or "
                 "a client applies when a view shows that channel or client alone. \u201cClose from\u201d is "
                 "the amber band on the worse side. Rates are 0-100 %, NPS -100 to +100, effort 1 to 7, "
                 "durations above 0 seconds."),
               className="text-muted"),
        form, html.H4(_("Targets in force"), className="side-title"),
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
        return no_update, _("Choose an indicator.")
    if channel and client:
        return no_update, _("Choose a channel or a client, not both.")
    problem = None if removing else target_error(kpi_id, target, amber)
    if problem:
        return no_update, _("Not saved: {problem}.", problem=problem)
    view = open_view({})
    found = dimension_values(view.db, Scope(view.first, view.last), ["channel", "client"]) if view.has_data else {}
    for key, value in (("channel", channel), ("client", client)):
        if value and value not in found.get(key, ()):
            return no_update, (_("Not saved: no channel {name} in the data.", name=repr(value[:60])) if key == "channel"
                               else _("Not saved: no client {name} in the data.", name=repr(value[:60])))
    try:
        set_target(view.db, kpi_id, None if removing else target, None if removing else amber, channel, client,
                   actor=viewer.actor)
    except ValueError as exc:
        return no_update, _("Not saved: {problem}.", problem=exc)
    return targets_table(open_view({})), _("Removed.") if removing else _("Saved.")
