"""Campaign figures that are not KPIs: their reference data and their progress through the
target file, always within a scope."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Mapping, Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrics import rollups
from metrics.contacts import contacts_where
from metrics.query import Scope, _bound, _dims_used, _run


def campaign_info(db: Engine | Connection, codes: Sequence[str]) -> pd.DataFrame:
    """The campaigns table's rows for these codes (the codes come from a scoped query)."""
    if not codes:
        return pd.DataFrame(columns=["campaign", "campaign_name", "purpose", "kind", "sponsor",
                                     "starts_on", "ends_on", "target_size"])
    params = {"codes": list(codes)}
    return _run(db, _bound("SELECT * EXCLUDE (load_id) FROM campaigns WHERE campaign IN :codes", params),
                params)


def campaign_codes(db: Engine | Connection) -> list[str]:
    """Every campaign of the campaigns table: for a viewer without restrictions only (a
    restricted one sees the campaigns its scope's contacts name)."""
    return _run(db, sa.text("SELECT campaign FROM campaigns ORDER BY campaign"), {})["campaign"].tolist()


def campaign_progress(db: Engine | Connection, scope: Scope, campaign: str) -> pd.DataFrame:
    """Day by day, how many distinct customers of the campaign were tried and reached so far
    (each counted on the day of their first attempt, and of their first reach)."""
    # read from the roll-up of each campaign's customers per day when it exists (the
    # campaign's rows lie together there), else from the contacts' outbound attempts
    params: dict = {"campaign": campaign}
    rollup = rollups.covering(db, "contacts", _dims_used(scope), None, "customers")
    if rollup:
        rows, day, reached = f"{rollup.table} r", "r.day", "r.reached"
        where = contacts_where(db, scope, params, rollup) + " AND r.campaign = :campaign"
    else:
        rows, day, reached = "contacts c", "CAST(c.arrived_at AS DATE)", "c.outcome = 'reached'"
        where = f"{contacts_where(db, scope, params)} AND c.campaign = :campaign AND {rollups.CAMPAIGN_ATTEMPTS}"
    sql = f"""
        WITH firsts AS (
            SELECT min({day}) AS tried, min(CASE WHEN {reached} THEN {day} END) AS reached
            FROM {rows} WHERE {where} GROUP BY customer_key)
        SELECT day, sum(tried_n) AS tried, sum(reached_n) AS reached FROM (
            SELECT tried AS day, count(*) AS tried_n, 0 AS reached_n FROM firsts GROUP BY ALL
            UNION ALL
            SELECT reached, 0, count(*) FROM firsts WHERE reached IS NOT NULL GROUP BY ALL)
        GROUP BY day ORDER BY day"""
    out = _run(db, _bound(sql, params), params)
    out["tried"] = out["tried"].astype(int).cumsum()
    out["reached"] = out["reached"].astype(int).cumsum()
    return out


# a contract's objectives -> the KPI each is judged on; the acquisition cost is met at or below its objective
OBJECTIVES = {"reach_rate": "reach_rate", "conversion_rate": "conversion_rate",
              "response_rate": "response_rate_campaign", "acquisition_cost": "acquisition_cost"}
LOWER_IS_BETTER = ("acquisition_cost",)


def objective_status(objective: str, target: float | None, actual: float | None) -> str | None:
    """``met`` or ``missed`` against the objective; ``unknown`` without a value (no cost data,
    no attempt); None when the contract sets no such objective."""
    if target is None:
        return None
    if actual is None or actual != actual:
        return "unknown"
    met = actual <= target if objective in LOWER_IS_BETTER else actual >= target
    return "met" if met else "missed"


def deadline_status(deadline: date | None, target_size, tried: int, last_day: date | None) -> str | None:
    """Whether the whole target file was tried by the deadline: ``met`` once it was (by then),
    ``missed`` when the data reach the deadline and it was not, ``pending`` before; ``unknown``
    for a campaign without a target file; None without a deadline."""
    if deadline is None:
        return None
    if target_size is None or target_size != target_size or not target_size:
        return "unknown"
    if tried >= target_size:
        return "met"
    return "missed" if last_day is not None and last_day >= deadline else "pending"


def tried_by(db: Engine | Connection, scope: Scope, campaign: str, deadline: date, first: date) -> int:
    """Distinct customers of the campaign tried from ``first`` to the deadline (both days
    included), within the scope's filters and restrictions."""
    if deadline < first:
        return 0
    progress = campaign_progress(db, scope.with_period(first, deadline), campaign)
    return int(progress["tried"].iloc[-1]) if not progress.empty else 0


def milestone_plan(starts_on: date | None, offsets: Mapping[str, int], done: Mapping[str, date],
                   today: date, milestones: Sequence[str]) -> list[dict]:
    """Each preparation milestone's day (its offset counted back from the launch), the day it
    was done, and its status: ``done``, ``late`` (its day passed, not done) or ``coming``; the
    launch is done on the campaign's first day once that day has come."""
    if starts_on is None:
        return []
    out = []
    for m in milestones:
        day = starts_on + timedelta(days=int(offsets[m]))
        done_on = done.get(m) or (day if m == "launch" and day <= today else None)   # launched on its first day
        status = "done" if done_on else "late" if day < today else "coming"
        out.append({"milestone": m, "day": day, "done_on": done_on, "status": status})
    return out
