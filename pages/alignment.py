"""Assessment alignment: per agent, its own assessment, its team lead's, the quality team's and
its customers' side by side with their spread, misaligned agents first; how far each pair of
views agrees; and, for one agent (``show``), the evaluations and survey answers behind each
number, each answer opening its contact in explore."""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from components import alignment as al
from components import inputs
from components.charts import graph_config
from components.grids import fitted, grid
from components.responses import whole
from components.view import (NAV_ID, control_id, detail_in_url, empty_state, filled, filter_bar, href, nav_location,
                             open_view, page_title, state_store)
from i18n import N_, _, formats, ngettext
from i18n.labels import dropdown_texts
from metrics.alignment import linked_contact

dash.register_page(__name__, path="/alignment", name=N_("Assessments"), title=page_title("Assessments"), order=7)

AGENT_OPTIONS = {"rowClassRules": {"row-misaligned": "params.data.row == 'misaligned'"}}


def layout(**query):
    view = open_view(query)
    if not view.has_data:
        return empty_state()
    extra = view.state.extra
    return filled(html.Div([
        nav_location(),
        filter_bar(view),
        state_store("alignment", view),
        dbc.Row([
            dbc.Col(dbc.InputGroup([
                dbc.InputGroupText(_("Agents")),
                dcc.Dropdown(id=control_id("sort"), options=[{"label": _(v), "value": k} for k, v in al.ORDERS.items()],
                             value=al.chosen_order(extra), clearable=False, searchable=False,
                             style={"minWidth": "12rem"}, labels=dropdown_texts()),
            ], size="sm", className="flex-nowrap"), width="auto"),
            dbc.Col(html.Div(id="alignment-summary", className="small text-muted"), className="align-self-center"),
        ], className="g-2 mb-2"),
        html.H4(_("Four views of each agent"), className="side-title"),
        html.P(_("Click an agent to see the evaluations and survey answers behind its numbers."),
               className="small text-muted mb-1"),
        grid("alignment-agents", "alignment-grid", AGENT_OPTIONS, getRowId="params.data.rid"),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle(id="alignment-detail-title", className="fs-6")),
            dbc.ModalBody([
                html.Div(id="alignment-evaluations-count", className="small fw-semibold mb-1"),
                grid("alignment-evaluations", getRowId="params.data.rid"),
                html.Div(id="alignment-answers-count", className="small fw-semibold mt-3 mb-1"),
                grid("alignment-answers", getRowId="params.data.rid"),
                html.P(_("Click an assessment about a contact, or a survey answer, to open its contact."),
                       className="small text-muted mt-1 mb-0"),
            ], id="alignment-detail"),
        ], id="alignment-modal", size="xl", scrollable=True, is_open=False),
        dcc.Graph(id="alignment-chart", config=graph_config(), className="mt-3"),
        html.H4(_("How far the views agree"), className="side-title mt-3"),
        grid("alignment-pairs", getRowId="params.data.rid"),
        html.Div(al.definitions(view), className="mt-2"),
    ]), CONTENT, alignment_view, view.state.query())


# what the page shows of its view, filled in its layout (``alignment_view``'s values)
CONTENT = [("alignment-summary", "children"), ("alignment-agents", "rowData"),
           ("alignment-agents", "columnDefs"), ("alignment-agents", "dashGridOptions"),
           ("alignment-agents", "style"), ("alignment-chart", "figure"), ("alignment-pairs", "rowData"),
           ("alignment-pairs", "columnDefs"), ("alignment-modal", "is_open"),
           ("alignment-detail-title", "children"), ("alignment-evaluations-count", "children"),
           ("alignment-evaluations", "rowData"), ("alignment-evaluations", "columnDefs"),
           ("alignment-answers-count", "children"), ("alignment-answers", "rowData"),
           ("alignment-answers", "columnDefs")]


@whole
def alignment_view(query):
    """Everything the page shows for a query, in the order of ``CONTENT``."""
    view = open_view(query)
    result = al.alignment_of(view)
    agents = al.ordered(result.agents, al.chosen_order(view.state.extra))
    misaligned = int(agents["misaligned"].sum()) if len(agents) else 0
    summary = _("{agents}, {misaligned}", agents=ngettext("{count} agent", "{count} agents", len(agents),
                                                         count=formats.number(len(agents))),
                misaligned=ngettext("{count} misaligned", "{count} misaligned", misaligned,
                                    count=formats.number(misaligned)))
    rows = al.agent_rows(agents, view.settings.alignment_min)
    outputs = (summary, rows, al.agent_columns(view), *fitted(rows, AGENT_OPTIONS),
               al.views_figure(agents), al.pair_rows(result.pairs), al.pair_columns())
    agent = al.chosen_agent(view.state.extra)
    if agent is None:
        return outputs + (False, "", "", [], [], "", [], [])
    evaluations, answers = al.evaluation_rows(view, agent), al.answer_rows(view, agent)
    return outputs + (True, al.detail_title(agents, agent),
                      ngettext("{count} evaluation", "{count} evaluations", len(evaluations),
                               count=formats.number(len(evaluations))),
                      evaluations, al.evaluation_columns(),
                      ngettext("{count} survey answer with a satisfaction score",
                               "{count} survey answers with a satisfaction score", len(answers),
                               count=formats.number(len(answers))),
                      answers, al.answer_columns())


detail_in_url("/alignment", "alignment-agents", "alignment-modal", "show")     # an agent's numbers


def contact_href(view, row_id: str | None) -> str | None:
    """Explore's page of the contact an evaluation or survey answer row is about (its own day,
    its agent's contacts, the contact open), when it is in the viewer's scope."""
    kind, _sep, rest = (row_id or "").partition("|")
    source, _sep, key = rest.partition("|")
    if kind not in ("e", "a") or not source or not key:
        return None
    found = linked_contact(view.db, view.scope(), "evaluation" if kind == "e" else "answer", source, key)
    if found is None or not isinstance(found["agent"], str):
        return None
    day = found["day"].isoformat()
    return href("/explore", {"from": day, "to": day, "by": "agent", "path": f"agent:{found['agent']}",
                             "contact": f"{found['source']}|{found['contact_id']}"})


@callback(Output(NAV_ID, "href", allow_duplicate=True), Input("alignment-evaluations", "cellClicked"),
          Input("alignment-answers", "cellClicked"), State("alignment-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.cell, inputs.cell, inputs.query)
def update_open_contact(evaluation, answer, query):
    """A click on an assessment about a contact, or on a survey answer, opens the contact."""
    row = answer if ctx.triggered_id == "alignment-answers" else evaluation
    target = contact_href(open_view(query), row)
    return target or no_update
