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

import calendar
import threading
from collections import OrderedDict
from datetime import date, timedelta
from typing import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from data.db import generation
from data.schema import COST_DIMENSIONS
from metrics.periods import month_end
from metrics.query import Scope, _bound, _group_sql, _run, compute_measures, rows_sql, scope_where
from metrics.registry import MEASURES
from settings import KpiSettings

COST_MEASURES = ("cost_amount", "cost_known", "cost_handled", "campaign_amount", "campaign_known")
TARGET_MEASURES = ("campaign_customers", "campaign_targets")
TIME = ("day", "week", "month")
_MEMO: OrderedDict = OrderedDict()
_LOCK = threading.Lock()


def economic_measures(db: Engine | Connection, scope, groups: tuple[str, ...], names: Sequence[str],
                      settings: KpiSettings = KpiSettings()) -> pd.DataFrame:
    """The ``economics`` measures asked, one row per group (``g0``, ``g1``... as the query
    layer names them; no row for a group with nothing), or a single row without groups; the
    same question on the same data is answered from memory."""
    if not isinstance(db, Engine):
        return _measures(db, scope, groups, names, settings)
    key = (str(db.url), generation(), scope, groups, tuple(names), settings)
    with _LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key].copy()
    found = _measures(db, scope, groups, names, settings)
    with _LOCK:
        _MEMO[key] = found.copy()
        while len(_MEMO) > 256:
            _MEMO.popitem(last=False)
    return found


def _measures(db, scope, groups: tuple[str, ...], names: Sequence[str], settings: KpiSettings) -> pd.DataFrame:
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


def _cost_rows(db, scope) -> pd.DataFrame:
    params = {"first": scope.start.replace(day=1), "last": scope.end}
    rows = _run(db, sa.text("SELECT month, kind, amount, client, channel, site, campaign FROM costs"
                            " WHERE month >= :first AND month <= :last ORDER BY ALL"), params)
    rows["month"] = [pd.Timestamp(m).date() for m in rows["month"]]
    return rows


def _bucket(day: date, grouping: str) -> date:
    if grouping == "day":
        return day
    if grouping == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _period_days(scope, months: Sequence[date], groups: tuple[str, ...]) -> pd.DataFrame:
    """Per month, its share of the period: the period's days in it (per time bucket of the
    grouping) ÷ the month's days."""
    times = [g for g in groups if g in TIME]
    out = []
    for month in months:
        first, last = max(scope.start, month), min(scope.end, month_end(month))
        length = calendar.monthrange(month.year, month.month)[1]
        for i in range((last - first).days + 1):
            day = first + timedelta(days=i)
            out.append({"month": month, **{f"t_{g}": _bucket(day, g) for g in times}, "days": 1, "length": length})
    frame = pd.DataFrame(out, columns=["month", *[f"t_{g}" for g in times], "days", "length"])
    frame = frame.groupby(["month", *[f"t_{g}" for g in times]], as_index=False).agg(
        days=("days", "sum"), length=("length", "first"))
    return frame.assign(part=frame["days"] / frame["length"])


def _named(rows: pd.DataFrame) -> pd.Series:
    """Each cost row's pattern: the dimensions it names."""
    return rows[list(COST_DIMENSIONS)].notna().apply(lambda r: tuple(d for d in COST_DIMENSIONS if r[d]), axis=1)


