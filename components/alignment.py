"""The alignment page's parts: each agent's four views (self-assessment, team lead, quality
team, customers) as grid rows and as a dot chart, the six pairs' agreement with their
definitions, and the evaluations and survey answers behind one agent's numbers, all as plain
functions. Every value from the data reaches the page as text (grid cells, chart labels
through ``plot_text``), never as markup."""
from __future__ import annotations

import pandas as pd
from dash import html

from components import inputs
from components.charts import base_layout, empty_figure, plot_text, title_layout
from components.view import View
from i18n import N_, _, formats
from metrics.alignment import (FORMULAS, MEASURE_LABELS, VIEW_LABELS, VIEWS, Alignment, alignment,
                               agent_answers, agent_evaluations, gap_text, mad_text, pair_label, r_text,
                               rule_text, score_text, view_cell)

# how the agents are listed (URL key ``sort``), looked up where shown
ORDERS = {"misaligned": N_("Misaligned first"), "team": N_("By team")}
VIEW_COLOURS = {"self": "#3498db", "manager": "#2c3e50", "quality": "#e67e22", "customer": "#18bc9c"}
VIEW_SYMBOLS = {"self": "circle", "manager": "square", "quality": "diamond", "customer": "star"}
VIEW_HELP = {
    "self": N_("mean score of the agent's own assessments in the period"),
    "manager": N_("mean score of the team lead's assessments of the agent in the period"),
    "quality": N_("mean score of the quality team's assessments of the agent in the period"),
    "customer": N_("mean of 100 × (satisfaction − 1) ÷ 4 over the survey answers of the period about contacts "
                   "the agent handled (satisfaction 1-5: 1 → 0, 3 → 50, 5 → 100)"),
}


def chosen_order(extra: dict) -> str:
    return extra.get("sort") if extra.get("sort") in ORDERS else "misaligned"


def chosen_agent(extra: dict) -> str | None:
    """The agent whose numbers are opened (URL key ``show``)."""
    return inputs.text(extra.get("show")) or None


def alignment_of(view: View) -> Alignment:
    return alignment(view.db, view.scope(), view.settings.alignment_min, view.settings.misaligned_points)


def ordered(agents: pd.DataFrame, order: str) -> pd.DataFrame:
    """The agents as listed: misaligned first (the widest spreads first), or by team and,
    within a team, misaligned first."""
    if order != "team" or agents.empty:
        return agents
    teams = agents["team"].where(agents["team"].notna(), None)
    key = pd.Series([(t is None, str(t or "")) for t in teams], index=agents.index)
    return agents.loc[sorted(agents.index, key=lambda i: key[i])].reset_index(drop=True)   # stable


def agent_label(row) -> str:
    """An agent as a person reads it: "Inès Roux (A005)", or its id alone."""
    name = row.get("name")
    return f"{name} ({row['agent']})" if isinstance(name, str) and name else str(row["agent"])


def agent_rows(agents: pd.DataFrame, min_values: int) -> list[dict]:
    """The agents' grid rows: numbers to sort by, text to show (a view without enough values
    with its count), the misaligned mark."""
    rows = []
    for r in agents.to_dict("records"):
        row = {"rid": str(r["agent"]), "agent": agent_label(r), "team": r["team"] if isinstance(r["team"], str)
               else "–", "spread": r["spread"], "spread__text": score_text(r["spread"]),
               "misaligned": ("⚑ " + _("misaligned")) if r["misaligned"] else "", "row": "misaligned"
               if r["misaligned"] else ""}
        for v in VIEWS:
            row[v], row[f"{v}__text"] = r[v], view_cell(r[v], r[f"{v}__n"], min_values)
            row[f"{v}__status"] = "few" if r[v] is None else None
        rows.append(row)
    return rows


def _number_column(field: str, title: str, tooltip: str) -> dict:
    return {"field": field, "headerName": title, "type": "rightAligned", "headerTooltip": tooltip,
            "valueFormatter": {"function": f"params.data['{field}__text']"}, "tooltipField": f"{field}__text",
            "cellClassRules": {"cell-few": f"params.data['{field}__status'] == 'few'"}}


