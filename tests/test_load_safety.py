"""Loads never hurt readers or data: while a large file loads, the dashboard's threads keep
answering, with the data as it was before the load or after it, never part of it; a load
killed halfway leaves the database as it was and can be run again; and the command line
says clearly when another process (the running dashboard) holds the database."""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from data import db as database
from data.loader import load
from metrics.query import Scope, compute
from tests.conftest import KEY, write_csv

ROOT = Path(__file__).resolve().parents[1]

INITIAL = 20_000      # contacts in the database before the big load
NEW = 300_000         # contacts of the big file (other ids): about 6 s to load alone
MARCH = Scope.of("2025-03-01", "2025-03-31")
COLUMNS = ["contact_id", "arrived_at", "channel", "outcome", "queue", "wait_s", "talk_s",
           "customer_id"]


def write_contacts(path: Path, first: int, count: int) -> Path:
    """Contacts c<first> .. c<first+count-1>, all inbound in March 2025: every fourth one
    abandoned after 30 s (not a short abandon), the others answered; 5,000 customers shared
    by every file, so a load also recomputes the repeat gaps of rows already stored."""
    march = datetime(2025, 3, 1)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        for i in range(first, first + count):
            answered = i % 4 != 0
            arrived = march + timedelta(seconds=37 * i % (31 * 86400))
            out.writerow([f"c{i}", arrived.isoformat(" "), "phone" if i % 3 else "chat",
                          "answered" if answered else "abandoned", f"Q{i % 5}",
                          i % 60 if answered else 30, 60 + i % 300 if answered else "",
                          f"CUST-{i % 5000}"])
    return path


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    """The initial file (20,000 contacts) and the big one (300,000 other contacts)."""
    folder = tmp_path_factory.mktemp("extracts")
    return (write_contacts(folder / "initial.csv", 0, INITIAL),
            write_contacts(folder / "big.csv", INITIAL, NEW))


def fingerprint(eng) -> dict:
    """Row count, a checksum of the ids, a checksum of every column of every row (repeat
    gaps included), and the load log."""
    with eng.connect() as conn:
        count, ids, rows = conn.exec_driver_sql(
            "SELECT count(*), sum(hash(contact_id, source)), sum(hash(t)) FROM contacts t").one()
        log = database.frame(conn, "SELECT * FROM load_log ORDER BY load_id")
    return {"count": count, "ids": ids, "rows": rows, "log": log}


def cli_env(tmp_path: Path) -> dict:
    """The environment of a command line run: the tests' hashing key, no settings file, and a
    dashboard address where none answers (port 1), unless a test starts one."""
    key = tmp_path / "test.key"
    key.write_text(KEY.decode())
    env = dict(os.environ, PILOTAGE_KEY_FILE=str(key), PILOTAGE_HOST="127.0.0.1", PILOTAGE_PORT="1")
    for name in ("PILOTAGE_CONFIG", "PILOTAGE_DB", "PILOTAGE_INBOX"):
        env.pop(name, None)
    return env


def run(*args, tmp_path):
    return subprocess.run([sys.executable, "-m", *map(str, args)], cwd=ROOT, env=cli_env(tmp_path),
                          capture_output=True, text=True, timeout=120)


# ---------------------------------------------------------------- readers during a load

