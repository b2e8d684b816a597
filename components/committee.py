"""The committee review's parts, shared by the page and its exports: which client and month,
the review itself, and how its figures read (target, result, month)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import html
from plotly.subplots import make_subplots

from components.charts import AXIS, COLOURS, FONT
from components.kpi import help_text, value_text
from components.state import preset_period
from components.view import View
from metrics.committee import RESULT, WORST_ORDER_TEXT, Review, add_months, committee_review, month_start
from metrics.query import Scope, dimension_values
from metrics.registry import KPIS
from settings import contract_for

RESULT_COLOURS = {"met": "#18bc9c", "close": "#f39c12", "missed": "#e74c3c", None: "#b4bcc2"}
BADGE_COLOURS = {"met": "success", "close": "warning", "missed": "danger"}
VOLUME_COLUMNS = (("channel", "Channel"), ("offered", "Inbound offered"),
                  ("handled", "Handled (inbound + outbound reached)"), ("attempts", "Outbound attempts"),
                  ("responses", "Survey responses"), ("handled_previous", "Handled, previous month"))


@dataclass(frozen=True)
class Choice:
    clients: list[str]
    client: str | None
    months: list[date]          # the months with data, latest first
    month: date


def choose(view: View) -> Choice:
    """The client and month of the URL when the data have them, else the first client and
    the last full month."""
    everything = Scope(view.first, view.last, restrictions=view.scope().restrictions)
    clients = dimension_values(view.db, everything, ["client"])["client"]
    asked = view.state.filters.get("client", ())
    client = asked[0] if asked and asked[0] in clients else (clients[0] if clients else None)
    months, m = [], view.last.replace(day=1)
    while m >= view.first.replace(day=1):
        months.append(m)
        m = add_months(m, -1)
    default = preset_period("last_month", view.last)[0]
    month = month_start(view.state.extra.get("month"), default if default in months else months[0])
    return Choice(clients, client, months, month if month in months else months[0])


def review_of(view: View, client: str, month: date) -> Review:
    return committee_review(view.db, view.scope(), client, month, contract_for(view.settings, client),
                            view.targets, view.settings.kpi)


def month_label(month: date) -> str:
    return f"{month:%B %Y}"


def title(review: Review) -> str:
    return f"Committee review – {review.client} – {month_label(review.month)}"


def filename(review: Review, ext: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in review.client).strip("-")
    return f"committee-{safe}-{review.month:%Y-%m}.{ext}"


def target_text(kpi_id: str, target, amber=None) -> str:
    """'≥ 80.0 %' (higher is better) or '≤ 30 s'; with its tolerance when there is one."""
    if target is None or target != target:
        return "no target"
    sign = "≥" if KPIS[kpi_id].better == "higher" else "≤"
    text = f"{sign} {value_text(kpi_id, target)}"
    return text if amber is None or amber != amber else f"{text} (tolerance {value_text(kpi_id, amber)})"


def result_text(state: str | None) -> str:
    """'✓ Met', '✗ Missed', '! Missed, within tolerance'; '–' without a target or a value."""
    if state is None or state != state:
        return "–"
    word, icon = RESULT[state]
    return f"{icon} {word}"


def _value(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def indicator_table(review: Review, view: View) -> dbc.Table:
    head = ("Contractual indicator", "Target", "Actual", "Result", "Previous month", "Met, last 12 months")
    rows = []
    for r in review.indicators.to_dict("records"):
        state = _value(r["status"])
        rows.append(html.Tr([
            html.Td(html.Span(r["label"], title=help_text(r["kpi"], view.settings.kpi), className="help-label")),
            html.Td(target_text(r["kpi"], _value(r["target"]), _value(r["amber"]))),
            html.Td(value_text(r["kpi"], _value(r["actual"])), className="num fw-semibold"),
            html.Td(dbc.Badge(result_text(state), color=BADGE_COLOURS[state], className="status-badge")
                    if state else "–", className="result"),
            html.Td(value_text(r["kpi"], _value(r["previous"])), className="num"),
            html.Td(f"{r['months_met']} of {r['months_judged']}" if r["months_judged"] else "–", className="num"),
        ], id={"role": "committee-indicator", "key": r["indicator"]}))
    return dbc.Table([html.Thead(html.Tr([html.Th(h, className="num" if n in (2, 4, 5) else None)
                                          for n, h in enumerate(head)])), html.Tbody(rows)],
                     size="sm", className="bg-white committee-table", id="committee-indicators")


def history_figure(review: Review) -> go.Figure:
    """One small chart per indicator: the last 12 months as bars coloured by result, and the
    target as a dashed line."""
    n = len(review.indicators)
    cols = 4 if n > 6 else 3
    nrows = max(1, math.ceil(n / cols))
    fig = make_subplots(rows=nrows, cols=cols, subplot_titles=review.indicators["label"].tolist(),
                        vertical_spacing=0.55 / nrows, horizontal_spacing=0.06)
    for i, r in enumerate(review.indicators.to_dict("records")):
        row, col = i // cols + 1, i % cols + 1
        h = review.history[review.history["indicator"] == r["indicator"]]
        states = [_value(s) for s in h["status"]]
        fig.add_bar(x=[f"{m:%b %y}" for m in h["month"]], y=[_value(v) for v in h["value"]],
                    marker_color=[RESULT_COLOURS[s] for s in states], showlegend=False, row=row, col=col,
                    hovertext=[f"{value_text(r['kpi'], _value(v))} {result_text(s)}"
                               for v, s in zip(h["value"], states)], hoverinfo="x+text")
        if _value(r["target"]) is not None:
            fig.add_hline(y=r["target"], line=dict(color=COLOURS["delivered"], dash="dash", width=1.2),
                          row=row, col=col)
    fig.update_layout(template="none", height=230 * nrows, font=FONT, paper_bgcolor="white",
                      plot_bgcolor="white", margin=dict(l=40, r=20, t=40, b=30), bargap=0.25)
    fig.update_annotations(font=dict(size=12))
    fig.update_xaxes(AXIS, tickangle=-45, tickfont=dict(size=9))
    fig.update_yaxes(AXIS, tickfont=dict(size=9))
    return fig


def volume_table(review: Review) -> dbc.Table:
    v = review.volumes
    body = [html.Tr([html.Td(r["channel"] if r["channel"] is not None else "(none)")] +
                    [html.Td(f"{int(r[c]):,}", className="num") for c, _ in VOLUME_COLUMNS[1:]])
            for r in v.to_dict("records")]
    body.append(html.Tr([html.Td("Total")] + [html.Td(f"{int(v[c].sum()):,}", className="num")
                                              for c, _ in VOLUME_COLUMNS[1:]], className="total"))
    return dbc.Table([html.Thead(html.Tr([html.Th(h, className="num" if c != "channel" else None)
                                          for c, h in VOLUME_COLUMNS])), html.Tbody(body)],
                     size="sm", className="bg-white committee-table", id="committee-volumes")


def score_text(r: dict) -> str:
    parts = [f"{name} {int(r[k])}" for k, name in (("nps", "NPS"), ("csat", "satisfaction"), ("ces", "effort"))
             if _value(r[k]) is not None]
    return ", ".join(parts)


def verbatim_table(review: Review) -> html.Div:
    if review.verbatims.empty:
        return html.P("No survey comment this month.", className="text-muted")
    rows = [html.Tr([html.Td(f"{r['responded_at']:%d/%m %H:%M}", className="text-nowrap"),
                     html.Td(r["channel"] or "–"), html.Td(score_text(r), className="text-nowrap"),
                     html.Td(r["verbatim"], className="verbatim")])
            for r in review.verbatims.to_dict("records")]
    return html.Div([
        html.P(f"The month's {len(rows)} worst-scored comments, {WORST_ORDER_TEXT}.", className="small text-muted mb-1"),
        dbc.Table([html.Thead(html.Tr([html.Th(h) for h in ("Answered", "Channel", "Scores", "Comment")])),
                   html.Tbody(rows)], size="sm", className="bg-white committee-table", id="committee-verbatims"),
    ])
