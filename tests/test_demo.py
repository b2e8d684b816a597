"""The demo generator: deterministic for a seed, valid for the loader, plausible."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data import db as database
from data import demo
from data.demo import build, generate
from data.demo_costs import CAMPAIGN_ATTEMPT, CAMPAIGN_MONTH
from data.schema import INBOUND_OUTCOMES, OUTBOUND_OUTCOMES, TABLES
from metrics.query import Scope, compute, values
from tests.conftest import KEY

END = date(2026, 3, 15)


@pytest.fixture(scope="module")
def frames():
    return generate(60_000, seed=7, end=END)


def test_dem001_same_seed_same_data_other_seed_other_data(frames):
    again = generate(60_000, seed=7, end=END)
    for table in frames:
        pd.testing.assert_frame_equal(frames[table], again[table])
    other = generate(60_000, seed=8, end=END)
    assert not frames["contacts"]["wait_s"].equals(other["contacts"]["wait_s"])


def test_dem002_frames_have_the_canonical_columns_and_values(frames):
    for name, frame in frames.items():
        assert list(frame.columns) == list(TABLES[name].column_names)
        for col in TABLES[name].required:
            assert frame[col].notna().all(), (name, col)
        assert not frame.duplicated(list(TABLES[name].key_columns)).any(), name
    c = frames["contacts"]
    inbound = c["direction"] == "inbound"
    assert c.loc[inbound, "outcome"].isin(INBOUND_OUTCOMES).all()
    assert c.loc[~inbound, "outcome"].isin(OUTBOUND_OUTCOMES).all()
    assert set(c["channel"]) == {"phone", "email", "chat", "mail"}
    assert c["arrived_at"].max().date() == END
    assert c["arrived_at"].min().date() >= date(2025, 2, 15)     # 13 months
    s = frames["surveys"]
    assert s["nps"].between(0, 10).all() and s["csat"].between(1, 5).all() and s["ces"].between(1, 7).all()
    assert set(s["survey"]) == {"hot", "cold"}
    assert s.loc[s["survey"] == "hot", "contact_id"].isin(c["contact_id"]).all()


@pytest.fixture(scope="module")
def demo_db(frames, tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    eng = database.engine(path)
    build(eng, 60_000, 7, KEY, end=END)
    yield eng
    database.dispose(path)


def test_dem010_plausible_costs(demo_db):
    # the whole months of the demo (its costs are known once a month ends): a few euros a phone
    # contact, less an e-mail; campaigns that buy their sales at different prices
    months = Scope.of("2025-04-01", "2026-02-28")
    by_channel = {r["group"]: r for r in (values(row) for _, row in
                                          compute(demo_db, months, ["cost_per_contact"], by="channel").iterrows())}
    assert 2 <= by_channel["phone"]["cost_per_contact"] <= 8
    assert by_channel["email"]["cost_per_contact"] < by_channel["phone"]["cost_per_contact"]
    campaigns = compute(demo_db, months, ["acquisition_cost", "return_on_cost"], by="campaign").dropna()
    assert len(campaigns) >= 5 and campaigns["acquisition_cost"].max() > 2 * campaigns["acquisition_cost"].min()
    # the latest month is not whole: no cost data, never 0
    assert compute(demo_db, Scope.of("2026-03-01", "2026-03-15"), ["cost"]).iloc[0]["cost"] is None


def test_dem011_every_campaign_has_a_service_contract_and_its_preparation(demo_db):
    from data.campaign_contracts import contracts_for
    from data.demo import CAMPAIGNS
    codes = [c[0] for c in CAMPAIGNS]
    found = contracts_for(demo_db, codes)
    assert sorted(found) == sorted(codes)
    # objectives on both sides of what the campaigns do, and the milestones up to the demo's last day done
    assert {c.conversion_rate for c in found.values()} and all(c.reach_rate == 55.0 for c in found.values())
    recurring = found["QF"]
    assert set(recurring.done) == {"brief", "script", "test", "team", "launch"}


def test_dem003_plausible_operation(demo_db):
    year = Scope.of("2025-03-15", "2026-03-15")
    k = values(compute(demo_db, year).iloc[0])
    assert 60 <= k["service_level"] <= 95
    assert 45 <= k["reach_rate"] <= 65
    assert 1 <= k["abandon_rate"] <= 10
    assert 10 <= k["response_rate"] <= 20
    assert -10 <= k["nps"] <= 50
    assert 5 <= k["repeat_rate"] <= 35
    phone = compute(demo_db, Scope.of("2025-03-15", "2026-03-15", channel="phone"),
                    ["service_level"], by="day")
    days = pd.to_datetime(phone["group"])
    monday = phone.loc[days.dt.day_of_week == 0, "service_level"].astype(float).mean()
    midweek = phone.loc[days.dt.day_of_week.isin((1, 2, 3)), "service_level"].astype(float).mean()
    assert monday < midweek - 5     # the Monday peak shows


def test_dem004_perceived_quality_responds_to_delivered(demo_db):
    with demo_db.connect() as conn:
        t = database.frame(conn, """
            SELECT c.wait_s <= 20 AS quick, avg(CASE WHEN s.nps >= 9 THEN 100 WHEN s.nps <= 6 THEN -100
                   ELSE 0 END) AS nps
            FROM surveys s JOIN contacts c ON c.contact_id = s.contact_id AND c.source = s.contact_source
            WHERE c.channel = 'phone' AND c.direction = 'inbound' GROUP BY ALL""").set_index("quick")
    assert t.loc[True, "nps"] > t.loc[False, "nps"] + 5


def test_dem005_build_twice_changes_nothing(demo_db):
    with demo_db.connect() as conn:
        before = database.frame(conn, "SELECT count(*) AS n FROM contacts")["n"][0]
    reports = build(demo_db, 60_000, 7, KEY, end=END)
    # agents, campaigns, reasons, contacts, surveys, evaluations, costs
    assert [r.status for r in reports] == ["unchanged"] * 7
    with demo_db.connect() as conn:
        assert database.frame(conn, "SELECT count(*) AS n FROM contacts")["n"][0] == before
        log = database.frame(conn, "SELECT status FROM load_log")["status"].tolist()
    assert log.count("loaded") == 7


def test_dem006_flags_kept_at_load_equal_their_direct_computation(demo_db):
    """The surveyed flag and the repeat gaps stored by the load, against the same figures
    computed from scratch over the whole demo."""
    with demo_db.connect() as conn:
        flag, direct = conn.exec_driver_sql("""
            SELECT count(*) FILTER (WHERE surveyed),
                   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM surveys s WHERE s.contact_source = c.source
                                                  AND s.contact_id = c.contact_id))
            FROM contacts c""").one()
        wrong_gaps = conn.exec_driver_sql("""
            SELECT count(*) FROM contacts c JOIN (
                SELECT source, contact_id, epoch(lead(arrived_at) OVER w - arrived_at) AS next_gap
                FROM contacts WHERE direction = 'inbound' AND customer_key IS NOT NULL
                WINDOW w AS (PARTITION BY customer_key ORDER BY arrived_at, source, contact_id)) g
              USING (source, contact_id)
            WHERE g.next_gap IS DISTINCT FROM c.next_gap_s""").one()[0]
    assert flag == direct > 0
    assert wrong_gaps == 0


@pytest.mark.parametrize("n", [3_001, 30_000])
def test_dem007_the_demo_has_the_contacts_asked_for(n):
    assert len(generate(n, seed=2, end=END)["contacts"]) == n


def test_dem008_follow_ups_are_spread_over_the_year(demo_db):
    """First-contact resolution of the last mature weeks is like the rest of the year's (the
    follow-ups used to be drawn from the first contacts only, so the latest weeks had few)."""
    weeks = compute(demo_db, Scope.of("2025-03-17", "2026-03-08"), ["fcr"], by="week")["fcr"].astype(float)
    assert abs(weeks.tail(4).mean() - weeks.head(-4).mean()) < 4


def test_dem012_a_demo_made_in_parts_is_one_demo(tmp_path, monkeypatch):
    """A demo larger than a part is generated and stored part by part, in one load: ids that
    follow each other, each customer in one part, the references and the costs once."""
    monkeypatch.setattr(demo, "CHUNK", 10_000)
    eng = database.engine(tmp_path / "parts.duckdb")
    reports = build(eng, 25_000, 7, KEY, end=END)
    # three parts (8 334, 8 333 and 8 333 contacts), each stored and let go
    names = [r.file_name for r in reports]
    assert names == ["demo-agents-n25000-seed7", "demo-campaigns-n25000-seed7", "demo-reasons-n25000-seed7",
                     "demo-contacts-n25000-seed7-part1", "demo-surveys-n25000-seed7-part1",
                     "demo-evaluations-n25000-seed7",
                     "demo-contacts-n25000-seed7-part2", "demo-surveys-n25000-seed7-part2",
                     "demo-contacts-n25000-seed7-part3", "demo-surveys-n25000-seed7-part3",
                     "demo-costs-n25000-seed7"]
    assert [r.accepted for r in reports if r.table == "contacts"] == [8_334, 8_333, 8_333]
    assert all(r.status == "loaded" and len(r.rows) == 0 for r in reports if r.table in ("contacts", "surveys"))
    with eng.connect() as conn:
        ids, first, last, shared = conn.exec_driver_sql("""
            SELECT count(DISTINCT contact_id), min(contact_id), max(contact_id),
                   (SELECT count(*) FROM (SELECT customer_key FROM contacts WHERE customer_key IS NOT NULL
                                          GROUP BY customer_key HAVING count(DISTINCT load_id) > 1))
            FROM contacts""").one()
        answers, linked = conn.exec_driver_sql("""
            SELECT count(DISTINCT response_id), count(*) FILTER (WHERE survey = 'hot' AND contact_id IN
                   (SELECT contact_id FROM contacts)) = count(*) FILTER (WHERE survey = 'hot') FROM surveys""").one()
        # a campaign's month costs its fixed part once and a part per attempt of every part
        wrong_campaign_costs = conn.exec_driver_sql(f"""
            SELECT count(*) FROM costs k JOIN (
                SELECT date_trunc('month', arrived_at)::DATE AS month, campaign, count(*) AS attempts
                FROM contacts WHERE direction = 'outbound' GROUP BY ALL) a USING (month, campaign)
            WHERE k.kind = 'campaign'
              AND abs(k.amount - ({CAMPAIGN_MONTH} + a.attempts * {CAMPAIGN_ATTEMPT})) > 0.005""").one()[0]
        tools = conn.exec_driver_sql("SELECT count(*), count(DISTINCT month) FROM costs WHERE kind = 'tools'").one()
    assert (ids, first, last, shared) == (25_000, "D00000001", "D00025000", 0)
    assert answers == sum(r.accepted for r in reports if r.table == "surveys") and linked
    assert wrong_campaign_costs == 0
    # 2025-02-16 .. 2026-03-15: the whole months are March 2025 .. February 2026
    assert tools == (12, 12)
    # the roll-ups, computed once after the last part, hold every part's contacts and answers
    year = Scope.of("2025-02-16", "2026-03-15")
    kpis = ["offered", "attempts", "responses", "fcr", "nps"]
    from_rollups = values(compute(eng, year, kpis).iloc[0])
    direct = values(compute(eng, year, kpis, from_rollups=False).iloc[0])
    assert from_rollups == direct and from_rollups["offered"] + from_rollups["attempts"] > 20_000
