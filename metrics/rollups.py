"""Daily roll-ups: every measure of a base, summed per day and dimension values.

Every measure is a count or a sum, so the measures of any days and dimension values are the
sums of the roll-up rows that match them, and every ratio KPI is rebuilt from those exactly
(sums of durations and revenue are fixed-point decimals, exact in any order). A query whose
filters and groupings a roll-up covers reads it instead of the contacts: tens of thousands
of rows a year instead of millions.

Two grains per base: without the agent (a few tens of thousands of rows a year), and with it
(the team is read through the agent, so a new agents file needs no rebuild); the contacts'
measures per half-hour of the day too (the daily service page); and the counts behind the
distributions (``relations.histogram_sql``) per day, bin and series; and, for the campaigns'
progress through their target files, which customers each campaign tried and reached per day
and dimension values (a customer's first attempt in any period is the first of its days
there). Some measures
depend on the KPI settings (thresholds, short abandons, repeat window): a roll-up is stored
with the settings it was computed for, and only a query with the same settings reads it;
``ensure`` rebuilds the roll-ups for the settings the dashboard runs with. Every load keeps
them exact by computing again the days it changed (``refresh``), and, when it moves the
data's first or latest day, the days whose contacts changed maturity (``metrics.maturity``).
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from data.db import frame, generation, writing
from metrics import maturity
from metrics.registry import MEASURES
from metrics.relations import DIM_SQL, HISTOGRAM_BASES, ROWS_SQL, Span, aggregate, histogram_sql, row_flags
from settings import KpiSettings


@dataclass(frozen=True)
class Rollup:
    table: str
    base: str                  # contacts | surveys
    dims: tuple[str, ...]      # dimensions kept (the team is read through the agent)
    kind: str = "measures"     # or "histograms": the base's distributions (kind, bin, series, n);
    #                            or "customers": the outbound contacts' customers per campaign
    #                            (customer_key, reached), one row per day and dimension values

    def covers(self, dims: Iterable[str]) -> bool:
        return {"agent" if d == "team" else d for d in dims} <= set(self.dims)

    @property
    def relation(self) -> str:
        """Its rows ``r``, with ``a``, the agent, when it keeps the agent."""
        agents = " LEFT JOIN agents a ON a.agent_id = r.agent" if "agent" in self.dims else ""
        return f"{self.table} r{agents}"

    @property
    def columns(self) -> dict[str, str]:
        """Dimension and time expressions over ``relation``, as ``DIM_SQL`` has them for a base."""
        team = {"team": "a.team"} if "agent" in self.dims else {}
        return {**{d: f"r.{d}" for d in self.dims}, **team, "time": "r.day"}

    @property
    def measures(self) -> list[str]:
        return [m.name for m in MEASURES.values() if m.base == self.base]

    @property
    def matures(self) -> bool:
        """Whether its rows depend on the data's first and latest day (FCR and repeats)."""
        return self.base == "contacts" and self.kind == "measures"


_SERVICE = ("channel", "queue", "campaign", "client", "site", "reason")
# the contacts whose customers a campaign tried (the customers roll-up's rows, over ``contacts c``)
CAMPAIGN_ATTEMPTS = "c.direction = 'outbound' AND c.campaign IS NOT NULL AND c.customer_key IS NOT NULL"
# the smallest first: a query reads the first one that covers it
ROLLUPS = (
    Rollup("rollup_contacts", "contacts", _SERVICE),
    Rollup("rollup_contacts_agent", "contacts", _SERVICE + ("agent",)),
    Rollup("rollup_contacts_half_hour", "contacts", ("channel", "queue", "campaign", "client", "half_hour")),
    Rollup("rollup_surveys", "surveys", _SERVICE + ("survey",)),
    Rollup("rollup_surveys_agent", "surveys", _SERVICE + ("survey", "agent")),
    Rollup("rollup_histograms_contacts", "contacts", _SERVICE, "histograms"),
    Rollup("rollup_histograms_surveys", "surveys", _SERVICE + ("survey",), "histograms"),
    Rollup("rollup_campaign_customers", "contacts", _SERVICE + ("agent",), "customers"),
)


