"""The monthly committee review of one client: its contractual indicators against target over
the last 12 months, the month's volumes by channel and its worst-scored comments; and the
director's monthly summary, the same review of every client at once over the headline KPIs.

Everything is computed for the client's own scope (and the viewer's restrictions on top).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from comments.store import TABLE as ANALYSES
from i18n import N_
from i18n.labels import channel_label
from metrics.periods import add_months, month_end
from metrics.query import Scope, _bound, _run, compute, rows_sql, scope_where
from metrics.relations import DIM_SQL
from metrics.registry import KPIS
from metrics.targets import Target, status, target_for
from settings import KpiSettings

HISTORY_MONTHS = 12
VOLUME_KPIS = ("offered", "handled", "attempts", "responses")
# a contract is met or missed; the amber band tells how far a miss was
# (its words are looked up where they are shown)
# the director's monthly summary: the headline KPIs of the whole centre (those with no contact
# or answer behind them over the twelve months are left out; sales are the campaigns page's)
SUMMARY_INDICATORS = tuple((kpi, None) for kpi in (
    "answer_rate", "service_level", "asa", "aht", "abandon_rate", "transfer_rate", "fcr", "repeat_rate",
    "reach_rate", "nps", "csat", "ces", "response_rate"))
RESULT = {"met": (N_("Met"), "✓"), "close": (N_("Missed, within tolerance"), "!"), "missed": (N_("Missed"), "✗")}


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
        """Its name in the current language: "Niveau de service (téléphone)"."""
        return KPIS[self.kpi].label() + (f" ({channel_label(self.channel)})" if self.channel else "")


@dataclass(frozen=True)
class Review:
    client: str | None           # None: the director's summary, every client of the viewer's scope
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


def client_scope(base: Scope, client: str | None, start: date, end: date) -> Scope:
    """A client's whole scope over a period (every client's for None): no other filter, the
    viewer's restrictions kept."""
    return Scope(start, end, (("client", (client,)),) if client else (), base.restrictions, base.survey)


def summary_review(db: Engine | Connection, base: Scope, month: date, targets: Mapping[str, Mapping],
                   settings: KpiSettings = KpiSettings(), min_answers: int = 0, first: date | None = None) -> Review:
    """The director's summary of a month: the review of every client at once over the headline
    KPIs against the targets in force for every contact (per channel where they differ),
    leaving out the KPIs with nothing behind them in the twelve months."""
    review = committee_review(db, base, None, month, SUMMARY_INDICATORS, targets, settings,
                              min_answers=min_answers, first=first)
    known = set(review.history.loc[review.history["n"] > 0, "indicator"])
    return replace(review, indicators=review.indicators[review.indicators["indicator"].isin(known)].reset_index(drop=True),
                   history=review.history[review.history["indicator"].isin(known)].reset_index(drop=True))


def committee_review(db: Engine | Connection, base: Scope, client: str | None, month: date,
                     contract: Sequence[tuple[str, str | None]], targets: Mapping[str, Mapping],
                     settings: KpiSettings = KpiSettings(), comments: int = 10, min_answers: int = 0,
                     first: date | None = None) -> Review:
    """The review of a client's month. A score from fewer than ``min_answers`` answers is not
    judged; the same month a year earlier is compared when the data (from ``first``) cover it;
    a KPI not comparable across channels named without a channel is reviewed per channel."""
    month = month.replace(day=1)
    months = tuple(add_months(month, i) for i in range(1 - HISTORY_MONTHS, 1))
    year = add_months(month, -12)          # the month before the twelve: the same month last year
    named = [Indicator(k, c) for k, c in dict.fromkeys(contract)]
    tables = _monthly(db, client_scope(base, client, year, month_end(month)), named, settings)
    indicators = _per_channel(named, tables, months)
    history = _history(tables, indicators, months, targets, client, min_answers)
    last_year = (_history(tables, indicators, (year,), targets, client, min_answers)
                 if first is not None and first <= year else None)
    this_month = client_scope(base, client, month, month_end(month))
    return Review(client, month, months, _summary(indicators, history, last_year, month, targets, client), history,
                  _volumes(db, this_month, client_scope(base, client, add_months(month, -1),
                                                        month_end(add_months(month, -1))), settings),
                  worst_verbatims(db, this_month, comments))


