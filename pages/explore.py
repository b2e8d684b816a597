"""Explore: every KPI per member of a dimension, a bar chart of one, and a drill-down from
any member to the contacts behind it (each step in the URL's ``path``)."""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from components import explore as ex
from components.grids import fitted, grid
from components.view import (NAV_ID, control_id, detail_in_url, empty_state, filled, filter_bar, href, nav_location,
                             open_view, state_store)
from data.exports import csv_bytes, xlsx_bytes
from metrics.contacts import SORTS, contact_detail
from metrics.registry import KPIS
from components import inputs
from components.charts import graph_config
from i18n.labels import channel_label, dropdown_texts, survey_label
from components.view import page_title
from components.responses import whole
from i18n import N_, _, formats, ngettext

dash.register_page(__name__, path="/explore", name=N_("Explore"), title=page_title("Explore"), order=1)

SORT_LABELS = {"recent": N_("Most recent first"), "oldest": N_("Oldest first"),
               "longest_wait": N_("Longest wait first"), "longest_handle": N_("Longest handle time first")}


def layout(**query):
    view = open_view(query)
    if not view.has_data:
        return empty_state()
    extra = view.state.extra
    options = lambda pairs: [{"label": _(l), "value": v} for v, l in pairs]  # noqa: E731
    return filled(html.Div([
        nav_location(),
        filter_bar(view),
        state_store("explore", view),
        dbc.Row([
            dbc.Col(dbc.InputGroup([
                dbc.InputGroupText(_("By")),
                dcc.Dropdown(id=control_id("by"), options=options(ex.DIMENSION_LABELS.items()),
                             value=ex.chosen_by(extra), clearable=False, style={"minWidth": "10rem"},
                             labels=dropdown_texts()),
            ], size="sm", className="flex-nowrap"), width="auto"),
            dbc.Col(html.Div(id="explore-breadcrumb"), className="align-self-center"),
        ], className="g-2 mb-2"),
        html.Div(id="explore-kpis", children=[
            dbc.Row([
                dbc.Col(dbc.InputGroup([
                    dbc.InputGroupText(_("Columns")),
                    dcc.Dropdown(id=control_id("cols"), options=ex.column_options(), multi=True,
                                 value=ex.chosen_columns(extra), clearable=False, style={"minWidth": "30rem"},
                                 labels=dropdown_texts()),
                ], size="sm", className="flex-nowrap"), width="auto"),
            ], className="g-2 mb-2"),
            html.Div(id="explore-notes", className="small kpi-note mb-1"),
            grid("explore-grid", getRowId="params.data.rid"),
            html.Div([
                dbc.Button(_("Download CSV"), id="explore-csv", size="sm", color="secondary", outline=True,
                           className="me-2"),
                dbc.Button(_("Download Excel"), id="explore-xlsx", size="sm", color="secondary", outline=True),
                html.Span(_("Click a row or a bar to drill down."), className="text-muted small ms-3"),
            ], className="my-2"),
            dbc.Row([
                dbc.Col(dcc.Dropdown(id=control_id("kpi"), options=[
                    {"label": KPIS[k].label(), "value": k} for k in ex.CHART_KPIS], value=ex.chosen_kpi(extra),
                    clearable=False, labels=dropdown_texts()), md=4),
            ], className="g-2 mt-3"),
            dcc.Graph(id="explore-bars", config=graph_config()),
        ]),
        html.Div(id="explore-contacts", children=[
            dbc.Row([
                dbc.Col(html.Div(id="explore-contacts-count", className="fw-semibold"), className="align-self-center"),
                dbc.Col(dcc.Dropdown(id=control_id("sort"), options=options(SORT_LABELS.items()),
                                     value=extra.get("sort") if extra.get("sort") in SORTS else "recent",
                                     clearable=False, labels=dropdown_texts()), md=3),
            ], className="g-2 mb-2"),
            grid("explore-contact-grid", getRowId="params.data.key"),
            html.Div([
                dcc.Link(_("‹ Previous"), id="explore-prev", href="", className="btn btn-sm btn-outline-secondary me-2"),
                html.Span(id="explore-page", className="small text-muted me-2"),
                dcc.Link(_("Next ›"), id="explore-next", href="", className="btn btn-sm btn-outline-secondary"),
                dbc.Button(_("Download CSV"), id="explore-contacts-csv", size="sm", color="secondary",
                           outline=True, className="ms-3"),
            ], className="my-2"),
        ]),
        dbc.Modal([dbc.ModalHeader(dbc.ModalTitle(_("Contact"))), dbc.ModalBody(id="explore-detail")],
                  id="explore-modal", size="lg", is_open=False),
        dcc.Download(id="explore-download"),
    ]), CONTENT, explore_view, view.state.query())


