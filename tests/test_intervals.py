"""Interval reports (aggregate ACD data): loaded, checked, and counted as KPIS.md says, beside
the contact records of other queues, with every figure worked out by hand."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import KEY, write_csv
from data.loader import LoadError, load
from metrics.query import Scope, compute, dimension_values

pytestmark = pytest.mark.engines       # every fixture read on DuckDB and on Spark SQL

ROOT = Path(__file__).resolve().parents[1]
DAY = "2025-03-10"
DELIVERED = ["offered", "handled", "answer_rate", "service_level", "asa", "aht", "abandon_rate", "transfer_rate"]


def contact(cid, when, outcome, wait, talk=None, hold=None, acw=None, transferred=None):
    return dict(contact_id=cid, arrived_at=f"{DAY} {when}", channel="phone", queue="Q1", client="ACME",
                outcome=outcome, wait_s=wait, talk_s=talk, hold_s=hold, acw_s=acw, transferred=transferred,
                agent_id="A1" if outcome == "answered" else None)


# Q1's morning as contact records (phone: 20 s threshold, short abandons under 5 s)
CONTACTS = [
    # 09:00-09:15: answered after 5 s (handle 100 + 20 = 120, transferred), 15 s (200 + 10 = 210),
    # 30 s (150); abandoned after 3 s (short) and 40 s (long)
    contact("c1", "09:01:00", "answered", 5, talk=100, acw=20, transferred="yes"),
    contact("c2", "09:05:00", "answered", 15, talk=200, hold=10),
    contact("c3", "09:10:00", "answered", 30, talk=150),
    contact("c4", "09:12:00", "abandoned", 3),
    contact("c5", "09:14:00", "abandoned", 40),
    # 09:15-09:30: answered after 20 s (90), abandoned after 25 s (long), answered at once (60 + 30,
    # transferred)
    contact("c6", "09:20:00", "answered", 20, talk=90),
    contact("c7", "09:25:00", "abandoned", 25),
    contact("c8", "09:29:00", "answered", 0, talk=60, acw=30, transferred="yes"),
]


def interval(start, queue="Q1", client="ACME", minutes=15, **counts):
    return dict(interval_start=f"{DAY} {start}", interval_min=minutes, channel="phone", queue=queue,
                client=client, **counts)


# the same morning as an ACD's 15-minute report, counted by hand from the contacts above:
# 09:00: offered 5, answered 3, abandoned 2 (1 short), within 20 s: c1 and c2, waits 5 + 15 + 30,
# handle 120 + 210 + 150, one transferred; 09:15: offered 3, answered 2, abandoned 1 (long),
# within: c6 (20 s counts as within) and c8, waits 20 + 0, handle 90 + 90, one transferred
INTERVALS = [
    interval("09:00:00", offered=5, answered=3, abandoned=2, short_abandoned=1, answered_within=2, threshold_s=20,
             answered_wait_s=50, handled=3, handle_s=480, transferred=1),
    interval("09:15:00", offered=3, answered=2, abandoned=1, short_abandoned=0, answered_within=2, threshold_s=20,
             answered_wait_s=20, handled=2, handle_s=180, transferred=1),
]
# Q2 (client BOLT) reported by its ACD only, half-hourly: offered 10, answered 8, 2 long
# abandons, 6 within 20 s, waits 80 s, handle 1600 s, handled not given (= answered), no transfer count
Q2 = interval("10:00:00", queue="Q2", client="BOLT", minutes=30, offered=10, answered=8, abandoned=2,
              answered_within=6, threshold_s=20, answered_wait_s=80, handle_s=1600)


def kpis(eng, **filters):
    scope = Scope.of(DAY, DAY, **filters)
    return {k: (None if v is None else round(float(v), 2)) for k, v in compute(eng, scope, DELIVERED).iloc[0].items()}


def test_int001_intervals_made_from_contacts_give_the_contacts_kpis(make_db):
    from_contacts, from_intervals = make_db(contacts=CONTACTS), make_db(intervals=INTERVALS)
    # offered 8, answered 5, one short abandon: net offered 7; within 4; long abandons 2;
    # waits (50 + 20) / 5 = 14 s; handle (480 + 180) / 5 = 132 s; transferred 2 of 5
    expected = {"offered": 8, "handled": 5, "answer_rate": 71.43, "service_level": 57.14, "asa": 14.0,
                "aht": 132.0, "abandon_rate": 28.57, "transfer_rate": 40.0}
    assert kpis(from_contacts) == expected
    assert kpis(from_intervals) == expected
    # per interval too, by half-hour: the two quarter-hours make the 09:00 half-hour
    by_half = compute(from_intervals, Scope.of(DAY, DAY), ["offered", "service_level"], by="half_hour")
    assert by_half.to_dict("records") == [{"group": "09:00", "offered": 8, "service_level": pytest.approx(400 / 7)}]
    assert dimension_values(from_intervals, Scope.of(DAY, DAY), ["queue", "client"]) == {
        "queue": ["Q1"], "client": ["ACME"]}


def test_int002_contacts_count_where_they_exist_and_intervals_fill_the_other_queues(make_db, tmp_path):
    eng = make_db(contacts=CONTACTS)
    # the ACD's report of Q1 as well (its contacts count, not it) and of Q2 (it has no contacts)
    covered = interval("09:00:00", offered=99, answered=99, abandoned=0, handle_s=9999)
    load(eng, {"intervals": write_csv(tmp_path / "acd.csv", [covered, Q2])}, source="acd", key=KEY)
    # offered 8 + 10, answered 5 + 8, net offered 7 + 10, within 4 + 6 -> 10 / 17 = 58.82 %;
    # waits (70 + 80) / 13 = 11.54 s; handle (660 + 1600) / 13 = 173.85 s; abandons (2 + 2) / 17;
    # transfers only where they are counted: 2 of Q1's 5
    assert kpis(eng) == {"offered": 18, "handled": 13, "answer_rate": 76.47, "service_level": 58.82,
                         "asa": 11.54, "aht": 173.85, "abandon_rate": 23.53, "transfer_rate": 40.0}
    # BOLT alone: 6 / 10 = 60 %, 80 / 8 = 10 s, 1600 / 8 = 200 s, 2 / 10 = 20 %, transfers unknown
    assert kpis(eng, client="BOLT") == {"offered": 10, "handled": 8, "answer_rate": 80.0, "service_level": 60.0,
                                        "asa": 10.0, "aht": 200.0, "abandon_rate": 20.0, "transfer_rate": None}
    # an interval has no campaign, agent, team or reason: a filter on one leaves it out
    assert kpis(eng, agent="A1")["offered"] == 5
    # the rates only contact records tell stay theirs: conversion over Q1's 5 handled contacts
    found = compute(eng, Scope.of(DAY, DAY), ["conversion_rate", "response_rate"], counts=True).iloc[0]
    assert found["conversion_rate__n"] == 5 and found["response_rate__n"] == 5
    # the same numbers from the roll-ups and from the rows themselves, per queue
    per_queue = compute(eng, Scope.of(DAY, DAY), DELIVERED, by="queue")
    assert per_queue.equals(compute(eng, Scope.of(DAY, DAY), DELIVERED, by="queue", from_rollups=False))
    assert per_queue.set_index("group")["offered"].to_dict() == {"Q1": 8, "Q2": 10}


def test_int003_a_viewer_sees_the_intervals_of_its_own_scope_only(make_db, tmp_path):
    eng = make_db(contacts=CONTACTS, intervals=[Q2])
    day = date.fromisoformat(DAY)
    acme = Scope(day, day).restricted(client=["ACME"])
    assert compute(eng, acme, ["offered"]).iloc[0]["offered"] == 8
    assert dimension_values(eng, acme, ["queue"]) == {"queue": ["Q1"]}
    # a team lead's scope names teams, which intervals do not have: none of them
    team = Scope(day, day).restricted(team=["T1"])
    assert compute(eng, team, ["offered"]).iloc[0]["offered"] == 0


def test_int004_counts_that_contradict_each_other_are_refused_with_line_and_rule(make_db, tmp_path):
    eng = make_db(contacts=CONTACTS)
    bad = [
        interval("09:00:00", offered=5, answered=6, abandoned=0),                          # line 2
        interval("09:15:00", offered=5, answered=3, abandoned=1, short_abandoned=2),       # line 3
        interval("09:30:00", offered=5, answered=3, abandoned=1, answered_within=4, threshold_s=20),   # line 4
        interval("09:45:00", offered=5, answered=3, abandoned=3),                          # line 5
        interval("10:00:00", offered=5, answered=3, abandoned=1, answered_within=2),       # line 6
        interval("10:15:00", minutes=20, offered=5, answered=3, abandoned=1),              # line 7
        interval("10:30:00", offered=-1, answered=0, abandoned=0),                         # line 8
    ]
    with pytest.raises(LoadError) as refused:
        load(eng, {"intervals": write_csv(tmp_path / "bad.csv", bad)}, source="acd", key=KEY)
    report = refused.value.reports[0]
    reasons = dict(zip(report.rejects["line"], report.rejects["reason"]))
    assert reasons[2] == "answered 6 is more than offered 5; answered 6 and abandoned 0 make more than offered 5"
    assert reasons[3] == "short_abandoned 2 is more than abandoned 1"
    assert reasons[4] == "answered_within 4 is more than answered 3"
    assert reasons[5] == "answered 3 and abandoned 3 make more than offered 5"
    assert reasons[6] == "answered_within is given without the threshold_s it was counted with"
    assert reasons[7] == "interval_min 20 is not 15, 30 or 60"
    assert reasons[8].startswith("offered '-1' is not at least 0")
    assert compute(eng, Scope.of(DAY, DAY), ["offered"]).iloc[0]["offered"] == 8      # nothing changed
    # the same interval twice in a file is refused and named
    with pytest.raises(LoadError, match="duplicate interval_start | channel | queue | client | site"):
        load(eng, {"intervals": write_csv(tmp_path / "twice.csv", [Q2, Q2])}, source="acd", key=KEY)


def test_int005_a_later_report_replaces_the_interval_and_a_new_contact_file_covers_it(make_db, tmp_path):
    eng = make_db(intervals=[Q2])
    again = dict(Q2, offered=12, answered=10)
    load(eng, {"intervals": write_csv(tmp_path / "again.csv", [again])}, source="test", key=KEY)
    assert kpis(eng)["offered"] == 12                       # the latest load wins
    q2_contact = dict(CONTACTS[0], contact_id="q2c", queue="Q2", client="BOLT", arrived_at=f"{DAY} 10:05:00")
    load(eng, {"contacts": write_csv(tmp_path / "q2.csv", [q2_contact])}, source="test", key=KEY)
    assert kpis(eng)["offered"] == 1                        # Q2's day now counted from its contact


def _run(*args, db, lang="en"):
    env = dict(os.environ, PILOTAGE_LANG=lang, PILOTAGE_KEY_FILE=str(Path(db).with_suffix(".key")))
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_int006_the_command_line_loads_intervals_and_the_summary_says_they_are_mixed(tmp_path):
    db = tmp_path / "p.duckdb"
    contacts, acd = write_csv(tmp_path / "contacts.csv", CONTACTS), write_csv(tmp_path / "acd.csv", [Q2])
    out = _run("-m", "data", "load", "--db", str(db), "--contacts", str(contacts), db=db)
    assert out.returncode == 0, out.stderr
    out = _run("-m", "data", "load", "--db", str(db), "--intervals", str(acd), "--source", "acd", db=db)
    assert out.returncode == 0, out.stderr
    out = _run("-m", "metrics", "summary", "--db", str(db), "--from", DAY, "--to", DAY, "--format", "json", db=db)
    found = json.loads(out.stdout)
    assert found["offered"] == 18 and round(found["service_level"], 2) == 58.82
    out = _run("-m", "metrics", "summary", "--db", str(db), "--from", DAY, "--to", DAY, db=db)
    assert "10 of the 18 contacts offered are counted from interval reports" in out.stdout


def test_int007_an_avaya_cms_interval_export_loads_through_its_profile(make_db):
    from data.profile import get_profile
    eng = make_db()
    [report] = load(eng, {"intervals": ROOT / "data" / "samples" / "avaya_cms_interval.csv"},
                    profile=get_profile("avaya-cms-interval"), key=KEY)
    assert (report.status, report.accepted, report.rejected, report.profile) == ("loaded", 4, 0, "avaya-cms-interval")
    # Claims: offered 12 + 20 + 15 = 47, answered 42, within 20 s 8 + 12 + 15 = 35, transferred 3;
    # Billing: offered 8, answered 6, within its own 30 s 6, transfers not given.
    # Service level (35 + 6) / 55 = 74.55 %; ASA (150 + 340 + 60 + 90) / 48 = 13.33 s; handle time
    # ACD + after-call work (1800 + 3400 + 2550 + 1320) / 48 = 188.96 s; abandons 6 / 55 = 10.91 %;
    # transfers 3 of Claims' 42
    assert kpis(eng) == {"offered": 55, "handled": 48, "answer_rate": 87.27, "service_level": 74.55, "asa": 13.33,
                         "aht": 188.96, "abandon_rate": 10.91, "transfer_rate": 7.14}
    by_half = compute(eng, Scope.of(DAY, DAY), ["offered"], by="half_hour")
    assert by_half.to_dict("records") == [{"group": "08:30", "offered": 12}, {"group": "09:00", "offered": 28},
                                          {"group": "09:30", "offered": 15}]


def test_int008_the_pages_count_the_intervals_and_say_so(dash_duo, make_db, app_for, tmp_path):
    eng = make_db(contacts=CONTACTS, intervals=[Q2])
    dash_duo.start_server(app_for(eng))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/service?day={DAY}")
    # the phone that day, Q1's contacts and Q2's report: 10 of 17 net offered within 20 s
    dash_duo.wait_for_text_to_equal("#service-service_level", "58.8 %")
    note = dash_duo.wait_for_element("#interval-note").text
    assert note.startswith("10 of the 18 contacts offered are counted from interval reports")
    # Q2's half-hour, from its report alone: 6 of 10 within 20 s
    dash_duo.wait_for_contains_text("#service-intervals", "10:00")
    assert "60.0 %" in dash_duo.find_element("#service-intervals").text
    # a client's page without intervals in its scope says nothing of them
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?from={DAY}&to={DAY}&client=ACME")
    dash_duo.wait_for_element("#overview-delivered .kpi-card")
    assert not dash_duo.driver.find_elements("css selector", "#interval-note")
    assert dash_duo.get_logs() == []
