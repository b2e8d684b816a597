"""The action log's parts: the actions a chart marks (annotations), the list of actions with
their measured effect, and the form to record or edit one."""
from __future__ import annotations

from datetime import date
from typing import Mapping, Sequence
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from components.charts import plot_text
from components.state import FILTER_KEYS
from components.view import FILTER_LABELS, View, option_label
from data.actions import STATUS_LABELS, STATUSES, Action, list_actions, overlaps
from i18n import _, formats
from metrics.effect import effect_text, measure, method_text
from metrics.periods import month_end
from metrics.registry import KPIS

COLOUR = "#8e44ad"
ACTION_AXIS = "yaxis9"     # a hidden axis over the chart, 0 to 1, for the actions' hover marks
ACTION_META = "actions"    # the ``meta`` of the trace that marks them


def chart_actions(view: View, start: date | None = None, end: date | None = None,
                  filters: Mapping[str, Sequence[str]] | None = None) -> list[Action]:
    """The actions the viewer may read whose scope and days overlap a chart's (by default the
    view's period and filters), abandoned ones left out, earliest first."""
    found = [a for a in list_actions(view.db, view.viewer.restrictions) if a.status != "abandoned"]
    filters = view.state.filters if filters is None else filters
    start, end = start or view.state.start, end or view.state.end
    return sorted((a for a in found if overlaps(a, start, end, filters)), key=lambda a: (a.starts_on, a.id))


def _hover(a: Action) -> str:
    days = (formats.day(a.starts_on) if not a.ends_on or a.ends_on == a.starts_on
            else _("{start} to {end}", start=formats.day(a.starts_on), end=formats.day(a.ends_on)))
    return f"{plot_text(a.title)} ({days})"


def _marks(actions: Sequence[Action], x: list, shapes: list[dict]) -> tuple[dict, dict]:
    trace = dict(type="scatter", mode="markers", x=x, y=[1.0] * len(x), yaxis="y9", name=_("Actions"),
                 meta=ACTION_META, showlegend=False, hoverinfo="text", hovertext=[_hover(a) for a in actions],
                 marker=dict(symbol="triangle-down", size=11, color=COLOUR))
    return trace, {ACTION_AXIS: dict(overlaying="y", range=[0, 1.04], visible=False, fixedrange=True)}


def _apply(fig, trace: dict, axis: dict, shapes: list[dict]):
    if isinstance(fig, go.Figure):
        for shape in shapes:
            fig.add_shape(**shape)
        fig.add_trace(go.Scatter(**{k: v for k, v in trace.items() if k != "type"}))
        fig.update_layout(**axis)
        return fig
    layout = fig.setdefault("layout", {})
    layout["shapes"] = list(layout.get("shapes", [])) + shapes
    layout.update(axis)
    fig["data"] = list(fig.get("data", [])) + [trace]
    return fig


def annotate(fig, actions: Sequence[Action]):
    """Mark actions on a chart over dates (a figure or a figure's dict): a dotted line on an
    action's day, a shaded span from its start to its end, its title on hover."""
    if not actions or (isinstance(fig, go.Figure) and fig.layout.xaxis.visible is False):
        return fig
    shapes = []
    for a in actions:
        if a.ends_on and a.ends_on > a.starts_on:
            shapes.append(dict(type="rect", xref="x", yref="paper", x0=a.starts_on.isoformat(),
                               x1=a.ends_on.isoformat(), y0=0, y1=1, fillcolor=COLOUR, opacity=0.12,
                               line=dict(width=0), layer="below", name=f"action-{a.id}"))
        else:
            shapes.append(dict(type="line", xref="x", yref="paper", x0=a.starts_on.isoformat(),
                               x1=a.starts_on.isoformat(), y0=0, y1=1, name=f"action-{a.id}",
                               line=dict(color=COLOUR, width=1.5, dash="dot")))
    trace, axis = _marks(actions, [a.starts_on.isoformat() for a in actions], shapes)
    return _apply(fig, trace, axis, shapes)


