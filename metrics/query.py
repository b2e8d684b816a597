"""The one way to read KPIs from the database: ``compute(db, scope, kpis, by)``.

Every query applies a ``Scope``: the period and the dimension filters chosen by the user,
and the restrictions of the viewer (an access-control layer narrows a scope, e.g. to one
client, with ``Scope.restricted``). Values from outside are bound parameters; dimension
names come from the allow-list ``DIMENSIONS`` / ``GROUPINGS``.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable, Mapping, Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from data.db import frame, generation
from metrics.registry import KPI_IDS, KPIS, MEASURES, kpi
from settings import KpiSettings

DIMENSIONS = ("channel", "queue", "campaign", "client", "site", "agent", "team", "reason")
TIME_GROUPINGS = ("day", "week", "month")
CLOCK_GROUPINGS = ("half_hour",)   # time of day, "09:30"
GROUPINGS = DIMENSIONS + TIME_GROUPINGS + CLOCK_GROUPINGS
By = str | Sequence[str] | None

Filters = tuple[tuple[str, tuple[str, ...]], ...]


def _normalise(filters: Mapping[str, Iterable[str] | str | None], keep_empty: bool = False) -> Filters:
    """Sorted (dimension, values) pairs; an empty filter means "all" and is dropped, except
    for restrictions, where an empty list means "nothing" and must be kept."""
    out = []
    for dim, values in filters.items():
        if dim not in DIMENSIONS:
            raise ValueError(f"unknown dimension {dim!r}; known: {', '.join(DIMENSIONS)}")
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
    values per dimension allowed) and the viewer's restrictions, applied on top of them."""

    start: date
    end: date
    filters: Filters = ()
    restrictions: Filters = field(default=())

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")
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
        return Scope(self.start, self.end, self.filters, tuple(sorted(merged.items())))

    def with_period(self, start: date, end: date) -> "Scope":
        return Scope(start, end, self.filters, self.restrictions)

    def with_filters(self, **filters) -> "Scope":
        merged = dict(self.filters)
        merged.update({d: v for d, v in _normalise(filters)})
        for dim, values in filters.items():
            if not values:
                merged.pop(dim, None)
        return Scope(self.start, self.end, tuple(sorted(merged.items())), self.restrictions)


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


# Column expressions per base relation. ``c`` is the contact, ``a`` its agent; for surveys
# ``s`` is the answer, ``lc`` / ``la`` the linked contact and its agent.
_LINKED = "lc.contact_id IS NOT NULL"
_DIM_SQL = {
    "contacts": {
        "channel": "c.channel", "queue": "c.queue", "campaign": "c.campaign",
        "client": "c.client", "site": "c.site", "agent": "c.agent_id", "team": "a.team",
        "reason": "c.reason", "time": "c.arrived_at",
    },
    "surveys": {
        "channel": f"CASE WHEN {_LINKED} THEN lc.channel ELSE s.channel END",
        "client": f"CASE WHEN {_LINKED} THEN lc.client ELSE s.client END",
        "queue": "lc.queue", "campaign": "lc.campaign", "site": "lc.site",
        "agent": "lc.agent_id", "team": "la.team", "reason": "lc.reason", "time": "s.responded_at",
    },
}
_FROM = {
    "contacts": "contacts c LEFT JOIN agents a ON a.agent_id = c.agent_id",
    "surveys": ("surveys s LEFT JOIN contacts lc ON lc.source = s.contact_source"
                " AND lc.contact_id = s.contact_id"
                " LEFT JOIN agents la ON la.agent_id = lc.agent_id"),
}


def _group_sql(base: str, by: str) -> str:
    if by in TIME_GROUPINGS:
        return f"CAST(date_trunc('{by}', {_DIM_SQL[base]['time']}) AS DATE)"
    if by == "half_hour":
        return f"strftime(time_bucket(INTERVAL 30 MINUTES, {_DIM_SQL[base]['time']}), '%H:%M')"
    return _DIM_SQL[base][by]


def _groupings(by: By) -> tuple[tuple[str, ...], list[str]]:
    """The groupings asked for and the result's column names for them: ``group`` for one
    grouping given as a string, else the groupings' own names."""
    groups = () if by is None else (by,) if isinstance(by, str) else tuple(by)
    for g in groups:
        if g not in GROUPINGS:
            raise ValueError(f"unknown grouping {g!r}; known: {', '.join(GROUPINGS)}")
    if len(set(groups)) != len(groups):
        raise ValueError("a grouping is named twice")
    return groups, (["group"] if isinstance(by, str) else list(groups))


def _threshold_sql(settings: KpiSettings, params: dict) -> str:
    whens = []
    for i, (channel, seconds) in enumerate(settings.sl_thresholds):
        params[f"th_ch{i}"], params[f"th_s{i}"] = channel, seconds
        whens.append(f"WHEN :th_ch{i} THEN :th_s{i}")
    params["th_default"] = settings.sl_default_threshold
    return f"CASE c.channel {' '.join(whens)} ELSE :th_default END"


