"""The monthly committee review of one client: its contractual indicators against target over
the last 12 months, the month's volumes by channel and its worst-scored comments.

Everything is computed for the client's own scope (and the viewer's restrictions on top).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping, Sequence

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from metrics.periods import add_months, month_end
from metrics.query import Scope, _bound, _run, compute, rows_sql, scope_where
from metrics.relations import DIM_SQL
from metrics.registry import KPIS
from metrics.targets import Target, status, target_for
from settings import KpiSettings

HISTORY_MONTHS = 12
VOLUME_KPIS = ("offered", "handled", "attempts", "responses")
# a contract is met or missed; the amber band tells how far a miss was
RESULT = {"met": ("Met", "✓"), "close": ("Missed, within tolerance", "!"), "missed": ("Missed", "✗")}


@dataclass(frozen=True)
class Indicator:
    """A contractual indicator: a KPI, over every channel or one."""

    kpi: str
    channel: str | None = None

    @property
    def key(self) -> str:
        return f"{self.kpi}:{self.channel}" if self.channel else self.kpi

    @property
    def label(self) -> str:
        return KPIS[self.kpi].label_en + (f" ({self.channel})" if self.channel else "")


@dataclass(frozen=True)
class Review:
    client: str
    month: date                  # its first day
    months: tuple[date, ...]     # the last 12 months, oldest first, ending with ``month``
    indicators: pd.DataFrame     # one row per indicator: target, actual, status, history figures
    history: pd.DataFrame        # one row per indicator and month: value, status
    volumes: pd.DataFrame        # one row per channel of the month, and its previous month's handled
    verbatims: pd.DataFrame      # the month's worst-scored comments


def month_start(text: str | None, default: date) -> date:
    """The first day of a ``YYYY-MM`` month, or of ``default``'s month when it cannot be read."""
    try:
        year, month = (int(p) for p in str(text).split("-")[:2])
        return date(year, month, 1)
    except (TypeError, ValueError):
        return default.replace(day=1)


def client_scope(base: Scope, client: str, start: date, end: date) -> Scope:
    """A client's whole scope over a period: no other filter, the viewer's restrictions kept."""
    return Scope(start, end, (("client", (client,)),), base.restrictions)


def committee_review(db: Engine | Connection, base: Scope, client: str, month: date,
                     contract: Sequence[tuple[str, str | None]], targets: Mapping[str, Mapping],
                     settings: KpiSettings = KpiSettings(), comments: int = 10, min_answers: int = 0,
                     first: date | None = None) -> Review:
    """The review of a client's month. A score from fewer than ``min_answers`` answers is not
    judged; the same month a year earlier is compared when the data (from ``first``) cover it;
    a KPI not comparable across channels named without a channel is reviewed per channel."""
    month = month.replace(day=1)
    months = tuple(add_months(month, i) for i in range(1 - HISTORY_MONTHS, 1))
    scope = client_scope(base, client, months[0], month_end(month))
    indicators = _per_channel(db, scope, [Indicator(k, c) for k, c in dict.fromkeys(contract)], settings)
    history = _history(db, scope, indicators, months, targets, client, settings, min_answers)
    year = add_months(month, -12)
    last_year = (_history(db, client_scope(base, client, year, month_end(year)), indicators, (year,), targets,
                          client, settings, min_answers) if first is not None and first <= year else None)
    this_month = client_scope(base, client, month, month_end(month))
    return Review(client, month, months, _summary(indicators, history, last_year, month, targets, client), history,
                  _volumes(db, this_month, client_scope(base, client, add_months(month, -1),
                                                        month_end(add_months(month, -1))), settings),
                  worst_verbatims(db, this_month, comments))


def _per_channel(db, scope: Scope, indicators: list[Indicator], settings) -> list[Indicator]:
    """The indicators, those not comparable across channels and named without one made one
    per channel of the client's twelve months (busiest first)."""
    mixed = [i.kpi for i in indicators if i.channel is None and KPIS[i.kpi].per_channel]
    if not mixed:
        return indicators
    found = compute(db, scope, mixed, by="channel", settings=settings, counts=True)
    out = []
    for i in indicators:
        if i.kpi not in mixed:
            out.append(i)
            continue
        rows = found[(found[f"{i.kpi}__n"] > 0) & found["group"].notna()]
        rows = rows.sort_values([f"{i.kpi}__n", "group"], ascending=[False, True])
        out += [Indicator(i.kpi, ch) for ch in rows["group"]] or [i]
    return list(dict.fromkeys(out))


