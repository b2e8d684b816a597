"""The analyses behind the focus view of one KPI: where the gap to target comes from, the
distribution behind the value, and the related indicators of the other side."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from i18n import formats
from metrics.periods import add_months, year_before
from metrics.query import Scope, compute, compute_measures, histogram
from metrics.registry import KPIS
from metrics.stats import pearson
from settings import KpiSettings

WAIT_KPIS = ("service_level", "answer_rate", "abandon_rate", "asa")
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
PERCEIVED_RELATED = ("nps", "csat", "ces", "perceived_resolution")
DELIVERED_RELATED = ("service_level", "asa", "aht", "fcr", "transfer_rate", "abandon_rate")


def gap_contributions(db: Engine | Connection, scope: Scope, kpi_id: str, by: str, target: float,
                      settings: KpiSettings = KpiSettings()) -> pd.DataFrame:
    """Each member's share of the gap between the KPI and its target, weighted by volume.

    For a ratio KPI, member i with value v_i and denominator d_i contributes
    ``s × (v_i − target) × d_i ÷ Σd`` where s is +1 when higher is better and −1 when lower
    is: the contributions add up to ``s × (overall value − target)``, and the most negative
    members are those that pull the KPI furthest from its target. Sorted worst first.
    """
    k = KPIS[kpi_id]
    if k.kind != "ratio" or k.better == "none":
        raise ValueError(f"{kpi_id} has no direction to a target")
    m = compute_measures(db, scope, [k.numerator, k.denominator], by=by, settings=settings)
    m = m[m[k.denominator] > 0].copy()
    total = m[k.denominator].sum()
    sign = 1 if k.better == "higher" else -1
    out = pd.DataFrame({"member": m["group"], "volume": m[k.denominator].astype(float)})
    out["value"] = m[k.numerator].astype(float) * k.scale / out["volume"]
    out["contribution"] = sign * (out["value"] - target) * out["volume"] / total if total else 0.0
    return out.sort_values(["contribution", "volume"], ascending=[True, False]).reset_index(drop=True)


def distribution(db: Engine | Connection, scope: Scope, kpi_id: str,
                 settings: KpiSettings = KpiSettings()) -> pd.DataFrame | None:
    """The counts behind a KPI, binned on the server: columns ``bin`` (sortable), ``label``,
    ``series`` and ``count``; None when the KPI has no natural distribution."""
    kind = ("waits" if kpi_id in WAIT_KPIS else "handle_time" if kpi_id == "aht"
            else kpi_id if kpi_id in SCORE_RANGES else None)
    if kind is None:
        return None
    out = histogram(db, scope, kind, settings)
    if kind == "waits":
        out["label"] = [wait_bin_label(int(b)) for b in out["bin"]]
    elif kind == "handle_time":
        out["label"] = [f"{int(b)}–{int(b) + 1} min" if b < 30 else "30 min +" for b in out["bin"]]
    else:
        out["series"] = [score_group(kpi_id, int(b)) for b in out["bin"]]
        out["label"] = out["bin"].astype(int).astype(str)
    return out


def wait_bin_label(b: int) -> str:
    """A wait bin's label, in quarters of the threshold: ``25–50 %``; the last ``400 % +``."""
    return f"{b * 25}–{formats.percent(b * 25 + 25, 0)}" if b < 16 else f"{formats.percent(400, 0)} +"


def score_group(kpi_id: str, score: int) -> str:
    if kpi_id == "nps":
        return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
    if kpi_id == "csat":
        return "satisfied" if score >= 4 else "neutral" if score == 3 else "dissatisfied"
    return "easy" if score >= 5 else "neutral" if score == 4 else "hard"


def related_indicators(db: Engine | Connection, scope: Scope, kpi_id: str,
                       settings: KpiSettings = KpiSettings()) -> pd.DataFrame:
    """The other side's indicators with their correlation with the KPI over the days of the
    period (days where both have a value), strongest first."""
    others = DELIVERED_RELATED if KPIS[kpi_id].group == "perceived" else PERCEIVED_RELATED
    daily = compute(db, scope, (kpi_id,) + others, by="day", settings=settings)
    rows = []
    for other in others:
        r, n = pearson(daily[kpi_id], daily[other]) if not daily.empty else (None, 0)
        rows.append({"kpi": other, "correlation": r, "days": n})
    strength = lambda s: pd.to_numeric(s).abs()  # noqa: E731
    out = pd.DataFrame(rows).sort_values("correlation", key=strength, ascending=False,
                                         na_position="last").reset_index(drop=True)
    out["correlation"] = out["correlation"].astype(object).where(out["correlation"].notna(), None)
    return out


def trend_with_last_year(db: Engine | Connection, scope: Scope, kpi_id: str, grain: str,
                         settings: KpiSettings = KpiSettings(), first: date | None = None) -> pd.DataFrame:
    """The KPI per time bucket of the period, beside the same dates one year earlier
    (``last_year``, placed on this year's buckets), for the buckets the data (from ``first``)
    cover entirely."""
    now = compute(db, scope, (kpi_id,), by=grain, settings=settings)
    start, end = year_before(scope.start), year_before(scope.end)
    if first is not None:
        start = max(start, _bucket_from(first, grain))
    before = (compute(db, scope.with_period(start, end), (kpi_id,), by=grain, settings=settings)
              if start <= end else now.iloc[0:0])
    if not before.empty:
        moved = pd.to_datetime(before["group"]) + pd.DateOffset(years=1)
        if grain == "week":  # back onto this year's Mondays
            moved = moved - pd.to_timedelta(moved.dt.day_of_week, unit="D")
        before = before.assign(group=moved.dt.strftime("%Y-%m-%d"))
    out = now.merge(before.rename(columns={kpi_id: "last_year"}), on="group", how="outer")
    return out.sort_values("group").reset_index(drop=True)


def _bucket_from(first: date, grain: str) -> date:
    """The first whole bucket of a grain on or after the data's first day."""
    if grain == "week":
        return first + timedelta(days=-first.weekday() % 7)
    if grain == "month":
        return first if first.day == 1 else add_months(first, 1)
    return first