def _select(r: Rollup, settings: KpiSettings, span: Span, days: str | None = None) -> tuple[str, dict]:
    """The roll-up's rows for the data's span, for every day or only for the days listed in
    table ``days``."""
    params: dict = {}
    time = DIM_SQL[r.base]["time"]
    dims = "".join(f"{DIM_SQL[r.base][d]} AS {d}, " for d in r.dims)
    where = f"CAST({time} AS DATE) IN (SELECT day FROM {days})" if days else "TRUE"
    keys = ", ".join(("day",) + r.dims)
    if r.kind == "customers":     # each campaign's rows together, for the scans of one campaign
        return (f"SELECT {keys}, c.customer_key, bool_or(c.outcome = 'reached') AS reached"
                f" FROM (SELECT CAST({time} AS DATE) AS day, {dims}c.customer_key, c.outcome FROM {ROWS_SQL[r.base]}"
                f" WHERE {where} AND {CAMPAIGN_ATTEMPTS}) c GROUP BY ALL ORDER BY campaign, day"), params
    if r.kind == "histograms":
        rows = []
        for kind in (k for k, base in HISTOGRAM_BASES.items() if base == r.base):
            bin_, series, counted = histogram_sql(kind, settings, params)
            rows.append(f"SELECT CAST({time} AS DATE) AS day, {dims}'{kind}' AS kind, {bin_} AS bin,"
                        f" CAST({series} AS VARCHAR) AS series FROM {ROWS_SQL[r.base]} WHERE {where} AND {counted}")
        return (f"SELECT {keys}, kind, bin, series, count(*) AS n FROM ({' UNION ALL '.join(rows)})"
                f" GROUP BY ALL ORDER BY day"), params
    aggs = ", ".join(f"{aggregate(MEASURES[m])} AS {m}" for m in r.measures)
    sql = (f"WITH b AS (SELECT CAST({time} AS DATE) AS day, {dims}{row_flags(r.base, settings, params, span)}"
           f" FROM {ROWS_SQL[r.base]} WHERE {where})"
           f" SELECT {keys}, {aggs} FROM b GROUP BY ALL ORDER BY day")
    return sql, params