# what the page shows of its view, filled in its layout (``explore_view``'s values)
CONTENT = [("explore-breadcrumb", "children"), ("explore-kpis", "style"), ("explore-contacts", "style"),
           ("explore-grid", "rowData"), ("explore-grid", "columnDefs"), ("explore-grid", "dashGridOptions"),
           ("explore-grid", "style"), ("explore-bars", "figure"), ("explore-notes", "children"),
           ("explore-contact-grid", "rowData"), ("explore-contact-grid", "columnDefs"),
           ("explore-contact-grid", "dashGridOptions"), ("explore-contact-grid", "style"),
           ("explore-contacts-count", "children"), ("explore-page", "children"), ("explore-prev", "href"),
           ("explore-next", "href"), ("explore-modal", "is_open"), ("explore-detail", "children")]


def _breadcrumb(view, by, steps):
    names = ex.agent_names(view, steps)
    items = [{"label": _("All"),
              "href": view.state.href("/explore", path=None, page=None, contact=None),
              "active": not steps}]
    for i, (dim, value) in enumerate(steps):
        last = i == len(steps) - 1
        member = names.get(value, value) if dim == "agent" else channel_label(value) if dim == "channel" else value
        items.append({"label": _("{dimension}: {member}", dimension=_(ex.DIMENSION_LABELS[dim]), member=member),
                      "active": last,
                      "href": view.state.href("/explore", path=ex.format_path(steps[:i + 1]),
                                              page=None, contact=None)})
    level = ex.level_of(by, steps)
    items.append({"label": _("contacts") if level is None else
                  _("by {dimension}", dimension=_(ex.DIMENSION_LABELS[level]).lower()),
                  "active": True})
    return dbc.Breadcrumb(items=items, className="mb-0 small", id="explore-path")


@whole
def explore_view(query):
    """Everything the page shows for a query, in the order of ``CONTENT``."""
    view = open_view(query)
    extra = view.state.extra
    by = ex.chosen_by(extra)
    steps = ex.first_path(by, ex.parse_path(extra.get("path")))
    level = ex.level_of(by, steps)
    scope = ex.drill_scope(view.scope(), steps)
    hidden, shown = {"display": "none"}, {}
    if level is not None:     # a contact named in the URL (from another page) opens over the table
        table = ex.explore_table(view, scope, level)
        rows, total = ex.grid_rows(table, view, scope, level)
        return (_breadcrumb(view, by, steps), shown, hidden, rows,
                ex.grid_columns(level, view, table, ex.chosen_columns(extra)),
                *fitted(rows, {"pinnedBottomRowData": total}),
                ex.bar_figure(table, ex.chosen_kpi(extra), level, view, scope), ex.notes(table, view, scope),
                [], [], *fitted([]), "", "", "", "", *_detail(view, scope, extra.get("contact")))
    sort = extra.get("sort") if extra.get("sort") in SORTS else "recent"
    page = ex.contacts_page(view, scope, int(extra["page"]) if extra.get("page", "").isdigit() else 0, sort)
    first = page.page * page.page_size + 1 if page.total else 0
    count = ngettext("{count} contact", "{count} contacts", page.total, count=formats.number(page.total))
    if page.total:
        count = _("{contacts} (showing {first}–{last})", contacts=count, first=formats.number(first),
                  last=formats.number(first + len(page.rows) - 1))
    prev_href = view.state.href("/explore", page=page.page - 1 or None) if page.page > 0 else view.state.href("/explore")
    next_href = view.state.href("/explore", page=min(page.page + 1, page.pages - 1) or None)
    is_open, body = _detail(view, scope, extra.get("contact"))
    contacts = ex.contact_rows(page)
    return (_breadcrumb(view, by, steps), hidden, shown, [], [], *fitted([]), no_update, None,
            contacts, ex.contact_columns(), *fitted(contacts), count,
            _("page {page} of {pages}", page=formats.number(page.page + 1), pages=formats.number(page.pages)),
            prev_href, next_href, is_open, body)


