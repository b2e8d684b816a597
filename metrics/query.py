"""The one way to read KPIs from the database: ``compute(db, scope, kpis, by)``.

Every query applies a ``Scope``: the period and the dimension filters chosen by the user,
and the restrictions of the viewer (an access-control layer narrows a scope, e.g. to one
client, with ``Scope.restricted``). Values from outside are bound parameters; dimension
names come from the allow-list ``DIMENSIONS`` / ``GROUPINGS``. A query reads the smallest
daily roll-up (``metrics.rollups``) that covers its filters and groupings, computed for its
KPI settings, and the contacts or answers themselves otherwise: the numbers are the same.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

import warehouse
from data.db import frame, generation
from data.intervals import uncovered_present
from i18n import _
from metrics import maturity, rollups
from metrics.registry import KPI_IDS, KPIS, MEASURES, kpi
from metrics.relations import (DIM_SQL, DIMENSIONS, FROM_SQL, HISTOGRAM_BASES, ROWS_SQL, aggregate, final,
                               histogram_sql, row_flags)
from settings import KpiSettings
from warehouse.dialects import translate

TIME_GROUPINGS = ("day", "week", "month")
CLOCK_GROUPINGS = ("half_hour",)   # time of day, "09:30"
GROUPINGS = DIMENSIONS + TIME_GROUPINGS + CLOCK_GROUPINGS
By = str | Sequence[str] | None

Filters = tuple[tuple[str, tuple[str, ...]], ...]
SURVEY_KINDS = (None, "hot", "cold")


def _normalise(filters: Mapping[str, Iterable[str] | str | None], keep_empty: bool = False) -> Filters:
    """Sorted (dimension, values) pairs; an empty filter means "all" and is dropped, except
    for restrictions, where an empty list means "nothing" and must be kept."""
    out = []
    for dim, values in filters.items():
        if dim not in DIMENSIONS:
            raise ValueError(_("unknown dimension {dim!r}; known: {known}", dim=dim, known=", ".join(DIMENSIONS)))
        if values is None:
            continue
        values = (values,) if isinstance(values, str) else tuple(values)
        values = tuple(sorted({str(v) for v in values if str(v) != ""}))
        if values or keep_empty:
            out.append((dim, values))
    return tuple(sorted(out))


@dataclass(frozen=True)
class Scope:
    """What a query may see: a period (both end dates included), the user's filters (several
    values per dimension allowed) and the viewer's restrictions, applied on top of them; and
    which survey answers: ``hot`` ones (about a contact), ``cold`` ones (a barometer), or both
    (None). The kind of answers selects answers only: the contacts are the same."""

    start: date
    end: date
    filters: Filters = ()
    restrictions: Filters = field(default=())
    survey: str | None = None

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(_("the period ends ({end}) before it starts ({start})", end=self.end, start=self.start))
        if self.survey not in SURVEY_KINDS:
            raise ValueError(f"unknown survey kind {self.survey!r}")
        object.__setattr__(self, "filters", _normalise(dict(self.filters)))
        object.__setattr__(self, "restrictions", _normalise(dict(self.restrictions), keep_empty=True))

    @classmethod
    def of(cls, start: date | str, end: date | str, **filters) -> "Scope":
        return cls(_as_date(start), _as_date(end), _normalise(filters))

    def restricted(self, **dims) -> "Scope":
        """The same scope, seen by a viewer allowed only these dimension values."""
        merged = dict(self.restrictions)
        for dim, values in _normalise(dims, keep_empty=True):
            merged[dim] = tuple(sorted(set(values) & set(merged[dim]))) if dim in merged else values
        return Scope(self.start, self.end, self.filters, tuple(sorted(merged.items())), self.survey)

    def with_period(self, start: date, end: date) -> "Scope":
        return Scope(start, end, self.filters, self.restrictions, self.survey)

    def with_survey(self, kind: str | None) -> "Scope":
        """The same scope over the answers of one kind (``hot``, ``cold``), or of both (None)."""
        return Scope(self.start, self.end, self.filters, self.restrictions, kind)

    def with_filters(self, **filters) -> "Scope":
        merged = dict(self.filters)
        merged.update({d: v for d, v in _normalise(filters)})
        for dim, values in filters.items():
            if not values:
                merged.pop(dim, None)
        return Scope(self.start, self.end, tuple(sorted(merged.items())), self.restrictions, self.survey)


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("{value!r} is not a date (YYYY-MM-DD)", value=value)) from None


def _group_sql(base: str | rollups.Rollup, by: str) -> str:
    if by in TIME_GROUPINGS:
        return f"CAST(date_trunc('{by}', {_columns(base)['time']}) AS DATE)"
    return _columns(base)[by]


def _columns(base: str | rollups.Rollup) -> dict[str, str]:
    return DIM_SQL[base] if isinstance(base, str) else base.columns


def rows_sql(base: str | rollups.Rollup, scope: Scope | None = None, groups: Iterable[str] = ()) -> str:
    """The FROM clause of a base's rows for a scope and groupings: the agents' table is joined
    only when they read the team (always without a scope), so a plain query reads the
    contacts alone; a roll-up's own relation."""
    if not isinstance(base, str):
        return base.relation
    return FROM_SQL[base] if scope is None or "team" in _dims_used(scope, groups) else ROWS_SQL[base]