def annotate_months(fig: dict, actions: Sequence[Action], months: Sequence[date], labels: Sequence[str]) -> dict:
    """Mark actions on a chart of months drawn as categories (``labels``, one per month): the
    months an action's days touch are shaded, its title on hover."""
    shapes, marked, x = [], [], []
    for a in actions:
        touched = [i for i, m in enumerate(months) if a.starts_on <= month_end(m) and a.last_day >= m]
        if not touched:
            continue
        shapes.append(dict(type="rect", xref="x", yref="paper", x0=touched[0] - 0.5, x1=touched[-1] + 0.5,
                           y0=0, y1=1, fillcolor=COLOUR, opacity=0.12, line=dict(width=0), layer="below",
                           name=f"action-{a.id}"))
        marked.append(a)
        x.append(labels[touched[0]])
    if not marked:
        return fig
    trace, axis = _marks(marked, x, shapes)
    return _apply(fig, trace, axis, shapes)


def annotate_days(fig: dict, actions: Sequence[Action], days: Sequence[date]) -> dict:
    """Mark actions on a heat map whose rows are days (``days``, in the rows' order): the rows
    an action's days touch are framed, its title on hover at the left of its first row."""
    shapes, marked, rows = [], [], []
    for a in actions:
        touched = [i for i, d in enumerate(days) if a.starts_on <= d <= a.last_day]
        if not touched:
            continue
        shapes.append(dict(type="rect", xref="paper", yref="y", x0=0, x1=1, y0=touched[0] - 0.5,
                           y1=touched[-1] + 0.5, line=dict(color=COLOUR, width=2), fillcolor="rgba(0,0,0,0)",
                           name=f"action-{a.id}"))
        marked.append(a)
        rows.append(touched[0])
    if not marked:
        return fig
    labels = fig["data"][0]["y"]
    trace = dict(type="scatter", mode="markers", x=[0.0] * len(marked), y=[labels[i] for i in rows], xaxis="x9",
                 name=_("Actions"), meta=ACTION_META, showlegend=False, hoverinfo="text",
                 hovertext=[_hover(a) for a in marked], marker=dict(symbol="triangle-right", size=11, color=COLOUR))
    return _apply(fig, trace, {"xaxis9": dict(overlaying="x", range=[0, 1], visible=False, fixedrange=True)}, shapes)


def scope_text(scope: Mapping[str, Sequence[str]]) -> str:
    """What an action's scope reads: "Queue: Q1, Q2 · Channel: phone", or everything."""
    if not scope:
        return _("all contacts")
    parts = []
    for dim, values in scope.items():
        label = _(FILTER_LABELS[dim]) if dim in FILTER_LABELS else dim
        parts.append(f"{label}: {', '.join(option_label(dim, v) for v in values)}")
    return " · ".join(parts)


def days_text(a: Action) -> str:
    if a.ends_on and a.ends_on != a.starts_on:
        return _("{start} to {end}", start=formats.day(a.starts_on), end=formats.day(a.ends_on))
    return formats.day(a.starts_on)


def effect_lines(view: View, a: Action) -> list[str]:
    """A done action's effect on each of its KPIs, in words (nothing for another status)."""
    if a.status != "done":
        return []
    return [effect_text(measure(view.db, a, k, view.settings.effect_weeks, view.viewer.restrictions,
                                view.settings.kpi), a.title) for k in a.kpis]


def action_item(view: View, a: Action, effect: bool = True) -> html.Div:
    kpis = ", ".join(KPIS[k].label() for k in a.kpis if k in KPIS)
    decision = (html.Div(html.A(_("From the committee of {client}, {month}", client=a.decision[0],
                                  month=formats.month(a.decision[1])),
                                href="/committee?" + urlencode({"client": a.decision[0],
                                                                "month": f"{a.decision[1]:%Y-%m}"})),
                         className="small") if a.decision else None)
    lines = effect_lines(view, a) if effect else []
    return html.Div([
        html.Div([html.Strong(a.title, className="action-title me-2"),
                  dbc.Badge(_(STATUS_LABELS[a.status]), color="secondary", className="me-2 action-status"),
                  html.Span(days_text(a), className="small text-muted me-2"),
                  html.A(_("Edit"), href=f"/actions?edit={a.id}", className="small action-edit")
                  if view.viewer.may("actions") else None]),
        html.Div(_("Aims at {kpis} · {scope}", kpis=kpis, scope=scope_text(a.scope)), className="small"),
        html.Div(_("Owner: {owner}", owner=a.owner), className="small") if a.owner else None,
        html.Div(a.description, className="small text-muted") if a.description else None,
        decision,
        html.Ul([html.Li(t, className="action-effect") for t in lines], className="small mb-0") if lines else None,
    ], className="action-item border-bottom py-2", id=f"action-{a.id}")