def _detail(view, scope, key):
    if not key or "|" not in key:
        return False, None
    source, contact_id = key.split("|", 1)
    found = contact_detail(view.db, scope, source, contact_id)
    if found is None:
        return True, dbc.Alert(_("This contact is not in the current view."), color="warning")
    contact, answers = found
    fields = html.Dl([part for label, text in ex.detail_fields(contact)
                      for part in (html.Dt(label, className="col-sm-4"), html.Dd(text, className="col-sm-8"))],
                     className="row mb-2")
    surveys = [html.H6(_("Survey answers"), className="mt-3")] + ([
        dbc.Card(dbc.CardBody([
            html.Div(f"{formats.day(a['responded_at'].date())} {a['responded_at']:%H:%M} · "
                     + (survey_label(a["survey"]) if isinstance(a["survey"], str) else _("survey")),
                     className="small text-muted"),
            html.Div(" · ".join(_answer(name, v) for name, v in (("nps", a["nps"]), ("csat", a["csat"]),
                                                                 ("ces", a["ces"]), ("resolved", a["resolved"]))
                                if v is not None and v == v)),
            html.Blockquote(a["verbatim"], className="mb-0 mt-1 fst-italic") if isinstance(a["verbatim"], str) else None,
        ]), className="mb-2") for a in answers.to_dict("records")] or [html.P(_("No survey answer."),
                                                                              className="text-muted")])
    return True, html.Div([fields] + surveys, id="explore-detail-body")


def _answer(name: str, value) -> str:
    """One score of a survey answer, in words: ``NPS 9``, ``effort 6``, ``resolved: yes``."""
    if name == "resolved":
        return _("resolved: yes") if bool(value) else _("resolved: no")
    score = formats.number(value, 0 if float(value).is_integer() else 1)
    return {"nps": _("NPS {score}", score=score), "csat": _("CSAT {score}", score=score),
            "ces": _("effort {score}", score=score)}[name]


def _drill(query, member):
    view = open_view(query)
    by = ex.chosen_by(view.state.extra)
    steps = ex.first_path(by, ex.parse_path(view.state.extra.get("path")))
    level = ex.level_of(by, steps)
    if level is None or member is None:
        return no_update
    path = ex.format_path(steps + [(level, member)])
    return href("/explore", view.state.query(path=path, page=None, contact=None))


@callback(Output(NAV_ID, "href", allow_duplicate=True), Input("explore-grid", "cellClicked"),
          State("explore-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.cell, inputs.query)
def update_drill_from_row(member, query):
    return no_update if member in (None, "", ex.TOTAL_ROW) else _drill(query, member)


@callback(Output(NAV_ID, "href", allow_duplicate=True), Input("explore-bars", "clickData"),
          State("explore-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.point, inputs.query)
def update_drill_from_bar(member, query):
    return _drill(query, member or None)


detail_in_url("/explore", "explore-contact-grid", "explore-modal", "contact")


@callback(Output("explore-download", "data"), Input("explore-csv", "n_clicks"),
          Input("explore-xlsx", "n_clicks"), Input("explore-contacts-csv", "n_clicks"),
          State("explore-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.count, inputs.count, inputs.query)
def update_download(_csv, _xlsx, _contacts, query):
    view = open_view(query)
    by = ex.chosen_by(view.state.extra)
    steps = ex.first_path(by, ex.parse_path(view.state.extra.get("path")))
    level = ex.level_of(by, steps)
    scope = ex.drill_scope(view.scope(), steps)
    if ctx.triggered_id == "explore-contacts-csv" or level is None:
        frame = ex.contacts_file(view, scope)
        return dcc.send_bytes(csv_bytes(frame), ex.download_name(view, _("contacts")) + ".csv")
    table, name = ex.download_frame(ex.explore_table(view, scope, level), level), ex.by_text(level)
    if ctx.triggered_id == "explore-xlsx":
        return dcc.send_bytes(xlsx_bytes(table.frame, name, table.number_formats),
                              ex.download_name(view, name) + ".xlsx")
    return dcc.send_bytes(csv_bytes(table.frame), ex.download_name(view, name) + ".csv")
