"""The focus view's parts: headline, trend against target and last year, gap breakdown,
distribution, related indicators and the team focus's progress."""
from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.actions import annotate, chart_actions
from components.charts import COLOURS, base_figure, empty_figure, plot_text, titled
from i18n.labels import channel_label, outcome_label
from components.kpi import (Reading, answers_text, caveat, change_text, help_text, period_label, reading,
                            status_badge, value_text)
from components.state import grain_for
from components.view import View
from data.focus import Focus, current_focus
from i18n import N_, _, formats
from metrics.focus import (WAIT_KPIS, distribution, gap_contributions, related_indicators, trend_with_last_year,
                           wait_bin_label)
from metrics.periods import covers, last_year
from metrics.query import Scope, compute, dimension_values, values
from metrics.registry import KPIS
from metrics.targets import Target, scope_target

FOCUS_KPIS = tuple(k for k, v in KPIS.items() if v.kind == "ratio" and v.better != "none")
BREAKDOWN_DIMS = ("queue", "team", "agent", "channel", "campaign", "client", "site", "reason")
DIM_LABELS = {"channel": N_("Channel"), "queue": N_("Queue"), "campaign": N_("Campaign"), "client": N_("Client"),
              "site": N_("Site"), "agent": N_("Agent"), "team": N_("Team"), "reason": N_("Reason")}
# the gap breakdown's title, per dimension (looked up when shown)
BREAKDOWN_TITLES = {
    "channel": N_("Contribution to the gap to target, by channel (worst first)"),
    "queue": N_("Contribution to the gap to target, by queue (worst first)"),
    "campaign": N_("Contribution to the gap to target, by campaign (worst first)"),
    "client": N_("Contribution to the gap to target, by client (worst first)"),
    "site": N_("Contribution to the gap to target, by site (worst first)"),
    "agent": N_("Contribution to the gap to target, by agent (worst first)"),
    "team": N_("Contribution to the gap to target, by team (worst first)"),
    "reason": N_("Contribution to the gap to target, by contact reason (worst first)"),
}
SERIES_COLOURS = {"answered": "#18bc9c", "abandoned": "#e74c3c", "promoter": "#18bc9c",
                  "passive": "#f39c12", "detractor": "#e74c3c", "satisfied": "#18bc9c",
                  "neutral": "#f39c12", "dissatisfied": "#e74c3c", "easy": "#18bc9c", "hard": "#e74c3c"}
# the score groups of a distribution's legend (waits are split by outcome, handle times by channel)
SCORE_GROUPS = {"promoter": N_("promoters"), "passive": N_("passives"), "detractor": N_("detractors"),
                "satisfied": N_("satisfied"), "neutral": N_("neutral"), "dissatisfied": N_("dissatisfied"),
                "easy": N_("easy"), "hard": N_("hard")}
DISTRIBUTION_TITLES = {
    "service_level": N_("Waits, as a share of the channel's threshold (100 % = threshold)"),
    "aht": N_("Handle times, by minute"), "nps": N_("Recommendation scores (0-10)"),
    "csat": N_("Satisfaction scores (1-5)"), "ces": N_("Effort scores (1-7, 7 = easiest)")}
TREND_TITLES = {   # (grain, with last year)
    ("day", False): N_("{kpi}, daily, against target"),
    ("day", True): N_("{kpi}, daily, against target and last year"),
    ("week", False): N_("{kpi}, weekly, against target"),
    ("week", True): N_("{kpi}, weekly, against target and last year"),
    ("month", False): N_("{kpi}, monthly, against target"),
    ("month", True): N_("{kpi}, monthly, against target and last year"),
}


def series_label(kpi_id: str, series) -> str:
    """A distribution's series in words: the outcome of a wait, the channel of a handle time,
    the group of a score."""
    if kpi_id in WAIT_KPIS:
        return outcome_label(series)
    if kpi_id == "aht":
        return channel_label(series)
    return _(SCORE_GROUPS[series]) if series in SCORE_GROUPS else str(series)


def member_label(dim: str, member) -> str:
    """A breakdown member as shown: a channel's name in words, any other as the data has it."""
    return channel_label(member) if dim == "channel" else str(member)


