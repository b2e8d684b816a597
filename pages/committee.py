"""Committee: the monthly review of one client's contractual indicators, with its volumes, its
worst comments, the committee's decisions, and exports for the minutes (Excel, PDF, print)."""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from access.viewer import require
from components import committee as cm
from components.actions import chart_actions
from metrics.periods import month_end
from components.committee_pdf import review_pdf
from components.committee_xlsx import review_workbook
from components.view import NAV_ID, empty_state, filled, href, nav_location, open_view
from data.decisions import MAX_LENGTH, decisions_for, save_decisions
from metrics.committee import Indicator
from settings import contract_for
from components import inputs
from components.charts import graph_config
from components.view import page_title
from components.responses import whole
from i18n import N_, _, formats

dash.register_page(__name__, path="/committee", name=N_("Committee"), title=page_title("Committee"), order=5)


def committee_query(choice: cm.Choice) -> dict:
    return {"client": choice.client, "month": f"{choice.month:%Y-%m}"}


def layout(**query):
    view = open_view(query)
    if not view.has_data:
        return empty_state()
    choice = cm.choose(view)
    if choice.client is None:
        return empty_state(_("No contact in the data names a client: the committee review is per client."))
    decisions = decisions_for(view.db, choice.client, choice.month)
    contract = ", ".join(Indicator(k, c).label for k, c in contract_for(view.settings, choice.client))
    writes = view.viewer.may("decisions")   # a client reads its committee's decisions, and does not write them
    return filled(html.Div([
        nav_location(),
        dcc.Store(id="committee-state", data=committee_query(choice)),
        dbc.Card(dbc.CardBody(dbc.Row([
            dbc.Col([dbc.Label(_("Client"), className="small text-muted mb-0"),
                     dcc.Dropdown(id="committee-client", options=choice.clients, value=choice.client,
                                  clearable=False)], md=4),
            dbc.Col([dbc.Label(_("Month"), className="small text-muted mb-0"),
                     dcc.Dropdown(id="committee-month", clearable=False, value=f"{choice.month:%Y-%m}",
                                  options=[{"label": cm.month_label(m), "value": f"{m:%Y-%m}"}
                                           for m in choice.months])], md=3),
            dbc.Col(dbc.ButtonGroup([
                dbc.Button(_("Excel workbook"), id="committee-xlsx", color="primary", outline=True, size="sm"),
                dbc.Button(_("PDF"), id="committee-pdf", color="primary", outline=True, size="sm"),
                dbc.Button(_("Print"), id="committee-print", color="primary", outline=True, size="sm"),
            ]), className="ms-auto align-self-end", width="auto"),
        ], className="g-2")), className="mb-3 filter-bar no-print"),
        dcc.Download(id="committee-download"),
        html.H3(_("Committee review – {client} – {month}", client=choice.client, month=cm.month_label(choice.month)),
                id="committee-title"),
        html.P(_("The client's own scope. Contractual indicators: {contract}.", contract=contract),
               className="small text-muted"),
        html.Div(id="committee-content"),
        html.H4(_("Decisions"), className="side-title mt-3"),
        dbc.Textarea(id="committee-decisions", rows=5, maxLength=MAX_LENGTH, className="no-print",
                     value=decisions.text if decisions else "", readOnly=not writes,
                     placeholder=_("The decisions and actions agreed in this month's committee")),
        html.Div(id="committee-decisions-print", className="print-only decisions-print"),
        html.Div([dbc.Button(_("Save decisions"), id="committee-save", color="primary", size="sm", className="mt-2",
                             style=None if writes else {"display": "none"}),
                  html.Span(saved_text(decisions), id="committee-saved", className="small text-muted ms-2"),
                  dbc.Button(_("Record an action…"), id="committee-record-action", color="secondary", outline=True,
                             size="sm", className="mt-2 ms-2", href=action_href(view, choice),
                             style=None if view.viewer.may("actions") else {"display": "none"})],
                 className="no-print"),
    ]), [("committee-content", "children")], lambda q: [committee_content(q)], committee_query(choice))