def _groupings(by: By) -> tuple[tuple[str, ...], list[str]]:
    """The groupings asked for and the result's column names for them: ``group`` for one
    grouping given as a string, else the groupings' own names."""
    groups = () if by is None else (by,) if isinstance(by, str) else tuple(by)
    for g in groups:
        if g not in GROUPINGS:
            raise ValueError(_("unknown grouping {grouping!r}; known: {known}", grouping=g, known=", ".join(GROUPINGS)))
    if len(set(groups)) != len(groups):
        raise ValueError(_("a grouping is named twice"))
    return groups, (["group"] if isinstance(by, str) else list(groups))


def scope_where(base: str | rollups.Rollup, scope: Scope, params: dict, period: bool = True) -> str:
    """The WHERE clause of a scope over a base relation or a roll-up, its values bound in
    ``params``."""
    columns = _columns(base)
    clauses = ["TRUE"]
    if period:
        start, end = scope.start, scope.end + timedelta(days=1)
        if isinstance(base, str):   # a timestamp, where a roll-up has a day
            start, end = datetime.combine(start, time.min), datetime.combine(end, time.min)
        params["period_start"], params["period_end"] = start, end
        clauses = [f"{columns['time']} >= :period_start", f"{columns['time']} < :period_end"]
    for prefix, filters in (("f", scope.filters), ("r", scope.restrictions)):
        for dim, values in filters:
            if not values:  # a restriction to nothing
                clauses.append("FALSE")
                continue
            name = f"{prefix}_{dim}"
            params[name] = list(values)
            clauses.append(f"{columns[dim]} IN :{name}")
    if scope.survey and "survey" in columns:     # the contacts are not chosen by the answers' kind
        params["survey_kind"] = scope.survey
        clauses.append(f"{columns['survey']} = :survey_kind")
    return " AND ".join(clauses)


def _expanding(params: dict) -> list[str]:
    return [k for k, v in params.items() if isinstance(v, list)]


def _dims_used(scope: Scope, groups: Iterable[str] = (), base: str = "contacts") -> set[str]:
    """The dimensions a query over a base groups or filters by (time groupings need none;
    the answers' kind is one of the surveys')."""
    return ({g for g in groups if g not in TIME_GROUPINGS}
            | {d for d, _ in scope.filters} | {d for d, _ in scope.restrictions}
            | ({"survey"} if scope.survey and base == "surveys" else set()))


