"""The committee review's parts, shared by the page and its exports: which client and month,
the review itself, and how its figures read (target, result, month)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Sequence

import dash_bootstrap_components as dbc
from babel import dates
from dash import html

from components.actions import annotate_months
from components.comments import category_label
from components.charts import AXIS, COLOURS, FONT, plot_text
from i18n.labels import channel_label
from i18n import N_, _, current, formats, ngettext
from components.kpi import Reading, answers_text, change_text, help_text, value_text
from components.focus import HOT_ONLY
from components.view import View
from data.actions import Action
from metrics.committee import RESULT, WORST_ORDER_TEXT, Review, committee_review, month_start
from metrics.periods import add_months, last_full_month
from metrics.query import Scope, dimension_values
from metrics.registry import KPIS
from settings import contract_for

RESULT_COLOURS = {"met": "#18bc9c", "close": "#f39c12", "missed": "#e74c3c", None: "#b4bcc2"}
BADGE_COLOURS = {"met": "success", "close": "warning", "missed": "danger"}
# (their headers are looked up where they are shown)
VOLUME_COLUMNS = (("channel", N_("Channel")), ("offered", N_("Inbound offered")),
                  ("handled", N_("Handled (inbound + outbound reached)")), ("attempts", N_("Outbound attempts")),
                  ("responses", N_("Survey responses")), ("handled_previous", N_("Handled, previous month")))
SCORES = (("nps", N_("NPS")), ("csat", N_("satisfaction")), ("ces", N_("effort")))


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
                            view.targets, view.settings.kpi, min_answers=view.settings.min_answers,
                            first=view.first)


def actual_text(r: dict) -> str:
    """The month's value of an indicator: "pending" when its contacts are all pending, the
    count beside a score from too few answers."""
    reading = Reading(r["kpi"], _value(r["actual"]), int(r["n"]), int(r["pending"]))
    return f"{reading.text} ({answers_text(reading.n)})" if r["too_few"] else reading.text


def unjudged_text(r: dict) -> str:
    """Why an indicator of the month has no result: too few answers, contacts pending, no target."""
    if r["too_few"]:
        return _("too few answers")
    if r["pending"] and _value(r["actual"]) is None:
        return _("pending")
    return _("no target") if _value(r["target"]) is None else "–"


def change_cell(r: dict, other: str) -> str:
    """The change against the previous month or last year (``other``), in the KPI's unit."""
    if other == "last_year" and not r["covered_last_year"]:
        return _("not in the data")
    actual = None if r["too_few"] else _value(r["actual"])
    return change_text(r["kpi"], actual, _value(r[other]), "")[0]


def indicator_notes(review: Review, view: View) -> list[str]:
    """What a reader of the indicators must know: contacts pending, scores from too few answers."""
    notes = []
    for r in review.indicators.to_dict("records"):
        if r["pending"]:
            note = view.maturity.note(r["kpi"], int(r["pending"]), review.month)
            notes.append(_("{kpi}: {note}.", kpi=r["label"], note=note))
        if r["too_few"]:
            notes.append(_("{indicator}: {answers} this month, fewer than {minimum}: too few to judge.",
                           indicator=r["label"], answers=answers_text(int(r["n"])),
                           minimum=formats.number(view.settings.min_answers)))
    if any(KPIS[k].base == "surveys" for k in review.indicators["kpi"]):
        notes.append(_(HOT_ONLY))
    return notes


def month_label(month: date) -> str:
    """"novembre 2026", "November 2026"."""
    return formats.month(month)


def _month(value) -> date:
    """A month of the history as a date (a timestamp's day)."""
    return value.date() if isinstance(value, datetime) or hasattr(value, "to_pydatetime") else value


def short_month(month: date, year: bool = True) -> str:
    """A month on a chart's axis: "nov. 26", "Nov 26" (without its year: "nov.", "Nov")."""
    return dates.format_date(month, "LLL yy" if year else "LLL", locale=current())


def title(review: Review) -> str:
    if review.client is None:
        return _("Monthly summary – {month}", month=month_label(review.month))
    return _("Committee review – {client} – {month}", client=review.client, month=month_label(review.month))


