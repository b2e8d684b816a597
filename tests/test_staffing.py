"""Staffing: Erlang C by hand and against published tables, Erlang A against its limits and
a simulation, shrinkage, the command line, the plan of a hand-built day through the viewer's
scope, and the planning page in a real browser in English and French."""
from __future__ import annotations

import json
import math
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from access.viewer import LOCAL, Viewer
from components import staffing as st
from components.state import ViewState
from components.view import View
from i18n import using
from conftest import open_in, text_of, until
from settings import Settings
from staffing import erlang
from staffing.plan import Assumptions, basis_days, patience, plan, volumes


# ---- Erlang C --------------------------------------------------------------------------

def test_stf001_erlang_c_worked_out_by_hand():
    # A = 1, N = 2: B(1) = 1/(1+1) = 1/2; B(2) = (1 · 1/2) / (2 + 1/2) = 1/5;
    # C = 2 · (1/5) / (2 − 1 · (1 − 1/5)) = 0.4 / 1.2 = 1/3
    assert erlang.erlang_c(2, 1.0) == pytest.approx(1 / 3, abs=1e-12)
    # A = 2, N = 3: B(1) = 2/3, B(2) = (4/3)/(2 + 4/3) = 0.4, B(3) = 0.8/3.8 = 4/19;
    # C = 3 · 4/19 / (3 − 2 · 15/19) = (12/19) / (27/19) = 4/9
    assert erlang.erlang_c(3, 2.0) == pytest.approx(4 / 9, abs=1e-12)
    # N = 1: C = A (the single agent is busy a share A of the time)
    assert erlang.erlang_c(1, 0.3) == pytest.approx(0.3, abs=1e-12)
    with pytest.raises(ValueError):
        erlang.erlang_c(10, 10.0)       # N must exceed A


def test_stf002_the_kpis_md_example():
    # 100 calls in 30 min, h = 180 s: A = 100 · 180 / 1800 = 10 erlangs; 80 % in 20 s.
    # KPIS.md: N = 13 gives 79.6 % (short of 80 %), N = 14 gives 88.8 %: 14 agents.
    assert erlang.traffic(100, 180, 1800) == 10.0
    assert round(100 * erlang.service_level(13, 10.0, 180, 20), 1) == 79.6
    assert round(100 * erlang.service_level(14, 10.0, 180, 20), 1) == 88.8
    found = erlang.staffing(100, 1800, 180, 80, 20)
    assert (found.traffic, found.agents) == (10.0, 14)
    assert round(found.service_level, 1) == 88.8
    assert found.occupancy == pytest.approx(100 * 10 / 14)          # 71.4 %
    # ASA = C(14, 10) · 180 / (14 − 10); C(14, 10) = 0.1741 (published tables): 7.8 s
    assert found.asa == pytest.approx(erlang.erlang_c(14, 10.0) * 180 / 4)
    assert round(found.asa, 1) == 7.8
    assert found.scheduled == 20                                     # 14 / 0.7 = 20


def test_stf003_against_published_erlang_tables():
    # Erlang C tables: A = 10, N = 11 -> 0.6821; N = 12 -> 0.4494; N = 14 -> 0.1741
    assert erlang.erlang_c(11, 10.0) == pytest.approx(0.6821, abs=5e-5)
    assert erlang.erlang_c(12, 10.0) == pytest.approx(0.4494, abs=5e-5)
    assert erlang.erlang_c(14, 10.0) == pytest.approx(0.1741, abs=5e-5)
    # Erlang B tables: 10 erlangs on 10 lines block 21.46 %; 25 erlangs on 30 lines 5.3 %
    assert erlang.erlang_b(10, 10.0) == pytest.approx(0.2146, abs=5e-5)
    assert erlang.erlang_b(30, 25.0) == pytest.approx(0.0527, abs=5e-4)


def test_stf004_hundreds_of_agents_without_overflow():
    # A^N / N! overflows a float from N = 171 on; the recursion does not. Checked against
    # the textbook formula summed in logarithms (an independent way).
    def textbook(n, a):
        logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(n)]
        last = n * math.log(a) - math.lgamma(n + 1) + math.log(n / (n - a))
        top = max(logs + [last])
        return math.exp(last - top) / (sum(math.exp(v - top) for v in logs) + math.exp(last - top))
    for n, a in ((600, 580.0), (300, 250.0), (1000, 990.0)):
        assert erlang.erlang_c(n, a) == pytest.approx(textbook(n, a), rel=1e-9)
    big = erlang.staffing(20_000, 1800, 180, 80, 20)              # A = 2000 erlangs
    assert 2000 < big.agents < 2100 and 80 <= big.service_level < 100


