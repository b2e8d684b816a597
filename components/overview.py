"""The overview's parts: its data, KPI cards, trend and comparison charts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components.actions import annotate
from components.charts import COLOURS, base_layout, empty_figure, plain, plot_text, second_axis, sparkline
from i18n.labels import channel_label
from components.kpi import caveat, change_text, help_mark, period_label, reading, status_badge, value_text
from components.state import grain_for
from components.view import View
from data.actions import Action
from i18n import N_, _, formats, ngettext
from metrics.economics import has_costs
from metrics.periods import covers, last_year
from metrics.query import compute, values
from metrics.registry import KPI_IDS, KPIS
from metrics.stats import pearson
from metrics.targets import scope_target

DELIVERED = [k for k, v in KPIS.items() if v.group in ("delivered", "outbound")]
PERCEIVED = [k for k, v in KPIS.items() if v.group == "perceived"]
PER_CHANNEL = [k for k, v in KPIS.items() if v.per_channel]
COSTS = ["cost_per_contact", "cost"]     # beside quality, for the viewers who read costs
COMPARABLE_DELIVERED = [k for k in DELIVERED if KPIS[k].kind == "ratio"]
COMPARABLE_PERCEIVED = [k for k in PERCEIVED if KPIS[k].kind == "ratio"]


@dataclass(frozen=True)
class Compared:
    """Every KPI of one period, with the counts behind each, and per channel."""

    start: date
    end: date
    total: dict
    channels: dict[str, dict]   # channel -> its row, for the KPIs shown per channel


@dataclass(frozen=True)
class OverviewData:
    current: Compared
    previous: Compared
    last_year: Compared | None  # None when the data do not cover the same dates a year earlier
    series: pd.DataFrame        # one row per time bucket, column `group` (ISO date) + every KPI
    grain: str


def shown_kpis(view: View) -> list[str]:
    """The KPIs the overview shows: every quality one, and the costs to those who read them."""
    return [k for k in KPI_IDS if KPIS[k].group != "economics"] + (COSTS if shows_costs(view) else [])


def compared(view: View, start: date, end: date) -> Compared:
    scope = view.scope().with_period(start, end)
    settings = view.settings.kpi
    total = values(compute(view.db, scope, shown_kpis(view), settings=settings, counts=True).iloc[0])
    by_channel = compute(view.db, scope, PER_CHANNEL, by="channel", settings=settings, counts=True)
    channels = {r["group"]: r for r in (values(row) for _, row in by_channel.iterrows()) if r["group"] is not None}
    return Compared(start, end, total, channels)


def overview_data(view: View) -> OverviewData:
    """Every KPI for the period, the previous period and the same dates a year earlier (when
    the data cover them), and over time."""
    state = view.state
    ly = last_year(state.start, state.end)
    grain = grain_for(state.start, state.end)
    return OverviewData(
        current=compared(view, state.start, state.end),
        previous=compared(view, *state.previous_period()),
        last_year=compared(view, *ly) if covers(view.first, view.last, *ly) else None,
        series=compute(view.db, view.scope(), shown_kpis(view), by=grain, settings=view.settings.kpi),
        grain=grain,
    )


def shows_costs(view: View) -> bool:
    """Costs are the centre's own figures: shown to a viewer without restrictions, once the
    database holds cost rows."""
    return not view.viewer.restrictions and has_costs(view.db)


def channels_shown(kpi_id: str, data: Compared) -> list[str]:
    """The channels a KPI is shown for one by one: those with a value, busiest first, when
    the KPI is not comparable across channels and the period holds more than one."""
    if not KPIS[kpi_id].per_channel:
        return []
    found = [(r[f"{kpi_id}__n"], ch) for ch, r in data.channels.items() if r[kpi_id] is not None]
    return [ch for _n, ch in sorted(found, key=lambda t: (-t[0], t[1]))] if len(found) > 1 else []


def kpi_card(kpi_id: str, data: OverviewData, view: View) -> dbc.Col:
    k = KPIS[kpi_id]
    now = reading(kpi_id, data.current.total, view.settings.min_answers)
    target = scope_target(kpi_id, view.targets, view.scope())
    colour = COLOURS["perceived"] if k.group == "perceived" else COLOURS["delivered"]
    note = caveat(now, view.maturity, view.state.start)
    body = dbc.Card(dbc.CardBody([
        html.Div([html.Span(k.label(), className="kpi-label"), help_mark(kpi_id, view.settings.kpi)]),
        html.Div(now.text, id=f"value-{kpi_id}", className="kpi-value" + (" kpi-unknown" if now.value is None else "")),
        html.Div([html.Span(_("Target {value}", value=value_text(kpi_id, target.value)), className="me-2")
                  if target else html.Span(_("No target"), className="me-2 text-muted"),
                  status_badge(kpi_id, now.judged, target, id=f"status-{kpi_id}")],
                 className="kpi-target small"),
        *[html.Div(text, className=f"kpi-change small {direction}")
          for text, direction in changes(kpi_id, now.judged, data.previous, data.last_year, None)],
        html.Div(note, className="kpi-note small", id=f"note-{kpi_id}") if note else None,
        html.Img(src=sparkline(data.series[kpi_id], colour), alt="", className="kpi-spark"),
    ]), className="kpi-card h-100")
    # an indicator with a direction opens its focus view; a volume opens its breakdown
    link = (view.state.href("/focus", kpi=kpi_id) if k.better != "none"
            else view.state.href("/explore", by="channel"))
    return dbc.Col(dcc.Link(body, href=link, className="kpi-link", id=f"card-{kpi_id}"))


def changes(kpi_id: str, value, previous: Compared, year: Compared | None,
            channel: str | None) -> list[tuple[str, str]]:
    """The change against the previous period and against the same dates last year, each
    naming its period: (text, 'better' / 'worse' / '')."""
    out = []
    for other in (previous, year):
        if other is None:
            out.append((_("– vs last year (not in the data)"), ""))
            continue
        row = other.total if channel is None else other.channels.get(channel, {})
        out.append(change_text(kpi_id, value, reading(kpi_id, row).judged, period_label(other.start, other.end)))
    return out


def per_channel_card(kpi_ids: list[str], data: OverviewData, view: View) -> dbc.Card:
    """The KPIs not comparable across channels, one row per channel: each channel's value
    against its own target, and its changes; the mixed value last, for reference only."""
    busy = lambda ch: max(data.current.channels[ch][f"{k}__n"] for k in kpi_ids)  # noqa: E731
    channels = sorted({ch for k in kpi_ids for ch in channels_shown(k, data.current)}, key=lambda ch: (-busy(ch), ch))
    head = [html.Th(_("Channel"))] + [html.Th([KPIS[k].label(), help_mark(k, view.settings.kpi)], colSpan=2)
                                   for k in kpi_ids]
    rows = []
    for ch in channels:
        cells = [html.Td(channel_label(ch))]
        for k in kpi_ids:
            now = reading(k, data.current.channels[ch])
            target = scope_target(k, view.targets, view.scope(channel=[ch]))
            cells.append(html.Td([html.Span(now.text, className="fw-semibold me-1", id=f"value-{k}-{ch}"),
                                  status_badge(k, now.value, target),
                                  html.Div(_("target {value}", value=value_text(k, target.value)) if target
                                           else _("no target"),
                                           className="small text-muted")]))
            cells.append(html.Td([html.Div(text, className=f"kpi-change small {direction}")
                                  for text, direction in changes(k, now.value, data.previous, data.last_year, ch)]))
        rows.append(html.Tr(cells))
    mixed = [html.Td(_("All channels, mixed"), className="text-muted")] + [
        html.Td(reading(k, data.current.total).text, colSpan=2, className="text-muted") for k in kpi_ids]
    return dbc.Card(dbc.CardBody([
        html.Div(_("Waits and handle times, per channel: the phone's seconds and the e-mail's hours "
                   "are not comparable, so each channel is judged against its own target."),
                 className="small text-muted mb-1"),
        dbc.Table([html.Thead(html.Tr(head)), html.Tbody(rows + [html.Tr(mixed, title=_(
            "a mean over channels that are not comparable: for reference only"))])],
            size="sm", className="mb-0 kpi-channels", id="overview-per-channel"),
    ]), className="kpi-card mt-2")


def trend_figure(series: pd.DataFrame, volume: str, lines: list[str], actions: Sequence[Action] = ()) -> dict:
    """Volume as light bars behind (right axis) and rates as lines in front (left axis), and
    the actions of its scope and period marked."""
    if series.empty:
        return empty_figure(_("No data in this period"))
    layout = base_layout(margin=dict(l=50, r=60, t=30, b=40))
    # the bars' axis is drawn first, the lines' overlays it: lines are never hidden
    layout["yaxis"] = dict(layout["yaxis"], side="right", title=dict(text=_("volume")), showgrid=False,
                           rangemode="tozero")
    layout["yaxis2"] = second_axis(_("%, score"), "left", showgrid=True, gridcolor=layout["yaxis"]["gridcolor"])
    x = plain(series["group"])
    data = [dict(type="bar", x=x, y=plain(series[volume]), name=KPIS[volume].label(), yaxis="y",
                 marker=dict(color=COLOURS["bar"]), opacity=0.7)]
    palette = [COLOURS["delivered"], COLOURS["accent"], COLOURS["perceived"], "#f39c12"]
    for kpi_id, colour in zip(lines, palette):
        data.append(dict(type="scatter", mode="lines+markers", x=x, y=plain(series[kpi_id]),
                         name=KPIS[kpi_id].label(), yaxis="y2", line=dict(color=colour),
                         marker=dict(size=4), connectgaps=False))
    return annotate(dict(data=data, layout=layout), actions)


def comparison_figure(series: pd.DataFrame, delivered: str, perceived: str, note: str = "") -> dict:
    """A delivered KPI against a perceived one over time, each on its own axis."""
    if series.empty:
        return empty_figure(_("No data in this period"))
    layout = base_layout(margin=dict(l=60, r=60, t=30, b=40))
    layout["yaxis"] = dict(layout["yaxis"], title=dict(text=KPIS[delivered].label() + note))
    layout["yaxis2"] = second_axis(KPIS[perceived].label(), "right")
    x = plain(series["group"])
    return dict(data=[
        dict(type="scatter", mode="lines", x=x, y=plain(series[delivered]), name=KPIS[delivered].label() + note,
             line=dict(color=COLOURS["delivered"])),
        dict(type="scatter", mode="lines", x=x, y=plain(series[perceived]), name=KPIS[perceived].label(),
             line=dict(color=COLOURS["perceived"], dash="dot"), yaxis="y2"),
    ], layout=layout)


def comparison_series(view: View, data: OverviewData, delivered: str) -> tuple[pd.DataFrame, str]:
    """The series of the comparison chart: a KPI not comparable across channels is read on
    the period's busiest channel alone (and says so)."""
    channels = channels_shown(delivered, data.current)
    if not channels:
        return data.series, ""
    one = compute(view.db, view.scope(channel=[channels[0]]), [delivered], by=data.grain,
                  settings=view.settings.kpi)
    series = data.series.drop(columns=[delivered]).merge(one, on="group", how="left")
    return series, f" ({plot_text(channel_label(channels[0]))})"


