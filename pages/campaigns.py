"""Campaigns: outbound and marketing campaigns, their reach, conversion and revenue, the
satisfaction of the customers reached, and their progress through the target file."""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from components import campaigns as cp
from components.grids import grid
from metrics.query import dimension_values
from components.view import NAV_ID, control_id, empty_state, filter_bar, href, nav_location, open_view, state_store
from components import inputs
from components.charts import graph_config
from components.view import page_title
from i18n import N_, _

dash.register_page(__name__, path="/campaigns", name=N_("Campaigns"), title=page_title("Campaigns"), order=4)


def layout(**query):
    view = open_view(query)
    if not view.has_data:
        return empty_state()
    return html.Div([
        nav_location(),
        filter_bar(view),
        state_store("campaigns", view),
        html.H4(_("Campaigns"), className="side-title"),
        html.P(_("Click a campaign to see its agents and contacts; hover it for its purpose, kind, sponsor and "
                 "dates."), className="small text-muted mb-1"),
        grid("campaigns-grid", getRowId="params.data.campaign"),
        html.H4(_("By purpose"), className="side-title mt-3"), grid("campaigns-purpose"),
        html.H4(_("By kind"), className="side-title mt-3"), grid("campaigns-kind"),
        html.H4(_("Progress through the target file"), className="side-title mt-3"),
        dbc.Row(dbc.Col(dcc.Dropdown(id=control_id("show"), placeholder=_("Choose a campaign"),
                                     options=dimension_values(view.db, view.scope(), ["campaign"])["campaign"],
                                     value=view.state.extra.get("show")), md=4)),
        dcc.Graph(id="campaigns-progress", config=graph_config()),
    ])


@callback(
    Output("campaigns-grid", "rowData"), Output("campaigns-grid", "columnDefs"),
    Output("campaigns-purpose", "rowData"), Output("campaigns-purpose", "columnDefs"),
    Output("campaigns-kind", "rowData"), Output("campaigns-kind", "columnDefs"),
    Output("campaigns-progress", "figure"),
    Input("campaigns-state", "data"),
)
@inputs.takes(inputs.query)
def update_campaigns(query):
    view = open_view(query)
    table = cp.campaign_table(view)
    few = view.settings.min_answers
    return (cp.rows(table, "campaign", few), cp.columns("campaign", _("Campaign"), True, view),
            cp.rows(cp.by_attribute(table, "purpose"), "purpose", few),
            cp.columns("purpose", _("Purpose"), False, view),
            cp.rows(cp.by_attribute(table, "kind"), "kind", few), cp.columns("kind", _("Kind"), False, view),
            cp.progress_figure(view, view.state.extra.get("show"), table))


@callback(Output(NAV_ID, "href", allow_duplicate=True), Input("campaigns-grid", "cellClicked"),
          State("campaigns-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.cell, inputs.query)
def update_open_campaign(campaign, query):
    if not campaign:
        return no_update
    view = open_view(query)
    return href("/explore", view.state.query(by="campaign", path=f"campaign:{campaign}", show=None))
