"""The committee review's parts, shared by the page and its exports: which client and month,
the review itself, and how its figures read (target, result, month)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import dash_bootstrap_components as dbc
from dash import html

from components.charts import AXIS, COLOURS, FONT
from components.kpi import help_text, value_text
from components.view import View
from metrics.committee import RESULT, WORST_ORDER_TEXT, Review, committee_review, month_start
from metrics.periods import add_months, last_full_month
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
    default = last_full_month(view.last)[0]
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


def history_figure(review: Review) -> dict:
    """One small chart per indicator: the last 12 months as bars coloured by result, and the
    target as a dashed line. Laid out by hand as a plain figure (Plotly's subplot helpers
    took half a second for a dozen charts)."""
    n = len(review.indicators)
    cols = 4 if n > 6 else 3
    nrows = max(1, math.ceil(n / cols))
    gap_x, gap_y = 0.06, 0.55 / nrows
    width, height = (1 - (cols - 1) * gap_x) / cols, (1 - (nrows - 1) * gap_y) / nrows
    data, shapes, titles = [], [], []
    layout = dict(template="none", height=230 * nrows, font=FONT, paper_bgcolor="white",
                  plot_bgcolor="white", margin=dict(l=40, r=20, t=40, b=30), bargap=0.25)
    for i, r in enumerate(review.indicators.to_dict("records")):
        left, top = (i % cols) * (width + gap_x), 1 - (i // cols) * (height + gap_y)
        axis = "" if i == 0 else str(i + 1)
        layout[f"xaxis{axis}"] = dict(AXIS, anchor=f"y{axis}", domain=[left, left + width], tickangle=-45,
                                      tickfont=dict(size=9))
        layout[f"yaxis{axis}"] = dict(AXIS, anchor=f"x{axis}", domain=[top - height, top], tickfont=dict(size=9))
        titles.append(dict(text=r["label"], x=left + width / 2, y=top, xref="paper", yref="paper",
                           xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=12)))
        h = review.history[review.history["indicator"] == r["indicator"]]
        states = [_value(s) for s in h["status"]]
        data.append(dict(type="bar", x=[f"{m:%b %y}" for m in h["month"]], y=[_value(v) for v in h["value"]],
                         xaxis=f"x{axis}", yaxis=f"y{axis}", showlegend=False, hoverinfo="x+text",
                         marker=dict(color=[RESULT_COLOURS[s] for s in states]),
                         hovertext=[f"{value_text(r['kpi'], _value(v))} {result_text(s)}"
                                    for v, s in zip(h["value"], states)]))
        if _value(r["target"]) is not None:
            shapes.append(dict(type="line", xref=f"x{axis} domain", x0=0, x1=1, yref=f"y{axis}",
                               y0=r["target"], y1=r["target"],
                               line=dict(color=COLOURS["delivered"], dash="dash", width=1.2)))
    return dict(data=data, layout=dict(layout, shapes=shapes, annotations=titles))


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