def compared_pair(extra: dict) -> tuple[str, str]:
    """The delivered and perceived KPIs of the comparison chart (URL keys dkpi, pkpi)."""
    delivered = extra.get("dkpi") if extra.get("dkpi") in COMPARABLE_DELIVERED else "service_level"
    perceived = extra.get("pkpi") if extra.get("pkpi") in COMPARABLE_PERCEIVED else "nps"
    return delivered, perceived


def kpi_options(ids: list[str]) -> list[dict]:
    return [{"label": KPIS[k].label(), "value": k} for k in ids]


def periods_text(grain: str, n: int) -> str:
    """``n`` days, weeks or months, in words."""
    if grain == "day":
        return ngettext("{n} day", "{n} days", n)
    if grain == "week":
        return ngettext("{n} week", "{n} weeks", n)
    return ngettext("{n} month", "{n} months", n)


def correlation_text(series: pd.DataFrame, delivered: str, perceived: str, grain: str) -> str:
    r, n = pearson(series[delivered], series[perceived]) if not series.empty else (None, 0)
    if r is None:
        return _("Correlation: – (needs at least {least} with both values; {n} here)",
                 least=periods_text(grain, 3), n=n)
    return _("Correlation over {periods}: {r}", periods=periods_text(grain, n), r=formats.signed(r, 2))


