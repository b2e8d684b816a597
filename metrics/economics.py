"""What the service costs and what campaigns earn (KPIS.md, *cost of service* and *campaign
economics*): the measures of the registry's ``economics`` base, for any scope and grouping the
query layer takes (``metrics.query.compute_measures`` asks them of ``economic_measures``).

- A cost row covers a whole month: a period holding part of it takes its amount in proportion
  of its days there (and a day or week of it, of that day's or week's days).
- A row without a client, channel, site or campaign is shared over that dimension's members in
  proportion of their handled contacts that month (among the contacts its other dimensions
  name), when the scope filters or groups by that dimension; a row that has no handled contact
  to be shared over is left out of such a scope.
- Costs are the centre's own figures: only a viewer without restrictions reads them, and a
  scope filtered or grouped by what costs do not have (queue, agent, team, reason, half-hour)
  has none. "No cost data" is a value unknown, never 0.
- A campaign's response rate counts the distinct customers it reached (outbound reached, or an
  inbound contact with its code) against its target file's size, through the viewer's scope.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from data.schema import COST_DIMENSIONS
from metrics.periods import month_end
from metrics.query import Scope, _bound, _group_sql, _measure_query, _run, rows_sql, scope_where
from metrics.registry import MEASURES
from settings import KpiSettings

COST_MEASURES = ("cost_amount", "cost_known", "cost_handled", "campaign_amount", "campaign_known")
TARGET_MEASURES = ("campaign_customers", "campaign_targets")
TIME = ("day", "week", "month")


def economic_measures(db: Engine | Connection, scope, groups: tuple[str, ...], names: Sequence[str],
                      settings: KpiSettings = KpiSettings()) -> pd.DataFrame:
    """The ``economics`` measures asked, one row per group (``g0``, ``g1``... as the query
    layer names them; no row for a group with nothing), or a single row without groups (its
    queries answered from the query layer's result cache when asked again)."""
    keys = [f"g{i}" for i in range(len(groups))]
    parts = []
    if any(n in COST_MEASURES for n in names):
        parts.append(_costs(db, scope, groups, settings))
    if any(n in TARGET_MEASURES for n in names):
        parts.append(_targets(db, scope, groups))
    if not keys:
        found = {c: part[c].sum() for part in parts for c in part.columns}
        return pd.DataFrame({n: [float(found.get(n, 0)) if MEASURES[n].agg == "sum" else int(found.get(n, 0))]
                             for n in names})
    out = parts[0]
    for part in parts[1:]:
        out = out.merge(part, on=keys, how="outer")
    for n in names:
        out[n] = pd.to_numeric(out[n], errors="coerce").fillna(0) if n in out else 0
    for k in keys:      # a group of nothing but unknowns stays a key the contacts' groups merge with
        out[k] = out[k].astype(object).where(out[k].notna(), None)
    return out[keys + list(names)]


# ---------------------------------------------------------------- costs

def has_costs(db: Engine | Connection) -> bool:
    """Whether the database holds any cost row."""
    return bool(_run(db, sa.text("SELECT count(*) AS n FROM (SELECT 1 FROM costs LIMIT 1)"), {}).iloc[0]["n"])


def _attributable(scope, groups: tuple[str, ...]) -> bool:
    """Whether costs can be read for a scope and grouping (see the module)."""
    dims = {d for d, _v in scope.filters} | {g for g in groups if g not in TIME}
    return not scope.restrictions and dims <= set(COST_DIMENSIONS)


def _in(alias: str, d: str, filters: dict) -> str:
    """A cost dimension's value among the scope's filter values (bound as ``c_<dim>``)."""
    return f"{alias}.{d} IN :c_{d}" if d in filters else "TRUE"


def _costs(db, scope, groups: tuple[str, ...], settings: KpiSettings) -> pd.DataFrame:
    """Cost and campaign cost per group, whether cost rows cover it, and the handled contacts
    they cover: two queries, whatever the rows (see the module for the rules)."""
    keys = [f"g{i}" for i in range(len(groups))]
    if not _attributable(scope, groups) or not has_costs(db):
        return pd.DataFrame(columns=keys + list(COST_MEASURES))
    filters = {d: list(v) for d, v in scope.filters}
    dims = [g for g in groups if g not in TIME]
    constrained = [d for d in COST_DIMENSIONS if d in filters or d in dims]
    amounts = _amounts(db, scope, groups, filters, dims, constrained, settings)
    covered = _covered_handled(db, scope, groups, settings)
    if not keys:
        found = {**amounts.iloc[0].to_dict(), **covered.iloc[0].to_dict()}
        return pd.DataFrame([found])[list(COST_MEASURES)] if found["cost_known"] else \
            pd.DataFrame(columns=list(COST_MEASURES))
    found = amounts.merge(covered, on=keys, how="left")
    found["cost_handled"] = found["cost_handled"].fillna(0).astype(int)
    return found[keys + list(COST_MEASURES)]


def _amounts(db, scope, groups, filters: dict, dims: list[str], constrained: list[str], settings) -> pd.DataFrame:
    """The cost rows' amounts per group: each row in proportion of the period's days of its
    month (per time bucket), shared over the members of the constrained dimensions it does
    not name by their handled contacts that month."""
    first, last = scope.start.replace(day=1), scope.end
    params: dict = {"c_first": first, "c_start": scope.start, "c_end": scope.end}
    params.update({f"c_{d}": v for d, v in filters.items()})
    # each month's handled contacts per client, channel, site and campaign (no filter): what is shared by
    handled_scope = Scope(first, month_end(last))
    handled_sql, handled_params = _measure_query(db, "contacts", ["handled"], handled_scope,
                                                 ("month", *COST_DIMENSIONS), settings, True)
    handled_sql = handled_sql.text          # its SQL, bound again below with the rest
    params.update(handled_params)
    named_ok = " AND ".join(f"(r.{d} IS NULL OR {_in('r', d, filters)})" for d in COST_DIMENSIONS)
    full = " AND ".join(f"r.{d} IS NOT NULL" for d in constrained) or "TRUE"
    match = " AND ".join(f"(r.{d} IS NULL OR h.g{i + 1} = r.{d})" for i, d in enumerate(COST_DIMENSIONS))
    wanted = " AND ".join(_in("p", d, filters) for d in COST_DIMENSIONS)
    dim_cols = "".join(f", p.{d}" for d in dims)
    times = [g for g in groups if g in TIME]
    buckets = "".join(f", CAST(date_trunc('{g}', d.day) AS DATE) AS t_{g}" for g in times)
    select = "".join(f"{'c.t_' + g if g in TIME else 'c.' + g} AS g{i}, " for i, g in enumerate(groups))
    by = " GROUP BY ALL" if groups else ""
    sql = f"""
        WITH h AS ({handled_sql}),
        r AS (SELECT row_number() OVER (ORDER BY month, kind, client, channel, site, campaign) AS id, month, amount, client, channel, site, campaign,
                     campaign IS NOT NULL AS is_campaign, {full} AS whole
              FROM costs r WHERE month >= :c_first AND month <= :c_end AND {named_ok}),
        pairs AS (SELECT r.id, h.g1 AS client, h.g2 AS channel, h.g3 AS site, h.g4 AS campaign, h.handled AS n
                  FROM r JOIN h ON h.g0 = r.month AND {match} WHERE NOT r.whole),
        total AS (SELECT id, sum(n) AS n FROM pairs GROUP BY id),
        part AS (SELECT p.id{dim_cols}, sum(p.n) AS n FROM pairs p WHERE {wanted} GROUP BY ALL),
        shares AS (
            SELECT r.id, r.month, r.amount, r.is_campaign{''.join(f', part.{d}' for d in dims)}, part.n / total.n AS share
            FROM r JOIN part USING (id) JOIN total USING (id) WHERE total.n > 0
            UNION ALL
            SELECT r.id, r.month, r.amount, r.is_campaign{''.join(f', r.{d}' for d in dims)}, 1.0 AS share
            FROM r WHERE r.whole),
        days AS (SELECT CAST(d AS DATE) AS day FROM (
                 SELECT unnest(generate_series(CAST(:c_start AS DATE), CAST(:c_end AS DATE), INTERVAL 1 DAY)) AS d)),
        counted AS (SELECT s.*{buckets}, count(*) AS n_days
                    FROM shares s JOIN days d ON CAST(date_trunc('month', d.day) AS DATE) = s.month GROUP BY ALL),
        pieces AS (SELECT {select}c.amount * c.share * c.n_days / dayofmonth(last_day(c.month)) AS amount,
                          c.is_campaign FROM counted c)
        SELECT {''.join(f'g{i}, ' for i in range(len(groups)))}sum(amount) AS cost_amount, count(*) > 0 AS cost_known,
               coalesce(sum(CASE WHEN is_campaign THEN amount ELSE 0 END), 0) AS campaign_amount,
               coalesce(bool_or(is_campaign), FALSE) AS campaign_known
        FROM pieces{by}"""
    found = _run(db, _bound(sql, params), params)
    return found.astype({"cost_known": int, "campaign_known": int})


def _covered_handled(db, scope, groups: tuple[str, ...], settings) -> pd.DataFrame:
    """The scope's handled contacts per group in the months and dimension values some cost row
    covers (a row naming no client covers every client, and so on)."""
    keys = [f"g{i}" for i in range(len(groups))]
    every = list(groups) + [d for d in ("month", *COST_DIMENSIONS) if d not in groups]
    clause, params = _measure_query(db, "contacts", ["handled"], scope, tuple(every), settings, True)
    col = {d: f"m.g{every.index(d)}" for d in ("month", *COST_DIMENSIONS)}
    match = " AND ".join(f"(r.{d} IS NULL OR r.{d} = {col[d]})" for d in COST_DIMENSIONS)
    params["c_first"], params["c_end"] = scope.start.replace(day=1), scope.end
    sql = f"""
        SELECT {''.join(f'{k}, ' for k in keys)}coalesce(sum(m.handled), 0) AS cost_handled FROM ({clause.text}) m
        WHERE EXISTS (SELECT 1 FROM costs r WHERE r.month >= :c_first AND r.month <= :c_end
                      AND r.month = CAST(date_trunc('month', {col['month']}) AS DATE) AND {match})
        {'GROUP BY ALL' if keys else ''}"""
    return _run(db, _bound(sql, params), params).astype({"cost_handled": int})


# ---------------------------------------------------------------- target files

def _targets(db, scope, groups: tuple[str, ...]) -> pd.DataFrame:
    """Per group, the distinct customers each campaign with a target file reached, and the
    sizes of those files (summed over the group's campaigns)."""
    keys = [f"g{i}" for i in range(len(groups))]
    params: dict = {}
    where = scope_where("contacts", scope, params)
    group = "".join(f"{_group_sql('contacts', g)} AS g{i}, " for i, g in enumerate(groups))
    sql = f"""
        SELECT {group}c.campaign AS campaign, count(DISTINCT c.customer_key) AS customers
        FROM {rows_sql('contacts', scope, groups)}
        WHERE {where} AND c.campaign IS NOT NULL AND c.customer_key IS NOT NULL
          AND ((c.direction = 'outbound' AND c.outcome = 'reached') OR c.direction = 'inbound')
        GROUP BY ALL"""
    reached = _run(db, _bound(sql, params), params)
    sizes = _run(db, _bound("SELECT campaign, target_size FROM campaigns WHERE target_size > 0", {}), {})
    found = reached.merge(sizes, on="campaign", how="inner")
    if found.empty:
        return pd.DataFrame(columns=keys + list(TARGET_MEASURES))
    found = found.rename(columns={"customers": "campaign_customers", "target_size": "campaign_targets"})
    if not keys:
        return pd.DataFrame({n: [int(found[n].sum())] for n in TARGET_MEASURES})
    return found.groupby(keys, dropna=False, as_index=False)[list(TARGET_MEASURES)].sum()