def test_stf005_shrinkage_rounds_up_without_float_noise():
    # 14 / (1 − 0.3) = 20 exactly (a float gives 20.000000000000004); 7 / 0.7 = 10;
    # 13 / 0.7 = 18.57 -> 19; no shrinkage: the agents themselves
    assert erlang.scheduled(14, 30) == 20
    assert erlang.scheduled(7, 30) == 10
    assert erlang.scheduled(13, 30) == 19
    assert erlang.scheduled(10, 0) == 10 and erlang.scheduled(0, 30) == 0
    assert erlang.scheduled(3, 35) == 5                             # 3 / 0.65 = 4.6 -> 5
    with pytest.raises(ValueError):
        erlang.scheduled(10, 100)


def test_stf006_edge_cases_end_with_a_clear_error_never_a_hang():
    nothing = erlang.staffing(0, 1800, 180, 80, 20)
    assert (nothing.traffic, nothing.agents, nothing.scheduled, nothing.service_level) == (0.0, 0, 0, None)
    assert erlang.staffing(5, 1800, 0, 80, 20).agents == 0          # no handle time: no work
    for bad in (dict(target_pct=100), dict(target_pct=-1), dict(target_pct=float("nan")),
                dict(aht_s=-5), dict(offered=float("inf")), dict(offered=-1), dict(interval_s=0),
                dict(threshold_s=-1), dict(shrinkage_pct=100), dict(offered=True)):
        args = dict(offered=100, interval_s=1800, aht_s=180, target_pct=80, threshold_s=20, shrinkage_pct=30)
        with pytest.raises(ValueError):
            erlang.staffing(**{**args, **bad})
    start = time.monotonic()
    with pytest.raises(ValueError, match="agents would be needed"):
        erlang.staffing(1e9, 1800, 180, 80, 20)
    assert time.monotonic() - start < 5
    with using("fr"), pytest.raises(ValueError, match="inatteignable"):
        erlang.staffing(100, 1800, 180, 100, 20)


# ---- Erlang A ----------------------------------------------------------------------------

def test_stf007_erlang_a_with_endless_patience_is_erlang_c():
    # patience → ∞: nobody hangs up, M/M/N+M is M/M/N
    c = erlang.erlang_a(100, 1800, 180, 14, 1e12, 20)
    assert c.wait == pytest.approx(100 * erlang.erlang_c(14, 10.0), abs=1e-6)
    assert c.service_level == pytest.approx(100 * erlang.service_level(14, 10.0, 180, 20), abs=1e-6)
    assert c.asa == pytest.approx(erlang.asa(14, 10.0, 180), rel=1e-6)
    assert c.abandon == pytest.approx(0, abs=1e-6)


def test_stf008_erlang_a_with_patience_equal_to_handle_time_is_poisson():
    # θ = h: in state k the contacts leave at min(k, N)/h + max(k − N, 0)/h = k/h, the chain of
    # M/M/∞: K ~ Poisson(A). A = 10 · 180 / 1800 = 1, N = 1:
    # P(wait) = P(K ≥ 1) = 1 − e^-1 = 0.632121; abandons: rate (K − 1)+/θ against λ = A/h,
    # P(abandon) = E[(K − 1)+] / A = (E[K] − 1 + P(K = 0)) / 1 = e^-1 = 0.367879
    found = erlang.erlang_a(10, 1800, 180, 1, 180, 20)
    assert found.wait == pytest.approx(100 * (1 - math.exp(-1)), abs=1e-6)
    assert found.abandon == pytest.approx(100 * math.exp(-1), abs=1e-6)
    # N = 2, A = 1: P(wait) = P(K ≥ 2) = 1 − 2/e = 0.264241; P(abandon) = E[(K − 2)+] / 1
    # = E[K] − 2 + 2·P(K=0) + P(K=1) = 1 − 2 + 2/e + 1/e = 3/e − 1 = 0.103638
    found = erlang.erlang_a(10, 1800, 180, 2, 180, 20)
    assert found.wait == pytest.approx(100 * (1 - 2 / math.e), abs=1e-6)
    assert found.abandon == pytest.approx(100 * (3 / math.e - 1), abs=1e-6)