BAROMETER = ("responses", "nps", "csat")   # what a barometer's wave is read by
WAVES_SHOWN = 6
WAVE_HEAD = (N_("Wave"), N_("Answers"), N_("NPS"), N_("Satisfaction"))


def barometer_waves(view: View) -> pd.DataFrame:
    """The cold (barometer) answers' figures per month they were given in ("waves"), over all
    the data the viewer may see, the latest first; months without an answer are no wave."""
    scope = view.scope(survey="cold").with_period(view.first, view.last)
    waves = compute(view.db, scope, BAROMETER, by="month", settings=view.settings.kpi, counts=True)
    return waves[waves["responses"] > 0].sort_values("group", ascending=False).head(WAVES_SHOWN)


def barometer_card(view: View) -> dbc.Card:
    """The barometer apart from the answers about a contact: its NPS and satisfaction per
    wave, so that neither is taken for the other."""
    waves = barometer_waves(view)
    if waves.empty:
        return html.Div(_("No barometer (cold survey) answer in the data: the scores above are all about a contact."),
                        className="small text-muted mt-2", id="overview-barometer")
    rows = [html.Tr([html.Td(formats.month(date.fromisoformat(str(w["group"])[:10]))),
                     *[html.Td(reading(k, w, view.settings.min_answers if k != "responses" else 0).text,
                               className="num") for k in BAROMETER]])
            for w in waves.to_dict("records")]
    return dbc.Card(dbc.CardBody([
        html.Div(_("Barometer (cold survey), per wave"), className="kpi-label fw-semibold"),
        html.Div(_("Customers asked about the relation, not about a contact: kept apart from the scores above."),
                 className="small text-muted mb-1"),
        dbc.Table([html.Thead(html.Tr([html.Th(_(h)) for h in WAVE_HEAD])),
                   html.Tbody(rows)], size="sm", className="mb-0"),
    ]), className="kpi-card mt-2", id="overview-barometer")
