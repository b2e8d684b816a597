"""One SQL for every engine: the queries are written in DuckDB's SQL and translated by sqlglot
for the engine that runs them (``translate``). What sqlglot turns into something another
engine lacks, or computes otherwise, is rewritten here, and each difference is tested on both
engines (tests/test_engines.py)."""
from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.dialects.spark import Spark

# SQLAlchemy's dialect name -> the SQL dialect its engine speaks
SPOKEN = {"duckdb": "duckdb", "hive": "pilotage_spark", "databricks": "pilotage_spark"}


def _bucket(self, e: exp.Expression) -> str:
    """DuckDB's ``time_bucket(INTERVAL n MINUTES, t)`` (sqlglot's ``DATE_BIN``): Spark has no
    such function; the start of the bucket from the seconds since the epoch (buckets of whole
    minutes start on the epoch's, as DuckDB's do)."""
    interval = e.this if isinstance(e.this, exp.Interval) else e.args.get("expression")
    moment = e.expression if interval is e.this else e.this
    unit = interval.text("unit").upper().rstrip("S")
    seconds = int(interval.this.name) * {"SECOND": 1, "MINUTE": 60, "HOUR": 3600}[unit]
    ts = self.sql(moment)
    return f"TIMESTAMP_SECONDS(FLOOR(UNIX_SECONDS(CAST({ts} AS TIMESTAMP)) / {seconds}) * {seconds})"


def _percentile(name: str):
    """DuckDB's ``quantile_cont(x, q)`` and ``quantile_disc(x, q)``, exact, as Spark's ordered
    set functions (sqlglot writes Spark's two-argument form, which Spark refuses; its
    ``percentile_approx`` would not be exact)."""
    def generate(self, e: exp.Expression) -> str:
        return f"{name}({self.sql(e.expression)}) WITHIN GROUP (ORDER BY {self.sql(e.this)})"
    return generate


def _arg_max(self, e: exp.Expression) -> str:
    """DuckDB's ``arg_max(x, by)`` passes over the rows whose ``x`` is NULL; Spark's ``max_by``
    would return the NULL of the latest row."""
    x = self.sql(e.this)
    return f"MAX_BY({x}, CASE WHEN {x} IS NOT NULL THEN {self.sql(e.expression)} END)"


class PilotageSpark(Spark):
    """Spark SQL as Pilotage needs it (Spark 3.4 and later, Databricks SQL)."""

    class Generator(Spark.Generator):
        TRANSFORMS = {**Spark.Generator.TRANSFORMS, exp.DateBin: _bucket, exp.ArgMax: _arg_max,
                      exp.PercentileCont: _percentile("PERCENTILE_CONT"),
                      exp.PercentileDisc: _percentile("PERCENTILE_DISC")}


sqlglot.dialects.Dialect.classes["pilotage_spark"] = PilotageSpark


@lru_cache(maxsize=4096)
def translate(sql: str, dialect: str) -> str:
    """A query in DuckDB's SQL, written for the engine of this SQLAlchemy dialect; bound
    parameters (``:name``) stay as they are."""
    spoken = SPOKEN.get(dialect)
    if spoken is None:
        raise ValueError(f"no SQL dialect known for the engine {dialect!r}; known: {', '.join(SPOKEN)}")
    if spoken == "duckdb":
        return sql
    return ";\n".join(sqlglot.transpile(sql, read="duckdb", write=spoken,
                                        unsupported_level=sqlglot.ErrorLevel.RAISE))