def _measure_query(db: Engine | Connection, base: str, names: Sequence[str], scope: Scope,
                   groups: tuple[str, ...], settings: KpiSettings,
                   from_rollups: bool) -> tuple[sa.TextClause, dict]:
    """The measures' query: over the smallest roll-up that covers it when there is one,
    else over the base relation's rows."""
    params: dict = {}
    rollup = rollups.covering(db, base, _dims_used(scope, groups, base), settings) if from_rollups else None
    relation = rollup or base
    where = scope_where(relation, scope, params)
    group = "".join(f"{_group_sql(relation, g)} AS g{i}, " for i, g in enumerate(groups))
    group_by = " GROUP BY ALL" if groups else ""
    if rollup:
        aggs = ", ".join(f"{final(MEASURES[n], f'coalesce(sum(r.{n}), 0)')} AS {n}" for n in names)
        sql = f"SELECT {group}{aggs} FROM {rollup.relation} WHERE {where}{group_by}"
    else:
        flags = row_flags(base, settings, params, maturity.span(db) if base == "contacts" else (None, None))
        keys = "".join(f"g{i}, " for i in range(len(groups)))
        aggs = ", ".join(f"{final(MEASURES[n], aggregate(MEASURES[n]))} AS {n}" for n in names)
        sql = (f"WITH b AS (SELECT {group} {flags} FROM {rows_sql(base, scope, groups)} WHERE {where}) "
               f"SELECT {keys}{aggs} FROM b{group_by}")
    if base == "contacts" and any(MEASURES[n].interval for n in names) and uncovered_present(db):
        sql = _with_intervals(sql, names, scope, groups, params)
    return _bound(sql, params), params


def _with_intervals(contacts_sql: str, names: Sequence[str], scope: Scope, groups: tuple[str, ...],
                    params: dict) -> str:
    """The contacts' measures plus those of the interval reports whose day, channel and queue
    have no contacts (``data.intervals``), in the same scope and groups (the period's values
    bound as the contacts' are)."""
    where = scope_where("intervals", scope, params)
    group = "".join(f"{_group_sql('intervals', g)} AS g{i}, " for i, g in enumerate(groups))
    parts = ", ".join(f"{final(MEASURES[n], f'coalesce(sum({MEASURES[n].interval}), 0)')} AS {n}"
                      if MEASURES[n].interval else f"0 AS {n}" for n in names)
    keys = "".join(f"g{i}, " for i in range(len(groups)))
    total = ", ".join(f"CAST(sum({n}) AS {'DOUBLE' if MEASURES[n].agg == 'sum' else 'BIGINT'}) AS {n}" for n in names)
    return (f"SELECT {keys}{total} FROM ({contacts_sql} UNION ALL"     # the same columns in the same order
            f" SELECT {group}{parts} FROM intervals i WHERE {where} AND NOT coalesce(i.covered, FALSE)"
            f"{' GROUP BY ALL' if groups else ''}){' GROUP BY ALL' if groups else ''}")


def compute_measures(db: Engine | Connection, scope: Scope, measures: Iterable[str],
                     by: By = None, settings: KpiSettings = KpiSettings(),
                     from_rollups: bool = True) -> pd.DataFrame:
    """The named measures for a scope: one row; or one row per group, in column ``group``
    when ``by`` is one grouping, in one column per grouping when it is a list of them.
    ``from_rollups=False`` reads the contacts and answers themselves (the numbers are the
    same; tests and the benchmark compare the two)."""
    groups, columns = _groupings(by)
    wanted = list(dict.fromkeys(measures))
    keys = [f"g{i}" for i in range(len(groups))]
    parts = [_run(db, *_measure_query(db, base, names, scope, groups, settings, from_rollups))
             for base in ("contacts", "surveys")
             if (names := [n for n in wanted if MEASURES[n].base == base])]
    if economic := [n for n in wanted if MEASURES[n].base == "economics"]:
        from metrics.economics import economic_measures     # it reads the contacts through this module
        parts.append(economic_measures(db, scope, groups, economic, settings))
    if not parts:
        return pd.DataFrame(columns=columns) if keys else pd.DataFrame(index=[0])
    if not keys:    # one row each: side by side
        found = {c: part[c].to_numpy() for part in parts for c in part.columns}
        return pd.DataFrame({n: found.get(n, np.zeros(1, dtype="int64")) for n in wanted})
    out = parts[0]
    for part in parts[1:]:
        out = out.merge(part, on=keys, how="outer")
    table = {col: [g.isoformat() if isinstance(g, date) else g for g in out[k]] for k, col in zip(keys, columns)}
    table.update({n: out[n].fillna(0).to_numpy() if n in out else np.zeros(len(out), dtype="int64")
                  for n in wanted})
    return (pd.DataFrame(table, columns=columns + wanted)
            .sort_values(columns, na_position="last", key=lambda s: s.astype(str)).reset_index(drop=True))