def _contact_flags(settings: KpiSettings, params: dict) -> str:
    """Row flags of the contacts base; later flags use earlier ones by name."""
    params.update(short=settings.short_abandon_s, window=settings.repeat_window_h * 3600)
    met = {"negative": "is_answered AND is_within", "ignored": "is_answered AND is_within",
           "positive": "(is_answered OR is_long_abandon) AND is_within"}[settings.abandon_mode]
    counted = ("is_net_offered AND NOT (is_long_abandon AND is_within)"
               if settings.abandon_mode == "ignored" else "is_net_offered")
    return f"""
        c.direction = 'inbound' AS is_inbound,
        c.direction = 'outbound' AS is_outbound,
        is_inbound AND c.outcome = 'answered' AS is_answered,
        is_inbound AND c.outcome = 'abandoned' AS is_abandoned,
        is_inbound AND c.outcome IN ('answered', 'abandoned') AS is_offered,
        is_abandoned AND coalesce(c.wait_s < :short, FALSE) AS is_short_abandon,
        is_offered AND NOT is_short_abandon AS is_net_offered,
        is_abandoned AND NOT is_short_abandon AS is_long_abandon,
        coalesce(c.wait_s <= {_threshold_sql(settings, params)}, FALSE) AS is_within,
        {met} AS is_sl_met,
        {counted} AS is_sl_counted,
        CASE WHEN is_answered THEN c.wait_s END AS answered_wait_s,
        is_outbound AND c.outcome = 'reached' AS is_reached,
        is_answered OR is_reached AS is_handled,
        CASE WHEN is_handled THEN coalesce(c.talk_s, 0) + coalesce(c.hold_s, 0)
             + coalesce(c.acw_s, 0) END AS handled_time_s,
        is_handled AND coalesce(c.transferred, FALSE) AS is_transferred_handled,
        is_handled AND coalesce(c.escalated, FALSE) AS is_escalated_handled,
        is_answered AND c.customer_key IS NOT NULL AS is_fcr_eligible,
        is_fcr_eligible AND coalesce(c.next_gap_s > :window, TRUE) AS is_first_contact_resolved,
        is_inbound AND c.customer_key IS NOT NULL AS is_repeat_eligible,
        is_repeat_eligible AND coalesce(c.prev_gap_s <= :window, FALSE) AS is_repeat,
        is_inbound AND c.outcome = 'self_service' AS is_self_service,
        is_handled AND coalesce(c.sale, FALSE) AS is_sale,
        CASE WHEN is_sale THEN c.revenue END AS sale_revenue,
        is_handled AND coalesce(c.surveyed, FALSE) AS is_surveyed_handled"""


_SURVEY_FLAGS = """
        TRUE AS is_response,
        CASE WHEN s.nps >= 9 THEN 1 WHEN s.nps <= 6 THEN -1 WHEN s.nps IS NOT NULL THEN 0 END AS nps_sign,
        s.csat >= 4 AS is_csat_top2,
        s.nps, s.csat, s.ces, s.resolved"""


def scope_where(base: str, scope: Scope, params: dict, period: bool = True) -> str:
    """The WHERE clause of a scope over a base relation, its values bound in ``params``."""
    clauses = ["TRUE"]
    if period:
        time_col = _DIM_SQL[base]["time"]
        params["period_start"] = datetime.combine(scope.start, time.min)
        params["period_end"] = datetime.combine(scope.end + timedelta(days=1), time.min)
        clauses = [f"{time_col} >= :period_start", f"{time_col} < :period_end"]
    for prefix, filters in (("f", scope.filters), ("r", scope.restrictions)):
        for dim, values in filters:
            if not values:  # a restriction to nothing
                clauses.append("FALSE")
                continue
            name = f"{prefix}_{dim}"
            params[name] = list(values)
            clauses.append(f"{_DIM_SQL[base][dim]} IN :{name}")
    return " AND ".join(clauses)


def _expanding(params: dict) -> list[str]:
    return [k for k, v in params.items() if isinstance(v, list)]


def _measure_query(base: str, names: Sequence[str], scope: Scope, groups: tuple[str, ...],
                   settings: KpiSettings) -> tuple[sa.TextClause, dict]:
    params: dict = {}
    if base == "contacts":
        flags, source = _contact_flags(settings, params), _FROM[base]
    else:
        flags, source = _SURVEY_FLAGS, _FROM[base]
    where = scope_where(base, scope, params)
    group = "".join(f"{_group_sql(base, g)} AS g{i}, " for i, g in enumerate(groups))
    keys = "".join(f"g{i}, " for i in range(len(groups)))
    aggs = []
    for name in names:
        m = MEASURES[name]
        agg = "count_if" if m.agg == "count_if" else m.agg
        aggs.append(f"coalesce({agg}({m.expr}), 0) AS {name}")
    sql = (f"WITH b AS (SELECT {group} {flags} FROM {source} WHERE {where}) "
           f"SELECT {keys}{', '.join(aggs)} FROM b" + (" GROUP BY ALL" if groups else ""))
    return _bound(sql, params), params


