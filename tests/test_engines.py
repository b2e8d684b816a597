"""The SQL differences between the engines that matter to the KPIs, each run on DuckDB and on
Spark SQL from the one DuckDB text (``warehouse.dialects.translate``), the expected values
worked out by hand."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from data.db import rows
from warehouse.dialects import translate

ROWS = """(VALUES (1, 'a', TIMESTAMP '2025-03-05 09:10:00', 10.0), (2, 'a', TIMESTAMP '2025-03-05 09:40:00', 20.0),
                  (3, 'b', TIMESTAMP '2025-03-09 23:59:59', 30.0), (4, 'b', TIMESTAMP '2025-03-10 00:00:00', NULL),
                  (5, NULL, TIMESTAMP '2025-03-10 08:29:59', 100.0)) AS t(id, grp, ts, x)"""


@pytest.fixture(scope="module", params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def run(request):
    """``run(sql, **params)``: the rows of a DuckDB query, on the engine, translated for it."""
    url = "duckdb:///:memory:" if request.param == "duckdb" else request.getfixturevalue("spark_url")
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        yield lambda sql, **params: rows(conn.execute(sa.text(translate(sql, engine.dialect.name)), params))
    engine.dispose()


def test_eng001_percentiles_stay_exact(run):
    # 10, 20, 30, 100: the continuous median is halfway between 20 and 30, the 90th percentile
    # 30 + 0.7 x (100 - 30) = 79; the discrete median is the second value
    [(median, p90, discrete)] = run(f"SELECT quantile_cont(x, 0.5), quantile_cont(x, 0.9), quantile_disc(x, 0.5) FROM {ROWS}")
    assert (float(median), float(p90), float(discrete)) == (25.0, pytest.approx(79.0, abs=1e-9), 20.0)


def test_eng002_qualify_keeps_the_latest_row_of_each_group(run):
    rows = run(f"SELECT grp, id FROM {ROWS} WHERE grp IS NOT NULL"
               " QUALIFY row_number() OVER (PARTITION BY grp ORDER BY ts DESC) = 1 ORDER BY grp")
    assert rows == [("a", 2), ("b", 4)]


def test_eng003_filter_counts_only_its_rows(run):
    # x > 15: 20, 30, 100; a NULL x counts in count(*) but not in the filtered sum
    [(n, big, total)] = run(f"SELECT count(*), count(*) FILTER (WHERE x > 15), sum(x) FILTER (WHERE id >= 3) FROM {ROWS}")
    assert (n, big, float(total)) == (5, 3, 130.0)


def test_eng004_weeks_start_on_monday(run):
    # 5 March 2025 is a Wednesday, 9 March a Sunday: both in the week of Monday 3 March;
    # 10 March is the next Monday
    rows = run(f"SELECT CAST(date_trunc('week', ts) AS DATE) AS w, count(*) FROM {ROWS} GROUP BY ALL ORDER BY ALL")
    assert rows == [(date(2025, 3, 3), 3), (date(2025, 3, 10), 2)]


def test_eng005_lag_is_null_on_the_first_row_of_each_partition(run):
    rows = run(f"SELECT id, lag(x) OVER (PARTITION BY grp ORDER BY ts) FROM {ROWS} ORDER BY id")
    assert [(i, None if v is None else float(v)) for i, v in rows] == [(1, None), (2, 10.0), (3, None), (4, 30.0), (5, None)]


def test_eng006_rollup_totals_are_told_from_null_groups_by_grouping(run):
    # the group of the NULL grp (id 5) and the grand total both have a NULL grp: grouping() tells them apart
    rows = run(f"SELECT grp, grouping(grp) AS total, count(*) FROM {ROWS} GROUP BY ROLLUP (grp) ORDER BY total, grp NULLS LAST")
    assert rows == [("a", 0, 2), ("b", 0, 2), (None, 0, 1), (None, 1, 5)]


def test_eng007_half_hours_of_the_day(run):
    # 09:10 and 09:40 fall in 09:00 and 09:30; 23:59:59 in 23:30; 08:29:59 in 08:00
    rows = run(f"SELECT id, strftime(time_bucket(INTERVAL 30 MINUTES, ts), '%H:%M') FROM {ROWS} ORDER BY id")
    assert rows == [(1, "09:00"), (2, "09:30"), (3, "23:30"), (4, "00:00"), (5, "08:00")]


def test_eng008_nulls_sort_last_and_bound_values_compare_as_on_duckdb(run):
    rows = run(f"SELECT id FROM {ROWS} WHERE ts >= :start AND ts < :end ORDER BY grp, id",
               start=datetime(2025, 3, 9, 12), end=datetime(2025, 3, 11))
    assert rows == [(3,), (4,), (5,)]          # b, b, then the NULL group last
    assert run(f"SELECT count(*) FROM {ROWS} WHERE CAST(ts AS DATE) = :day", day=date(2025, 3, 10)) == [(2,)]


def test_eng009_latest_value_of_a_group(run):
    rows = run(f"SELECT grp, arg_max(x, ts) FROM {ROWS} WHERE grp IS NOT NULL GROUP BY ALL ORDER BY ALL")
    assert [(g, None if v is None else float(v)) for g, v in rows] == [("a", 20.0), ("b", 30.0)]


def test_eng010_the_engine_is_chosen_by_the_settings():
    from pathlib import Path

    from settings import load_settings
    s = load_settings({"PILOTAGE_DB": "/srv/pilotage/p.duckdb", "PILOTAGE_ENGINE_URL": "hive://spark.example:10000/kpi"})
    assert (s.engine_url, s.lake_path) == ("hive://spark.example:10000/kpi", Path("/srv/pilotage/lake"))
    assert load_settings({}).engine_url is None          # the embedded database by default


@pytest.mark.spark
def test_eng011_a_load_publishes_parquet_by_month_that_the_engine_reads(make_db, spark_url, tmp_path):
    import uuid

    import warehouse
    from data.loader import load
    from metrics.query import Scope, compute, values
    from tests.conftest import KEY, write_csv
    rows = [dict(contact_id=f"c{i}", arrived_at=at, channel="phone", outcome="answered", wait_s=10)
            for i, at in enumerate(["2025-02-27 10:00:00", "2025-03-03 10:00:00", "2025-03-04 10:00:00"])]
    eng = make_db(contacts=rows)
    lake = tmp_path / "lake"
    warehouse.attach(eng, f"{spark_url.rsplit('/', 1)[0]}/t{uuid.uuid4().hex[:12]}", lake)
    try:
        [version] = (lake / "contacts").iterdir()
        assert sorted(p.name for p in version.iterdir()) == ["month=2025-02", "month=2025-03"]
        assert values(compute(eng, Scope.of("2025-02-01", "2025-03-31"), ["offered"]).iloc[0])["offered"] == 3
        # a later load is published at once, and the former files go
        load(eng, {"contacts": write_csv(tmp_path / "more.csv", [dict(rows[0], contact_id="c9", arrived_at="2025-04-01 09:00:00")])},
             source="test", key=KEY)
        [newer] = (lake / "contacts").iterdir()
        assert newer != version and sorted(p.name for p in newer.iterdir())[-1] == "month=2025-04"
        assert values(compute(eng, Scope.of("2025-02-01", "2025-04-30"), ["offered"]).iloc[0])["offered"] == 4
    finally:
        warehouse.detach(eng, drop=True)
