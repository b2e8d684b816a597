"""The customers' comments: what they say per category over time and per channel, queue,
agent or client, and the list of those at risk (legal risk and extreme dissatisfaction first)
down to the contact behind each."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components import comments as cm
from components.charts import graph_config
from components.explore import DIMENSION_LABELS
from components.grids import fitted, grid
from components.responses import whole
from components.view import (control_id, detail_in_url, empty_state, filled, filter_bar, nav_location, open_view,
                             page_title, state_store)
from i18n import N_, _, formats, ngettext
from i18n.labels import dropdown_texts
from metrics.comments import category_ids

dash.register_page(__name__, path="/comments", name=N_("Comments"), title=page_title("Comments"), order=6)


LIST_OPTIONS = {"rowClassRules": {"row-legal": "params.data.risk == 'legal'",
                                  "row-extreme": "params.data.risk == 'extreme'"},
                "rowHeight": cm.LIST_ROW_HEIGHT}


def layout(**query):
    view = open_view(query)
    if not view.has_data:
        return empty_state()
    extra = view.state.extra
    categories = [{"label": cm.category_label(c), "value": c} for c in [*category_ids(), "extreme"]]
    return filled(html.Div([
        nav_location(),
        filter_bar(view),
        state_store("comments", view),
        html.P(_("Each comment is read by readable rules (the README tells how to write one): its categories, "
                 "with the words that show them, and its tone, indicative, read from the text alone."),
               className="small text-muted mb-1"),
        html.Div(id="comments-summary"),
        dcc.Graph(id="comments-trend", config=graph_config()),
        html.H4(_("By dimension"), className="side-title mt-2"),
        dbc.Row(dbc.Col(dbc.InputGroup([
            dbc.InputGroupText(_("By")),
            dbc.Select(id=control_id("by"), value=cm.chosen_by(extra),
                       options=[{"label": _(DIMENSION_LABELS[d]), "value": d} for d in cm.BY])]), md=3)),
        grid("comments-split"),
        html.H4(_("Comments at risk first"), className="side-title mt-3"),
        dbc.Row([dbc.Col(dcc.Dropdown(id=control_id("category"), options=categories, value=cm.chosen_category(extra),
                                      placeholder=_("Every comment"), labels=dropdown_texts()), md=4),
                 dbc.Col(html.Div(id="comments-count", className="small text-muted"), className="align-self-center")]),
        grid("comments-list", getRowId="params.data.key", options=LIST_OPTIONS),
        dbc.Modal([dbc.ModalHeader(dbc.ModalTitle(_("The comment"))), dbc.ModalBody(id="comments-detail")],
                  id="comments-modal", size="lg", is_open=False),
    ]), CONTENT, comments_content, view.state.query())


# what the page shows of its view, filled in its layout (``comments_content``'s values)
CONTENT = [("comments-summary", "children"), ("comments-trend", "figure"), ("comments-split", "rowData"),
           ("comments-split", "columnDefs"), ("comments-list", "rowData"), ("comments-list", "columnDefs"),
           ("comments-list", "dashGridOptions"), ("comments-list", "style"), ("comments-count", "children"),
           ("comments-modal", "is_open"), ("comments-detail", "children")]


@whole
def comments_content(query):
    view = open_view(query)
    extra = view.state.extra
    by_time, grain = cm.trend(view)
    total = by_time.drop(columns="group").sum().to_dict() if not by_time.empty else {}
    split, split_columns = cm.split_rows(view, cm.chosen_by(extra))
    rows, found = cm.risk_rows(view, cm.chosen_category(extra))
    count = ngettext("{count} comment", "{count} comments", found, count=formats.number(found))
    if found > len(rows):
        count = _("{count}; the {shown} first are shown", count=count, shown=formats.number(len(rows)))
    is_open, body = cm.detail(view, extra.get("comment"))
    return (cm.summary_cards(total), cm.trend_figure(view, by_time, grain), split, split_columns,
            rows, cm.risk_columns(), *fitted(rows, LIST_OPTIONS), count, is_open, body)


detail_in_url("/comments", "comments-list", "comments-modal", "comment")
