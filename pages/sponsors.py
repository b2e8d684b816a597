"""Sponsor review: one sponsoring entity's campaigns over the period against their service
contracts, met or missed, with their economics; Excel and PDF exports. Reached from the
campaigns page (not in the navigation bar); ``sponsor`` in the URL."""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from components import inputs
from components import sponsors as sp
from components.campaign_contracts import contract_columns
from components.grids import grid
from components.sponsors_export import review_pdf, review_workbook
from components.view import NAV_ID, empty_state, filter_bar, href, nav_location, open_view, page_title, state_store
from i18n import N_, _

dash.register_page(__name__, path="/sponsors", name=N_("Sponsor review"), title=page_title("Sponsor review"),
                   nav=False)


def layout(**query):
    view = open_view(query)
    if not view.has_data:
        return empty_state()
    review = sp.review_of(view, view.state.extra.get("sponsor"))
    if review is None:
        return html.Div([nav_location(), filter_bar(view),
                         empty_state(_("No campaign in scope names a sponsor: the review is per sponsor."))])
    return html.Div([
        nav_location(),
        filter_bar(view),
        state_store("sponsors", view),
        dbc.Card(dbc.CardBody(dbc.Row([
            dbc.Col([dbc.Label(_("Sponsor"), className="small text-muted mb-0"),
                     dcc.Dropdown(id="sponsors-sponsor", options=list(review.sponsors),
                                  value=review.sponsor, clearable=False)], md=4),
            dbc.Col(dbc.ButtonGroup([
                dbc.Button(_("Excel workbook"), id="sponsors-xlsx", color="primary", outline=True, size="sm"),
                dbc.Button(_("PDF"), id="sponsors-pdf", color="primary", outline=True, size="sm"),
            ]), className="ms-auto align-self-end", width="auto"),
        ], className="g-2")), className="mb-3 no-print"),
        dcc.Download(id="sponsors-download"),
        html.H3(sp.title(review), id="sponsors-title"),
        html.P([sp.tally_text(review), " ", dcc.Link(_("Back to the campaigns"),
                                                     href=href("/campaigns", view.state.query(sponsor=None)))],
               id="sponsors-tally", className="small text-muted"),
        grid("sponsors-grid", getRowId="params.data.campaign", rowData=review.rows,
             columnDefs=[c for c in contract_columns() if c["field"] != "sponsor"]),
    ])


@callback(Output(NAV_ID, "href", allow_duplicate=True), Input("sponsors-sponsor", "value"),
          State("sponsors-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.text, inputs.query)
def update_sponsor(sponsor, query):
    if not sponsor or sponsor == query.get("sponsor"):
        return no_update
    return href("/sponsors", open_view(query).state.query(sponsor=sponsor))


@callback(Output("sponsors-download", "data"), Input("sponsors-xlsx", "n_clicks"), Input("sponsors-pdf", "n_clicks"),
          State("sponsors-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.count, inputs.query)
def update_download(_xlsx, _pdf, query):
    return export_file(query, "pdf" if ctx.triggered_id == "sponsors-pdf" else "xlsx")


def export_file(query: dict, kind: str) -> dict | None:
    """The review of the query's sponsor and period as a download: ``xlsx`` or ``pdf``."""
    view = open_view(query)
    if not view.has_data:
        return no_update
    review = sp.review_of(view, view.state.extra.get("sponsor"))
    if review is None:
        return no_update
    build = review_pdf if kind == "pdf" else review_workbook
    return dcc.send_bytes(build(review), sp.filename(review, kind))