READERS = 4
# a reader pauses between its rounds while the file is read and validated (on 2 cores,
# readers back to back would starve that Python work of the interpreter lock), and reads
# back to back once the load's transaction is open: the moment that matters
PAUSE = 0.01
# what a reader sees: every contact counted, and offered / handled over March (every contact
# is inbound and none is a short abandon, so all are offered; 3 in 4 are answered)
BEFORE = {"count": INITIAL, "kpis": (INITIAL, INITIAL * 3 // 4)}
AFTER = {"count": INITIAL + NEW, "kpis": (INITIAL + NEW, (INITIAL + NEW) * 3 // 4)}


@dataclass
class Run:
    """What the readers saw while the main thread loaded the big file."""
    reads: list = field(default_factory=list)      # (reader, kind, began, ended, value)
    errors: list = field(default_factory=list)
    report: object = None
    began: float = 0.0                             # the load was called,
    storing: float = 0.0                           # started its transaction,
    ended: float = 0.0                             # and returned (perf_counter seconds)
    final_count: int | None = None

    def during(self, start: float, end: float) -> list:
        """The reads begun and ended within a span."""
        return [(kind, value) for _, kind, began, ended, value in self.reads
                if began >= start and ended <= end]

    def readers_after_load(self) -> set[str]:
        """The readers that made a whole round (KPIs, then count) begun after the load."""
        return {name for name, kind, began, _, _ in list(self.reads)
                if kind == "kpis" and began > self.ended}


@pytest.fixture(scope="module")
def load_under_readers(extracts, tmp_path_factory) -> Run:
    """Four reader threads, as the dashboard's, loop over a KPI query and a plain count, each
    in its own connection, while the main thread loads 300,000 new contacts into the same
    database through the same engine; every reader then reads once more after the load."""
    initial, big = extracts
    path = tmp_path_factory.mktemp("readers") / "readers.duckdb"
    eng = database.engine(path)
    run_ = Run()
    stop, storing, lock = threading.Event(), threading.Event(), threading.Lock()

    def reader(name: str) -> None:
        while not stop.wait(0 if storing.is_set() else PAUSE):
            try:
                began = time.perf_counter()
                row = compute(eng, MARCH, ["offered", "handled"]).iloc[0]
                kpis = (int(row["offered"]), int(row["handled"]))
                middle = time.perf_counter()
                with eng.connect() as conn:
                    count = database.scalar(conn, "SELECT count(*) FROM contacts")
                ended = time.perf_counter()
            except Exception as exc:  # every failure is a finding
                with lock:
                    run_.errors.append(f"{name}: {exc!r}")
                return
            with lock:
                run_.reads.append((name, "kpis", began, middle, kpis))
                run_.reads.append((name, "count", middle, ended, count))

    names = [f"reader{i}" for i in range(READERS)]
    threads = [threading.Thread(target=reader, args=(name,)) for name in names]
    try:
        load(eng, {"contacts": initial}, source="acd", key=KEY)
        for thread in threads:
            thread.start()

        def step(message: str) -> None:
            if message == "storing":
                run_.storing = time.perf_counter()
                storing.set()
        run_.began = time.perf_counter()
        [run_.report] = load(eng, {"contacts": big}, source="acd", key=KEY, on_step=step)
        run_.ended = time.perf_counter()
        # let every reader finish a read begun after the load returned (not a timing check)
        deadline = time.monotonic() + 60
        while (not run_.errors and run_.readers_after_load() != set(names)
               and time.monotonic() < deadline):
            time.sleep(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    with eng.connect() as conn:
        run_.final_count = database.scalar(conn, "SELECT count(*) FROM contacts")
    database.dispose(path)
    return run_


def test_saf001_readers_keep_answering_during_a_load(load_under_readers):
    run_ = load_under_readers
    assert run_.errors == []
    assert (run_.report.status, run_.report.accepted) == ("loaded", NEW)
    # readers made progress while the file was read and validated, and while the load's
    # transaction was open; reads begun within the transaction saw the data as before
    validating = run_.during(run_.began, run_.storing)
    storing = run_.during(run_.storing, run_.ended)
    spans = (round(run_.storing - run_.began, 2), round(run_.ended - run_.storing, 2))
    assert len(validating) >= 10 and len(storing) >= 10, (len(validating), len(storing), spans)
    assert ("count", BEFORE["count"]) in storing and ("kpis", BEFORE["kpis"]) in storing
    # every reader sees the whole load once it has returned
    assert run_.readers_after_load() == {f"reader{i}" for i in range(READERS)}
    assert {value for _, _, began, _, value in run_.reads if began > run_.ended} \
        == {AFTER["count"], AFTER["kpis"]}
    assert run_.final_count == INITIAL + NEW


def test_saf002_readers_never_see_part_of_a_load(load_under_readers):
    """Every count and every KPI a reader saw is the one before the load or the one after."""
    reads = load_under_readers.reads
    partial = [(name, kind, value) for name, kind, _, _, value in reads
               if value not in (BEFORE[kind], AFTER[kind])]
    assert partial == [], f"{len(partial)} of {len(reads)} reads saw part of the load"


# ---------------------------------------------------------------- a load killed halfway

def test_saf003_a_load_killed_halfway_leaves_the_database_as_it_was(extracts, tmp_path):
    initial, big = extracts
    path = tmp_path / "killed.duckdb"
    eng = database.engine(path)
    load(eng, {"contacts": initial}, source="acd", key=KEY)
    before = fingerprint(eng)
    database.dispose(path)          # closed and checkpointed: the command line may open it
    assert not Path(f"{path}.wal").exists()
    untouched = (path.stat().st_size, path.stat().st_mtime_ns)

    command = [sys.executable, "-m", "data", "load", "--db", str(path), "--contacts", str(big),
               "--source", "acd"]
    proc = subprocess.Popen(command, cwd=ROOT, env=cli_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        # the file is only read and validated first (several seconds), and the database
        # file left alone; the load is under way once its transaction writes the new rows
        # into the database file, well before it commits (a poll, not a timing assertion)
        deadline = time.monotonic() + 120
        while (proc.poll() is None and time.monotonic() < deadline
               and (path.stat().st_size, path.stat().st_mtime_ns) == untouched):
            time.sleep(0.005)
        assert proc.poll() is None, f"the load ended before it was killed: {proc.communicate()}"
        assert (path.stat().st_size, path.stat().st_mtime_ns) != untouched, "the load never wrote"
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    eng = database.engine(path)
    try:
        after = fingerprint(eng)
        assert before["count"] == INITIAL
        assert (after["count"], after["ids"], after["rows"]) \
            == (before["count"], before["ids"], before["rows"])
        # the load log is as it was: the killed load left no row, so none says big.csv loaded
        pd.testing.assert_frame_equal(after["log"], before["log"])
        assert list(after["log"]["file_name"]) == ["initial.csv"]
    finally:
        database.dispose(path)

    # the database is usable: the same file then loads completely
    eng = database.engine(path)
    try:
        [report] = load(eng, {"contacts": big}, source="acd", key=KEY)
        assert (report.status, report.accepted) == ("loaded", NEW)
        done = fingerprint(eng)
        assert done["count"] == INITIAL + NEW
        assert list(zip(done["log"]["file_name"], done["log"]["status"])) \
            == [("initial.csv", "loaded"), ("big.csv", "loaded")]
        row = compute(eng, MARCH, ["offered", "handled"]).iloc[0]
        assert (row["offered"], row["handled"]) == AFTER["kpis"]
    finally:
        database.dispose(path)


# ---------------------------------------------------------------- a database held elsewhere

HOLD = ("import sys, duckdb\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "print('ready', flush=True)\n"
        "sys.stdin.read()\n")      # holds the database until its standard input closes


def test_saf004_command_line_says_the_database_is_in_use(tmp_path):
    path = tmp_path / "held.duckdb"
    database.engine(path)
    database.dispose(path)
    contacts = write_csv(tmp_path / "contacts.csv", [
        dict(contact_id="1", arrived_at="2025-03-03 09:00:00", channel="phone", outcome="answered",
             wait_s=10, talk_s=120)])
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready", holder.stderr.read()
        out = run("data", "load", "--db", path, "--contacts", contacts, "--source", "acd",
                  tmp_path=tmp_path)
        assert out.returncode == 1
        assert out.stdout == ""
        [line] = out.stderr.strip().splitlines()
        held = (f"the database {path.resolve()} is in use by another process (PID {holder.pid}), for "
                f"example the running dashboard: drop the files in its inbox ({path.resolve().parent / 'inbox'}) "
                "and it loads them itself, or load them through its import page; read through it with "
                "python -m metrics summary --server http://127.0.0.1:1")
        assert line == f"error: {held}"
        # the metrics command line asks the dashboard the settings name, and says none answers
        out = run("metrics", "summary", "--db", path, "--from", "2025-03-01", "--to", "2025-03-31",
                  tmp_path=tmp_path)
        assert out.returncode == 1
        [line] = out.stderr.strip().splitlines()
        assert line.startswith(f"error: {held}; and no dashboard answers at http://127.0.0.1:1 (")
        assert line.endswith("): give its address with --server")
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    # once the other process has stopped, the same load goes through
    out = run("data", "load", "--db", path, "--contacts", contacts, "--source", "acd",
              tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["contacts: contacts.csv: 1 row loaded"]


# ---------------------------------------------------------------- the nightly extract while the dashboard serves

def test_saf005_while_the_dashboard_serves_the_command_line_reads_through_it(dash_duo, make_db, app_for, tmp_path):
    contacts = [dict(contact_id=str(i), arrived_at="2025-03-03 09:00:00", channel="phone", outcome="answered",
                     wait_s=w, talk_s=60) for i, w in enumerate([5, 10, 40])]
    eng = make_db(contacts=contacts)
    dash_duo.start_server(app_for(eng))          # the dashboard holds the database
    path = Path(eng.url.database)
    direct = ["--db", path, "--from", "2025-03-01", "--to", "2025-03-31", "--format", "json"]
    out = run("metrics", "summary", *direct, "--server", dash_duo.server_url, tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert list(got)[:3] == ["offered", "handled", "answer_rate"]      # the registry's order
    assert got["offered"] == 3 and got["service_level"] == pytest.approx(200 / 3)   # 5 s, 10 s within 20 s
    # without --server, the dashboard the settings name is asked, and the command says so
    env = dict(cli_env(tmp_path), PILOTAGE_PORT=dash_duo.server_url.rsplit(":", 1)[1])
    out = subprocess.run([sys.executable, "-m", "metrics", "summary", *map(str, direct)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == got
    assert "note: the dashboard holds the database; read through it" in out.stderr
    # a bad request is one clear line, as the command line itself would say it
    out = run("metrics", "summary", "--db", path, "--from", "2025-03-31", "--to", "2025-03-01",
              "--server", dash_duo.server_url, tmp_path=tmp_path)
    assert out.returncode == 1 and out.stderr.startswith("error: the period ends")


def test_saf006_the_dashboard_loads_the_extracts_dropped_in_its_inbox(dash_duo, make_db, app_for, tmp_path):
    from data.inbox import watch
    from settings import active

    eng = make_db(contacts=[dict(contact_id="c1", arrived_at="2025-03-03 09:00:00", channel="phone",
                                 outcome="answered", wait_s=5, talk_s=60)])
    inbox = tmp_path / "inbox"
    dash_duo.start_server(app_for(eng, inbox=inbox, inbox_every=0.2, key_file=tmp_path / "test.key"))
    (tmp_path / "test.key").write_text(KEY.decode())
    watcher = watch(active())
    try:
        dash_duo.wait_for_page(dash_duo.server_url + "/?from=2025-03-01&to=2025-03-31")
        dash_duo.wait_for_text_to_equal("#value-offered", "1")
        # the night's extract, copied under a temporary name then renamed, as a careful job does
        rows = [dict(contact_id=f"n{i}", arrived_at="2025-03-04 09:00:00", channel="phone", outcome="answered",
                     wait_s=30, talk_s=60) for i in range(3)]
        write_csv(inbox / "contacts-2025-03-04.csv.part", rows)
        (inbox / "contacts-2025-03-04.csv.part").rename(inbox / "contacts-2025-03-04.csv")
        bad = inbox / "contacts-bad.csv"
        write_csv(bad, [dict(contact_id="b1", arrived_at="not a date", channel="phone", outcome="answered")])
        wait_until(lambda: len(list((inbox / "loaded").glob("*contacts-2025-03-04.csv"))) == 1)
        wait_until(lambda: len(list((inbox / "refused").glob("*contacts-bad.csv"))) == 1)
        # loaded with the same rules and log: the page (computed afresh) shows the 4 contacts
        dash_duo.wait_for_page(dash_duo.server_url + "/?from=2025-03-01&to=2025-03-31")
        dash_duo.wait_for_text_to_equal("#value-offered", "4")
        with eng.connect() as conn:
            log = conn.exec_driver_sql("SELECT file_name, status FROM load_log ORDER BY load_id").fetchall()
        assert ("contacts-2025-03-04.csv", "loaded") in log and ("contacts-bad.csv", "refused") in log
        [error] = (inbox / "refused").glob("*.error.txt")
        assert "contacts-bad.csv" in error.read_text() and "every row was rejected" in error.read_text()
        [rejects] = (inbox / "refused").glob("*.rejects.csv")
        assert "line" in rejects.read_text().splitlines()[0] and "not a date" in rejects.read_text()
        assert list(inbox.glob("*.csv")) == []
    finally:
        watcher.stop()
    assert dash_duo.get_logs() == []


def wait_until(condition, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.1)
