"""The measured effect of a done action: each of its KPIs before and after, over equal windows.

The windows are whole weeks (``Settings.effect_weeks``, 4 by default), so that each weekday
counts as often in both: the weeks ending the day before the action starts, and the weeks
starting the day after it ends. The change comes with a 95 % confidence interval:

- a rate (a KPI in percent, a count of contacts over a count of contacts): the difference
  of two proportions, from the windows' numerator and denominator (normal approximation,
  ``1.96 × √(p₀(1−p₀)/n₀ + p₁(1−p₁)/n₁)``), in percentage points;
- any other KPI (a mean such as AHT, a score, a daily count): the difference of the means of
  its daily values, with a normal interval over the days (``1.96 × √(s₀²/d₀ + s₁²/d₁)``).

Where the scope has a comparable untouched part (an action naming queues: the other queues
of the same channels), the same change is measured there, and the difference in
differences (the action's change minus the untouched part's) with its interval. While the
after window has not passed, or the data do not cover the weeks before, the effect is not
known, and says so.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

import pandas as pd

from data.actions import Action
from i18n import _, formats
from metrics.query import Scope, compute, compute_measures, data_extent
from metrics.registry import KPIS
from settings import KpiSettings

Z95 = 1.96
PROPORTIONS, DAILY_MEANS = "proportions", "daily means"


@dataclass(frozen=True)
class Change:
    before: float | None
    after: float | None
    change: float | None
    se: float | None

    @property
    def low(self) -> float | None:
        return None if self.change is None or self.se is None else self.change - Z95 * self.se

    @property
    def high(self) -> float | None:
        return None if self.change is None or self.se is None else self.change + Z95 * self.se


@dataclass(frozen=True)
class Effect:
    kpi: str
    method: str                          # PROPORTIONS or DAILY_MEANS
    before: tuple[date, date]
    after: tuple[date, date]
    known: bool
    reason: str | None = None            # why it is not known
    own: Change | None = None
    other: Change | None = None          # the untouched part's (None when there is none)
    other_queues: tuple[str, ...] = ()

    @property
    def did(self) -> Change | None:
        """The difference in differences: the action's change minus the untouched part's."""
        if not (self.own and self.other) or self.own.change is None or self.other.change is None:
            return None
        se = (None if self.own.se is None or self.other.se is None
              else math.sqrt(self.own.se ** 2 + self.other.se ** 2))
        return Change(None, None, self.own.change - self.other.change, se)


def windows(action: Action, weeks: int) -> tuple[tuple[date, date], tuple[date, date]]:
    """The whole weeks before the action's first day and after its last one."""
    days = 7 * weeks
    before_end = action.starts_on - timedelta(days=1)
    after_start = action.last_day + timedelta(days=1)
    return (before_end - timedelta(days=days - 1), before_end), (after_start, after_start + timedelta(days=days - 1))


def method_for(kpi_id: str) -> str:
    k = KPIS[kpi_id]
    return PROPORTIONS if k.kind == "ratio" and k.unit == "percent" else DAILY_MEANS


def _proportions(db, scope: Scope, kpi_id: str, before, after, settings: KpiSettings) -> Change:
    k = KPIS[kpi_id]
    p, n = [], []
    for start, end in (before, after):
        m = compute_measures(db, scope.with_period(start, end), [k.numerator, k.denominator], settings=settings)
        den = float(m[k.denominator].iloc[0])
        n.append(den)
        p.append(float(m[k.numerator].iloc[0]) / den if den else None)
    if None in p:
        return Change(None if p[0] is None else 100 * p[0], None if p[1] is None else 100 * p[1], None, None)
    se = math.sqrt(p[0] * (1 - p[0]) / n[0] + p[1] * (1 - p[1]) / n[1])
    return Change(100 * p[0], 100 * p[1], 100 * (p[1] - p[0]), 100 * se)


def _daily_means(db, scope: Scope, kpi_id: str, before, after, settings: KpiSettings) -> Change:
    means, variances = [], []
    for start, end in (before, after):
        days = compute(db, scope.with_period(start, end), [kpi_id], by="day", settings=settings)
        daily = pd.to_numeric(days[kpi_id], errors="coerce").dropna() if not days.empty else pd.Series(dtype=float)
        if KPIS[kpi_id].kind == "count":   # a day without a row counted nothing
            daily = pd.concat([daily, pd.Series([0.0] * ((end - start).days + 1 - len(daily)))])
        means.append(float(daily.mean()) if len(daily) else None)
        variances.append(float(daily.var(ddof=1)) / len(daily) if len(daily) > 1 else None)
    if None in means:
        return Change(means[0], means[1], None, None)
    se = None if None in variances else math.sqrt(variances[0] + variances[1])
    return Change(means[0], means[1], means[1] - means[0], se)