def action_href(view, choice: cm.Choice) -> str:
    """The actions page's form, prefilled: the client's scope, its contract's KPIs, the decision's month."""
    kpis = [k for k, _c in contract_for(view.settings, choice.client)]
    return href("/actions", {"client": choice.client, "kpi": ",".join(dict.fromkeys(kpis)),
                             "dclient": choice.client, "dmonth": f"{choice.month:%Y-%m}"})


def saved_text(decisions) -> str:
    if not decisions:
        return _("Not recorded yet")
    when = f"{formats.day(decisions.saved_at)} {decisions.saved_at:%H:%M}"
    return _("Saved {when} by {author}", when=when, author=decisions.author) if decisions.author else _(
        "Saved {when}", when=when)


@whole
def committee_content(query):
    """The review of the client and month of the page's query, filled in its layout."""
    view, client, month = _open(query)
    review = cm.review_of(view, client, month)
    return html.Div([
        html.H4(_("Contractual indicators"), className="side-title"),
        cm.indicator_table(review, view),
        html.H4(_("Last 12 months"), className="side-title mt-3"),
        html.P(_("Bars: green met, amber missed within tolerance, red missed, grey no target; "
                 "dashed line: target."), className="small text-muted mb-1"),
        html.Div([dcc.Graph(figure=f, config=graph_config(), className="committee-chart")
                  for f in cm.history_figures(review, chart_actions(view, review.months[0], month_end(review.month),
                                                                    {"client": (client,)}))],
                 id="committee-history", className="committee-charts"),
        html.H4(_("Volumes by channel"), className="side-title mt-3"),
        cm.volume_table(review, view),
        html.H4(_("Worst-scored comments"), className="side-title mt-3"),
        cm.verbatim_table(review),
    ])


def _open(query: dict):
    """The view, client and month of the page's store, checked again against the data (the
    store comes from the browser; the queries behind the check are answered from memory)."""
    view = open_view(query)
    choice = cm.choose(view)
    return view, choice.client, choice.month


@callback(Output(NAV_ID, "href", allow_duplicate=True), Input("committee-client", "value"),
          Input("committee-month", "value"), State("committee-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.text, inputs.text, inputs.query)
def update_choice(client, month, query):
    new = {"client": client, "month": month}
    return no_update if new == query else href("/committee", new)


@callback(Output("committee-saved", "children"), Input("committee-save", "n_clicks"),
          State("committee-decisions", "value"), State("committee-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.text, inputs.query)
def update_saved(_clicks, text, query):
    viewer = require("decisions")
    view, client, month = _open(query)
    if client is None:
        return _("Not saved: no client to record them for.")
    if len(text or "") > MAX_LENGTH:     # the store's own message is not in the reader's language
        return _("Not saved: decisions are limited to {limit} characters ({given} given).",
                 limit=formats.number(MAX_LENGTH), given=formats.number(len(text)))
    try:
        saved = save_decisions(view.db, client, month, text or "", actor=viewer.actor)
    except ValueError as exc:
        return _("Not saved: {reason}", reason=exc)
    return saved_text(saved)


@callback(Output("committee-download", "data"), Input("committee-xlsx", "n_clicks"),
          Input("committee-pdf", "n_clicks"), State("committee-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.count, inputs.query)
def update_download(_xlsx, _pdf, query):
    return export_file(query, "pdf" if ctx.triggered_id == "committee-pdf" else "xlsx")


def export_file(query: dict, kind: str) -> dict:
    """The review of the query's client and month as a download: ``xlsx`` or ``pdf``."""
    view, client, month = _open(query)
    review, decisions = cm.review_of(view, client, month), decisions_for(view.db, client, month)
    build = review_pdf if kind == "pdf" else review_workbook
    return dcc.send_bytes(build(review, decisions, cm.indicator_notes(review, view)), cm.filename(review, kind))


clientside_callback(
    "function(text) { return text || ''; }",
    Output("committee-decisions-print", "children"), Input("committee-decisions", "value"),
)
clientside_callback(
    "function(n) { if (n) { window.print(); } return ''; }",
    Output("committee-print", "title"), Input("committee-print", "n_clicks"), prevent_initial_call=True,
)
