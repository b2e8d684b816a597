"""The wallboard's parts: the day so far of each queue (or client) in large type, against
target, one after the other.

The figures are those of the daily service page (``components.service``: the same scopes,
targets and half-hour intervals), for one member at a time. They are worked out once per
data generation (``data.db.generation``): a wall asks every few seconds, and between two
loads it is answered from memory.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date

from dash import html

from components import service as sv
from components.kpi import value_text
from components.view import FILTER_LABELS, View
from data.db import generation
from i18n import _, formats
from i18n.labels import channel_label
from metrics.query import compute, compute_measures, kpis_from_measures, measures_for, values
from metrics.registry import KPIS
from metrics.targets import STATUS, scope_target, status

WALL_KPIS = ("service_level", "asa", "abandon_rate")
GROUPINGS = ("queue", "client")
WALL_HALVES = 20          # half-hours the strip holds: twenty share a screen's width
EVERY_DEFAULT, EVERY_MIN, EVERY_MAX = 15, 1, 3600     # seconds between two members
_MEMO: OrderedDict = OrderedDict()
_MEMO_LOCK = threading.Lock()
_MEMO_ENTRIES = 32
# a status's class on the wall: its colour, beside its word and icon
TONE = {"met": "wall-met", "close": "wall-close", "missed": "wall-missed", None: "wall-none"}


def wall_by(extra: dict) -> str:
    """What the wall cycles through: ``by=queue`` (default) or ``by=client``."""
    return extra.get("by") if extra.get("by") in GROUPINGS else "queue"


def wall_every(extra: dict) -> int:
    """Seconds each member stays on the screen (``every=``, default 15, 1 to 3600)."""
    try:
        every = int(str(extra.get("every", EVERY_DEFAULT)).strip())
    except ValueError:
        return EVERY_DEFAULT
    return min(max(every, EVERY_MIN), EVERY_MAX)


@dataclass(frozen=True)
class Figure:
    """One KPI of a member's day: its value, its target and its status."""

    kpi: str
    value: float | None
    target: float | None
    status: str | None


@dataclass(frozen=True)
class Panel:
    """A member's day so far: offered, answered, the wall's KPIs, and per half-hour the
    offered contacts and the service level with its status."""

    member: str
    offered: int
    answered: int
    figures: tuple[Figure, ...]
    intervals: tuple[tuple[str, int, float | None, str | None], ...]


def members(view: View, day: date, by: str) -> list[str]:
    """The queues (or clients) with contacts offered that day in the view's scope, in
    alphabetical order: the order of the cycle, stable through the day."""
    data = compute(view.db, sv.day_scope(view, day), ("offered",), by=by, settings=view.settings.kpi)
    data = data[data["group"].notna() & (data["offered"] > 0)]
    return sorted(str(v) for v in data["group"])


def member_view(view: View, by: str, member: str) -> View:
    """The view narrowed to one queue or client (the viewer's restrictions still on)."""
    return replace(view, state=replace(view.state, filters={**view.state.filters, by: (member,)}))


def panel(view: View, day: date, by: str, member: str) -> Panel:
    """A member's day so far, from the KPI functions with the member's scope."""
    mv = member_view(view, by, member)
    scope = sv.day_scope(mv, day)
    measures = compute_measures(mv.db, scope, ["offered", "answered"] + measures_for(WALL_KPIS),
                                settings=mv.settings.kpi)
    row = {**values(measures.iloc[0]), **values(kpis_from_measures(measures, WALL_KPIS).iloc[0])}
    figures = []
    for k in WALL_KPIS:
        target = scope_target(k, mv.targets, scope)
        figures.append(Figure(k, row[k], None if target is None else target.value, status(k, row[k], target)))
    halves = sv.intervals(mv, day)
    intervals = tuple((str(r["interval"]), int(r["offered"]), sv._value(r["service_level"]),
                       r["service_level__status"]) for r in halves.to_dict("records"))
    return Panel(member, int(row["offered"] or 0), int(row["answered"] or 0), tuple(figures), intervals)


def panels(view: View, day: date, by: str) -> tuple[Panel, ...]:
    """Every member's panel, in the cycle's order; worked out once per data generation
    (for this database, viewer's scope, channel and day)."""
    scope = sv.day_scope(view, day)
    key = (str(view.db.url), generation(), scope, by, view.settings.kpi, repr(sorted(
        (k, repr(v)) for k, v in view.targets.items())))
    with _MEMO_LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key]
    found = tuple(panel(view, day, by, m) for m in members(view, day, by))
    with _MEMO_LOCK:
        _MEMO[key] = found
        while len(_MEMO) > _MEMO_ENTRIES:
            _MEMO.popitem(last=False)
    return found