def _untouched_queues(db, scope: Scope, action: Action, span: tuple[date, date],
                      settings: KpiSettings) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The channels of the action's queues, and their other queues (with contacts in the span)."""
    if not action.scope.get("queue"):
        return (), ()
    wide = scope.with_filters(queue=None).with_period(*span)
    found = compute_measures(db, wide, ["offered", "handled"], by=["channel", "queue"], settings=settings)
    found = found[(found["offered"] > 0) | (found["handled"] > 0)].dropna(subset=["channel", "queue"])
    mine = set(action.scope["queue"])
    channels = tuple(sorted(set(found.loc[found["queue"].isin(mine), "channel"])))
    others = tuple(sorted(set(found.loc[found["channel"].isin(channels) & ~found["queue"].isin(mine), "queue"])))
    return channels, others


def measure(db, action: Action, kpi_id: str, weeks: int = 4, restrictions: Mapping[str, list[str]] | None = None,
            settings: KpiSettings = KpiSettings()) -> Effect:
    """The effect of a done action on one of its KPIs, seen by a viewer with these restrictions."""
    before, after = windows(action, weeks)
    method = method_for(kpi_id)
    scope = Scope(before[0], after[1], tuple(action.scope.items())).restricted(**(restrictions or {}))
    if action.status != "done":
        return Effect(kpi_id, method, before, after, False, _("not measured: the action is not done"))
    first, last = data_extent(db, scope)
    if last is None or last < after[1]:
        return Effect(kpi_id, method, before, after, False,
                      _("not yet known: the {weeks} weeks after it end on {day}", weeks=weeks,
                        day=formats.day(after[1])))
    if first > before[0]:
        return Effect(kpi_id, method, before, after, False,
                      _("not known: the data do not cover the {weeks} weeks before it", weeks=weeks))
    change = _proportions if method == PROPORTIONS else _daily_means
    own = change(db, scope, kpi_id, before, after, settings)
    channels, others = _untouched_queues(db, scope, action, (before[0], after[1]), settings)
    other = (change(db, scope.with_filters(queue=list(others), channel=list(channels)), kpi_id, before, after,
                    settings) if others else None)
    return Effect(kpi_id, method, before, after, True, None, own, other, others)


def change_text(kpi_id: str, value: float | None) -> str:
    """A change in the KPI's unit: points for a rate, seconds, a score's digits."""
    if value is None:
        return _("unknown")
    k = KPIS[kpi_id]
    if k.unit == "percent":
        return formats.points(value, 1)
    if k.unit == "seconds":
        return f"{formats.signed(value, 0)} s"
    if k.unit == "currency":
        return f"{formats.signed(value, 2)} €"
    if k.kind == "count":
        return _("{change} a day", change=formats.signed(value, 1))
    return formats.signed(value, k.decimals)


def effect_text(effect: Effect, title: str) -> str:
    """The effect in words a director reads, e.g. "Transfer rate -10.0 pts (95 % CI -15.9 to
    -4.1) after “Voice menu”; other queues +0.0 pts (95 % CI …)"."""
    label = KPIS[effect.kpi].label()
    if not effect.known:
        return _("{kpi}: {reason}", kpi=label, reason=effect.reason)
    own = effect.own
    if own.change is None:
        return _("{kpi}: not known (no contacts in one of the windows)", kpi=label)
    if own.se is None:
        text = _("{kpi} {change} after “{title}” (too few days for an interval)", kpi=label,
                 change=change_text(effect.kpi, own.change), title=title)
    else:
        text = _("{kpi} {change} (95 % CI {low} to {high}) after “{title}”", kpi=label,
                 change=change_text(effect.kpi, own.change), low=change_text(effect.kpi, own.low),
                 high=change_text(effect.kpi, own.high), title=title)
    if effect.other and effect.other.change is not None:
        did = effect.did
        text += _("; other queues of the channel {change}; difference {did} (95 % CI {low} to {high})",
                  change=change_text(effect.kpi, effect.other.change), did=change_text(effect.kpi, did.change),
                  low=change_text(effect.kpi, did.low), high=change_text(effect.kpi, did.high))
    return text


def method_text(method: str) -> str:
    return (_("rates: difference of two proportions over the windows' contacts") if method == PROPORTIONS
            else _("means and counts: difference of the daily values' means, normal interval over the days"))