def histogram(db: Engine | Connection, scope: Scope, kind: str, settings: KpiSettings = KpiSettings(),
              from_rollups: bool = True) -> pd.DataFrame:
    """The rows of a distribution (``relations.HISTOGRAM_BASES``) in a scope, counted per
    ``bin`` and ``series`` (column ``count``), from its daily roll-up when one covers the scope."""
    base, params = HISTOGRAM_BASES[kind], {}
    rollup = rollups.covering(db, base, _dims_used(scope, (), base), settings, "histograms") if from_rollups else None
    if rollup:
        params["kind"] = kind
        sql = (f"SELECT r.bin, r.series, sum(r.n) AS count FROM {rollup.relation}"
               f" WHERE {scope_where(rollup, scope, params)} AND r.kind = :kind GROUP BY ALL ORDER BY ALL")
    else:
        bin_, series, counted = histogram_sql(kind, settings, params)
        sql = (f"SELECT {bin_} AS bin, CAST({series} AS VARCHAR) AS series, count(*) AS count"
               f" FROM {rows_sql(base, scope)} WHERE {scope_where(base, scope, params)} AND {counted}"
               f" GROUP BY ALL ORDER BY ALL")
    return _run(db, _bound(sql, params), params)


_CACHE: OrderedDict = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_ENTRIES = 512          # results kept, the least recently used dropped first
CACHE_MAX_ROWS = 5_000       # aggregates are small; long lists are not kept