def _history(db, scope: Scope, indicators: list[Indicator], months, targets, client,
             settings, min_answers: int = 0) -> pd.DataFrame:
    """Each indicator's value, the answers or contacts behind it, its pending contacts and its
    status per month (two queries: the indicators over every channel, and those of one channel
    per month and channel); a perceived score from fewer than ``min_answers`` answers, or a
    month with only pending contacts, is not judged."""
    rows: dict[str, list[dict]] = {}
    everywhere = [i.kpi for i in indicators if i.channel is None]
    channels = sorted({i.channel for i in indicators if i.channel})
    found = {}
    if everywhere:
        found[None] = compute(db, scope, everywhere, by="month", settings=settings, counts=True).set_index("group")
    if channels:
        kpis = [i.kpi for i in indicators if i.channel]
        by_channel = compute(db, scope.with_filters(channel=channels), kpis, by=["month", "channel"],
                             settings=settings, counts=True)
        for ch in channels:
            found[ch] = by_channel[by_channel["channel"] == ch].set_index("month")
    for channel, table in found.items():
        for i in (i for i in indicators if i.channel == channel):
            target = target_for(i.kpi, targets, i.channel, client)
            rows[i.key] = []
            for m in months:
                key = m.isoformat()
                value = table[i.kpi].get(key)
                value = None if value is None or value != value else float(value)
                n = int(table[f"{i.kpi}__n"].get(key, 0))
                pending = int(table[f"{i.kpi}__pending"].get(key, 0)) if KPIS[i.kpi].pending else 0
                few = KPIS[i.kpi].group == "perceived" and 0 < n < min_answers
                rows[i.key].append({"indicator": i.key, "month": m, "value": value, "n": n, "pending": pending,
                                    "too_few": few, "status": None if few else status(i.kpi, value, target)})
    return pd.DataFrame([r for i in indicators for r in rows[i.key]],
                        columns=["indicator", "month", "value", "n", "pending", "too_few", "status"])


def _summary(indicators: list[Indicator], history: pd.DataFrame, last_year: pd.DataFrame | None, month: date,
             targets, client) -> pd.DataFrame:
    """Per indicator: target and amber, the month's value, what stands behind it and its status,
    the previous month's value and the same month's a year earlier (None when the data do not
    cover it), and in how many of the months judged the target was met."""
    rows = []
    previous = add_months(month, -1)
    for i in indicators:
        h = history[history["indicator"] == i.key].set_index("month")
        ly = None if last_year is None else last_year[last_year["indicator"] == i.key].iloc[0]
        target: Target | None = target_for(i.kpi, targets, i.channel, client)
        known = h["status"].dropna()
        rows.append({
            "indicator": i.key, "kpi": i.kpi, "channel": i.channel, "label": i.label,
            "target": None if target is None else target.value,
            "amber": None if target is None else target.amber,
            "actual": h.at[month, "value"], "n": int(h.at[month, "n"]), "pending": int(h.at[month, "pending"]),
            "too_few": bool(h.at[month, "too_few"]), "status": h.at[month, "status"],
            "previous": h.at[previous, "value"] if previous in h.index and not h.at[previous, "too_few"] else None,
            "last_year": None if ly is None or ly["too_few"] else ly["value"],
            "covered_last_year": last_year is not None,
            "months_met": int((known == "met").sum()), "months_judged": int(len(known)),
        })
    return pd.DataFrame(rows)


def _volumes(db, scope: Scope, previous: Scope, settings) -> pd.DataFrame:
    """The month's contacts per channel, with the previous month's handled contacts."""
    now = compute(db, scope, VOLUME_KPIS, by="channel", settings=settings)
    before = compute(db, previous, ["handled"], by="channel", settings=settings)
    out = now.merge(before.rename(columns={"handled": "handled_previous"}), on="group", how="left")
    out["handled_previous"] = out["handled_previous"].fillna(0).astype(int)
    return out.rename(columns={"group": "channel"})


# each answer's scores put on 0 (worst) to 1 (best); an answer's badness is their mean
_SCORE_01 = ("(coalesce(s.nps / 10.0, 0) + coalesce((s.csat - 1) / 4.0, 0) + coalesce((s.ces - 1) / 6.0, 0))"
             " / nullif((s.nps IS NOT NULL)::INT + (s.csat IS NOT NULL)::INT + (s.ces IS NOT NULL)::INT, 0)")
WORST_ORDER_TEXT = ("sorted by the mean of the answer's scores, each put on 0 to 1 "
                    "(NPS ÷ 10, (satisfaction − 1) ÷ 4, (effort − 1) ÷ 6), worst first")


def worst_verbatims(db: Engine | Connection, scope: Scope, limit: int = 10) -> pd.DataFrame:
    """The survey comments of a scope with the worst scores, worst first."""
    params: dict = {"limit": int(limit)}
    where = scope_where("surveys", scope, params)
    sql = f"""
        SELECT s.responded_at, {DIM_SQL['surveys']['channel']} AS channel, lc.queue AS queue,
               s.survey, s.nps, s.csat, s.ces, s.verbatim, {_SCORE_01} AS score
        FROM {rows_sql('surveys', scope)}
        WHERE {where} AND nullif(trim(s.verbatim), '') IS NOT NULL
          AND (s.nps IS NOT NULL OR s.csat IS NOT NULL OR s.ces IS NOT NULL)
        ORDER BY score, s.responded_at, s.response_id
        LIMIT :limit"""
    return _run(db, _bound(sql, params), params)
