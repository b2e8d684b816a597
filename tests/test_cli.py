"""The command lines, run as a user runs them: one clear line on error, non-zero exit."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from metrics.registry import KPI_IDS
from tests.conftest import write_csv

ROOT = Path(__file__).resolve().parents[1]


def run(*args, tmp_path):
    env = dict(os.environ, PILOTAGE_KEY_FILE=str(tmp_path / "test.key"))
    env.pop("PILOTAGE_CONFIG", None)
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


CONTACTS = [
    dict(contact_id="1", arrived_at="2025-03-03 09:00:00", channel="phone", outcome="answered",
         queue="Q1", wait_s=10, talk_s=120),
    dict(contact_id="2", arrived_at="2025-03-03 09:30:00", channel="phone", outcome="abandoned",
         queue="Q2", wait_s=40),
    dict(contact_id="3", arrived_at="2025-03-04 09:30:00", channel="chat", outcome="answered",
         queue="Q2", wait_s=90, talk_s=300),
]


def test_cli001_load_then_summary_json(tmp_path):
    db = tmp_path / "cli.duckdb"
    contacts = write_csv(tmp_path / "contacts.csv", CONTACTS)
    out = run("data", "load", "--db", str(db), "--contacts", str(contacts), "--source", "acd",
              tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "contacts: contacts.csv: 3 rows loaded" in out.stdout

    out = run("metrics", "summary", "--db", str(db), "--from", "2025-03-01", "--to", "2025-03-31",
              "--format", "json", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert list(summary) == list(KPI_IDS)
    # 3 offered, none short; met: #1 (10 <= 20); #3 chat 90 > 60 -> 1/3
    assert summary["offered"] == 3
    assert summary["service_level"] == 100 / 3
    assert summary["nps"] is None and summary["reach_rate"] is None


def test_cli002_summary_by_with_filters(tmp_path):
    db = tmp_path / "cli.duckdb"
    run("data", "load", "--db", str(db), "--contacts",
        str(write_csv(tmp_path / "c.csv", CONTACTS)), tmp_path=tmp_path)
    out = run("metrics", "summary", "--db", str(db), "--from", "2025-03-01", "--to", "2025-03-31",
              "--channel", "phone,chat", "--queue", "Q2", "--by", "channel", "--format", "json",
              tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    rows = {r["group"]: r for r in json.loads(out.stdout)}
    assert set(rows) == {"chat", "phone"}
    assert rows["phone"]["abandon_rate"] == 100.0   # the one phone contact in Q2 abandoned at 40 s
    assert rows["chat"]["asa"] == 90.0
    out = run("metrics", "summary", "--db", str(db), "--from", "2025-03-01", "--to", "2025-03-31",
              "--format", "table", tmp_path=tmp_path)
    assert "Service level" in out.stdout and "33.3 %" in out.stdout


def test_cli003_bad_input_is_one_clear_line(tmp_path):
    db = tmp_path / "cli.duckdb"
    bad = tmp_path / "bad.csv"
    bad.write_text("contact_id,arrived_at,channel\n1,2025-03-03 09:00:00,phone\n")
    out = run("data", "load", "--db", str(db), "--contacts", str(bad), tmp_path=tmp_path)
    assert out.returncode != 0
    assert out.stderr.strip().splitlines() == [
        "error: bad.csv, line 1: missing required column(s) for contacts: outcome"]
    out = run("data", "load", "--db", str(db), "--contacts", str(tmp_path / "none.csv"),
              tmp_path=tmp_path)
    assert out.returncode != 0 and "none.csv: no such file" in out.stderr
    assert "Traceback" not in out.stderr
    out = run("metrics", "summary", "--db", str(db), "--from", "2025-03-31", "--to", "2025-03-01",
              tmp_path=tmp_path)
    assert out.returncode != 0 and out.stderr.startswith("error: the period ends")
    out = run("metrics", "summary", "--db", str(db), "--from", "March", "--to", "2025-03-01",
              tmp_path=tmp_path)
    assert out.returncode != 0 and "'March' is not a date" in out.stderr


def test_cli004_summary_follows_maturity_and_says_what_is_pending(tmp_path):
    db = tmp_path / "cli.duckdb"
    rows = [dict(contact_id=str(i), arrived_at=f"2025-03-{d:02d} 10:00:00", channel="phone",
                 outcome="answered", customer_id=f"K{i}", wait_s=5, talk_s=60) for i, d in enumerate([1, 20, 28, 31])]
    run("data", "load", "--db", str(db), "--contacts", str(write_csv(tmp_path / "c.csv", rows)),
        tmp_path=tmp_path)
    # data 1-31 March: FCR counts contacts before 25 March (1 and 20 March), repeats those from
    # 8 March (20, 28, 31 March); 25-31 March holds only contacts pending for FCR
    out = run("metrics", "summary", "--db", str(db), "--from", "2025-03-25", "--to", "2025-03-31",
              "--format", "json", tmp_path=tmp_path)
    summary = json.loads(out.stdout)
    assert summary["fcr"] is None and summary["repeat_rate"] == 0.0
    out = run("metrics", "summary", "--db", str(db), "--from", "2025-03-01", "--to", "2025-03-31",
              tmp_path=tmp_path)
    assert "note: First-contact resolution: 2 contacts from 25/03/2025 pending" in out.stdout
    assert "note: Repeat-contact rate: 1 contact before 08/03/2025 not counted" in out.stdout


def test_cli006_summary_reads_hot_or_cold_answers_on_demand(tmp_path):
    db = tmp_path / "cli.duckdb"
    contacts = write_csv(tmp_path / "contacts.csv", CONTACTS)
    surveys = write_csv(tmp_path / "surveys.csv", [
        dict(response_id="h1", responded_at="2025-03-03 12:00:00", contact_id="1", nps=10),
        dict(response_id="b1", responded_at="2025-03-10 12:00:00", survey="cold", channel="phone", nps=2),
        dict(response_id="b2", responded_at="2025-03-11 12:00:00", survey="cold", channel="phone", nps=9)])
    assert run("data", "load", "--db", str(db), "--contacts", str(contacts), "--surveys", str(surveys),
               "--source", "acd", tmp_path=tmp_path).returncode == 0
    found = {}
    for kind in (None, "hot", "cold"):
        out = run("metrics", "summary", "--db", str(db), "--from", "2025-03-01", "--to", "2025-03-31",
                  "--format", "json", *(["--survey", kind] if kind else []), tmp_path=tmp_path)
        assert out.returncode == 0, out.stderr
        found[kind] = json.loads(out.stdout)
    # both kinds: h1 and b2 promoters, b1 detractor -> 100 × (2 − 1) ÷ 3; hot: h1 -> +100;
    # cold: b2 promoter, b1 detractor -> 0
    assert found[None]["nps"] == 100 / 3 and found["hot"]["nps"] == 100 and found["cold"]["nps"] == 0
    assert found[None]["responses"] == 3 and found["hot"]["responses"] == 1 and found["cold"]["responses"] == 2


def test_cli007_a_settings_file_with_targets_is_read_by_the_command_line(tmp_path):
    """Reading a target's rule asks for the language, which the settings being read hold: the
    command line once recursed there until Python gave up."""
    config = tmp_path / "pilotage.toml"
    config.write_text("[targets.aht]\ntarget = 300\n", encoding="utf-8")
    env = dict(os.environ, PILOTAGE_CONFIG=str(config), PILOTAGE_KEY_FILE=str(tmp_path / "k.key"))
    out = subprocess.run([sys.executable, "-m", "metrics", "summary", "--db", str(tmp_path / "none.duckdb"),
                          "--from", "2025-03-01", "--to", "2025-03-31"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert (out.returncode, out.stderr.strip()) == (1, f"error: database {tmp_path / 'none.duckdb'} does not exist")