def filename(review: Review, ext: str) -> str:
    """The export's file name, in the reader's language ("comite-…" in French)."""
    if review.client is None:
        return "-".join((_("summary"), f"{review.month:%Y-%m}")) + f".{ext}"
    safe = "".join(ch if ch.isalnum() else "-" for ch in review.client).strip("-")
    return "-".join((_("committee"), safe, f"{review.month:%Y-%m}")) + f".{ext}"


def scope_sentence(review: Review) -> str:
    """Whose figures a review holds, for the exports' subtitle."""
    if review.client is None:
        return _("Every client, {month}, against the targets in force.", month=month_label(review.month))
    return _("The client's own scope, {month}, against the contract's targets.", month=month_label(review.month))


def target_text(kpi_id: str, target, amber=None) -> str:
    """'≥ 80.0 %' (higher is better) or '≤ 30 s'; with its tolerance when there is one."""
    if target is None or target != target:
        return _("no target")
    sign = "≥" if KPIS[kpi_id].better == "higher" else "≤"
    text = f"{sign} {value_text(kpi_id, target)}"
    return text if amber is None or amber != amber else _("{target} (tolerance {amber})", target=text,
                                                          amber=value_text(kpi_id, amber))


def result_text(state: str | None) -> str:
    """'✓ Met', '✗ Missed', '! Missed, within tolerance'; '–' without a target or a value."""
    if state is None or state != state:
        return "–"
    word, icon = RESULT[state]
    return f"{icon} {_(word)}"


def _value(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


INDICATOR_HEAD = (N_("Contractual indicator"), N_("Target"), N_("Actual"), N_("Result"), N_("Previous month"),
                  N_("Change"), N_("Same month last year"), N_("Change"), N_("Met, last 12 months"))


def indicator_table(review: Review, view: View) -> html.Div:
    rows = []
    for r in review.indicators.to_dict("records"):
        state = _value(r["status"])
        rows.append(html.Tr([
            html.Td(html.Span(_unbroken_tail(r["label"]), title=help_text(r["kpi"], view.settings.kpi),
                              className="help-label"), style={"minWidth": "14rem"}),
            html.Td(target_text(r["kpi"], _value(r["target"]), _value(r["amber"]))),
            html.Td(actual_text(r), className="num fw-semibold text-nowrap"),   # a value stays on one line
            html.Td(dbc.Badge(result_text(state), color=BADGE_COLOURS[state], className="status-badge")
                    if state else unjudged_text(r), className="result"),
            html.Td(value_text(r["kpi"], _value(r["previous"])), className="num text-nowrap"),
            html.Td(change_cell(r, "previous"), className="num small text-nowrap"),
            html.Td(value_text(r["kpi"], _value(r["last_year"])) if r["covered_last_year"] else "–",
                    className="num text-nowrap"),
            html.Td(change_cell(r, "last_year"), className="num small" + (" text-nowrap" if r["covered_last_year"] else "")),
            html.Td(met_text(r), className="num text-nowrap"),
        ], id={"role": "committee-indicator", "key": r["indicator"]}))
    numeric = {2, 4, 5, 6, 7, 8}
    table = dbc.Table([html.Thead(html.Tr([html.Th(_(h), className="num" if n in numeric else None)
                                           for n, h in enumerate(INDICATOR_HEAD)])), html.Tbody(rows)],
                      size="sm", className="bg-white committee-table", id="committee-indicators")
    notes = indicator_notes(review, view)
    return html.Div([table] + ([html.Ul([html.Li(n) for n in notes], className="small kpi-note",
                                        id="committee-notes")] if notes else []))


def _unbroken_tail(label: str) -> list:
    """An indicator's name, its last part in brackets (its channel) kept on one line: never
    "(e-" on one line and "mail)" on the next."""
    head, sep, tail = label.rpartition(" (")
    return [head + " ", html.Span("(" + tail, className="text-nowrap")] if sep else [label]


def met_text(r: dict) -> str:
    """In how many of the months judged the target was met: "1 of 2"."""
    return _("{met} of {judged}", met=r["months_met"], judged=r["months_judged"]) if r["months_judged"] else "–"


CHART_WIDTH, CHART_HEIGHT = 300, 210   # fixed: the charts wrap four to a screen line, two to a printed one


def history_figures(review: Review, actions: Sequence[Action] = ()) -> list[dict]:
    """One small chart per indicator: the last 12 months as bars coloured by result, and the
    target as a dashed line; plain figures of a fixed size, so that the page prints them all;
    the months of the actions of the client's scope shaded, their title on hover."""
    out = []
    months = {key: h for key, h in review.history.groupby("indicator", sort=False)}
    for r in review.indicators.to_dict("records"):
        h = months[r["indicator"]]
        states = [_value(s) for s in h["status"]]
        layout = dict(template="none", width=CHART_WIDTH, height=CHART_HEIGHT, font=FONT, paper_bgcolor="white",
                      separators=formats.separators(),
                      plot_bgcolor="white", margin=dict(l=40, r=10, t=30, b=45), bargap=0.25, showlegend=False,
                      title=dict(text=plot_text(r["label"]), x=0.5, xanchor="center", y=0.97, yanchor="top", font=dict(size=12)),
                      xaxis=dict(AXIS, tickangle=-45, tickfont=dict(size=9)), yaxis=dict(AXIS, tickfont=dict(size=9)))
        if _value(r["target"]) is not None:
            layout["shapes"] = [dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=r["target"],
                                     y1=r["target"], line=dict(color=COLOURS["delivered"], dash="dash", width=1.2))]
        labels = [short_month(m) for m in h["month"]]
        out.append(annotate_months(dict(data=[dict(
            type="bar", x=labels, y=[_value(v) for v in h["value"]], hoverinfo="x+text",
            marker=dict(color=[RESULT_COLOURS[s] for s in states]),
            hovertext=[f"{value_text(r['kpi'], _value(v))} {result_text(s)}" for v, s in zip(h["value"], states)])],
            layout=layout), actions, [_month(m) for m in h["month"]], labels))
    return out