@lru_cache(maxsize=64)
def fingerprint(r: Rollup, settings: KpiSettings) -> str:
    """What the roll-up's rows depend on besides the data: its SQL (measures, flags,
    dimensions) and the settings bound into it. A roll-up is read only when its stored
    fingerprint is this (the data's span is stored beside it, ``Stored.span``)."""
    sql, params = _select(r, settings, (None, None))
    bound = sorted((k, v) for k, v in params.items() if k not in maturity.PARAMS)
    return hashlib.sha256(json.dumps([sql, bound]).encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Stored:
    """What a roll-up was built for: the KPI settings, its fingerprint, the data's span."""

    settings: KpiSettings
    fingerprint: str
    span: Span


def _state(conn: Connection) -> dict[str, Stored]:
    """table -> what each roll-up built was built for."""
    rows = frame(conn, "SELECT rollup, settings, fingerprint, first_day, latest_day FROM rollup_state")
    day = lambda v: None if v is None or v != v else v  # noqa: E731
    return {t: Stored(KpiSettings(**json.loads(s)), f, (day(a), day(b)))
            for t, s, f, a, b in rows.itertuples(index=False)}


def build(conn: Connection, r: Rollup, settings: KpiSettings) -> None:
    """Compute a roll-up anew over all the data, for these settings (inside the caller's
    transaction)."""
    span = maturity.span(conn)
    sql, params = _select(r, settings, span)
    conn.execute(sa.text(f"CREATE OR REPLACE TABLE {r.table} AS {sql}"), params)
    conn.execute(sa.text("DELETE FROM rollup_state WHERE rollup = :t"), {"t": r.table})
    conn.execute(sa.text("INSERT INTO rollup_state VALUES (:t, :s, :f, :at, :first, :latest)"),
                 {"t": r.table, "s": json.dumps(asdict(settings)), "f": fingerprint(r, settings),
                  "at": datetime.now(), "first": span[0], "latest": span[1]})


def _recompute(conn: Connection, r: Rollup, stored: Stored, days: str, span: Span) -> None:
    """Compute again the days listed in table ``days``, and those whose contacts changed
    maturity since the roll-up was computed, for the data's span now."""
    extra = (maturity.changed_days(maturity.Maturity(*stored.span, stored.settings.repeat_window_h),
                                   maturity.Maturity(*span, stored.settings.repeat_window_h))
             if r.matures and stored.span != span else [])
    conn.exec_driver_sql(f"CREATE OR REPLACE TEMP TABLE rollup_days AS SELECT DISTINCT day FROM {days}")
    if extra:
        conn.execute(sa.text("INSERT INTO rollup_days SELECT unnest(:days)"), {"days": extra})
    conn.exec_driver_sql(f"DELETE FROM {r.table} WHERE day IN (SELECT day FROM rollup_days)")
    sql, params = _select(r, stored.settings, span, "rollup_days")
    conn.execute(sa.text(f"INSERT INTO {r.table} {sql}"), params)
    conn.execute(sa.text("UPDATE rollup_state SET first_day = :first, latest_day = :latest WHERE rollup = :t"),
                 {"t": r.table, "first": span[0], "latest": span[1]})
    conn.exec_driver_sql("DROP TABLE rollup_days")


def refresh(conn: Connection, contact_days: str, survey_days: str) -> None:
    """After a load, inside its transaction: compute again the days it changed (tables of
    ``day`` values, one per base) and those whose contacts it made mature or pending. A
    roll-up keeps the settings it was built for (the default ones for a new database); one
    built by another version of the code is built anew."""
    state, span = _state(conn), maturity.span(conn)
    for r in ROLLUPS:
        stored = state.get(r.table)
        settings = stored.settings if stored else KpiSettings()
        if not stored or stored.fingerprint != fingerprint(r, settings):
            build(conn, r, settings)
            continue
        _recompute(conn, r, stored, contact_days if r.base == "contacts" else survey_days, span)


def rebuild(conn: Connection) -> None:
    """Every roll-up computed anew over all the data, for the settings it was built for (the
    default ones for a new database), inside the caller's transaction."""
    state = _state(conn)
    for r in ROLLUPS:
        build(conn, r, state[r.table].settings if r.table in state else KpiSettings())


_LOCK = threading.Lock()
_ready: set = set()
_read: dict = {}


def _stored(db: Engine | Connection) -> dict[str, Stored]:
    """``_state``, read once per database and data generation through an engine."""
    if not isinstance(db, Engine):
        return _state(db)
    key = (str(db.url), generation())
    state = _read.get(key)
    if state is None:
        with db.connect() as conn:
            state = _state(conn)
        _read.clear()       # only the latest data counts
        _read[key] = state
    return state


def ensure(eng: Engine, settings: KpiSettings) -> None:
    """Build the roll-ups that are missing or were computed for other settings, and bring
    those computed for another span of the data up to date (the dashboard calls it with its
    settings; quick when nothing is to be done)."""
    with _LOCK:
        if (str(eng.url), generation(), settings) in _ready:
            return
        state, span = _stored(eng), maturity.span(eng)
        stale = [r for r in ROLLUPS if r.table not in state or state[r.table].fingerprint != fingerprint(r, settings)]
        moved = [r for r in ROLLUPS if r not in stale and r.matures and state[r.table].span != span]
        if stale or moved:
            with writing(eng) as conn:
                conn.exec_driver_sql("CREATE OR REPLACE TEMP TABLE no_days (day DATE)")
                for r in stale:
                    build(conn, r, settings)
                for r in moved:
                    _recompute(conn, r, state[r.table], "no_days", span)
                conn.exec_driver_sql("DROP TABLE no_days")
        _ready.clear()      # only the latest data counts
        _ready.add((str(eng.url), generation(), settings))


def covering(db: Engine | Connection, base: str, dims: Iterable[str], settings: KpiSettings | None,
             kind: str = "measures") -> Rollup | None:
    """The smallest roll-up of a base's measures (or distributions, or campaign customers) that holds these
    dimensions and was computed for these settings (``None``: for any, when only what depends
    on none matters, the rows and their counts), if any."""
    dims = set(dims)
    candidates = [r for r in ROLLUPS if r.base == base and r.kind == kind and r.covers(dims)]
    if not candidates:
        return None
    state = _stored(db)
    return next((r for r in candidates if r.table in state
                 and state[r.table].fingerprint == fingerprint(r, settings or state[r.table].settings)), None)