def test_stf009_erlang_a_against_a_simulation():
    """An independent check: 200,000 contacts of an M/M/12+M queue simulated (FCFS, each
    hanging up when its wait passes its patience), 100 offered per 30 min, h = 180 s,
    patience 120 s: the simulation and the chain agree within sampling error."""
    rng = np.random.default_rng(7)
    n, lam, h, theta, agents, t = 200_000, 100 / 1800, 180.0, 120.0, 12, 20.0
    arrive = np.cumsum(rng.exponential(1 / lam, n))
    serve, patience_ = rng.exponential(h, n), rng.exponential(theta, n)
    import heapq
    free = [0.0] * agents
    waited = abandoned = met = 0
    waits = []
    for i in range(n):
        start = max(arrive[i], free[0])
        wait = start - arrive[i]
        waited += wait > 0
        if wait > patience_[i]:
            abandoned += 1
            continue
        heapq.heapreplace(free, start + serve[i])
        waits.append(wait)
        met += wait <= t
    found = erlang.erlang_a(100, 1800, 180, 12, 120, 20)
    assert found.wait == pytest.approx(100 * waited / n, abs=1.0)
    assert found.abandon == pytest.approx(100 * abandoned / n, abs=0.5)
    assert found.service_level == pytest.approx(100 * met / n, abs=1.0)
    assert found.asa == pytest.approx(float(np.mean(waits)), abs=0.6)
    assert erlang.erlang_a_agents(100, 1800, 180, 80, 20, 120).agents <= 14     # fewer than Erlang C's


# ---- the command line --------------------------------------------------------------------

