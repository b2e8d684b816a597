"""Where the KPIs are read: the embedded DuckDB database, or a distributed SQL engine fed from it.

Loads always go through the embedded database (validation, the latest load wins, the flags
and gaps kept at load). With ``PILOTAGE_ENGINE_URL`` set (a Spark Thrift server, Databricks
SQL), every load then publishes the tables the KPIs read as Parquet files under the lake
folder, the contacts and answers partitioned by month, declares them to the engine, and
builds the daily roll-ups there with the same SQL; the scoped queries of ``metrics.query``
run on the engine, their SQL translated for it (``warehouse.dialects``). The app's own
records (users, audit trail, actions, load log, roll-up state) stay in the embedded database.
"""
from __future__ import annotations

import shutil
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from data.db import generation, raw

# the tables the scoped queries read, and the column each partitions by month, if any
PUBLISHED = {"contacts": "arrived_at", "surveys": "responded_at", "evaluations": "evaluated_at",
             "intervals": "interval_start", "agents": None, "campaigns": None, "reasons": None,
             "costs": None, "comment_reads": None}


@dataclass
class Target:
    """A distributed engine the KPIs of one embedded database are read from."""
    engine: Engine
    lake: Path
    generation: int = -1                     # the data generation last checked
    published: tuple = ()                    # what the data was when last published
    lock: threading.Lock = field(default_factory=threading.Lock)


_targets: dict[str, Target] = {}


def attach(db: Engine, url: str, lake: str | Path) -> Target:
    """Read the KPIs of ``db`` on the engine at ``url`` (its database: the schema of the
    published tables, made if missing) from now on; publish its data there."""
    url = make_url(url)
    schema = url.database or "default"
    if not schema.isidentifier():
        raise ValueError(f"the engine's database must be a plain name, not {schema!r}")
    with sa.create_engine(url.set(database="default")).connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE IF NOT EXISTS {schema}")
    target = Target(sa.create_engine(url, pool_pre_ping=True), Path(lake).resolve())
    _targets[str(db.url)] = target
    publish(db)
    return target


def detach(db: Engine, drop: bool = False) -> None:
    """Read the KPIs of ``db`` in it again; with ``drop``, remove its tables from the engine."""
    target = _targets.pop(str(db.url), None)
    if target is None:
        return
    if drop:
        with target.engine.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {target.engine.url.database} CASCADE")
    target.engine.dispose()


def target_of(db: Engine) -> Target | None:
    return _targets.get(str(db.url)) if isinstance(db, Engine) else None


def publish(db: Engine) -> None:
    """Write the published tables as Parquet, declare them to the engine and build the
    roll-ups there, unless the data has not changed since the last time. The engine's
    tables are replaced one by one: a query running meanwhile may read some new tables and
    some old ones."""
    target = target_of(db)
    if target is None:
        return
    with target.lock:
        now = generation()
        if target.generation == now:
            return
        with db.connect() as duck:
            state = _data_state(duck)
            if state != target.published:
                version = uuid.uuid4().hex[:12]
                with target.engine.connect() as engine:
                    for table, moment in PUBLISHED.items():
                        folder = target.lake / table / version
                        partitioned = _write_parquet(raw(duck), table, moment, folder)
                        _declare(engine, table, folder, partitioned)
                    _build_rollups(duck, engine)
                for table in PUBLISHED:
                    for old in (target.lake / table).iterdir():
                        if old.name != version:
                            shutil.rmtree(old, ignore_errors=True)
                target.published = state
        target.generation = now


def _data_state(duck) -> tuple:
    """What the published data depends on: the latest load, and what each roll-up was built for."""
    return tuple(duck.exec_driver_sql(
        "SELECT (SELECT max(load_id) FROM load_log), rollup, fingerprint, settings, first_day, latest_day"
        " FROM rollup_state ORDER BY rollup").fetchall()) or (("no roll-up",),)


def _write_parquet(duck, table: str, moment: str | None, folder: Path) -> bool:
    """A table's rows as Parquet files, by month (a ``month=YYYY-MM`` folder each) when it has
    a moment, read and written in batches (a table of any size takes little memory); whether
    it wrote months."""
    month = f", strftime({moment}, '%Y-%m') AS month" if moment else ""
    reader = duck.sql(f"SELECT *{month} FROM {table}").to_arrow_reader(1_000_000)
    folder.mkdir(parents=True, exist_ok=True)
    ds.write_dataset(reader, folder, format="parquet", partitioning=["month"] if moment else None,
                     partitioning_flavor="hive" if moment else None, existing_data_behavior="overwrite_or_ignore",
                     max_rows_per_file=5_000_000, max_rows_per_group=1_000_000)
    if not any(folder.iterdir()):       # no rows: a file with none, which gives the engine the columns
        pq.write_table(reader.schema.empty_table(), folder / "empty.parquet")
        return False
    return moment is not None


def _declare(engine, table: str, folder: Path, partitioned: bool) -> None:
    engine.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    engine.exec_driver_sql(f"CREATE TABLE {table} USING parquet LOCATION '{folder.as_uri()}'")
    if partitioned:
        engine.exec_driver_sql(f"MSCK REPAIR TABLE {table}")


def _build_rollups(duck, engine) -> None:
    """Each roll-up built on the engine from its tables, for the settings and the data's span
    the embedded database's roll-up was built for (so ``rollups.covering`` answers for both)."""
    from metrics import rollups
    from warehouse.dialects import translate
    state = rollups._state(duck)
    for r in rollups.ROLLUPS:
        stored = state.get(r.table)
        engine.exec_driver_sql(f"DROP TABLE IF EXISTS {r.table}")
        if stored is None:
            continue
        sql, params = rollups._select(r, stored.settings, stored.span)
        engine.execute(sa.text(f"CREATE TABLE {r.table} USING parquet AS {translate(sql, engine.dialect.name)}"),
                       params)


def reads(db) -> Engine | None:
    """The engine the scoped queries of ``db`` run on, its data up to date (None: ``db``)."""
    target = target_of(db)
    if target is None:
        return None
    publish(db)
    return target.engine
