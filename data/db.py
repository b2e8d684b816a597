"""The embedded DuckDB database, reached through one SQLAlchemy engine per file."""
from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from data.schema import ddl

_engines: dict[Path, Engine] = {}
_lock = threading.Lock()


def engine(path: str | Path) -> Engine:
    """The engine for a database file, created with its schema on first use."""
    path = Path(path).expanduser().resolve()
    with _lock:
        if path not in _engines:
            path.parent.mkdir(parents=True, exist_ok=True)
            eng = sa.create_engine(f"duckdb:///{path}")
            with eng.begin() as conn:
                for statement in ddl():
                    conn.exec_driver_sql(statement)
            _engines[path] = eng
        return _engines[path]


def dispose(path: str | Path) -> None:
    """Close every connection to a database file (tests, and before deleting it)."""
    path = Path(path).expanduser().resolve()
    with _lock:
        eng = _engines.pop(path, None)
    if eng is not None:
        eng.dispose()


def raw(conn: Connection) -> duckdb.DuckDBPyConnection:
    """The DuckDB connection under a SQLAlchemy one, to register data frames for bulk work."""
    return conn.connection.driver_connection


def scalar(conn: Connection, query: sa.TextClause | str, params: dict | None = None):
    """The single value of a query (the result is read to its end, as DuckDB requires)."""
    if isinstance(query, str):
        query = sa.text(query)
    rows = conn.execute(query, params or {}).fetchall()
    return rows[0][0] if rows else None


def frame(conn: Connection, query: sa.TextClause | str, params: dict | None = None) -> pd.DataFrame:
    """Run a query and return its rows as a data frame."""
    if isinstance(query, str):
        query = sa.text(query)
    result = conn.execute(query, params or {})
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