def compute_measures(db: Engine | Connection, scope: Scope, measures: Iterable[str],
                     by: By = None, settings: KpiSettings = KpiSettings()) -> pd.DataFrame:
    """The named measures for a scope: one row; or one row per group, in column ``group``
    when ``by`` is one grouping, in one column per grouping when it is a list of them."""
    groups, columns = _groupings(by)
    wanted = list(dict.fromkeys(measures))
    keys = [f"g{i}" for i in range(len(groups))]
    out = None
    for base in ("contacts", "surveys"):
        names = [n for n in wanted if MEASURES[n].base == base]
        if names:
            part = _run(db, *_measure_query(base, names, scope, groups, settings))
            out = part if out is None else (out.merge(part, on=keys, how="outer") if keys
                                            else pd.concat([out, part], axis=1))
    if out is None:
        out = pd.DataFrame(columns=keys) if keys else pd.DataFrame(index=[0])
    out[wanted] = out.reindex(columns=wanted).fillna(0)
    if not keys:
        return out
    out = out.rename(columns=dict(zip(keys, columns)))
    for col in columns:
        out[col] = out[col].map(lambda g: g.isoformat() if isinstance(g, date) else g)
    return out.sort_values(columns, na_position="last", key=lambda s: s.astype(str)).reset_index(drop=True)


_CACHE: OrderedDict = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_ENTRIES = 512          # results kept, the least recently used dropped first
CACHE_MAX_ROWS = 5_000       # aggregates are small; long lists are not kept


def _run(db: Engine | Connection, query: sa.TextClause, params: dict) -> pd.DataFrame:
    """A query's rows; the same query with the same values, on the same data, is answered
    from memory (the key holds the database, the data's generation, the SQL and every bound
    value: the scope, its filters and the viewer's restrictions)."""
    if not isinstance(db, Engine):
        return frame(db, query, params)
    key = (str(db.url), generation(), str(query),
           tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items())))
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit.copy()
    with db.connect() as conn:
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
    where = scope_where("contacts", scope, params, period=False)
    sql = (f"SELECT CAST(min(c.arrived_at) AS DATE) AS first, CAST(max(c.arrived_at) AS DATE) AS last"
           f" FROM {_FROM['contacts']} WHERE {where}")
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
    where = scope_where("contacts", Scope(scope.start, scope.end, (), scope.restrictions), params)
    cols = ", ".join(f"{_DIM_SQL['contacts'][d]} AS {d}" for d in dims)
    extra = ", a.agent_name AS agent_name" if "agent" in dims else ""
    table = _run(db, _bound(f"SELECT DISTINCT {cols}{extra} FROM {_FROM['contacts']} WHERE {where}",
                            params), params)
    out = {}
    for dim in dims:
        if dim == "agent":
            pairs = table[["agent", "agent_name"]].dropna(subset=["agent"]).drop_duplicates("agent")
            out[dim] = sorted((a, n if isinstance(n, str) else a) for a, n in pairs.itertuples(index=False))
        else:
            out[dim] = sorted(table[dim].dropna().unique().tolist())
    return out


def measures_for(kpi_ids: Iterable[str]) -> list[str]:
    names = []
    for kpi_id in kpi_ids:
        k = kpi(kpi_id)
        names += [k.numerator] + ([k.denominator] if k.denominator else [])
    return list(dict.fromkeys(names))


def kpis_from_measures(measures: pd.DataFrame, kpi_ids: Iterable[str]) -> pd.DataFrame:
    """KPI values from measures: counts as integers, ratios null where the denominator is 0."""
    keys = [c for c in measures.columns if c == "group" or c in GROUPINGS]
    out = measures[keys].copy()
    for kpi_id in kpi_ids:
        k = KPIS[kpi_id]
        num = measures[k.numerator].astype(float)
        if k.kind == "count":
            out[kpi_id] = num.astype("int64")
        else:
            den = measures[k.denominator].astype(float)
            out[kpi_id] = (num * k.scale / den.where(den != 0)).astype(object)
            out.loc[den == 0, kpi_id] = None
    return out


def compute(db: Engine | Connection, scope: Scope, kpis: Iterable[str] = KPI_IDS,
            by: By = None, settings: KpiSettings = KpiSettings()) -> pd.DataFrame:
    """KPI values for a scope: one row, or one row per group of ``by`` (see
    ``compute_measures`` for the group columns)."""
    kpi_ids = list(dict.fromkeys(kpis))
    for kpi_id in kpi_ids:
        kpi(kpi_id)
    measures = compute_measures(db, scope, measures_for(kpi_ids), by, settings)
    return kpis_from_measures(measures, kpi_ids)


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
