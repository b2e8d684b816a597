"""Import profiles: the shipped profiles on their sample files, reading any encoding and
separator safely, and every rule of the profile format."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from data import db as database
from data.loader import LoadError, load
from data.profile import ProfileError, get_profile, parse_profile, read_source, apply_profile
from data.reading import ReadError, read_sheet
from metrics.query import Scope, compute, values
from tests.conftest import KEY

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"


@pytest.fixture
def eng(tmp_path):
    path = tmp_path / "p.duckdb"
    yield database.engine(path)
    database.dispose(path)


def kpis(eng, start, end, ids, **filters):
    return values(compute(eng, Scope.of(start, end, **filters), ids).iloc[0])


def count(eng, table="contacts"):
    return database.scalar(eng.connect(), f"SELECT count(*) FROM {table}")


# ---------------------------------------------------------------- shipped profiles

def _seconds(clock: str) -> int:
    h, m, s = (int(p) for p in clock.split(":"))
    return h * 3600 + m * 60 + s


def test_prf001_technion_week_matches_the_raw_file(eng):
    """The KPIs of the loaded week against figures computed here from the raw file, by
    the rules of the sample's README: HANG after queueing is an abandon, HANG in the voice
    menu is self-service, PHANTOM is left out."""
    with open(SAMPLES / "technion_bank_week1.csv", newline="") as fh:
        raw = [r for r in csv.DictReader(fh)]
    kept = [r for r in raw if r["outcome"] != "PHANTOM"]
    queued = lambda r: r["q_start"] != "0:00:00"                          # noqa: E731
    wait = lambda r: (_seconds(r["q_exit"]) - _seconds(r["q_start"])) % 86400 if queued(r) else 0  # noqa: E731
    answered = [r for r in kept if r["outcome"] == "AGENT"]
    abandoned = [r for r in kept if r["outcome"] == "HANG" and queued(r)]
    self_served = [r for r in kept if r["outcome"] == "HANG" and not queued(r)]
    short = [r for r in abandoned if wait(r) < 5]
    net = len(answered) + len(abandoned) - len(short)

    [report] = load(eng, {"contacts": SAMPLES / "technion_bank_week1.csv"},
                    profile=get_profile("technion-bank"), key=KEY)
    assert (report.accepted, report.dropped, report.rejected) == (len(kept), len(raw) - len(kept), 0)
    got = kpis(eng, "2010-07-25", "2010-08-14", ["offered", "handled", "service_level", "answer_rate",
                                                  "asa", "aht", "abandon_rate", "self_service_rate"])
    assert got["offered"] == len(answered) + len(abandoned)
    assert got["handled"] == len(answered)
    assert got["service_level"] == pytest.approx(100 * sum(wait(r) <= 20 for r in answered) / net)
    assert got["answer_rate"] == pytest.approx(100 * len(answered) / net)
    assert got["abandon_rate"] == pytest.approx(100 * (len(abandoned) - len(short)) / net)
    assert got["asa"] == pytest.approx(sum(wait(r) for r in answered) / len(answered))
    assert got["aht"] == pytest.approx(sum(int(r["ser_time"]) for r in answered) / len(answered))
    assert got["self_service_rate"] == pytest.approx(100 * len(self_served) / len(kept))
    # the same week again: nothing changes
    [again] = load(eng, {"contacts": SAMPLES / "technion_bank_week1.csv"},
                   profile=get_profile("technion-bank"), key=KEY)
    assert again.status == "unchanged" and count(eng) == len(kept)


def test_prf002_asterisk_queue_log_one_contact_per_stay(eng):
    [report] = load(eng, {"contacts": SAMPLES / "asterisk_queue_log.txt"},
                    profile=get_profile("asterisk-queue-log"), key=KEY)
    # 10 stays in the queues; the one still waiting when the log ends is left out
    assert (report.accepted, report.dropped) == (9, 1)
    rows = database.frame(eng.connect(), "SELECT * FROM contacts ORDER BY arrived_at").set_index("contact_id")
    # 08:00:05 UTC is 09:00:05 in Paris in March
    assert rows.loc["1741075205.1-1", "arrived_at"] == datetime(2025, 3, 4, 9, 0, 5)
    assert rows.loc["1741075560.7-1", ["queue", "transferred", "talk_s"]].tolist() == ["sales", True, 95]
    assert rows.loc["1741075560.7-2", ["queue", "wait_s", "talk_s"]].tolist() == ["support", 20, 300]
    assert rows["outcome"].value_counts().to_dict() == {"abandoned": 5, "answered": 4}
    got = kpis(eng, "2025-03-04", "2025-03-04", ["offered", "service_level", "asa", "aht", "transfer_rate"])
    # offered 9; short abandons (under 5 s): the 3 s abandon and the empty queue's 0 s -> net 7;
    # answered within 20 s: waits 12, 8, 20 (not 35) -> 3 / 7
    assert got["offered"] == 9
    assert got["service_level"] == pytest.approx(300 / 7)
    assert got["asa"] == pytest.approx((12 + 35 + 8 + 20) / 4)
    assert got["aht"] == pytest.approx((185 + 240 + 95 + 300) / 4)
    assert got["transfer_rate"] == pytest.approx(25.0)


def test_prf003_french_acd_export_and_its_survey_export(eng):
    [report] = load(eng, {"contacts": SAMPLES / "fr_acd_export.csv"}, profile=get_profile("fr-acd-export"),
                    key=KEY)
    assert (report.accepted, report.dropped) == (10, 1)        # the test call is left out
    rows = database.frame(eng.connect(), "SELECT * FROM contacts").set_index("contact_id")
    assert rows.loc["A-1001", ["wait_s", "talk_s", "agent_id"]].tolist() == [4.5, 275, "Léa Martin"]
    assert rows.loc["A-1010", "talk_s"] == 3723                                  # 1:02:03
    assert rows.loc["A-1009", "outcome"] == "abandoned"                          # Dissuadé
    assert pd.isna(rows.loc["A-1004", "customer_key"])                           # Masqué
    assert pd.isna(rows.loc["A-1003", "agent_id"]) and rows.loc["A-1002", "transferred"]
    assert rows.loc["A-1008", "client"] == "Banque Lumière"

    [surveys] = load(eng, {"surveys": SAMPLES / "survey_export.csv"}, profile=get_profile("survey-export"),
                     key=KEY)
    assert surveys.accepted == 5
    got = kpis(eng, "2025-03-01", "2025-03-31", ["nps", "csat", "response_rate"])
    # NPS answers 10, 6, 9, 3 (R-505 says N/A): 2 promoters, 2 detractors -> 0
    assert got["nps"] == 0
    # satisfaction 5, 3, 4, 1, 4 -> 3 of 5 in the top two boxes
    assert got["csat"] == pytest.approx(60.0)
    # linked to contacts of the same source: 5 of the 6 handled contacts have an answer
    assert got["response_rate"] == pytest.approx(100 * 5 / 6)
    assert kpis(eng, "2025-03-01", "2025-03-31", ["nps"], client="Banque Lumière")["nps"] == -100


# ---------------------------------------------------------------- reading

FR_ROWS = (SAMPLES / "fr_acd_export.csv").read_bytes().decode("cp1252")


def test_prf004_encodings_are_detected_or_forced_and_never_garble(eng, tmp_path):
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes(b"\xef\xbb\xbf" + FR_ROWS.encode("utf-8"))
    sheet = read_sheet(utf8)
    assert (sheet.encoding, sheet.separator) == ("utf-8", ";") and "Durée com." in sheet.headers
    assert read_sheet(SAMPLES / "fr_acd_export.csv").encoding == "cp1252"
    # UTF-8 bytes read as CP1252 would turn "é" into "Ã©": refused, never loaded garbled
    with pytest.raises(ReadError, match="the file is UTF-8 but was read as cp1252"):
        read_sheet(utf8, encoding="cp1252")
    with pytest.raises(LoadError, match=r"fr_acd_export.csv, line 1: not UTF-8 text"):
        load(eng, {"contacts": SAMPLES / "fr_acd_export.csv"}, profile=get_profile("fr-acd-export"),
             encoding="utf-8", key=KEY)
    assert count(eng) == 0
    # Latin-1 forced on a CP1252 file whose accents are the same bytes in both: it loads
    [report] = load(eng, {"contacts": SAMPLES / "fr_acd_export.csv"}, profile=get_profile("fr-acd-export"),
                    encoding="latin-1", key=KEY)
    assert report.accepted == 10
    # a UTF-16 export is not text to us: refused loudly
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(FR_ROWS.encode("utf-16"))
    with pytest.raises(ReadError, match="not a CSV or text file"):
        read_sheet(utf16)


def test_prf005_separators_and_a_header_the_profile_does_not_know(tmp_path):
    tabs = tmp_path / "tabs.txt"
    tabs.write_text(FR_ROWS.replace(";", "\t"), encoding="cp1252")
    assert read_sheet(tabs).separator == "\t"
    profile = get_profile("fr-acd-export")
    # the same file with commas: the profile insists on ';', so its columns are not found
    commas = tmp_path / "commas.csv"
    commas.write_text(FR_ROWS.replace(";", ","), encoding="cp1252")
    with pytest.raises(ProfileError, match=r"commas.csv, line 1: column\(s\) .* missing for profile fr-acd-export"):
        apply_profile(profile, read_source(profile, commas))


def test_prf006_xlsx_sheet_through_a_users_profile(eng, tmp_path):
    frame = pd.read_csv(SAMPLES / "fr_acd_export.csv", sep=";", encoding="cp1252", dtype=str)
    book = tmp_path / "export.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"notes": ["cover sheet"]}).to_excel(writer, sheet_name="Lisez-moi", index=False)
        frame.to_excel(writer, sheet_name="Appels", index=False)
    mine = tmp_path / "profiles"
    mine.mkdir()
    text = (ROOT / "data" / "profiles" / "fr-acd-export.toml").read_text(encoding="utf-8")
    (mine / "acd-excel.toml").write_text(text.replace('name = "fr-acd-export"', 'name = "acd-excel"')
                                         .replace('separator = ";"', 'sheet = "Appels"'), encoding="utf-8")
    [report] = load(eng, {"contacts": book}, profile=get_profile("acd-excel", mine), key=KEY)
    assert report.accepted == 10
    assert database.scalar(eng.connect(), "SELECT talk_s FROM contacts WHERE contact_id = 'A-1010'") == 3723


# ---------------------------------------------------------------- the profile format's rules

def profile(**tables):
    return parse_profile({"name": "t", "read": {"separator": ","}, **tables})


def mapped(tmp_path, prof, text, table="contacts"):
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    return apply_profile(prof, read_source(prof, path))[table]


SURVEYS = {"surveys": {"response_id": "id", "responded_at": {"from": "when", "datetime": ["%d/%m/%Y", "%m/%d/%Y"]}}}


def test_prf007_day_month_order_is_settled_by_the_file_or_refused(tmp_path):
    settled = mapped(tmp_path, profile(**SURVEYS), "id,when\nr1,03/04/2025\nr2,13/04/2025\n", "surveys")
    assert settled.cells["responded_at"].tolist() == ["2025-04-03 00:00:00", "2025-04-13 00:00:00"]
    us = mapped(tmp_path, profile(**SURVEYS), "id,when\nr1,03/04/2025\nr2,04/13/2025\n", "surveys")
    assert us.cells["responded_at"].tolist() == ["2025-03-04 00:00:00", "2025-04-13 00:00:00"]
    with pytest.raises(ProfileError, match="the dates are ambiguous"):
        mapped(tmp_path, profile(**SURVEYS), "id,when\nr1,03/04/2025\nr2,05/06/2025\n", "surveys")


def test_prf008_durations_sentinels_maps_constants_and_bad_values(tmp_path):
    prof = profile(contacts={
        "contact_id": {"from": ["a", "b"], "with": "/"},
        "arrived_at": {"value": "2025-03-04 09:00:00"},
        "channel": {"value": "phone"},
        "outcome": {"from": "st", "map": {"ok": "answered", "KO": "abandoned"}},
        "wait_s": {"from": "w", "duration": "clock", "empty": ["0:00:00"]},
        "talk_s": {"from": "t", "duration": "excel_days"},
        "hold_s": {"from": "h", "duration": "minutes"},
        "transferred": {"from": "x", "map": {"O": "oui", "N": "non"}},
    })
    m = mapped(tmp_path, prof, "a,b,st,w,t,h,x\n1,2,OK,1:30,0.0125,1.5,O\n1,3,ko,0:00:00,,,N\n"
                               "1,4,ok,1:02:03,0.5,2,N\n1,5,ok,9:99,x,,N\n")
    assert m.cells["contact_id"].tolist() == ["1/2", "1/3", "1/4"]
    assert m.cells["outcome"].tolist() == ["answered", "abandoned", "answered"]
    assert m.cells["wait_s"].tolist() == ["90", "", "3723"]
    assert m.cells["talk_s"].tolist() == ["1080", "", "43200"]
    assert m.cells["hold_s"].tolist() == ["90", "", "120"]
    assert m.cells["_line"].tolist() == [2, 3, 4]
    # a value the profile cannot read rejects its row, with the line and the first reason
    assert m.problems.to_dict("records") == [
        {"line": 5, "reason": "wait_s '9:99' is not a duration as H:MM:SS or MM:SS"}]


def test_prf009_case_rules_drop_rules_and_surveys_from_the_same_line(tmp_path):
    prof = parse_profile({
        "name": "t", "read": {"separator": ","},
        "drop": [{"kind": "TEST", "why": "tests"}],
        "contacts": {"contact_id": "id", "arrived_at": "at", "channel": {"value": "chat"},
                     "outcome": {"case": [{"when": {"kind": "IN", "agent": ""}, "value": "abandoned"},
                                          {"when": {"kind": "IN"}, "value": "answered"}]}},
        "surveys": {"response_id": "id", "responded_at": "at", "contact_id": "id", "nps": "score",
                    "keep_if_any": ["nps"]},
    })
    path = tmp_path / "f.csv"
    path.write_text("id,at,kind,agent,score\nc1,2025-03-04 09:00:00,IN,A1,9\nc2,2025-03-04 09:01:00,IN,,\n"
                    "c3,2025-03-04 09:02:00,TEST,A1,10\n", encoding="utf-8")
    out = apply_profile(prof, read_source(prof, path))
    assert out["contacts"].cells["outcome"].tolist() == ["answered", "abandoned"]
    assert out["contacts"].dropped == 1
    assert out["surveys"].cells[["response_id", "nps"]].values.tolist() == [["c1", "9"]]


def test_prf019_a_sum_of_columns_is_unknown_when_a_part_is_and_refused_when_not_a_number(tmp_path):
    prof = parse_profile({"name": "t", "read": {"decimal": ","}, "intervals": {
        "interval_start": "at", "interval_min": {"value": "30"}, "channel": {"value": "phone"}, "queue": "q",
        "offered": "n", "answered": "n", "abandoned": {"value": "0"},
        "handle_s": {"sum": ["talk", "acw"], "empty": ["-"]}}})
    path = tmp_path / "f.csv"
    path.write_text("at;q;n;talk;acw\n2025-03-10 09:00:00;Q;2;100,5;20\n2025-03-10 09:30:00;Q;2;100;-\n"
                    "2025-03-10 10:00:00;Q;2;1o0;20\n", encoding="utf-8")
    out = apply_profile(prof, read_source(prof, path))["intervals"]
    # 100.5 + 20; a part unknown: the total unknown, never the other part alone; a part that is
    # not a number rejects its line
    assert out.cells["handle_s"].tolist() == ["120.5", ""]
    assert out.problems[["line", "reason"]].values.tolist() == [[4, "handle_s '1o0' is not a number"]]
    with pytest.raises(ProfileError, match="sum is a list of source columns"):
        parse_profile({"name": "t", "intervals": {"handle_s": {"sum": "talk"}}})


def test_prf010_a_profile_with_a_mistake_says_where():
    with pytest.raises(ProfileError, match=r"contacts.wait_s: unknown rule\(s\) durration"):
        parse_profile({"name": "t", "contacts": {"wait_s": {"from": "w", "durration": "clock"}}})
    with pytest.raises(ProfileError, match="has no canonical column 'waiting'"):
        parse_profile({"name": "t", "contacts": {"waiting": "w"}})
    with pytest.raises(ProfileError, match="give exactly one of from, value, case, between"):
        parse_profile({"name": "t", "contacts": {"wait_s": {"duration": "clock"}}})
    with pytest.raises(ProfileError, match="unknown profile 'nope'"):
        get_profile("nope")


# ---------------------------------------------------------------- command line

def run(*args, tmp_path):
    env = dict(os.environ, PILOTAGE_KEY_FILE=str(tmp_path / "test.key"))
    env.pop("PILOTAGE_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "data", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_prf011_command_line_inspect_guesses_and_load_uses_a_profile(tmp_path):
    out = run("inspect", str(SAMPLES / "fr_acd_export.csv"), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "read as:   cp1252, separator ';'" in out.stdout
    assert "profile:   fr-acd-export (for contacts)" in out.stdout
    assert "contacts: 10 rows ready, 1 left out by the profile, 0 rejected" in out.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(FR_ROWS.replace("4,5;0:04:35", "vite;0:04:35"), encoding="cp1252")
    out = run("inspect", str(bad), tmp_path=tmp_path)
    assert "line 2: wait_s 'vite' is not a number" in out.stdout
    db = tmp_path / "cli.duckdb"
    out = run("load", "--db", str(db), "--profile", "fr-acd-export", "--contacts",
              str(SAMPLES / "fr_acd_export.csv"), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "10 rows loaded, 1 left out by the profile" in out.stdout
    out = run("load", "--db", str(db), "--profile", "fr-acd-export", "--encoding", "utf-8", "--contacts",
              str(SAMPLES / "fr_acd_export.csv"), tmp_path=tmp_path)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "line 1: not UTF-8 text" in out.stderr


def test_prf012_canonical_samples_load_as_they_are(eng):
    reports = load(eng, {"contacts": SAMPLES / "canonical_contacts.csv", "surveys": SAMPLES / "canonical_surveys.csv"},
                   source="crm", key=KEY)
    assert [(r.table, r.accepted, r.rejected, r.profile) for r in reports] == [
        ("contacts", 8, 0, "canonical"), ("surveys", 3, 0, "canonical")]
    got = kpis(eng, "2025-03-04", "2025-03-10", ["offered", "handled", "attempts", "reach_rate", "nps"])
    # offered: 4 inbound answered + 1 abandoned; handled: those 4 + 1 outbound reached;
    # NPS over 9, 4, 8: 1 promoter, 1 detractor of 3 -> 0
    assert (got["offered"], got["handled"], got["attempts"], got["reach_rate"], got["nps"]) == (5, 5, 2, 50.0, 0)


def test_prf013_line_numbers_survive_blank_lines_and_values_over_several_lines(tmp_path):
    simple = tmp_path / "simple.csv"
    simple.write_text("a,b\n1,x\n2,y\n", encoding="utf-8")
    assert read_sheet(simple).cells["_line"].tolist() == [2, 3]
    tricky = tmp_path / "tricky.csv"
    tricky.write_text('a,b\n1,"a comment\nover two lines"\n\n2,y\n', encoding="utf-8")
    cells = read_sheet(tricky).cells
    assert cells["b"].tolist() == ["a comment\nover two lines", "y"]
    assert cells["_line"].tolist() == [2, 5]
