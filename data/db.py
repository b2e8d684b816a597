"""The embedded DuckDB database, reached through one SQLAlchemy engine per file."""
from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from data.derived import LINKED, copy_arrival, refresh_linked
from data.files import make_private, private_folder
from data.schema import ddl

_engines: dict[Path, Engine] = {}
_lock = threading.Lock()

# Every connection, the serving ones and the loader's alike (DuckDB shares these settings
# between the connections to one file): no reading or writing of files or URLs from SQL
# (read_csv, COPY, ATTACH), no extension installed or loaded, and no SET to undo that. The
# loader reads files itself and hands DuckDB the rows (Arrow tables it registers).
LOCKED_DOWN = {"enable_external_access": False, "autoinstall_known_extensions": False,
               "autoload_known_extensions": False, "lock_configuration": True}


def _config() -> dict:
    """The connections' settings: locked down, and the memory DuckDB may take before it works
    on disk, when ``PILOTAGE_DB_MEMORY_GB`` sets it (DuckDB's default: 80 % of the machine's)."""
    config = dict(LOCKED_DOWN)
    memory = os.environ.get("PILOTAGE_DB_MEMORY_GB")
    if memory:
        try:
            config["memory_limit"] = f"{float(memory):g}GB"
        except ValueError:
            raise ValueError(f"PILOTAGE_DB_MEMORY_GB is a number of gigabytes, not {memory!r}") from None
    return config


class CommitGate:
    """Reads wait while a load commits, and a load's commit waits for the reads under way.

    DuckDB lets a query that runs while a large transaction commits see part of it (seen
    with 300,000 inserted rows: counts between the old and the new). Every read of the app
    goes through ``frame`` or ``scalar``, which hold the gate open for reading; the loader
    commits inside ``committing()``. A commit waiting keeps new reads out, so it cannot starve.
    """

    def __init__(self):
        self._cond = threading.Condition()
        self._readers = 0
        self._committing = False
        self._waiting = 0

    @contextmanager
    def reading(self):
        with self._cond:
            while self._committing or self._waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def committing(self):
        with self._cond:
            self._waiting += 1
            while self._committing or self._readers:
                self._cond.wait()
            self._waiting -= 1
            self._committing = True
        try:
            yield
        finally:
            with self._cond:
                self._committing = False
                self._cond.notify_all()


GATE = CommitGate()


@contextmanager
def writing(eng: Engine):
    """A write transaction whose commit goes through the gate (readers never see half of it)."""
    with eng.connect() as conn:
        transaction = conn.begin()
        try:
            yield conn
        except BaseException:
            transaction.rollback()
            raise
        with GATE.committing():
            transaction.commit()
            _new_generation()


_generation = 0


def _new_generation() -> None:
    global _generation
    _generation += 1


def generation() -> int:
    """A number that changes whenever the data may have: a load committed, or a database
    opened or closed. Cached query results are only good for the generation they were
    computed in (while the app runs, only its own loads write: DuckDB gives a file to one
    process)."""
    return _generation


def engine(path: str | Path) -> Engine:
    """The engine for a database file, created with its schema on first use (the file and
    the folders made for it readable by their owner only)."""
    path = Path(path).expanduser().resolve()
    with _lock:
        if path not in _engines:
            private_folder(path.parent)
            eng = sa.create_engine(f"duckdb:///{path}", connect_args={"config": _config()})
            with eng.begin() as conn:
                # databases made before the answers and evaluations kept their contact's arrival
                unfilled = [f for f, link in LINKED.items() if _lacks(conn, link.table, "contact_arrived_at")]
                for statement in ddl():
                    conn.exec_driver_sql(statement)
                for flag in LINKED:
                    refresh_linked(conn, flag, f"SELECT source, contact_id FROM contacts WHERE {flag} IS NULL")
                for flag in unfilled:
                    copy_arrival(conn, flag, f"SELECT source, contact_id FROM contacts WHERE {flag}")
            make_private(path)   # made by DuckDB through the umask
            _engines[path] = eng
            _new_generation()    # another process may have changed the file while it was closed
        return _engines[path]


def _lacks(conn: Connection, table: str, column: str) -> bool:
    """Whether a table exists without this column."""
    found = conn.execute(sa.text("SELECT count(*) FILTER (WHERE column_name = :c), count(*)"
                                 " FROM information_schema.columns WHERE table_name = :t"),
                         {"t": table, "c": column}).one()
    return found[1] > 0 and found[0] == 0


def dispose(path: str | Path) -> None:
    """Close every connection to a database file (tests, and before deleting it)."""
    path = Path(path).expanduser().resolve()
    with _lock:
        eng = _engines.pop(path, None)
    if eng is not None:
        eng.dispose()
    _new_generation()


def raw(conn: Connection) -> duckdb.DuckDBPyConnection:
    """The DuckDB connection under a SQLAlchemy one, to register data frames for bulk work."""
    return conn.connection.driver_connection


def scalar(conn: Connection, query: sa.TextClause | str, params: dict | None = None):
    """The single value of a query (the result is read to its end, as DuckDB requires)."""
    if isinstance(query, str):
        query = sa.text(query)
    with GATE.reading():
        rows = conn.execute(query, params or {}).fetchall()
    return rows[0][0] if rows else None


def rows(result) -> list[tuple]:
    """A result's rows with the Python values DuckDB gives, whatever the driver: the Hive
    driver (Spark SQL) gives dates and lists as text, and decimals where DuckDB's division
    gives a double."""
    description = result.cursor.description if result.cursor is not None else ()
    convert = {i: _FROM_TEXT[d[1]] for i, d in enumerate(description or ()) if d[1] in _FROM_TEXT}
    out = result.fetchall()
    if not convert:
        return [tuple(r) for r in out]
    return [tuple(v if v is None or i not in convert else convert[i](v) for i, v in enumerate(r)) for r in out]


_FROM_TEXT = {"DATE_TYPE": lambda v: v if isinstance(v, date) else date.fromisoformat(v),
              "ARRAY_TYPE": lambda v: json.loads(v) if isinstance(v, str) else v,
              "DECIMAL_TYPE": float}


def frame(conn: Connection, query: sa.TextClause | str, params: dict | None = None) -> pd.DataFrame:
    """Run a query and return its rows as a data frame."""
    if isinstance(query, str):
        query = sa.text(query)
    with GATE.reading():
        result = conn.execute(query, params or {})
        out = rows(result)
    return pd.DataFrame(out, columns=list(result.keys()))