def agent_columns(view: View) -> list[dict]:
    points = formats.number(view.settings.misaligned_points, 0)
    return ([{"field": "agent", "headerName": _("Agent"), "pinned": "left", "minWidth": 200},
             {"field": "team", "headerName": _("Team"), "minWidth": 110}]
            + [_number_column(v, _(VIEW_LABELS[v]), _(VIEW_HELP[v])) for v in VIEWS]
            + [_number_column("spread", _("Spread"), _(FORMULAS["spread"])),
               {"field": "misaligned", "headerName": _("Misaligned"), "minWidth": 130,
                "headerTooltip": _("the agent's views spread over {points} points", points=points),
                "cellClassRules": {"cell-missed": "params.value != ''"}}])


def pair_rows(pairs: dict) -> list[dict]:
    return [{"rid": p, "pair": pair_label(p), "n": v["n"], "gap": v["gap"], "gap__text": gap_text(v["gap"]),
             "mad": v["mad"], "mad__text": mad_text(v["mad"]), "r": v["r"], "r__text": r_text(v["r"])}
            for p, v in pairs.items()]


def pair_columns() -> list[dict]:
    text = lambda f: {"valueFormatter": {"function": f"params.data['{f}__text']"}}  # noqa: E731
    return [{"field": "pair", "headerName": _("Views (a – b)"), "minWidth": 240},
            {"field": "n", "headerName": _("Agents"), "type": "rightAligned",
             "headerTooltip": _("agents having both views")},
            *({"field": m, "headerName": _(MEASURE_LABELS[m]), "type": "rightAligned",
               "headerTooltip": _(FORMULAS[m]), **text(m)} for m in ("gap", "mad", "r"))]


def definitions(view: View) -> html.Div:
    """What each number of the page means, and the settings it is read with."""
    terms = [(_(VIEW_LABELS[v]), _(VIEW_HELP[v])) for v in VIEWS] + [
        (_(MEASURE_LABELS[m]), _(FORMULAS[m])) for m in ("spread", "gap", "mad", "r")]
    return html.Div([
        html.Dl([part for term, text in terms
                 for part in (html.Dt(term, className="col-sm-3"), html.Dd(text, className="col-sm-9 mb-1"))],
                className="row small mb-1"),
        html.P(rule_text(view.settings.alignment_min, view.settings.misaligned_points) + " "
               + _("An assessment about a contact has that contact's channel, queue and client; one about the "
                   "agent's work as a whole has the agent's client only, and a filter on a channel or a queue "
                   "leaves it out."), className="small text-muted mb-0"),
    ], id="alignment-definitions")


def views_figure(agents: pd.DataFrame) -> dict:
    """The four views of each agent on one line (0-100), the line between its lowest and
    highest view showing its spread; the agents in the grid's order, top to bottom."""
    if agents.empty:
        return empty_figure(_("No assessment or survey answer in this view"), height=260)
    labels = [plot_text(agent_label(r)) for r in agents.to_dict("records")]
    spans_x, spans_y = [], []
    for label, r in zip(labels, agents.to_dict("records")):
        shown = [r[v] for v in VIEWS if r[v] is not None]
        if len(shown) >= 2:
            spans_x += [min(shown), max(shown), None]
            spans_y += [label, label, None]
    data = [{"type": "scatter", "mode": "lines", "x": spans_x, "y": spans_y, "showlegend": False,
             "hoverinfo": "skip", "line": {"color": "#cfd8df", "width": 6}}]
    for v in VIEWS:
        values = [r[v] for r in agents.to_dict("records")]
        data.append({"type": "scatter", "mode": "markers", "name": plot_text(_(VIEW_LABELS[v])),
                     "x": values, "y": labels, "marker": {"color": VIEW_COLOURS[v], "symbol": VIEW_SYMBOLS[v],
                                                          "size": 10},
                     "hovertemplate": "%{y}: %{x:.1f}<extra>" + plot_text(_(VIEW_LABELS[v])) + "</extra>"})
    layout = base_layout(height=max(260, 26 * len(agents) + 130), hovermode="closest",
                         margin=dict(l=10, r=20, t=60, b=40))
    layout["yaxis"] = dict(layout["yaxis"], autorange="reversed", type="category", automargin=True)
    layout["xaxis"] = dict(layout["xaxis"], range=[0, 100], title=dict(text=_("score (0-100)")))
    return dict(data=data, layout=title_layout(layout, _("The four views of each agent")))


# ---------------------------------------------------------------- behind one agent's numbers