def shown(count: int, ticks: int) -> int | None:
    """Which member is on the screen after ``ticks`` intervals: each in turn, then the first
    again; None when there is none."""
    return ticks % count if count else None


# ---- what the screen shows -------------------------------------------------------------


def status_words(state: str | None) -> str:
    """'✓ On target', '! Close', '✗ Off target'; nothing without a value or a target."""
    if state is None:
        return ""
    word, icon, _colour = STATUS[state]
    return f"{icon} {_(word)}"


def figure_tile(f: Figure) -> html.Div:
    k = KPIS[f.kpi]
    text = value_text(f.kpi, f.value)      # a wait in minutes is longer than a rate: smaller type
    target = (_("target {value}", value=value_text(f.kpi, f.target)) if f.target is not None
              else _("no target"))
    return html.Div([
        html.Div(k.label(), className="wall-label"),
        html.Div(text, className="wall-value" + (" wall-value-long" if len(text) > 7 else ""), id=f"wall-{f.kpi}"),
        html.Div([html.Span(status_words(f.status), className="wall-status",
                            id=f"wall-{f.kpi}-status"),
                  html.Span(target, className="wall-target")], className="wall-judged"),
    ], className=f"wall-tile {TONE[f.status]}")


def interval_strip(p: Panel) -> html.Div:
    """The day's half-hours so far: offered and service level with its status icon."""
    cells, shown = [], p.intervals[-WALL_HALVES:]     # a centre open round the clock: the latest ten hours
    for start, offered, level, state in shown:
        icon = STATUS[state][1] if state else ""
        cells.append(html.Div([
            html.Div(start, className="wall-half-time"),
            # to the unit: twenty half-hours share the screen's width
            html.Div(f"{'–' if level is None else formats.percent(level, 0)} {icon}".strip(),
                     className="wall-half-level"),
            html.Div(formats.number(offered), className="wall-half-offered"),
        ], className=f"wall-half {TONE[state]}"))
    return html.Div([
        html.Div(_("Service level by half-hour, with the contacts offered") if len(shown) == len(p.intervals)
                 else _("Service level of the last {n} half-hours, with the contacts offered", n=len(shown)),
                 className="wall-strip-title"),
        html.Div(cells, className="wall-strip"),
    ])


def render(all_panels: tuple[Panel, ...], index: int | None, by: str, day: date, channel: str | None) -> html.Div:
    """The screen: the member shown in large type, its half-hours, and every member's
    service level at the foot, the one shown marked."""
    if index is None:
        return html.Div(html.Div(_("No contact offered on {day}.", day=formats.short_day(day)),
                                 className="wall-empty", id="wall-empty"), className="wall")
    p = all_panels[index]
    head = html.Div([
        html.Div([html.Span(_(FILTER_LABELS[by]), className="wall-kind"),
                  html.Span(p.member, className="wall-member", id="wall-member")]),
        html.Div([
            html.Span(", ".join(x for x in (channel_label(channel) if channel else "", formats.short_day(day)) if x),
                      className="wall-day"),
            html.Span(_("{offered} offered · {answered} answered", offered=formats.number(p.offered),
                        answered=formats.number(p.answered)), className="wall-counts"),
            html.Span(f"{index + 1} / {len(all_panels)}", className="wall-position", id="wall-position"),
        ], className="wall-meta"),
    ], className="wall-head")
    foot = html.Div([
        html.Span([html.Span(q.member, className="wall-foot-name"), " ",
                   html.Span(status_words_short(qf := {f.kpi: f for f in q.figures}["service_level"]))],
                  className=f"wall-foot-item {TONE[qf.status]}" + (" wall-foot-shown" if n == index else ""))
        for n, q in enumerate(all_panels)], className="wall-foot", id="wall-foot")
    return html.Div([
        head,
        html.Div([figure_tile(f) for f in p.figures], className="wall-tiles"),
        interval_strip(p),
        foot,
    ], className="wall")


def status_words_short(f: Figure) -> str:
    """A member's service level at the foot: its value and status icon."""
    icon = STATUS[f.status][1] if f.status else ""
    return f"{value_text(f.kpi, f.value)} {icon}".strip()