def test_stf010_the_command_line_prints_the_contract(capsys):
    from metrics.__main__ import main
    assert main(["staffing", "--offered", "100", "--interval-min", "30", "--aht", "180", "--target", "80",
                 "--threshold", "20", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"traffic", "agents", "service_level", "asa", "occupancy", "scheduled"}
    assert (out["traffic"], out["agents"], out["scheduled"]) == (10.0, 14, 20)
    assert round(out["service_level"], 1) == 88.8 and round(out["occupancy"], 1) == 71.4
    assert main(["staffing", "--offered", "100", "--interval-min", "30", "--aht", "180", "--target", "80",
                 "--threshold", "20", "--shrinkage", "0", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["scheduled"] == 14
    assert main(["staffing", "--offered", "100", "--interval-min", "30", "--aht", "180", "--target", "80",
                 "--threshold", "20"]) == 0
    table = capsys.readouterr().out
    assert "Agents needed" in table and "88.8 %" in table
    assert main(["staffing", "--offered", "100", "--interval-min", "30", "--aht", "180", "--target", "100",
                 "--threshold", "20", "--format", "json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err


# ---- the plan of a hand-built day --------------------------------------------------------

MONDAY, LAST_MONDAY, TUESDAY = "2025-03-10", "2025-03-03", "2025-03-04"


def phone(cid, day, when, outcome="answered", wait=10, talk=120, acw=60, client="ACME", channel="phone"):
    answered = outcome == "answered"
    return dict(contact_id=cid, arrived_at=f"{day} {when}", channel=channel, direction="inbound", queue="Q1",
                client=client, outcome=outcome, wait_s=wait, talk_s=talk if answered else None,
                acw_s=acw if answered else None, agent_id="A1" if answered else None)


# Monday 10/03, phone, client ACME (phone threshold 20 s, service-level target 80 %):
# 09:00-09:30: 100 calls answered after 10 s, handled 120 + 60 = 180 s each: offered 100,
#   AHT 180 s -> A = 100 · 180 / 1800 = 10: 14 agents (KPIS.md), 14 / 0.7 = 20 scheduled.
# 09:30-10:00: answered after 10 s in 30 + 60 = 90 s and 210 + 60 = 270 s, abandoned after
#   60 s, abandoned after 3 s (a short abandon, still offered): offered 4, AHT 360 / 2 = 180 s,
#   A = 4 · 180 / 1800 = 0.4. N = 1: C = 0.4, SL = 1 − 0.4 · e^(−0.6 · 20/180) = 62.6 %: short;
#   N = 2: C(2, A) = A² / (2 + A) = 0.16 / 2.4 = 1/15, SL = 1 − e^(−1.6 · 20/180) / 15 = 94.4 %:
#   2 agents, 2 / 0.7 = 2.86 -> 3 scheduled.
# 10:00-10:30: one call abandoned after 30 s, nothing handled: the day's AHT,
#   (100 · 180 + 360) / 102 = 180 s; A = 0.1, N = 1: SL = 1 − 0.1 · e^(−0.9 · 20/180) = 91.0 %:
#   1 agent, 1 / 0.7 -> 2 scheduled.
# Patience: waits of every offered contact 100 · 10 + 10 + 10 + 60 + 3 + 30 = 1113 s over 3
#   abandons: 371 s.
# Left out: a chat at 09:00 (another channel), client Bolt's 09:00 calls (the viewer sees ACME),
#   the Tuesday's calls (another weekday). Monday 03/03, 09:00: 50 calls of 180 s: over two
#   weeks the 09:00 mean is (100 + 50) / 2 = 75 offered, 09:30 (4 + 0) / 2 = 2, 10:00 0.5.
CONTACTS = (
    [phone(f"m{i}", MONDAY, f"09:{i % 30:02d}:00") for i in range(100)]
    + [phone("n1", MONDAY, "09:31:00", talk=30), phone("n2", MONDAY, "09:32:00", talk=210),
       phone("n3", MONDAY, "09:33:00", "abandoned", 60), phone("n4", MONDAY, "09:34:00", "abandoned", 3),
       phone("o1", MONDAY, "10:05:00", "abandoned", 30),
       phone("c1", MONDAY, "09:05:00", channel="chat", wait=500)]
    + [phone(f"b{i}", MONDAY, "09:10:00", wait=0, talk=1000, client="Bolt") for i in range(10)]
    + [phone(f"t{i}", TUESDAY, "09:10:00") for i in range(20)]
    + [phone(f"l{i}", LAST_MONDAY, f"09:{i % 30:02d}:00") for i in range(50)]
)
ACME = Viewer("acme", "client", clients=("ACME",))


def make_view(eng, viewer=ACME, **query):
    first, last = date(2025, 3, 3), date(2025, 3, 10)
    state = ViewState.from_query({"day": MONDAY, "channel": "phone", **query}, (first, last))
    settings = replace(Settings(), db=Path(eng.url.database))
    return View(settings, eng, first, last, state, dict(settings.targets), viewer)


@pytest.fixture
def day_db(make_db):
    return make_db(contacts=CONTACTS)


def test_stf011_volumes_and_handle_time_per_half_hour_by_hand(day_db):
    view = make_view(day_db)
    found = volumes(view.db, view.scope(), [date(2025, 3, 10)], view.settings.kpi)
    assert list(found["interval"]) == ["09:00", "09:30", "10:00"]
    assert list(found["offered"]) == [100, 4, 1]
    assert list(found["aht"])[:2] == [180.0, 180.0] and found["aht"].isna()[2]      # none handled at 10:00
    assert patience(view.db, view.scope(), [date(2025, 3, 10)], view.settings.kpi) == pytest.approx(1113 / 3)
    planned = plan(found, Assumptions(80, 20, 30))
    assert list(planned["agents"]) == [14, 2, 1]
    assert list(planned["scheduled"]) == [20, 3, 2]
    assert list(planned["traffic"]) == pytest.approx([10.0, 0.4, 0.1])
    assert list(planned["aht_of_day"]) == [False, False, True]
    assert [round(v, 1) for v in planned["service_level"]] == [88.8, 94.4, 91.0]


def test_stf012_the_mean_of_the_same_weekday_over_weeks(day_db):
    view = make_view(day_db)
    days = basis_days(date(2025, 3, 10), 4, view.first)          # 17/02 and 24/02 are before the data
    assert days == [date(2025, 3, 3), date(2025, 3, 10)]
    found = volumes(view.db, view.scope(), days, view.settings.kpi)
    assert list(found["offered"]) == [75.0, 2.0, 0.5]
    assert list(found["aht"])[:2] == [180.0, 180.0]
    assert basis_days(date(2025, 3, 10), 0) == [date(2025, 3, 10)]


def test_stf013_the_what_if_of_volume_and_handle_time(day_db):
    view = make_view(day_db)
    found = volumes(view.db, view.scope(), [date(2025, 3, 10)], view.settings.kpi)
    # +10 %: 110 offered at 09:00; AHT −30 s: 150 s; A = 110 · 150 / 1800 = 9.1667
    planned = plan(found, Assumptions(80, 20, 30, volume_pct=10, aht_cut_s=30))
    assert planned["offered"][0] == pytest.approx(110) and planned["aht"][0] == 150
    assert planned["traffic"][0] == pytest.approx(110 * 150 / 1800)
    assert planned["agents"][0] == erlang.staffing(110, 1800, 150, 80, 20).agents
    with pytest.raises(ValueError, match="leaves none"):
        plan(found, Assumptions(80, 20, 30, aht_cut_s=180))


def test_stf014_the_plan_keeps_to_the_viewers_scope(day_db):
    # every client: Bolt's 10 calls join 09:00 (110 offered, (18000 + 10 · 1060) / 110 s)
    everyone = make_view(day_db, viewer=LOCAL)
    found = volumes(everyone.db, everyone.scope(), [date(2025, 3, 10)], everyone.settings.kpi)
    assert list(found["offered"]) == [110, 4, 1]
    assert found["aht"][0] == pytest.approx((100 * 180 + 10 * 1060) / 110)
    # a team lead of another team, a client of nothing: nothing
    for viewer in (Viewer("lead", "team_lead", teams=("T9",)), Viewer("nobody", "client")):
        view = make_view(day_db, viewer=viewer)
        assert volumes(view.db, view.scope(), [date(2025, 3, 10)], view.settings.kpi).empty
        assert patience(view.db, view.scope(), [date(2025, 3, 10)], view.settings.kpi) is None


def test_stf015_the_page_keys_are_checked():
    what = st.what_if({"weeks": "4", "volume": "10", "aht": "-20", "shrinkage": "35"}, 30)
    assert (what.weeks, what.volume, what.aht, what.shrinkage, what.refused) == (4, 10, -20, 35, ())
    bad = st.what_if({"weeks": "x", "volume": "1e400", "aht": "nan", "shrinkage": "100"}, 30)
    assert (bad.weeks, bad.volume, bad.aht, bad.shrinkage) == (0, 0, 0, 30)
    assert set(bad.refused) == {"weeks", "volume", "aht", "shrinkage"}


def test_stf016_the_component_plan_takes_the_channels_target_and_threshold(day_db):
    view = make_view(day_db)
    planned = st.staffing_plan(view, date(2025, 3, 10), st.what_if({}, 30))
    assert (planned.assumptions.target, planned.assumptions.threshold, planned.default_target) == (80.0, 20.0, False)
    assert planned.totals["peak"] == 14 and planned.totals["peak_scheduled"] == 20
    assert planned.totals["hours"] == (20 + 3 + 2) / 2
    assert planned.patience == pytest.approx(371)
    assert planned.table["agents_a"].notna().all()


# ---- in a real browser -------------------------------------------------------------------


def test_stf017_the_planning_page_in_english_and_french(dash_duo, make_db, app_for):
    eng = make_db(contacts=CONTACTS)
    dash_duo.start_server(app_for(eng))
    # every client (local mode): 09:00 has 110 offered with Bolt's long calls
    open_in(dash_duo, "en", f"/staffing?day={MONDAY}&client=ACME")
    until(lambda: "at the peak 14 agents needed, 20 to schedule" in (text_of(dash_duo, "#staffing-peak") or ""))
    assert "105 contacts offered" in text_of(dash_duo, "#staffing-peak")
    assert "overstates the agents needed" in text_of(dash_duo, "#staffing-caveat")
    assert "Observed patience" in text_of(dash_duo, "#staffing-settings")
    until(lambda: text_of(dash_duo, "#staffing-intervals .ag-row[row-index='0'] [col-id='agents']") == "14")
    assert text_of(dash_duo, "#staffing-intervals .ag-row[row-index='1'] [col-id='scheduled']") == "3"
    assert text_of(dash_duo, "#staffing-intervals .ag-row[row-index='0'] [col-id='service_level']") == "88.8 %"
    assert dash_duo.driver.execute_script("return document.title") == "Pilotage – Staffing"
    # a what-if typed in writes the URL, which the page is worked out from
    box = dash_duo.find_element("#staffing-shrinkage")
    box.clear()
    box.send_keys("0\n")
    until(lambda: "shrinkage=0" in dash_duo.driver.current_url)
    until(lambda: "14 agents needed, 14 to schedule" in (text_of(dash_duo, "#staffing-peak") or ""))
    assert dash_duo.get_logs() == []
    # the daily service page leads here with its day and filters
    open_in(dash_duo, "en", f"/service?day={MONDAY}&client=ACME")
    link = dash_duo.wait_for_element("#service-staffing")
    assert link.text == "Staffing for this day"
    assert "/staffing?" in link.get_attribute("href") and f"day={MONDAY}" in link.get_attribute("href")
    assert "client=ACME" in link.get_attribute("href")
    # French, a what-if: +10 % volume at 09:00 is 110 calls of 180 s, A = 11
    open_in(dash_duo, "fr", f"/staffing?day={MONDAY}&client=ACME&volume=10")
    until(lambda: "au pic" in (text_of(dash_duo, "#staffing-peak") or ""))
    want = erlang.staffing(110, 1800, 180, 80, 20)
    assert f"au pic, {want.agents} conseillers nécessaires, {want.scheduled} à planifier" in text_of(
        dash_duo, "#staffing-peak")
    assert "surestime" in text_of(dash_duo, "#staffing-caveat")
    assert dash_duo.driver.execute_script("return document.title") == "Pilotage – Dimensionnement"
    assert dash_duo.get_logs() == []
