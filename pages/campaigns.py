"""Campaigns: outbound and marketing campaigns, their reach, conversion and revenue, the
satisfaction of the customers reached, and their progress through the target file."""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from access.viewer import require
from components import campaign_contracts as cc
from components import campaigns as cp
from data.campaign_contracts import MILESTONES, Contract, contracts_for, save_contract
from components.grids import grid
from metrics.query import dimension_values
from components.view import (NAV_ID, control_id, empty_state, filled, filter_bar, href, nav_location, open_view,
                             state_store)
from components import inputs
from components.charts import graph_config
from components.view import page_title
from components.responses import whole
from i18n import N_, _, formats

dash.register_page(__name__, path="/campaigns", name=N_("Campaigns"), title=page_title("Campaigns"), order=4)


def layout(**query):
    view = open_view(query)
    if not view.has_data:
        return empty_state()
    return filled(html.Div([
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
        html.H4(_("Service contracts"), className="side-title mt-3"),
        html.P([_("Each campaign's objectives agreed with its sponsor, met or missed over the period; the deadline "
                  "is met once the whole target file was tried by then. "),
                dcc.Link(_("Sponsor review…"), href=href("/sponsors", view.state.query(show=None)),
                         id="campaigns-sponsors-link")], className="small text-muted mb-1"),
        grid("campaigns-contracts", getRowId="params.data.campaign"),
        html.H4(_("Calendar of {year}", year=view.state.end.year), className="side-title mt-3"),
        dcc.Graph(id="campaigns-calendar", config=graph_config()),
        html.H4(_("Retro-planning"), className="side-title mt-3"),
        html.P(_("The preparation milestones counted back from each launch; late when their day has passed "
                 "({day}, the latest day with data) and they are not done.", day=formats.day(view.last)),
               className="small text-muted mb-1"),
        grid("campaigns-milestones", getRowId="params.data.campaign"),
        cc.contract_form(cc.year_campaigns(view, view.state.end.year)["campaign"].tolist(),
                         view.viewer.may("campaign_contracts")),
    ]), CONTENT + CONTRACTS, lambda q: (*campaigns_content(q), *update_contracts(q, None)), view.state.query())


# what the page shows of its view, filled in its layout (``campaigns_content``'s values)
CONTENT = [("campaigns-grid", "rowData"), ("campaigns-grid", "columnDefs"), ("campaigns-purpose", "rowData"),
           ("campaigns-purpose", "columnDefs"), ("campaigns-kind", "rowData"),
           ("campaigns-kind", "columnDefs"), ("campaigns-progress", "figure")]


@whole
def campaigns_content(query):
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


# the contracts, calendar and retro-planning, filled in the layout and again after a contract is saved
CONTRACTS = [("campaigns-contracts", "rowData"), ("campaigns-contracts", "columnDefs"), ("campaigns-calendar", "figure"),
             ("campaigns-milestones", "rowData"), ("campaigns-milestones", "columnDefs")]


@callback(
    Output("campaigns-contracts", "rowData"), Output("campaigns-contracts", "columnDefs"),
    Output("campaigns-calendar", "figure"),
    Output("campaigns-milestones", "rowData"), Output("campaigns-milestones", "columnDefs"),
    Input("campaigns-state", "data"), Input(cc.form_id("saved"), "children"), prevent_initial_call=True,
)
@inputs.takes(inputs.query, inputs.ignored)
def update_contracts(query, _saved):
    view = open_view(query)
    year = view.state.end.year
    info = cc.year_campaigns(view, year)
    planned = cc.plans(view, info, view.last)
    return (cc.contract_rows(cc.results(view)), cc.contract_columns(), cc.calendar_figure(info, planned, year),
            cc.milestone_rows(info, planned), cc.milestone_columns())


FORM_FIELDS = [*cc.FIELD_IDS, *(f"offset-{m}" for m in MILESTONES), *(f"done-{m}" for m in MILESTONES)]


def _visible(view, campaign: str | None) -> bool:
    """Whether the viewer may see the campaign (one of the form's choices)."""
    return bool(campaign) and campaign in set(cc.year_campaigns(view, view.state.end.year)["campaign"])


@callback([Output(cc.form_id(f), "value") for f in FORM_FIELDS], Input(cc.form_id("campaign"), "value"),
          State("campaigns-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.text, inputs.query)
def update_contract_form(campaign, query):
    view = open_view(query)
    if not _visible(view, campaign):
        return cc.form_values(None)
    return cc.form_values(contracts_for(view.db, [campaign]).get(campaign))


@callback(Output(cc.form_id("saved"), "children"), Input(cc.form_id("save"), "n_clicks"),
          State(cc.form_id("campaign"), "value"), [State(cc.form_id(f), "value") for f in FORM_FIELDS],
          State("campaigns-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.text, *([inputs.number] * 4), inputs.day, *([inputs.number] * len(MILESTONES)),
              *([inputs.day] * len(MILESTONES)), inputs.query)
def update_contract_saved(_clicks, campaign, reach, conversion, response, cost, deadline, *rest):
    viewer = require("campaign_contracts")
    offsets, done, query = rest[:len(MILESTONES)], rest[len(MILESTONES):-1], rest[-1]
    view = open_view(query)
    if not _visible(view, campaign):
        return _("Not saved: choose a campaign first.")
    contract = Contract(campaign, reach, conversion, response, cost, deadline,
                        offsets={m: o for m, o in zip(MILESTONES, offsets) if o is not None and m != "launch"},
                        done={m: d for m, d in zip(MILESTONES, done) if d})
    try:
        saved = save_contract(view.db, contract, actor=viewer.actor)
    except ValueError as exc:
        return _("Not saved: {reason}", reason=exc)
    return _("Saved the contract of {campaign} at {when}.", campaign=saved.campaign,
             when=f"{saved.saved_at:%H:%M:%S}")