def clear_cache() -> None:
    """Forget every result kept (the benchmark times queries computed afresh)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _run(db: Engine | Connection, query: sa.TextClause, params: dict) -> pd.DataFrame:
    """A query's rows; the same query with the same values, on the same data, is answered
    from memory (the key holds the database, the data's generation, the SQL and every bound
    value: the scope, its filters and the viewer's restrictions). With a distributed engine
    attached (``warehouse``), the query runs there, translated for it."""
    if not isinstance(db, Engine):
        return frame(db, query, params)
    engine = warehouse.reads(db)
    if engine is not None:
        query = _bound(translate(str(query.text), engine.dialect.name), params)
    key = (str(db.url), generation(), str(query),
           tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items())))
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit.copy()
    with (engine or db).connect() as conn:
        out = frame(conn, query, params)
    if len(out) <= CACHE_MAX_ROWS:
        with _CACHE_LOCK:
            _CACHE[key] = out.copy()
            while len(_CACHE) > CACHE_ENTRIES:
                _CACHE.popitem(last=False)
    return out


def _bound(sql: str, params: dict) -> sa.TextClause:
    return sa.text(sql).bindparams(*(sa.bindparam(k, expanding=True) for k in _expanding(params)))


def data_extent(db: Engine | Connection, scope: Scope) -> tuple[date | None, date | None]:
    """First and last day with contacts that the scope's filters and restrictions allow,
    whatever its period."""
    params: dict = {}
    relation = rollups.covering(db, "contacts", _dims_used(scope), None) or "contacts"
    where = scope_where(relation, scope, params, period=False)
    time_col = _columns(relation)["time"]
    sql = (f"SELECT CAST(min({time_col}) AS DATE) AS first, CAST(max({time_col}) AS DATE) AS last"
           f" FROM {rows_sql(relation, scope)} WHERE {where}")
    if uncovered_present(db):       # a queue reported by intervals only
        sql = (f"SELECT min(first) AS first, max(last) AS last FROM ({sql} UNION ALL"
               f" SELECT CAST(min(i.interval_start) AS DATE), CAST(max(i.interval_start) AS DATE) FROM intervals i"
               f" WHERE {scope_where('intervals', scope, params, period=False)})")
    row = _run(db, _bound(sql, params), params).iloc[0]
    return (None if pd.isna(row["first"]) else row["first"],
            None if pd.isna(row["last"]) else row["last"])


def dimension_values(db: Engine | Connection, scope: Scope, dims: Sequence[str]) -> dict[str, list]:
    """The values each dimension takes on the scope's contacts (its period and restrictions,
    not its filters: a filter's options do not shrink as the user picks), sorted; agents
    as (id, name) pairs."""
    for dim in dims:
        if dim not in DIMENSIONS:
            raise ValueError(f"unknown dimension {dim!r}")
    params: dict = {}
    scope = Scope(scope.start, scope.end, (), scope.restrictions)
    relation = rollups.covering(db, "contacts", _dims_used(scope, dims), None) or "contacts"
    where = scope_where(relation, scope, params)
    cols = ", ".join(f"{_columns(relation)[d]} AS {d}" for d in dims)
    extra = ", a.agent_name AS agent_name" if "agent" in dims else ""
    sql = f"SELECT DISTINCT {cols}{extra} FROM {rows_sql(relation)} WHERE {where}"
    if uncovered_present(db):       # the queues, channels, clients and sites of interval reports too
        cols = ", ".join(f"{DIM_SQL['intervals'][d]} AS {d}" for d in dims)
        sql += (f" UNION SELECT DISTINCT {cols}{', NULL AS agent_name' if extra else ''} FROM intervals i"
                f" WHERE {scope_where('intervals', scope, params)}")
    table = _run(db, _bound(sql, params), params)
    out = {}
    for dim in dims:
        if dim == "agent":
            pairs = table[["agent", "agent_name"]].dropna(subset=["agent"]).drop_duplicates("agent")
            out[dim] = sorted((a, n if isinstance(n, str) else a) for a, n in pairs.itertuples(index=False))
        else:
            out[dim] = sorted(table[dim].dropna().unique().tolist())
    return out


def measures_for(kpi_ids: Iterable[str], counts: bool = False) -> list[str]:
    """The measures the KPIs are made of (with ``counts``, also those counting their pending
    contacts)."""
    names = []
    for kpi_id in kpi_ids:
        k = kpi(kpi_id)
        names += [k.numerator] + ([k.denominator] if k.denominator else []) + ([k.known] if k.known else [])
        names += [k.pending] if counts and k.pending else []
    return list(dict.fromkeys(names))


def kpis_from_measures(measures: pd.DataFrame, kpi_ids: Iterable[str], counts: bool = False) -> pd.DataFrame:
    """KPI values from measures: counts as integers, ratios null where the denominator is 0.
    With ``counts``, beside each KPI what stands behind it: ``<kpi>__n``, the contacts or
    answers its value is over (its denominator; a count's own value), and ``<kpi>__pending``
    for FCR and repeats, the contacts not mature yet."""
    columns = {c: measures[c] for c in measures.columns if c == "group" or c in GROUPINGS}
    for kpi_id in kpi_ids:
        k = KPIS[kpi_id]
        num = measures[k.numerator].to_numpy(dtype=float)
        if k.kind == "count":
            columns[kpi_id] = num.astype("int64")
        else:
            den = measures[k.denominator].to_numpy(dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = (num * k.scale / den).astype(object)
            ratio[den == 0] = None
            if k.known:         # nothing behind the value (no cost row): unknown, never 0
                ratio[measures[k.known].to_numpy(dtype=float) == 0] = None
            columns[kpi_id] = ratio
        if counts:
            columns[f"{kpi_id}__n"] = measures[k.denominator or k.numerator].to_numpy().astype("int64")
            if k.pending:
                columns[f"{kpi_id}__pending"] = measures[k.pending].to_numpy().astype("int64")
    return pd.DataFrame(columns, index=measures.index)


def compute(db: Engine | Connection, scope: Scope, kpis: Iterable[str] = KPI_IDS,
            by: By = None, settings: KpiSettings = KpiSettings(),
            from_rollups: bool = True, counts: bool = False) -> pd.DataFrame:
    """KPI values for a scope: one row, or one row per group of ``by`` (see
    ``compute_measures`` for the group columns and ``from_rollups``; ``kpis_from_measures``
    for ``counts``)."""
    kpi_ids = list(dict.fromkeys(kpis))
    for kpi_id in kpi_ids:
        kpi(kpi_id)
    measures = compute_measures(db, scope, measures_for(kpi_ids, counts), by, settings, from_rollups)
    return kpis_from_measures(measures, kpi_ids, counts)


def values(row: pd.Series) -> dict:
    """A result row as plain Python values (None for no value), e.g. for JSON."""
    out = {}
    for key, value in row.items():
        if value is None or (isinstance(value, float) and value != value):
            out[key] = None
        elif hasattr(value, "item"):
            out[key] = value.item()
        else:
            out[key] = value
    return out
