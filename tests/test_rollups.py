"""The daily roll-ups give exactly the numbers computed from the contacts and answers
themselves: on the hand-built fixtures, after loads that change earlier days, for other KPI
settings, and on a demo database."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data import db as database
from data.demo import build as build_demo
from data.loader import LoadError, load
from metrics import rollups
from metrics.query import Scope, compute, histogram
from metrics.registry import KPI_IDS
from metrics.relations import HISTOGRAM_BASES
from settings import KpiSettings
from tests.conftest import KEY, write_csv
from tests.test_kpis import (AGENTS, COMMERCIAL, DELIVERY, FCR, MARCH, MATURITY, SURVEYED_CONTACTS, SURVEYS,
                             contact, kpis, survey)

ALL_CONTACTS = DELIVERY + COMMERCIAL + FCR + SURVEYED_CONTACTS

# (scope, by): periods, every filter and restriction, groupings by dimension and by time
CASES = [
    (Scope.of(*MARCH), None),
    (Scope.of("2025-02-01", "2025-04-30"), None),
    (Scope.of("2025-03-03", "2025-03-03"), None),
    (Scope.of(*MARCH, channel="chat"), None),
    (Scope.of(*MARCH, channel=["phone", "email"]), "day"),
    (Scope.of(*MARCH, client="CL1"), "channel"),
    (Scope.of(*MARCH, queue="Q1"), None),
    (Scope.of(*MARCH, campaign="K1"), None),
    (Scope.of(*MARCH, team="T2"), None),
    (Scope.of(*MARCH, agent="A1"), "week"),
    (Scope.of(*MARCH).restricted(client=["CL1"]), "month"),
    (Scope.of(*MARCH).restricted(client=[]), None),
    (Scope.of(*MARCH), "agent"),
    (Scope.of(*MARCH), "team"),
    (Scope.of(*MARCH), "client"),
    (Scope.of("2025-02-01", "2025-04-30"), ["month", "channel"]),
    (Scope.of(*MARCH), ["queue", "reason"]),
    (Scope.of("2025-03-03", "2025-03-03"), "half_hour"),
    (Scope.of(*MARCH, channel="phone"), ["day", "half_hour"]),
    (Scope.of(*MARCH).restricted(client=["CL1"]), ["queue", "half_hour"]),
]


def same_numbers(eng, scope, by, settings=KpiSettings()) -> None:
    """Every KPI and every distribution from the roll-ups equals the direct computation, exactly."""
    rolled = compute(eng, scope, KPI_IDS, by=by, settings=settings)
    direct = compute(eng, scope, KPI_IDS, by=by, settings=settings, from_rollups=False)
    pd.testing.assert_frame_equal(rolled, direct, check_exact=True)
    for kind in HISTOGRAM_BASES:
        pd.testing.assert_frame_equal(histogram(eng, scope, kind, settings),
                                      histogram(eng, scope, kind, settings, from_rollups=False),
                                      check_exact=True, obj=kind)


def dims_of(scope, by) -> set:
    groups = [] if by is None else [by] if isinstance(by, str) else by
    return ({g for g in groups if g not in ("day", "week", "month")}
            | {d for d, _ in scope.filters + scope.restrictions})


@pytest.fixture
def fixture_db(make_db):
    return make_db(contacts=ALL_CONTACTS, surveys=SURVEYS, agents=AGENTS)


@pytest.mark.parametrize("scope, by", CASES)
def test_rup001_rollups_equal_the_direct_computation_on_the_fixtures(fixture_db, scope, by):
    for base in ("contacts", "surveys"):   # the roll-ups are read, not skipped
        if base == "contacts" or "half_hour" not in dims_of(scope, by):   # answers by half-hour: read directly
            assert rollups.covering(fixture_db, base, dims_of(scope, by), KpiSettings()) is not None
        if not dims_of(scope, ()) & {"agent", "team"}:
            assert rollups.covering(fixture_db, base, dims_of(scope, ()), KpiSettings(), "histograms")
    same_numbers(fixture_db, scope, by)


def test_rup002_half_hours_have_a_rollup_of_their_own_but_not_with_the_agent(fixture_db):
    assert rollups.covering(fixture_db, "contacts", {"half_hour", "queue"}, KpiSettings()).table \
        == "rollup_contacts_half_hour"
    assert rollups.covering(fixture_db, "contacts", {"half_hour", "agent"}, KpiSettings()) is None
    got = compute(fixture_db, Scope.of("2025-03-03", "2025-03-03"), ["offered"], by="half_hour")
    # 2025-03-03: p1 09:00, p2 10:00, p3 11:00, p4 12:00, k1 09:00 (all inbound answered or abandoned)
    assert dict(zip(got["group"], got["offered"])) == {"09:00": 2, "10:00": 1, "11:00": 1, "12:00": 1}
    same_numbers(fixture_db, Scope.of(*MARCH), ["agent", "half_hour"])   # read from the contacts


def test_rup003_other_settings_are_computed_directly_until_the_rollups_are_built_for_them(fixture_db):
    strict = KpiSettings(sl_thresholds={"phone": 10, "chat": 30}, short_abandon_s=3,
                         abandon_mode="ignored", repeat_window_h=24)
    assert rollups.covering(fixture_db, "contacts", (), strict) is None
    before = kpis(fixture_db, ["service_level", "answer_rate"], settings=strict)
    rollups.ensure(fixture_db, strict)
    assert rollups.covering(fixture_db, "contacts", (), strict) is not None
    assert rollups.covering(fixture_db, "contacts", (), KpiSettings()) is None   # built for one set
    assert kpis(fixture_db, ["service_level", "answer_rate"], settings=strict) == before
    for scope, by in CASES:
        same_numbers(fixture_db, scope, by, strict)


def rollup_rows(eng) -> dict[str, pd.DataFrame]:
    with eng.connect() as conn:
        return {r.table: database.frame(conn, f"SELECT * FROM {r.table} ORDER BY ALL") for r in rollups.ROLLUPS}


def fresh_build_is_the_same(eng) -> None:
    kept = rollup_rows(eng)
    with database.writing(eng) as conn:
        for r in rollups.ROLLUPS:
            rollups.build(conn, r, KpiSettings())
    for table, rows in rollup_rows(eng).items():
        pd.testing.assert_frame_equal(kept[table], rows, check_exact=True, obj=table)


def test_rup004_each_load_keeps_the_rollups_equal_to_a_fresh_build(make_db, tmp_path):
    eng = make_db(contacts=ALL_CONTACTS, surveys=SURVEYS, agents=AGENTS)
    before = kpis(eng, ["fcr", "repeat_rate", "response_rate", "offered"], period=("2025-03-10", "2025-03-10"))
    # 2025-03-10: a1 (A), b1 (B) answered with a customer; a1 has a follow-up 7 days later,
    # b1 none within 7 days -> FCR 1 / 2; no repeats; neither has a survey answer
    assert before == {"fcr": 50.0, "repeat_rate": 0.0, "response_rate": 0.0, "offered": 2}
    # A later extract: b1's customer calls again two days later (b1 is no longer resolved,
    # on a day this load does not hold), k4 is replaced by an answered call, and an answer
    # about a1 arrives (a1 is now surveyed); a survey is replaced.
    contacts = [contact("b3", "2025-03-12 08:00:00", customer_id="B"),
                contact("k4", "2025-03-05 09:00:00", queue="Q2", client="CL2", wait_s=3, talk_s=60)]
    surveys = [survey("r8", "2025-04-03 10:00:00", contact_id="a1", nps=10),
               survey("r6", "2025-03-11 10:00:00", channel="email", client="CL2", ces=7)]
    load(eng, {"contacts": write_csv(tmp_path / "c2.csv", contacts),
               "surveys": write_csv(tmp_path / "s2.csv", surveys)}, source="test", key=KEY)
    after = kpis(eng, ["fcr", "repeat_rate", "response_rate", "offered"], period=("2025-03-10", "2025-03-10"))
    # a1 still followed up, b1 now followed up by b3 -> FCR 0 / 2; a1 has an answer -> 1 / 2 handled
    assert after == {"fcr": 0.0, "repeat_rate": 0.0, "response_rate": 50.0, "offered": 2}
    fresh_build_is_the_same(eng)
    for scope, by in CASES:
        same_numbers(eng, scope, by)


def test_rup005_a_refused_load_leaves_the_rollups_as_they_were(make_db, tmp_path):
    eng = make_db(contacts=ALL_CONTACTS, surveys=SURVEYS, agents=AGENTS)
    kept = rollup_rows(eng)
    bad = [contact("z1", "2025-03-07 09:00:00"), contact("z2", "not a date")]
    with pytest.raises(LoadError):
        load(eng, {"contacts": write_csv(tmp_path / "bad.csv", bad)}, source="test", key=KEY,
             reject_budget=0.0)
    for table, rows in rollup_rows(eng).items():
        pd.testing.assert_frame_equal(kept[table], rows, check_exact=True, obj=table)


def test_rup012_a_rollup_made_by_other_code_is_not_read_even_for_any_settings(fixture_db):
    # for any settings (the rows and their counts), a roll-up must still be the one this code
    # makes: one made by another version may lack a measure
    with fixture_db.connect() as conn:
        assert rollups.covering(conn, "contacts", {"agent"}, None).table == "rollup_contacts_agent"
        conn.exec_driver_sql("UPDATE rollup_state SET fingerprint = 'older' WHERE rollup = 'rollup_contacts_agent'")
        assert rollups.covering(conn, "contacts", {"agent"}, None) is None
        assert rollups.covering(conn, "contacts", (), None).table == "rollup_contacts"
        conn.rollback()


def test_rup006_a_database_without_rollups_is_read_directly_then_gets_them(fixture_db):
    with database.writing(fixture_db) as conn:
        conn.exec_driver_sql("DELETE FROM rollup_state")
    assert rollups.covering(fixture_db, "contacts", (), KpiSettings()) is None
    direct = kpis(fixture_db, KPI_IDS)
    rollups.ensure(fixture_db, KpiSettings())
    assert rollups.covering(fixture_db, "contacts", (), KpiSettings()) is not None
    assert kpis(fixture_db, KPI_IDS) == direct


def test_rup007_rollups_equal_the_direct_computation_on_a_demo_database(tmp_path):
    eng = database.engine(tmp_path / "demo.duckdb")
    try:
        build_demo(eng, 20_000, 3, KEY, end=date(2025, 6, 30))
        last_month = Scope.of("2025-06-01", "2025-06-30")
        year = Scope.of("2024-07-01", "2025-06-30")
        client = compute(eng, year, ["offered"], by="client").iloc[0]["group"]
        cases = [(year, None), (year, "month"), (last_month, "day"), (last_month, "agent"),
                 (last_month, "team"), (year, ["campaign", "channel"]),
                 (last_month.with_filters(client=client), "queue"),
                 (year.restricted(client=[client]), "reason")]
        for settings in (KpiSettings(), KpiSettings(sl_thresholds={"phone": 30}, abandon_mode="positive",
                                                    repeat_window_h=72)):
            rollups.ensure(eng, settings)
            for scope, by in cases:
                assert rollups.covering(eng, "contacts", dims_of(scope, by), settings) is not None
                same_numbers(eng, scope, by, settings)
    finally:
        database.dispose(tmp_path / "demo.duckdb")


def test_rup008_the_dashboard_builds_the_rollups_for_its_own_settings(fixture_db, app_for):
    from access.viewer import LOCAL, acting_as
    from components.view import open_view
    strict = KpiSettings(sl_thresholds={"phone": 10}, repeat_window_h=48)
    app_for(fixture_db, kpi=strict)
    with acting_as(LOCAL):
        view = open_view({"from": MARCH[0], "to": MARCH[1]})
    assert rollups.covering(fixture_db, "contacts", ("agent",), strict) is not None
    same_numbers(view.db, view.scope(), "agent", strict)


def test_rup009_a_later_extract_over_a_demo_database_keeps_the_rollups_exact(tmp_path):
    """A re-extract of a week that changes outcomes, queues and customers (so the repeat
    gaps of other days' contacts change too) and adds contacts: every KPI and distribution
    from the roll-ups still equals the direct computation."""
    eng = database.engine(tmp_path / "demo.duckdb")
    try:
        build_demo(eng, 10_000, 5, KEY, end=date(2025, 6, 30))
        with eng.connect() as conn:
            rows = database.frame(conn, """
                SELECT contact_id, strftime(arrived_at, '%Y-%m-%d %H:%M:%S') AS arrived_at, channel, direction,
                       CASE WHEN outcome = 'answered' AND wait_s > 30 THEN 'abandoned' ELSE outcome END AS outcome,
                       CASE WHEN hash(contact_id) % 3 = 0 THEN 'Q-new' ELSE queue END AS queue, campaign, client,
                       site, agent_id, left(customer_key, 6) AS customer_id, reason, wait_s, talk_s, hold_s, acw_s,
                       transferred, escalated, sale, revenue
                FROM contacts WHERE arrived_at >= TIMESTAMP '2025-06-16' AND arrived_at < TIMESTAMP '2025-06-23'""")
        assert len(rows) > 100
        extra = rows.head(20).assign(contact_id=lambda f: "new-" + f["contact_id"], arrived_at="2025-06-25 10:00:00")
        cells = [{k: None if pd.isna(v) else v for k, v in r.items()} for r in pd.concat([rows, extra]).to_dict("records")]
        [report] = load(eng, {"contacts": write_csv(tmp_path / "again.csv", cells)}, source="demo", key=KEY)
        assert report.accepted == len(cells)
        month, year = Scope.of("2025-06-01", "2025-06-30"), Scope.of("2024-07-01", "2025-06-30")
        for scope, by in [(year, "month"), (month, "day"), (month, "agent"), (month, ["queue", "half_hour"]),
                          (year.with_filters(queue="Q-new"), None)]:
            same_numbers(eng, scope, by)
    finally:
        database.dispose(tmp_path / "demo.duckdb")


def test_rup010_loads_that_move_the_first_or_latest_day_keep_the_rollups_exact(make_db, tmp_path):
    eng = make_db(contacts=MATURITY)
    march = [(Scope.of(*MARCH), None), (Scope.of(*MARCH), "day"), (Scope.of("2025-03-25", "2025-03-31"), None)]
    for scope, by in march:
        same_numbers(eng, scope, by)
    # one day later, then three weeks earlier, then a replaced contact that moves the latest
    # day back (l1 moves from 10 April to 1 April)
    for name, rows in (("late", [contact("l1", "2025-04-10 12:00:00")]),
                       ("early", [contact("e1", "2025-02-10 12:00:00", customer_id="X")]),
                       ("back", [contact("l1", "2025-04-01 12:00:00")])):
        load(eng, {"contacts": write_csv(tmp_path / f"{name}.csv", rows)}, source="test", key=KEY)
        fresh_build_is_the_same(eng)
        for scope, by in march + [(Scope.of("2025-02-01", "2025-04-30"), "week")]:
            same_numbers(eng, scope, by)


def test_rup011_the_dashboard_brings_rollups_of_another_span_up_to_date(make_db):
    eng = make_db(contacts=MATURITY)
    with database.writing(eng) as conn:   # FCR as computed when the data ended on 20 March: pending from 14 March
        conn.exec_driver_sql("UPDATE rollup_state SET latest_day = DATE '2025-03-20'")
        conn.exec_driver_sql("UPDATE rollup_contacts SET fcr_pending = fcr_pending + fcr_eligible, fcr_eligible = 0,"
                             " fcr_resolved = 0 WHERE day >= DATE '2025-03-14'")
    assert kpis(eng, ["fcr"])["fcr"] == pytest.approx(100 * 2 / 3)   # x1 x2 y1: x2 and y1 resolved
    rollups.ensure(eng, KpiSettings())
    fresh_build_is_the_same(eng)
    same_numbers(eng, Scope.of(*MARCH), "day")
