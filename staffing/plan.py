"""The agents each half-hour of a day needs: its offered contacts and handle time, read
through the viewer's scope as the daily service page reads them (``metrics.query``), then
Erlang C (and Erlang A with the observed patience) against the channel's service-level
target, with the "what if" of a volume +x % and a handle time −y s.

The volumes are those of one day, or the mean of the same weekday over several weeks ending
on it (the days the data cover): a half-hour's offered contacts are averaged over those days,
its handle time is their total handle time ÷ their handled contacts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from i18n import _
from metrics import maturity
from metrics.query import Scope, _bound, _run, compute_measures, rows_sql, scope_where
from metrics.relations import DIM_SQL, row_flags
from settings import KpiSettings
from staffing import erlang

INTERVAL_S = 1800          # a half-hour
MEASURES = ("offered", "handled", "handle_time_sum")


@dataclass(frozen=True)
class Assumptions:
    """What the plan is worked out against: the service-level target (%) within the
    threshold (s), the shrinkage (%), and the what-if: volume +``volume_pct`` %, handle time
    −``aht_cut_s`` seconds (negative: longer)."""

    target: float
    threshold: float
    shrinkage: float = 30.0
    volume_pct: float = 0.0
    aht_cut_s: float = 0.0


def basis_days(day: date, weeks: int, first: date | None = None) -> list[date]:
    """The days the volumes come from: ``day`` alone (``weeks`` 0 or 1), else the same
    weekday over ``weeks`` weeks ending on it, those before ``first`` left out."""
    days = [day - timedelta(days=7 * k) for k in range(max(1, weeks))]
    return sorted(d for d in days if first is None or d >= first)


def volumes(db: Engine | Connection, scope: Scope, days: list[date],
            settings: KpiSettings = KpiSettings()) -> pd.DataFrame:
    """Per half-hour (``interval``): the mean offered contacts over ``days``, the handle time
    (``aht``, s; None where no contact was handled) and what it stands on."""
    columns = ["interval", "offered", "handled", "handle_time_sum", "aht"]
    if not days:
        return pd.DataFrame(columns=columns)
    m = compute_measures(db, scope.with_period(days[0], days[-1]), MEASURES, by=("day", "half_hour"),
                         settings=settings)
    m = m[m["day"].isin({d.isoformat() for d in days})]
    if m.empty:
        return pd.DataFrame(columns=columns)
    out = m.groupby("half_hour", as_index=False)[list(MEASURES)].sum().rename(columns={"half_hour": "interval"})
    out["offered"] = out["offered"] / len(days)
    out["aht"] = [t / h if h else None for t, h in zip(out["handle_time_sum"], out["handled"])]
    return out[columns].sort_values("interval").reset_index(drop=True)


def patience(db: Engine | Connection, scope: Scope, days: list[date],
             settings: KpiSettings = KpiSettings()) -> float | None:
    """The customers' mean patience (s) on ``days``, for exponential patience with censoring:
    the total wait of every offered contact (answered and abandoned) ÷ the abandons; None
    without an abandon."""
    if not days:
        return None
    params: dict = {}
    scope = scope.with_period(days[0], days[-1])
    where = scope_where("contacts", scope, params)
    flags = row_flags("contacts", settings, params, maturity.span(db))
    day_sql = f"CAST({DIM_SQL['contacts']['time']} AS DATE)"
    params["days"] = list(days)
    sql = (f"WITH b AS (SELECT {day_sql} AS day, c.wait_s AS wait_s, {flags}"
           f" FROM {rows_sql('contacts', scope)} WHERE {where})"
           " SELECT coalesce(sum(CASE WHEN is_offered THEN coalesce(wait_s, 0) END), 0) AS waited,"
           " coalesce(count_if(is_abandoned), 0) AS abandons FROM b WHERE day IN :days")
    row = _run(db, _bound(sql, params), params).iloc[0]
    abandons = int(row["abandons"])
    return float(row["waited"]) / abandons if abandons else None


def plan(found: pd.DataFrame, assumptions: Assumptions, patience_s: float | None = None) -> pd.DataFrame:
    """Per half-hour the offered contacts and handle time after the what-if, the traffic,
    the agents Erlang C needs and those to schedule, the service level, ASA and occupancy
    they give; with a patience, Erlang A's agents, service level and abandon rate. A
    half-hour whose contacts were none handled takes the handle time of all the half-hours
    (``aht_of_day``). A what-if that leaves no handle time is refused (ValueError)."""
    handled = float(found["handled"].sum()) if len(found) else 0.0
    day_aht = float(found["handle_time_sum"].sum()) / handled if handled else None
    rows = []
    for r in found.to_dict("records"):
        own = r["aht"] is not None and r["aht"] == r["aht"]
        base_aht = r["aht"] if own else day_aht
        offered = r["offered"] * (1 + assumptions.volume_pct / 100)
        row = {"interval": r["interval"], "offered": offered, "aht_of_day": not own and offered > 0}
        if base_aht is None:       # nothing handled on any half-hour: no handle time to plan with
            rows.append({**row, "aht": None, "traffic": None, "agents": None, "scheduled": None,
                         "service_level": None, "asa": None, "occupancy": None})
            continue
        aht = base_aht - assumptions.aht_cut_s
        if aht <= 0 and offered > 0:
            raise ValueError(_("a handle time shorter by {cut} s leaves none: the mean is {aht} s",
                               cut=round(assumptions.aht_cut_s), aht=round(base_aht)))
        need = erlang.staffing(offered, INTERVAL_S, max(aht, 0.0), assumptions.target, assumptions.threshold,
                               assumptions.shrinkage)
        row.update(aht=aht, **need.as_json())
        row.update(_erlang_a(offered, aht, assumptions, patience_s))
        rows.append(row)
    return pd.DataFrame(rows, columns=list(PLAN_COLUMNS))


PLAN_COLUMNS = ("interval", "offered", "aht", "aht_of_day", "traffic", "agents", "scheduled", "service_level",
                "asa", "occupancy", "agents_a", "scheduled_a", "service_level_a", "abandon_a")


def _erlang_a(offered: float, aht: float, assumptions: Assumptions, patience_s: float | None) -> dict:
    if not patience_s or offered <= 0:
        return {}
    try:
        found = erlang.erlang_a_agents(offered, INTERVAL_S, aht, assumptions.target, assumptions.threshold,
                                       patience_s)
    except ValueError:    # a threshold too long for the chain (e-mail): Erlang C alone
        return {}
    return {"agents_a": found.agents, "scheduled_a": erlang.scheduled(found.agents, assumptions.shrinkage),
            "service_level_a": found.service_level, "abandon_a": found.abandon}


def totals(planned: pd.DataFrame) -> dict:
    """The day's figures: contacts offered, the peak of agents needed and scheduled, and the
    agent-hours scheduled (each half-hour's agents for half an hour)."""
    if planned.empty:
        return {"offered": 0.0, "peak": 0, "peak_scheduled": 0, "hours": 0.0, "hours_a": None}
    agents = pd.to_numeric(planned["agents"], errors="coerce").fillna(0)
    sched = pd.to_numeric(planned["scheduled"], errors="coerce").fillna(0)
    sched_a = pd.to_numeric(planned["scheduled_a"], errors="coerce")
    return {"offered": float(planned["offered"].sum()), "peak": int(agents.max()), "peak_scheduled": int(sched.max()),
            "hours": float(sched.sum()) / 2, "hours_a": None if sched_a.isna().all() else float(sched_a.fillna(0).sum()) / 2}