def team_focus(view: View) -> Focus | None:
    """The team's stored focus, for those who work on it (a client sees the plain view)."""
    return current_focus(view.db) if view.viewer.may("focus") else None


def chosen_kpi(extra: dict, stored: Focus | None) -> str:
    """The URL's KPI; without one, the team's stored focus; else service level."""
    if extra.get("kpi") in FOCUS_KPIS:
        return extra["kpi"]
    return stored.kpi if stored and stored.kpi in FOCUS_KPIS else "service_level"


def chosen_dim(extra: dict) -> str:
    return extra.get("dim") if extra.get("dim") in BREAKDOWN_DIMS else "queue"


def focus_channel(kpi_id: str, view: View) -> str | None:
    """The one channel a KPI not comparable across channels is followed on when the view
    holds several: the busiest (the user picks another with the channel filter)."""
    if not KPIS[kpi_id].per_channel:
        return None
    by_channel = compute(view.db, view.scope(), [kpi_id], by="channel", settings=view.settings.kpi, counts=True)
    found = by_channel[by_channel[f"{kpi_id}__n"] > 0].sort_values([f"{kpi_id}__n", "group"], ascending=[False, True])
    return found["group"].iloc[0] if len(found) > 1 else None


def focus_scope(view: View, channel: str | None) -> Scope:
    return view.scope(channel=[channel]) if channel else view.scope()


def focus_target(kpi_id: str, view: View, stored: Focus | None, channel: str | None = None) -> Target | None:
    """The team's own target while the KPI is its focus, else the settings' target."""
    if stored and stored.kpi == kpi_id and stored.target is not None:
        return Target(stored.target)
    return scope_target(kpi_id, view.targets, focus_scope(view, channel))


@dataclass(frozen=True)
class Headline:
    now: Reading
    previous: Reading
    last_year: Reading | None           # None when the data do not cover the dates a year earlier
    periods: tuple                       # (previous start, end), (last year start, end)
    target: Target | None
    channel: str | None                  # the one channel it is read on, when the view holds several


def headline(view: View, kpi_id: str, target: Target | None, channel: str | None = None) -> Headline:
    scope = focus_scope(view, channel)
    few = view.settings.min_answers

    def read(start, end) -> Reading:
        row = compute(view.db, scope.with_period(start, end), (kpi_id,), settings=view.settings.kpi, counts=True)
        return reading(kpi_id, values(row.iloc[0]), few)
    previous, year = view.state.previous_period(), last_year(view.state.start, view.state.end)
    return Headline(read(view.state.start, view.state.end), read(*previous),
                    read(*year) if covers(view.first, view.last, *year) else None, (previous, year), target, channel)


HOT_ONLY = N_("From the answers about a contact (hot surveys): the barometer (cold survey) is read apart, on "
              "the overview.")


def headline_card(kpi_id: str, h: Headline, view: View) -> dbc.Card:
    k = KPIS[kpi_id]
    target = (_("No target") if h.target is None else _("Target {value}", value=value_text(kpi_id, h.target.value)))
    changes = [change_text(kpi_id, h.now.judged, h.previous.judged, period_label(*h.periods[0])),
               change_text(kpi_id, h.now.judged, h.last_year.judged, period_label(*h.periods[1]))
               if h.last_year else (_("– vs last year (not in the data)"), "")]
    note = caveat(h.now, view.maturity, view.state.start)
    return dbc.Card(dbc.CardBody([
        html.Div(_("{kpi} – {channel}", kpi=k.label(), channel=channel_label(h.channel)) if h.channel
                 else k.label(), className="kpi-label"),
        html.Div(h.now.text, id="focus-value", className="focus-value"),
        html.Div([html.Span(target, id="focus-target", className="me-2"),
                  status_badge(kpi_id, h.now.judged, h.target, id="focus-status")], className="mb-1"),
        *[html.Div(text, className=f"kpi-change {direction}") for text, direction in changes],
        html.Div(note, className="kpi-note small mt-1", id="focus-note") if note else None,
        html.Div(answers_text(h.now.n), className="small text-muted") if k.group == "perceived" and k.kind == "ratio"
        else None,
        html.Div(_(HOT_ONLY), className="small text-muted", id="focus-hot") if k.base == "surveys" else None,
        html.Div(_("Read on {channel} alone: waits and handle times of different channels are not "
                   "comparable (choose another channel in the filter).", channel=channel_label(h.channel)),
                 className="small text-muted mt-1",
                 id="focus-channel") if h.channel else None,
        html.Hr(),
        html.Div(help_text(kpi_id, view.settings.kpi), className="small text-muted focus-formula"),
    ]), className="h-100")