def _monthly(db, scope: Scope, indicators: list[Indicator], settings) -> dict[str | None, pd.DataFrame]:
    """The contract's KPIs month by month with the counts behind them, in two queries: over
    every channel (``None``), and per month and channel for the KPIs read on one channel or
    not comparable across channels."""
    everywhere = [i.kpi for i in indicators if i.channel is None and not KPIS[i.kpi].per_channel]
    per_channel = [i.kpi for i in indicators if i.channel is not None or KPIS[i.kpi].per_channel]
    tables = {}
    if everywhere:
        tables[None] = compute(db, scope, everywhere, by="month", settings=settings, counts=True).set_index("group")
    if per_channel:
        found = compute(db, scope, per_channel, by=["month", "channel"], settings=settings, counts=True)
        for channel, rows in found[found["channel"].notna()].groupby("channel"):
            tables[channel] = rows.set_index("month")
    return tables


def _per_channel(indicators: list[Indicator], tables: dict, months) -> list[Indicator]:
    """The indicators, those not comparable across channels and named without one made one
    per channel of the client's twelve months (busiest first)."""
    out = []
    keys = [m.isoformat() for m in months]
    for i in indicators:
        if i.channel is not None or not KPIS[i.kpi].per_channel:
            out.append(i)
            continue
        volume = {ch: t[f"{i.kpi}__n"].reindex(keys).fillna(0).sum() for ch, t in tables.items() if ch is not None}
        busy = sorted((ch for ch, n in volume.items() if n > 0), key=lambda ch: (-volume[ch], ch))
        out += [Indicator(i.kpi, ch) for ch in busy] or [i]
    return list(dict.fromkeys(out))


def _history(tables: dict, indicators: list[Indicator], months, targets, client,
             min_answers: int = 0) -> pd.DataFrame:
    """Each indicator's value, the answers or contacts behind it, its pending contacts and its
    status per month; a perceived score from fewer than ``min_answers`` answers, or a month
    with only pending contacts, is not judged."""
    rows = []
    for i in indicators:
        table = tables.get(i.channel)
        target = target_for(i.kpi, targets, i.channel, client)
        for m in months:
            key = m.isoformat()
            found = table is not None and key in table.index
            value = table.at[key, i.kpi] if found else None
            value = None if value is None or value != value else float(value)
            n = int(table.at[key, f"{i.kpi}__n"]) if found else 0
            pending = int(table.at[key, f"{i.kpi}__pending"]) if found and KPIS[i.kpi].pending else 0
            few = KPIS[i.kpi].group == "perceived" and 0 < n < min_answers
            rows.append({"indicator": i.key, "month": m, "value": value, "n": n, "pending": pending,
                         "too_few": few, "status": None if few else status(i.kpi, value, target)})
    return pd.DataFrame(rows, columns=["indicator", "month", "value", "n", "pending", "too_few", "status"])


