"""The planning view's parts: the URL's what-if, the plan of a day per half-hour (Erlang C,
and Erlang A with the observed patience), its grid, chart, and the formula and settings
it was worked out with."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from components.charts import COLOURS, base_layout, empty_figure, plain, second_axis, title_layout
from components.kpi import help_text
from components.service import day_scope
from components.view import View, href
from i18n import _, formats, ngettext
from i18n.labels import channel_label
from metrics.targets import scope_target
from staffing.plan import INTERVAL_S, Assumptions, basis_days, patience, plan, totals, volumes

DEFAULT_TARGET = 80.0        # a channel without a service-level target is planned for 80 %
WEEKS_CHOICES = (0, 2, 4, 8, 13)


@dataclass(frozen=True)
class WhatIf:
    """The page's own URL keys, checked: ``weeks`` (0: the day alone), ``volume`` (%),
    ``aht`` (seconds less), ``shrinkage`` (%); ``refused`` names the keys set aside."""

    weeks: int
    volume: float
    aht: float
    shrinkage: float
    refused: tuple[str, ...] = ()


def _number(raw, low: float, high: float, high_open: bool = False) -> float | None:
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        return None
    if not math.isfinite(value) or value < low or value > high or (high_open and value == high):
        return None
    return value


def what_if(extra: dict, shrinkage: float) -> WhatIf:
    """The what-if the URL asks for; a value that is not a number within its bounds is set
    aside for its default (and named on the page)."""
    found, refused = {}, []
    bounds = {"weeks": (0, 52, False, 0.0), "volume": (-90, 500, False, 0.0), "aht": (-3600, 3600, False, 0.0),
              "shrinkage": (0, 100, True, shrinkage)}
    for key, (low, high, high_open, default) in bounds.items():
        raw = extra.get(key)
        value = None if raw in (None, "") else _number(raw, low, high, high_open)
        if raw not in (None, "") and value is None:
            refused.append(key)
        found[key] = default if value is None else value
    return WhatIf(int(found["weeks"]), found["volume"], found["aht"], found["shrinkage"], tuple(refused))


def staffing_link(view: View, day: date):
    """The daily service page's way here: the same day, channel and filters (staff only)."""
    if not view.viewer.may_open("/staffing"):
        return None
    query = {**{k: ",".join(v) for k, v in view.state.filters.items() if v}, "day": day.isoformat()}
    return dbc.Col(html.A(_("Staffing for this day"), href=href("/staffing", query), id="service-staffing",
                          className="small"), width="auto", className="align-self-center")


def channel_of(view: View) -> str:
    return view.state.filters.get("channel", ("phone",))[0]


def assumptions(view: View, day: date, what: WhatIf) -> tuple[Assumptions, bool]:
    """The channel's service-level target (80 % when it has none: the second value says
    so) and threshold, with the what-if."""
    target = scope_target("service_level", view.targets, day_scope(view, day))
    threshold = view.settings.kpi.threshold(channel_of(view))
    return (Assumptions(target.value if target else DEFAULT_TARGET, threshold, what.shrinkage, what.volume, what.aht),
            target is None)


@dataclass(frozen=True)
class Planned:
    days: list[date]
    assumptions: Assumptions
    default_target: bool
    patience: float | None
    table: pd.DataFrame
    totals: dict


def staffing_plan(view: View, day: date, what: WhatIf) -> Planned:
    """The plan of the day (or of the weekday's mean) in the viewer's scope; ValueError for a
    what-if that leaves no handle time."""
    days = basis_days(day, what.weeks, view.first)
    found = volumes(view.db, view.scope(), days, view.settings.kpi)
    waited = patience(view.db, view.scope(), days, view.settings.kpi)
    rules, default_target = assumptions(view, day, what)
    table = plan(found, rules, waited)
    return Planned(days, rules, default_target, waited, table, totals(table))


def _num(v, decimals: int = 0) -> str:
    return "–" if v is None or v != v else formats.number(v, decimals)