def _when(stamp) -> str:
    return "–" if stamp is None or pd.isna(stamp) else f"{formats.day(stamp.date())} {stamp:%H:%M}"


def _text(value) -> str:
    return value if isinstance(value, str) and value else "–"


def evaluation_rows(view: View, agent: str) -> list[dict]:
    """The agent's evaluations in the scope: a row about a contact in the data opens it."""
    rows = []
    for r in agent_evaluations(view.db, view.scope(), agent).to_dict("records"):
        linked = isinstance(r["contact_id"], str)       # the contact assessed, found in the data
        if linked:
            contact = f"{r['contact_id']} ›"
        elif isinstance(r["evaluated_contact"], str):
            contact = r["evaluated_contact"]
        else:
            contact = _("the agent's work as a whole")
        rows.append({"rid": f"e|{r['source']}|{r['evaluation_id']}", "when": _when(r["evaluated_at"]),
                     "view": _(VIEW_LABELS.get(r["view"], r["view"])), "score": float(r["score"]),
                     "score__text": score_text(r["score"]), "grid": _text(r["grid"]),
                     "evaluator": _text(r["evaluator"]),
                     "contact": contact,
                     "comment": _text(r["comment"]), "link": "link" if linked else ""})
    return rows


def evaluation_columns() -> list[dict]:
    return [{"field": "when", "headerName": _("Evaluated"), "minWidth": 150},
            {"field": "view", "headerName": _("View"), "minWidth": 130},
            {"field": "score", "headerName": _("Score"), "type": "rightAligned",
             "valueFormatter": {"function": "params.data['score__text']"}, "maxWidth": 100},
            {"field": "grid", "headerName": _("Assessment grid"), "minWidth": 160, "tooltipField": "grid"},
            {"field": "evaluator", "headerName": _("Evaluator"), "minWidth": 140, "tooltipField": "evaluator"},
            {"field": "contact", "headerName": _("Contact"), "minWidth": 150, "tooltipField": "contact",
             "cellClassRules": {"cell-link": "params.data.link == 'link'"}},
            {"field": "comment", "headerName": _("Evaluator's comment"), "minWidth": 240, "flex": 2,
             "tooltipField": "comment"}]


def answer_rows(view: View, agent: str) -> list[dict]:
    """The survey answers behind the agent's customer view; each opens its contact."""
    rows = []
    for r in agent_answers(view.db, view.scope(), agent).to_dict("records"):
        rows.append({"rid": f"a|{r['source']}|{r['response_id']}", "when": _when(r["responded_at"]),
                     "csat": int(r["csat"]), "csat__text": _("{score} / 5", score=formats.number(r["csat"])),
                     "value": float(r["value"]), "value__text": score_text(r["value"]),
                     "nps": None if pd.isna(r["nps"]) else int(r["nps"]),
                     "contact": f"{r['contact_id']} ›", "comment": _text(r["verbatim"]), "link": "link"})
    return rows


def answer_columns() -> list[dict]:
    text = lambda f: {"valueFormatter": {"function": f"params.data['{f}__text']"}}  # noqa: E731
    return [{"field": "when", "headerName": _("Answered on"), "minWidth": 150},
            {"field": "csat", "headerName": _("Satisfaction"), "type": "rightAligned", "maxWidth": 130, **text("csat")},
            {"field": "value", "headerName": _("On the 0-100 scale"), "type": "rightAligned", "maxWidth": 130,
             "headerTooltip": _("100 × (satisfaction − 1) ÷ 4"), **text("value")},
            {"field": "nps", "headerName": _("NPS"), "type": "rightAligned", "maxWidth": 90},
            {"field": "contact", "headerName": _("Contact"), "minWidth": 150,
             "cellClassRules": {"cell-link": "params.data.link == 'link'"}},
            {"field": "comment", "headerName": _("Comment"), "minWidth": 240, "flex": 2, "tooltipField": "comment"}]


def detail_title(agents: pd.DataFrame, agent: str) -> str:
    """The heading of an agent's numbers: its name, its views in short."""
    found = agents[agents["agent"] == agent]
    if found.empty:
        return _("Behind the numbers of {agent}", agent=agent)
    r = found.iloc[0].to_dict()
    views = ", ".join(f"{_(VIEW_LABELS[v]).lower()} {score_text(r[v])}" for v in VIEWS)
    return _("Behind the numbers of {agent}: {views}", agent=agent_label(r), views=views)