def trend_figure(view: View, kpi_id: str, target: Target | None, channel: str | None = None) -> go.Figure:
    grain = grain_for(view.state.start, view.state.end)
    data = trend_with_last_year(view.db, focus_scope(view, channel), kpi_id, grain, view.settings.kpi, view.first)
    if data.empty:
        return empty_figure(_("No data in this period"))
    k = KPIS[kpi_id]
    fig = base_figure(height=340)
    if data["last_year"].notna().any():   # no legend entry for a line that is not there
        fig.add_scatter(x=data["group"], y=data["last_year"], name=_("Same dates last year"),
                        line=dict(color=COLOURS["muted"], dash="dot"), connectgaps=False)
    fig.add_scatter(x=data["group"], y=data[kpi_id], name=k.label(), mode="lines+markers",
                    line=dict(color=COLOURS["delivered"], width=2.5), marker=dict(size=5))
    if target is not None:
        fig.add_hline(y=target.value, line=dict(color=COLOURS["target"], dash="dash"),
                      annotation_text=_("target {value}", value=value_text(kpi_id, target.value)),
                      annotation_position="top left")
    pending_from = view.maturity.fcr_pending_from if kpi_id == "fcr" else None
    if pending_from and pending_from <= view.state.end:
        fig.add_vrect(x0=max(pending_from, view.state.start).isoformat(), x1=view.state.end.isoformat(),
                      fillcolor=COLOURS["bar"], opacity=0.5, line_width=0, layer="below",
                      annotation_text=_("pending"), annotation_position="top left")
    name = (_("{kpi} – {channel}", kpi=k.label(), channel=plot_text(channel_label(channel))) if channel
            else k.label())
    titled(fig, _(TREND_TITLES[grain, bool(data["last_year"].notna().any())], kpi=name))
    return annotate(fig, chart_actions(view, filters=dict(focus_scope(view, channel).filters)))


def breakdown(view: View, kpi_id: str, dim: str, target: Target | None, channel: str | None = None) -> pd.DataFrame:
    if target is None:
        return pd.DataFrame(columns=["member", "volume", "value", "contribution"])
    return gap_contributions(view.db, focus_scope(view, channel), kpi_id, dim, target.value, view.settings.kpi)


def bar_label(member: str, r: Reading, volume: float) -> str:
    """A breakdown bar's label: the member, its value and the volume it is over."""
    if r.too_few:
        return _("{member} · {value} on {volume} (too few to judge)", member=member, value=r.text,
                 volume=formats.number(volume))
    return _("{member} · {value} on {volume}", member=member, value=r.text, volume=formats.number(volume))


def breakdown_figure(data: pd.DataFrame, kpi_id: str, dim: str, view: View) -> go.Figure:
    """Each member's contribution to the gap, worst first; a score from too few answers is
    greyed, its count said, and it is not coloured as pulling up or down."""
    if data.empty:
        return empty_figure(_("No target, or no data, to compare with"), height=300)
    k = KPIS[kpi_id]
    names = dict(dimension_values(view.db, view.scope(), ["agent"])["agent"]) if dim == "agent" else {}
    top = data.head(15).iloc[::-1]
    readings = [Reading(kpi_id, v, int(n), min_answers=view.settings.min_answers)
                for v, n in zip(top["value"], top["volume"])]
    # the member, its value and volume on the axis; the bar's own label stays short, so that
    # it always has room beside the bar
    labels = [bar_label(_("(unknown)") if m is None or m != m else plot_text(member_label(dim, names.get(m, m))),
                        r, vol) for m, r, vol in zip(top["member"], readings, top["volume"])]
    points = k.unit in ("percent", "score")
    fig = base_figure(height=max(260, 26 * len(top) + 80), hovermode="closest",
                      margin=dict(l=10, r=20, t=40, b=30))
    fig.add_bar(y=labels, x=top["contribution"], orientation="h", cliponaxis=False,
                marker_color=["#c8d0d6" if r.too_few else "#e74c3c" if c < 0 else "#18bc9c"
                              for r, c in zip(readings, top["contribution"])],
                text=[formats.points(c, 2) if points else formats.signed(c, 2) for c in top["contribution"]],
                textposition="outside", hovertemplate="%{y}: %{text}<extra></extra>")
    low, high = min(0.0, top["contribution"].min()), max(0.0, top["contribution"].max())
    span = (high - low) or 1.0
    fig.update_xaxes(range=[low - 0.3 * span if low < 0 else 0, high + 0.3 * span if high > 0 else 0.05 * span])
    fig.update_yaxes(automargin=True)
    titled(fig, _(BREAKDOWN_TITLES[dim]))
    return fig