def _pct(v) -> str:
    return "–" if v is None or v != v else formats.percent(v)


def _dur(v) -> str:
    return "–" if v is None or v != v else formats.duration(v)


def rows(planned: Planned) -> list[dict]:
    """The grid's rows: numbers to sort by, their text beside."""
    out = []
    for r in planned.table.to_dict("records"):
        r = {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
        row = {"interval": r["interval"], "offered": r["offered"], "offered__text": _num(r["offered"], 0 if float(r["offered"]).is_integer() else 1),
               "aht": r["aht"], "aht__text": _dur(r["aht"]) + (" *" if r["aht_of_day"] else ""),
               "traffic": r["traffic"], "traffic__text": _num(r["traffic"], 2)}
        for k in ("agents", "scheduled", "agents_a", "scheduled_a"):
            row[k], row[f"{k}__text"] = r.get(k), _num(r.get(k))
        for k in ("service_level", "occupancy", "service_level_a", "abandon_a"):
            row[k], row[f"{k}__text"] = r.get(k), _pct(r.get(k))
        row["asa"], row["asa__text"] = r["asa"], _dur(r["asa"])
        out.append(row)
    return out


def columns(view: View, planned: Planned) -> list[dict]:
    def col(field: str, name: str, tip: str | None = None, muted: bool = False) -> dict:
        return {"field": field, "headerName": name, "type": "rightAligned", "headerTooltip": tip or name, "minWidth": 90,
                "valueFormatter": {"function": f"params.data['{field}__text']"},
                **({"cellClass": "text-muted"} if muted else {})}
    out = [{"field": "interval", "headerName": _("Half-hour"), "pinned": "left", "width": 110},
           col("offered", _("Offered"), help_text("offered", view.settings.kpi)),
           col("aht", _("AHT"), help_text("aht", view.settings.kpi)),
           col("traffic", _("Traffic (erlangs)"), _("A = offered × AHT ÷ 1,800 s")),
           col("agents", _("Agents needed (Erlang C)"), _("the fewest agents meeting the service-level target")),
           col("scheduled", _("Agents to schedule"), _("agents needed ÷ (1 − shrinkage), rounded up")),
           col("service_level", _("Expected service level"), _("1 − C(N, A) · e^(−(N − A) · t ÷ AHT)")),
           col("asa", _("Expected ASA"), _("C(N, A) · AHT ÷ (N − A)")),
           col("occupancy", _("Occupancy"), _("A ÷ N"))]
    if planned.patience:
        out += [col("agents_a", _("Agents needed (Erlang A)"), _("with the observed patience"), muted=True),
                col("scheduled_a", _("To schedule (Erlang A)"), muted=True),
                col("abandon_a", _("Expected abandons (Erlang A)"), muted=True)]
    return out


def chart(planned: Planned) -> dict:
    """Agents needed and to schedule per half-hour (bars), Erlang A's (a line) and the
    contacts offered (a line on its own axis)."""
    t = planned.table
    if t.empty or not (pd.to_numeric(t["offered"], errors="coerce").fillna(0) > 0).any():
        return empty_figure(_("No contact offered on these days"), height=320)
    x = list(t["interval"])
    data = [dict(type="bar", name=_("Agents to schedule"), x=x, y=plain(t["scheduled"]),
                 marker=dict(color=COLOURS["bar"])),
            dict(type="bar", name=_("Agents needed (Erlang C)"), x=x, y=plain(t["agents"]),
                 marker=dict(color=COLOURS["delivered"]))]
    if planned.patience:
        data.append(dict(type="scatter", mode="lines+markers", name=_("Agents needed (Erlang A)"), x=x,
                         y=plain(t["agents_a"]), line=dict(color=COLOURS["accent"], dash="dot")))
    data.append(dict(type="scatter", mode="lines", name=_("Offered"), x=x, y=plain(t["offered"]), yaxis="y2",
                     line=dict(color=COLOURS["perceived"], width=1.5)))
    layout = base_layout(height=340, barmode="overlay", margin=dict(l=50, r=60, t=60, b=40))
    layout["yaxis"] = dict(layout["yaxis"], title=dict(text=_("Agents")), rangemode="tozero")
    layout["yaxis2"] = second_axis(_("Offered"), "right", rangemode="tozero")
    layout["xaxis"] = dict(layout["xaxis"], type="category")
    return dict(data=data, layout=title_layout(layout, _("Agents per half-hour")))


def basis_text(planned: Planned, day: date, weeks: int) -> str:
    if weeks <= 1:
        return _("the contacts of {day}", day=formats.day(day))
    return ngettext("the mean of {n} day, the weekday of {day} over {weeks} weeks (the days the data cover)",
                    "the mean of {n} days, the weekday of {day} over {weeks} weeks (the days the data cover)",
                    len(planned.days), day=formats.day(day), weeks=weeks)


def summary(planned: Planned, day: date, weeks: int) -> list:
    """The day in a few words: where the volumes come from and the peak of agents."""
    tot = planned.totals
    return [html.P(_("Volumes: {basis}.", basis=basis_text(planned, day, weeks)), className="mb-1"),
            html.P(_("{offered} contacts offered; at the peak {peak} agents needed, {scheduled} to schedule; "
                     "{hours} agent-hours scheduled over the day.", offered=_num(tot["offered"], 0),
                     peak=_num(tot["peak"]), scheduled=_num(tot["peak_scheduled"]), hours=_num(tot["hours"], 1)),
                   className="mb-1 fw-semibold", id="staffing-peak")]


def notes(view: View, planned: Planned) -> list:
    """The formula and every setting the plan stands on, and what Erlang C leaves out."""
    a = planned.assumptions
    channel = channel_of(view)
    target = (_("{value} (the channel has no target: 80 % assumed)", value=formats.percent(a.target, 0))
              if planned.default_target else formats.percent(a.target, 1))
    settings = [
        (_("Channel"), channel_label(channel)),
        (_("Service-level target"), target),
        (_("Threshold"), formats.duration(a.threshold)),
        (_("Interval"), formats.number(INTERVAL_S // 60) + " min"),
        (_("Shrinkage"), formats.percent(a.shrinkage, 1)),
        (_("Volume what-if"), formats.signed(a.volume_pct, 1) + " %"),
        (_("Handle time what-if"), formats.signed(-a.aht_cut_s, 0) + " s"),
        (_("Observed patience"), _("none (no abandon)") if not planned.patience else formats.duration(planned.patience)),
    ]
    return [
        html.H5(_("How it is worked out"), className="side-title"),
        html.P(_("Traffic A = λ · h ÷ T erlangs (λ contacts offered in T = 30 min, h the AHT). With N > A agents, "
                 "Erlang C gives the chance of waiting C(N, A); service level within t = 1 − C(N, A) · "
                 "e^(−(N − A) · t ÷ h); ASA = C(N, A) · h ÷ (N − A); occupancy = A ÷ N. Agents needed: the "
                 "smallest N meeting the target; to schedule: needed ÷ (1 − shrinkage), rounded up."),
               className="small"),
        html.P(_("Erlang C assumes that no customer hangs up: where customers abandon, it overstates the agents "
                 "needed. Erlang A (M/M/N+M) takes an exponential patience, its mean estimated from the data "
                 "(the total wait of every offered contact ÷ the abandons), and is shown as a second line. Both "
                 "assume calls arriving at random at a steady rate through the half-hour."),
               className="small", id="staffing-caveat"),
        html.P(_("* a half-hour without a handled contact takes the handle time of the whole day."),
               className="small text-muted"),
        html.Dl(sum(([html.Dt(k, className="small"), html.Dd(v, className="small mb-1")] for k, v in settings), []),
                className="mb-0", id="staffing-settings"),
    ]
