"""Customer needs and the channel mix: inbound contacts per need × channel (imputed where a
channel's contacts have no reason), the needs that make 80 % of them, each need's quality and
value, and the target mix: what moving a share of a need to another channel would do."""
import math

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from components import inputs
from components import needs as nc
from components.charts import graph_config
from components.grids import grid
from components.view import (NAV_ID, empty_state, filled, filter_bar, href, nav_location, open_view, page_title,
                             state_store)
from components.responses import whole
from i18n import N_, _
from i18n.labels import channel_label, dropdown_texts

dash.register_page(__name__, path="/needs", name=N_("Needs"), title=page_title("Needs"), order=5)

WHAT_IF_KEYS = ("need", "src", "dst", "move")   # the what-if's keys in the URL


def share_of(text: str | None) -> float | None:
    """The share moved, from the URL (a percentage), or None when it is not a number."""
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _kept(value: str | None, label) -> list[dict]:
    """A choice's options until the content callback gives them all: the one in the URL, so
    that the dropdown keeps it (a dropdown drops a value that none of its options has)."""
    return [{"label": label(value), "value": value}] if value else []


def layout(**query):
    view = open_view(query)
    if not view.has_data:
        return empty_state()
    extra = view.state.extra
    move = share_of(extra.get("move"))
    return filled(html.Div([
        nav_location(),
        filter_bar(view),
        state_store("needs", view),
        html.H4(_("Customer needs and the channel mix"), className="side-title"),
        html.P(_("Inbound contacts per customer need (a need groups contact reasons, as the reasons reference says; "
                 "a reason it does not name is its own need) and channel, with the share of the need each channel "
                 "carries."), className="small text-muted mb-1"),
        html.Div(id="needs-note"),
        grid("needs-matrix", getRowId="params.data.key"),
        html.H4(_("The needs that make 80 % of the contacts"), className="side-title mt-3"),
        dcc.Graph(id="needs-pareto", config=graph_config()),
        html.H4(_("Quality and value per need"), className="side-title mt-3"),
        html.P(_("Over the contacts whose reason is known; handle times per channel, as they are not comparable "
                 "across channels. Hover a need for its reasons."), className="small text-muted mb-1"),
        grid("needs-quality", getRowId="params.data.need"),
        html.Div(id="needs-pending"),
        html.H4(_("Target mix: what if a share of a need moved to another channel"), className="side-title mt-3"),
        dbc.Row([
            dbc.Col([dbc.Label(_("Need"), className="small text-muted mb-0"),
                     dcc.Dropdown(id="needs-whatif-need", value=extra.get("need"), labels=dropdown_texts(),
                                  options=_kept(extra.get("need"), str),
                                  placeholder=_("Choose a need"))], md=4),
            dbc.Col([dbc.Label(_("From channel"), className="small text-muted mb-0"),
                     dcc.Dropdown(id="needs-whatif-src", value=extra.get("src"), labels=dropdown_texts(),
                                  options=_kept(extra.get("src"), channel_label),
                                  placeholder=_("Choose a channel"))], md=3),
            dbc.Col([dbc.Label(_("To channel"), className="small text-muted mb-0"),
                     dcc.Dropdown(id="needs-whatif-dst", value=extra.get("dst"), labels=dropdown_texts(),
                                  options=_kept(extra.get("dst"), channel_label),
                                  placeholder=_("Choose a channel"))], md=3),
            dbc.Col([dbc.Label(_("Share moved (%)"), html_for="needs-whatif-move", className="small text-muted mb-0"),
                     dbc.Input(id="needs-whatif-move", type="number", min=0, max=100, step=1, debounce=True,
                               value=move, size="sm")], md=2),
        ], className="g-2 align-items-end mb-2"),
        html.Div(id="needs-whatif"),
    ]), CONTENT, needs_content, view.state.query())


# what the page shows of its view, filled in its layout (``needs_content``'s values)
CONTENT = [("needs-note", "children"), ("needs-matrix", "rowData"), ("needs-matrix", "columnDefs"),
           ("needs-pareto", "figure"), ("needs-quality", "rowData"), ("needs-quality", "columnDefs"),
           ("needs-pending", "children"), ("needs-whatif-need", "options"), ("needs-whatif-src", "options"),
           ("needs-whatif-dst", "options"), ("needs-whatif", "children")]


@whole
def needs_content(query):
    view = open_view(query)
    nv = nc.needs_view(view)
    extra = view.state.extra
    note = nc.imputation_note(nv)
    if nv.empty:
        note = [dbc.Alert(_("No inbound contact in the period and filters."), color="info", className="py-2")]
    channels = nc.channel_options(nv)
    return (note, nc.matrix_rows(nv), nc.matrix_columns(nv), nc.pareto_figure(nv),
            nc.quality_rows(nv, view.settings.min_answers), nc.quality_columns(nv, view), nc.pending_note(nv, view),
            nc.need_options(nv), channels, channels,
            nc.what_if_result(nv, extra.get("need"), extra.get("src"), extra.get("dst"), share_of(extra.get("move"))))


@callback(
    Output(NAV_ID, "href", allow_duplicate=True),
    Input("needs-whatif-need", "value"), Input("needs-whatif-src", "value"), Input("needs-whatif-dst", "value"),
    Input("needs-whatif-move", "value"),
    State("needs-state", "data"),
    prevent_initial_call=True,
)
@inputs.takes(inputs.choice, inputs.choice, inputs.choice, inputs.number, inputs.query)
def update_what_if_url(need, source, target, move, query):
    """Write the what-if's choices to the URL; the page re-renders from it."""
    chosen = dict(zip(WHAT_IF_KEYS, (need, source, target, None if move is None else format(move, "g"))))
    chosen = {k: (v if isinstance(v, str) else None) for k, v in chosen.items()}
    if all(query.get(k) == chosen[k] for k in WHAT_IF_KEYS):
        return no_update
    return href("/needs", open_view(query).state.query(**chosen))
