"""Campaign figures that are not KPIs: their reference data and their progress through the
target file, always within a scope."""
from __future__ import annotations

from typing import Sequence

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from metrics.query import Scope, _bound, _run, rows_sql, scope_where


def campaign_info(db: Engine | Connection, codes: Sequence[str]) -> pd.DataFrame:
    """The campaigns table's rows for these codes (the codes come from a scoped query)."""
    if not codes:
        return pd.DataFrame(columns=["campaign", "campaign_name", "purpose", "kind", "sponsor",
                                     "starts_on", "ends_on", "target_size"])
    params = {"codes": list(codes)}
    return _run(db, _bound("SELECT * EXCLUDE (load_id) FROM campaigns WHERE campaign IN :codes", params),
                params)


def campaign_progress(db: Engine | Connection, scope: Scope, campaign: str) -> pd.DataFrame:
    """Day by day, how many distinct customers of the campaign were tried and reached so far
    (each counted on the day of their first attempt, and of their first reach)."""
    params: dict = {"campaign": campaign}
    where = scope_where("contacts", scope, params)
    sql = f"""
        WITH firsts AS (
            SELECT min(CAST(c.arrived_at AS DATE)) AS tried,
                   min(CASE WHEN c.outcome = 'reached' THEN CAST(c.arrived_at AS DATE) END) AS reached
            FROM {rows_sql('contacts', scope)} WHERE {where} AND c.direction = 'outbound'
              AND c.campaign = :campaign AND c.customer_key IS NOT NULL
            GROUP BY c.customer_key)
        SELECT day, sum(tried_n) AS tried, sum(reached_n) AS reached FROM (
            SELECT tried AS day, count(*) AS tried_n, 0 AS reached_n FROM firsts GROUP BY ALL
            UNION ALL
            SELECT reached, 0, count(*) FROM firsts WHERE reached IS NOT NULL GROUP BY ALL)
        GROUP BY day ORDER BY day"""
    out = _run(db, _bound(sql, params), params)
    out["tried"] = out["tried"].astype(int).cumsum()
    out["reached"] = out["reached"].astype(int).cumsum()
    return out
