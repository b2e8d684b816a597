"""Actions: the log of what was decided and done to move the indicators, with its measured effect."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from access.viewer import require
from components import actions as ac
from components import inputs
from components.view import NAV_ID, empty_state, filter_bar, href, nav_location, open_view, page_title, state_store
from data.actions import STATUSES, Action, create_action, edit_action, get_action, list_actions
from i18n import N_, _
from metrics.registry import KPIS

dash.register_page(__name__, path="/actions", name=N_("Actions"), title=page_title("Actions"), order=6)
# the URL's keys that only open the form (prefilled, or on an action to edit)
FORM_KEYS = ("edit", "kpi", "dclient", "dmonth")


def _editing(view) -> Action | None:
    raw = view.state.extra.get("edit", "")
    return get_action(view.db, int(raw), view.viewer.restrictions) if raw.isdigit() and len(raw) < 10 else None


def layout(**query):
    view = open_view(query)
    if not view.has_data:
        return empty_state()
    writes = view.viewer.may("actions")
    return html.Div([
        nav_location(),
        filter_bar(view, period=False),
        state_store("actions", view),
        ac.form(view, _editing(view), view.state.extra) if writes else None,
        html.H4(_("Actions"), className="side-title"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id="actions-filter-status", options=ac.status_options(), placeholder=_("Any status")),
                    md=3),
            dbc.Col(dcc.Dropdown(id="actions-filter-kpi", options=ac.kpi_options(), placeholder=_("Any indicator")),
                    md=4),
        ], className="g-2 mb-2"),
        dcc.Loading(html.Div(id="actions-list"), type="dot", delay_show=300),
    ])


@callback(Output("actions-list", "children"), Input("actions-state", "data"),
          Input("actions-filter-status", "value"), Input("actions-filter-kpi", "value"))
@inputs.takes(inputs.query, inputs.text, inputs.text)
def update_actions_list(query, status, kpi):
    view = open_view(query)
    found = list_actions(view.db, view.viewer.restrictions, status if status in STATUSES else None,
                         kpi if kpi in KPIS else None)
    return ac.action_list(view, found)


@callback(Output(NAV_ID, "href", allow_duplicate=True), Output("actions-message", "children"),
          Input("actions-save", "n_clicks"),
          State("actions-title", "value"), State("actions-description", "value"), State("actions-owner", "value"),
          State("actions-start", "date"), State("actions-end", "date"), State("actions-kpis", "value"),
          State("actions-status", "value"), State("actions-decision-client", "value"),
          State("actions-decision-month", "value"), State("actions-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.text, inputs.text, inputs.text, inputs.day, inputs.day, inputs.texts,
              inputs.text, inputs.text, inputs.text, inputs.query)
def update_save_action(_n, title, description, owner, start, end, kpis, status, dclient, dmonth, query):
    viewer = require("actions")
    view = open_view(query)
    editing = _editing(view)
    decision = None
    if dclient or dmonth:
        month = inputs.day(f"{dmonth or ''}-01") if dmonth and len(dmonth) == 7 else None
        if not dclient or month is None:
            return no_update, _("Not saved: {problem}.", problem=_("a decision is a client and a month"))
        decision = (dclient, month)
    fields = dict(title=title or "", description=description, owner=owner, starts_on=start, ends_on=end,
                  kpis=tuple(kpis), scope=ac.scope_of(view.state.filters, editing), status=status or "",
                  decision=decision)
    try:
        if editing:
            edit_action(view.db, editing.id, viewer.actor, viewer.restrictions, **fields)
        else:
            create_action(view.db, Action(None, **fields), viewer.actor, viewer.restrictions)
    except ValueError as exc:
        return no_update, _("Not saved: {problem}.", problem=exc)
    return href("/actions", {k: v for k, v in view.state.query().items() if k not in FORM_KEYS}), ""