def distribution_figure(view: View, kpi_id: str, channel: str | None = None) -> go.Figure:
    data = distribution(view.db, focus_scope(view, channel), kpi_id, view.settings.kpi)
    if data is None:
        return empty_figure(_("No distribution behind this indicator"), height=300)
    if data.empty:
        return empty_figure(_("No data in this period"), height=300)
    title = _(DISTRIBUTION_TITLES.get(kpi_id, DISTRIBUTION_TITLES["service_level"]))
    labels = data.drop_duplicates("bin").sort_values("bin")["label"].tolist()
    if kpi_id in WAIT_KPIS:  # every bin on the axis, so that the threshold line sits at 100 %
        labels = [wait_bin_label(b) for b in range(17)]
    fig = base_figure(height=300, barmode="stack", hovermode="x unified")
    for series, part in data.groupby("series", sort=False):
        fig.add_bar(x=part["label"], y=part["count"], name=plot_text(series_label(kpi_id, series)),
                    marker_color=SERIES_COLOURS.get(series, COLOURS["accent"]))
    fig.update_xaxes(categoryorder="array", categoryarray=labels)
    if kpi_id in WAIT_KPIS:
        fig.add_vline(x=3.5, line=dict(color=COLOURS["target"], dash="dash"),
                      annotation_text=_("threshold"), annotation_position="top right", annotation_yanchor="top")
    titled(fig, title)
    return fig


def related_table(view: View, kpi_id: str, channel: str | None = None) -> dbc.Table:
    data = related_indicators(view.db, focus_scope(view, channel), kpi_id, view.settings.kpi)
    rows = []
    for r in data.to_dict("records"):
        corr = r["correlation"]
        strength = ("–" if corr is None else _("strong") if abs(corr) >= 0.5 else
                    _("moderate") if abs(corr) >= 0.3 else _("weak"))
        rows.append(html.Tr([html.Td(KPIS[r["kpi"]].label()),
                             html.Td("–" if corr is None else formats.signed(corr, 2), className="text-end"),
                             html.Td(strength), html.Td(formats.number(r["days"]), className="text-end")]))
    head = html.Thead(html.Tr([html.Th(_("Indicator")), html.Th(_("Correlation"), className="text-end"),
                               html.Th(_("Strength")), html.Th(_("Days"), className="text-end")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, className="bg-white",
                     id="focus-related")


def team_focus_banner(view: View, kpi_id: str, stored: Focus | None):
    """The team focus and its progress since its start date, when this KPI is it."""
    if stored is None or stored.kpi != kpi_id or view.last is None:
        return None
    scope = view.scope().with_period(stored.starts_on, max(stored.starts_on, view.last))
    weeks = compute(view.db, scope, (kpi_id,), by="week", settings=view.settings.kpi).dropna()
    since = formats.day(stored.starts_on)
    parts = [_("Team focus since {day}", day=since) if stored.target is None else
             _("Team focus since {day}: target {value}", day=since, value=value_text(kpi_id, stored.target))]
    if len(weeks) >= 2:
        first, last = weeks.iloc[0][kpi_id], weeks.iloc[-1][kpi_id]
        change, _direction = change_text(kpi_id, last, first, _("the first week"))
        parts.append(_("first week {first}, latest week {last} ({change})", first=value_text(kpi_id, first),
                       last=value_text(kpi_id, last), change=change))
    if stored.note:
        parts.append(stored.note)
    return dbc.Alert(" · ".join(parts), color="primary", id="focus-banner",
                     className="py-2")