def _summary(indicators: list[Indicator], history: pd.DataFrame, last_year: pd.DataFrame | None, month: date,
             targets, client) -> pd.DataFrame:
    """Per indicator: target and amber, the month's value, what stands behind it and its status,
    the previous month's value and the same month's a year earlier (None when the data do not
    cover it), and in how many of the months judged the target was met."""
    cells = {(r["indicator"], r["month"]): r for r in history.to_dict("records")}
    years = {} if last_year is None else {r["indicator"]: r for r in last_year.to_dict("records")}
    previous = add_months(month, -1)
    rows = []
    for i in indicators:
        now, before, ly = cells[(i.key, month)], cells.get((i.key, previous)), years.get(i.key)
        target: Target | None = target_for(i.kpi, targets, i.channel, client)
        judged = [r["status"] for (key, _m), r in cells.items() if key == i.key and isinstance(r["status"], str)]
        rows.append({
            "indicator": i.key, "kpi": i.kpi, "channel": i.channel, "label": i.label,
            "target": None if target is None else target.value,
            "amber": None if target is None else target.amber,
            "actual": now["value"], "n": now["n"], "pending": now["pending"], "too_few": now["too_few"],
            "status": now["status"],
            "previous": before["value"] if before and not before["too_few"] else None,
            "last_year": ly["value"] if ly and not ly["too_few"] else None,
            "covered_last_year": last_year is not None,
            "months_met": judged.count("met"), "months_judged": len(judged),
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
WORST_ORDER_TEXT = N_("sorted by the mean of the answer's scores, each put on 0 to 1 "
                      "(NPS ÷ 10, (satisfaction − 1) ÷ 4, (effort − 1) ÷ 6), worst first")


def worst_verbatims(db: Engine | Connection, scope: Scope, limit: int = 10) -> pd.DataFrame:
    """The survey comments of a scope with the worst scores, worst first, with what each
    says (its categories and the extreme flag, ``comments.store``).

    The period's worst answers are taken first, twenty times as many as asked for, and only
    those meet their contacts for the scope's filters and the viewer's restrictions (the
    contacts of a whole month are not joined); when too few of them are in the scope, four
    times as many are taken, until enough are or none is left. The analyses are read for the
    comments shown only."""
    limit = max(int(limit), 1)
    read = 20 * limit
    while True:
        found = _run(db, *_worst(scope, read))
        kept = found[found["response_id"].notna()]
        if len(kept) >= limit or found["answers_read"].iloc[0] < read:
            break
        read *= 4
    shown = kept.head(limit).drop(columns="answers_read")
    shown = shown.merge(_analyses(db, shown), on=["source", "response_id"], how="left")
    shown["categories"] = [list(c) if isinstance(c, (list, tuple, np.ndarray)) else [] for c in shown["categories"]]
    shown["extreme"] = shown["extreme"].fillna(False).astype(bool)
    return shown.drop(columns=["source", "response_id"])


def _worst(scope: Scope, read: int) -> tuple[sa.TextClause, dict]:
    """Those of the period's ``read`` worst-scored comments (every answer of the period's
    kind, by score then time) that are in the scope, worst first, and how many were read
    (``answers_read``: on every row, and on a single row of nulls when none is in the scope)."""
    params: dict = {"read": int(read)}
    answers = scope_where("surveys", Scope(scope.start, scope.end, survey=scope.survey), params)
    joined = rows_sql("surveys", scope).removeprefix("surveys s")    # their contacts (and agents)
    sql = f"""
        WITH worst AS (
            SELECT s.*, {_SCORE_01} AS score FROM surveys s
            WHERE {answers} AND nullif(trim(s.verbatim), '') IS NOT NULL
              AND (s.nps IS NOT NULL OR s.csat IS NOT NULL OR s.ces IS NOT NULL)
            ORDER BY score, s.responded_at, s.response_id
            LIMIT :read),
        kept AS (
            SELECT s.source, s.response_id, s.responded_at, {DIM_SQL['surveys']['channel']} AS channel,
                   lc.queue AS queue, s.survey, s.nps, s.csat, s.ces, s.verbatim, s.score
            FROM worst s{joined} WHERE {scope_where("surveys", scope, params)})
        SELECT kept.*, (SELECT count(*) FROM worst) AS answers_read
        FROM (SELECT 1 AS one) one LEFT JOIN kept ON TRUE
        ORDER BY kept.score, kept.responded_at, kept.response_id"""
    return _bound(sql, params), params


def _analyses(db: Engine | Connection, answers: pd.DataFrame) -> pd.DataFrame:
    """The categories and extreme flag of these answers' comments (those analysed)."""
    columns = ["source", "response_id", "categories", "extreme"]
    if answers.empty:
        return pd.DataFrame(columns=columns)
    params = {"sources": sorted(set(answers["source"])), "ids": sorted(set(answers["response_id"]))}
    sql = (f"SELECT {', '.join(columns)} FROM {ANALYSES}"
           " WHERE source IN :sources AND response_id IN :ids")
    return _run(db, _bound(sql, params), params)