def volume_table(review: Review, view: View) -> dbc.Table:
    v = review.volumes
    formula = lambda c: help_text(c, view.settings.kpi) if c in KPIS else _("handled contacts of the month before")  # noqa: E731
    body = [html.Tr([html.Td(volume_channel(r["channel"]))] +
                    [html.Td(formats.number(int(r[c])), className="num") for c, _h in VOLUME_COLUMNS[1:]])
            for r in v.to_dict("records")]
    body.append(html.Tr([html.Td(_("Total"))] + [html.Td(formats.number(int(v[c].sum())), className="num")
                                                 for c, _h in VOLUME_COLUMNS[1:]], className="total"))
    return dbc.Table([html.Thead(html.Tr([html.Th(_(h), className="num help-label" if c != "channel" else None,
                                                  title=formula(c) if c != "channel" else None)
                                          for c, h in VOLUME_COLUMNS])), html.Tbody(body)],
                     size="sm", className="bg-white committee-table", id="committee-volumes")


def volume_channel(code) -> str:
    """A channel in the volumes: its name, "(none)" for contacts without one."""
    return channel_label(code) if _value(code) is not None else _("(none)")


def score_text(r: dict) -> str:
    parts = [f"{_(name)} {int(r[k])}" for k, name in SCORES if _value(r[k]) is not None]
    return ", ".join(parts)


VERBATIM_HEAD = (N_("Answered on"), N_("Channel"), N_("Scores"), N_("What it says"), N_("Comment"))


def said_text(r: dict) -> str:
    """What a comment says, as the comments page tells it: its categories, and extreme
    dissatisfaction."""
    said = [category_label(c) for c in list(r["categories"]) + (["extreme"] if r["extreme"] else [])]
    return ", ".join(said) or "–"


def verbatim_table(review: Review) -> html.Div:
    if review.verbatims.empty:
        return html.P(_("No survey comment this month."), className="text-muted")
    rows = [html.Tr([html.Td(f"{r['responded_at']:%d/%m %H:%M}", className="text-nowrap"),
                     html.Td(channel_label(r["channel"]) if _value(r["channel"]) else "–"),
                     html.Td(score_text(r), className="text-nowrap"),
                     html.Td(said_text(r)),
                     html.Td(r["verbatim"], className="verbatim")])
            for r in review.verbatims.to_dict("records")]
    return html.Div([
        html.P(ngettext("The month's worst-scored comment, {order}.", "The month's {n} worst-scored comments, {order}.",
                        len(rows), order=_(WORST_ORDER_TEXT)), className="small text-muted mb-1"),
        dbc.Table([html.Thead(html.Tr([html.Th(_(h)) for h in VERBATIM_HEAD])),
                   html.Tbody(rows)], size="sm", className="bg-white committee-table", id="committee-verbatims"),
    ])