def action_list(view: View, actions: Sequence[Action], effect: bool = True, empty: str | None = None):
    if not actions:
        return html.P(empty or _("No action recorded."), className="small text-muted")
    notes = ([html.P(_("Measured effect over {weeks} whole weeks before and after; {rates}; {means}.",
                       weeks=view.settings.effect_weeks, rates=method_text("proportions"),
                       means=method_text("daily means")), className="small text-muted mb-1")]
             if effect and any(a.status == "done" for a in actions) else [])
    return html.Div(notes + [action_item(view, a, effect) for a in actions], className="action-list")


def status_options() -> list[dict]:
    return [{"label": _(STATUS_LABELS[s]), "value": s} for s in STATUSES]


def kpi_options() -> list[dict]:
    return [{"label": k.label(), "value": k.id} for k in KPIS.values()]


def form(view: View, editing: Action | None, prefill: dict) -> dbc.Card:
    """The form to record an action (prefilled from the URL) or edit one; its scope is the
    filter bar's."""
    a = editing
    field = lambda label, control, md: dbc.Col([dbc.Label(label, className="small"), control], md=md)  # noqa: E731
    kpis = list(a.kpis) if a else [k for k in prefill.get("kpi", "").split(",") if k in KPIS]
    return dbc.Card(dbc.CardBody([
        html.H5(_("Edit the action") if a else _("Record an action"), className="mb-2"),
        dbc.Row([
            field(_("Title"), dbc.Input(id="actions-title", maxLength=200, value=a.title if a else None), 6),
            field(_("Owner"), dbc.Input(id="actions-owner", maxLength=200, value=a.owner if a else None), 3),
            field(_("Status"), dcc.Dropdown(id="actions-status", options=status_options(), clearable=False,
                                            value=a.status if a else "planned"), 3),
            field(_("Description"), dbc.Textarea(id="actions-description", rows=2, maxLength=5000,
                                                 value=a.description if a else None), 12),
            field(_("Starts on"), dcc.DatePickerSingle(id="actions-start", display_format="DD/MM/YYYY",
                                                       first_day_of_week=1,
                                                       date=a.starts_on if a else view.state.end), 3),
            field(_("Ends on (empty: one day)"), dcc.DatePickerSingle(
                id="actions-end", display_format="DD/MM/YYYY", first_day_of_week=1, clearable=True,
                placeholder=_("DD/MM/YYYY"), date=a.ends_on if a else None), 3),
            field(_("Indicators"), dcc.Dropdown(id="actions-kpis", options=kpi_options(), multi=True, value=kpis), 6),
            field(_("Committee decision: client"),
                  dbc.Input(id="actions-decision-client", maxLength=200,
                            value=a.decision[0] if a and a.decision else prefill.get("dclient")), 3),
            field(_("Committee decision: month (YYYY-MM)"),
                  dbc.Input(id="actions-decision-month", maxLength=7,
                            value=f"{a.decision[1]:%Y-%m}" if a and a.decision else prefill.get("dmonth")), 3),
            dbc.Col([html.Div(_("Scope (the filter bar above): {scope}", scope=scope_text(view.state.filters)),
                              className="small", id="actions-scope")], md=6, className="align-self-end"),
        ], className="g-2"),
        dbc.Button(_("Save the action"), id="actions-save", color="primary", size="sm", className="mt-2"),
        html.Span(id="actions-message", className="small text-danger ms-2"),
    ]), className="mb-3", id="actions-form")


def scope_of(filters: Mapping[str, Sequence[str]], editing: Action | None) -> dict:
    """A saved action's scope: the filter bar's, with the dimensions it does not show kept
    from the action edited."""
    scope = {k: tuple(v) for k, v in filters.items() if k in FILTER_KEYS and v}
    if editing:
        scope.update({k: v for k, v in editing.scope.items() if k not in FILTER_KEYS})
    return scope