def _costs(db, scope, groups: tuple[str, ...], settings: KpiSettings) -> pd.DataFrame:
    """Cost and campaign cost per group, whether cost rows cover it, and the handled contacts
    they cover (worked out per pattern of named dimensions: a handful, whatever the rows)."""
    keys = [f"g{i}" for i in range(len(groups))]
    empty = pd.DataFrame(columns=keys + list(COST_MEASURES))
    if not _attributable(scope, groups):
        return empty
    rows = _cost_rows(db, scope)
    filters = {d: set(v) for d, v in scope.filters}
    for d, wanted in filters.items():
        rows = rows[rows[d].isna() | rows[d].isin(wanted)]
    if rows.empty:
        return empty
    months = sorted(set(rows["month"]))
    # each month's handled contacts per client, channel, site and campaign: what rows are shared by
    handled = compute_measures(db, Scope(months[0], month_end(months[-1])), ["handled"],
                               by=["month", *COST_DIMENSIONS], settings=settings)
    handled["month"] = [date.fromisoformat(m) for m in handled["month"]]
    dims = [g for g in groups if g not in TIME]
    constrained = set(filters) | set(dims)
    rows = rows.assign(pattern=_named(rows), is_campaign=rows["campaign"].notna())
    parts = []
    for pattern, part in rows.groupby("pattern"):
        named = list(pattern)
        shared = sorted(constrained - set(named))
        part = part.drop(columns=[d for d in COST_DIMENSIONS if d not in named])
        if shared:        # spread over the members of the dimensions the row does not name
            on = ["month", *named]
            total = handled.groupby(on, as_index=False)["handled"].sum().rename(columns={"handled": "total"})
            members = handled
            for d in shared:
                if d in filters:
                    members = members[members[d].isin(filters[d])]
            by = on + [d for d in dims if d in shared]
            members = members.groupby(by, as_index=False, dropna=False)["handled"].sum().merge(total, on=on)
            members = members[members["total"] > 0]
            part = part.merge(members.assign(share=members["handled"] / members["total"])[by + ["share"]], on=on)
        else:
            part = part.assign(share=1.0)
        parts.append(part)
    found = pd.concat(parts, ignore_index=True)
    found = found.merge(_period_days(scope, months, groups), on="month")
    found["amount"] = found["amount"] * found["share"] * found["part"]
    for i, g in enumerate(groups):
        found[f"g{i}"] = found[f"t_{g}"] if g in TIME else found[g]
    found = found.assign(cost_amount=found["amount"], cost_known=1,
                         campaign_amount=found["amount"].where(found["is_campaign"], 0.0),
                         campaign_known=found["is_campaign"].astype(int))
    covered = _covered_handled(db, scope, groups, rows, settings)
    if not keys:
        return pd.DataFrame([{"cost_amount": found["cost_amount"].sum(), "cost_known": 1,
                              "cost_handled": int(covered["cost_handled"].sum()),
                              "campaign_amount": found["campaign_amount"].sum(),
                              "campaign_known": int(found["campaign_known"].max())}])
    found = found.groupby(keys, dropna=False, as_index=False).agg(
        cost_amount=("cost_amount", "sum"), cost_known=("cost_known", "max"),
        campaign_amount=("campaign_amount", "sum"), campaign_known=("campaign_known", "max"))
    found = found.merge(covered, on=keys, how="left")
    found["cost_handled"] = found["cost_handled"].fillna(0).astype(int)
    return found[keys + list(COST_MEASURES)]


def _covered_handled(db, scope, groups: tuple[str, ...], rows: pd.DataFrame, settings) -> pd.DataFrame:
    """The scope's handled contacts per group in the months and dimension values some cost row
    covers (a row naming no client covers every client, and so on)."""
    keys = [f"g{i}" for i in range(len(groups))]
    extra = [d for d in ("month", *COST_DIMENSIONS) if d not in groups]
    found = compute_measures(db, scope, ["handled"], by=list(groups) + extra, settings=settings)
    if found.empty:
        return pd.DataFrame(columns=keys + ["cost_handled"])
    found = found.assign(_month=[date.fromisoformat(m).replace(day=1) for m in found["month"]], _row=range(len(found)))
    hits = set()
    for pattern in set(rows["pattern"]):
        on = ["month", *pattern]
        cover = rows.loc[rows["pattern"] == pattern, on].drop_duplicates().rename(columns={"month": "_month"})
        hits |= set(found.merge(cover, on=["_month", *pattern])["_row"])
    found = found[found["_row"].isin(hits)].rename(columns={g: k for g, k in zip(groups, keys)})
    for k, g in zip(keys, groups):      # days as the cost rows' buckets hold them
        if g in TIME:
            found[k] = [date.fromisoformat(v) for v in found[k]]
    if not keys:
        return pd.DataFrame({"cost_handled": [int(found["handled"].sum())]})
    return (found.groupby(keys, dropna=False, as_index=False)["handled"].sum()
            .rename(columns={"handled": "cost_handled"}))


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
