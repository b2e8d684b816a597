"""Real, messy exports (a public call-centre training extract, raw and cleaned, read through
a profile written from its documentation alone): durations without hours, several date
formats in one column, trailing empty columns, and a file no shipped profile knows."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from data import db as database
from data.loader import LoadError, load
from data.profile import ProfileError, apply_profile, get_profile, read_source
from data.reading import ReadError, read_sheet
from tests.conftest import KEY

ROOT = Path(__file__).resolve().parents[1]

PROFILE = '''name = "call-centre-trends"
description = "A call-centre training extract: one row per call, answered Y/N, talk time as MM:SS"
source = "trends"

[read]
separator = ","

[match]
headers = ["Call Id", "Agent", "Date", "Time", "Answered (Y/N)", "AvgTalkDuration"]

[contacts]
contact_id = "Call Id"
arrived_at = { from = ["Date", "Time"], datetime = ["%m/%d/%Y %H:%M:%S", "%m-%d-%Y %H:%M:%S"] }
channel = { value = "phone" }
agent_id = "Agent"
reason = "Topic"
outcome = { from = "Answered (Y/N)", map = { Y = "answered", N = "abandoned" } }
wait_s = { from = "Speed of answer in seconds", number = true }
talk_s = { from = "AvgTalkDuration", duration = "clock" }
'''
HEADER = "Call Id,Agent,Date,Time,Topic,Answered (Y/N),Resolved,Speed of answer in seconds,AvgTalkDuration,Satisfaction rating,,,"


def write(tmp_path, rows: list[str], name="calls.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER] + rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def profile(tmp_path):
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "call-centre-trends.toml").write_text(PROFILE, encoding="utf-8")
    return get_profile("call-centre-trends", folder)


def mapped(profile, path):
    return apply_profile(profile, read_source(profile, path))["contacts"]


def test_msy001_clock_durations_without_hours_and_with_a_bad_value(profile, tmp_path):
    # every talk time MM:SS (no H:MM:SS in the whole column): 02:23 = 143 s, 00:50 = 50 s
    m = mapped(profile, write(tmp_path, ["ID0001,Diane,1/1/2021,9:12:58,Contract,Y,Y,109,02:23,3,,,",
                                         "ID0002,Becky,1/1/2021,9:12:58,Payment,Y,N,70,00:50,5,,,",
                                         "ID0003,Stewart,1/1/2021,9:47:31,Admin,N,N,,,,,,"]))
    assert m.cells["talk_s"].tolist() == ["143", "50", ""]
    assert m.problems.empty
    # plain seconds or a clock with a third colon: the row is rejected with its line, value and rule
    m = mapped(profile, write(tmp_path, ["ID0001,Diane,1/1/2021,9:12:58,Contract,Y,Y,109,143,3,,,",
                                         "ID0002,Becky,1/1/2021,9:12:58,Payment,Y,N,70,1:02:03:04,5,,,",
                                         "ID0003,Greg,1/1/2021,9:12:58,Payment,Y,N,70,00:61,5,,,"]))
    assert m.problems.to_dict("records") == [
        {"line": 2, "reason": "talk_s '143' is not a duration as H:MM:SS or MM:SS"},
        {"line": 3, "reason": "talk_s '1:02:03:04' is not a duration as H:MM:SS or MM:SS"},
        {"line": 4, "reason": "talk_s '00:61' is not a duration as H:MM:SS or MM:SS"}]


def test_msy002_each_row_is_read_with_the_first_listed_date_format_that_reads_it(profile, tmp_path):
    m = mapped(profile, write(tmp_path, ["ID0001,Diane,1/30/2021,9:12:58,Contract,Y,Y,109,02:23,3,,,",
                                         "ID0002,Becky,01-11-2021,09:12:58,Payment,Y,N,70,00:50,5,,,",
                                         "ID0003,Greg,01-01-2021,09:12:58,Payment,Y,N,70,00:50,5,,,"]))
    assert m.problems.empty
    assert m.cells["arrived_at"].tolist() == ["2021-01-30 09:12:58", "2021-01-11 09:12:58", "2021-01-01 09:12:58"]
    # a date that is not in any listed form is rejected alone, with the forms the profile lists
    m = mapped(profile, write(tmp_path, ["ID0001,Diane,1/30/2021,9:12:58,Contract,Y,Y,109,02:23,3,,,",
                                         "ID0002,Becky,2021.01.11,09:12:58,Payment,Y,N,70,00:50,5,,,"]))
    assert m.problems.to_dict("records") == [{"line": 3, "reason": (
        "arrived_at '2021.01.11 09:12:58' is not a date in the form %m/%d/%Y %H:%M:%S or %m-%d-%Y %H:%M:%S")}]


def test_msy003_a_file_is_refused_only_where_the_listed_formats_disagree_and_it_names_the_row(tmp_path):
    from tests.test_profiles import SURVEYS, profile as table_profile
    prof = table_profile(**SURVEYS)   # day/month and month/day both listed
    path = tmp_path / "s.csv"
    # 25/04 is day/month only, 04/26 month/day only: 03/04 (line 4) cannot be settled
    path.write_text("id,when\nr1,25/04/2025\nr2,04/26/2025\nr3,03/04/2025\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"responded_at, line 4: the dates are ambiguous: '03/04/2025' reads as "
                                           r"03 April 2025 with %d/%m/%Y and as 04 March 2025 with %m/%d/%Y"):
        apply_profile(prof, read_source(prof, path))
    # the same file without the month/day row: the file uses day/month, 03/04 is 3 April
    path.write_text("id,when\nr1,25/04/2025\nr3,03/04/2025\n", encoding="utf-8")
    assert apply_profile(prof, read_source(prof, path))["surveys"].cells["responded_at"].tolist() == [
        "2025-04-25 00:00:00", "2025-04-03 00:00:00"]


def test_msy004_columns_without_a_name(tmp_path):
    # trailing empty columns (a spreadsheet's export) are ignored when empty
    path = write(tmp_path, ["ID0001,Diane,1/1/2021,9:12:58,Contract,Y,Y,109,02:23,3,,,"])
    assert read_sheet(path).headers[-1] == "Satisfaction rating"
    # a nameless column that holds values is named by its position
    path.write_text("a,,b,\n1,x,2,\n3,,4,\n", encoding="utf-8")
    sheet = read_sheet(path)
    assert sheet.headers == ["a", "(empty name) at position 2", "b"]
    assert sheet.cells["(empty name) at position 2"].tolist() == ["x", ""]
    path.write_text("a,b,a\n1,2,3\n", encoding="utf-8")
    with pytest.raises(ReadError, match="column\\(s\\) named twice: a"):
        read_sheet(path)


def run(*args, tmp_path, profiles=None):
    env = dict(os.environ, PILOTAGE_KEY_FILE=str(tmp_path / "test.key"))
    env.pop("PILOTAGE_CONFIG", None)
    if profiles:
        env["PILOTAGE_PROFILES"] = str(profiles)
    return subprocess.run([sys.executable, "-m", "data", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_msy005_inspect_and_load_on_the_raw_file(profile, tmp_path):
    rows = ["ID0001,Diane,1/30/2021,9:12:58,Contract,Y,Y,109,02:23,3,,,",
            "ID0002,Becky,01-11-2021,09:12:58,Payment,Y,N,70,00:50,5,,,",
            "ID0003,Stewart,1/1/2021,9:47:31,Admin,N,N,,,,,,"]
    path = write(tmp_path, rows)
    folder = tmp_path / "profiles"
    out = run("inspect", str(path), tmp_path=tmp_path, profiles=folder)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert "profile:   call-centre-trends (for contacts)" in out.stdout
    assert "contacts: 3 rows ready, 0 left out by the profile, 0 rejected" in out.stdout
    out = run("load", "--db", str(tmp_path / "t.duckdb"), "--profile", "call-centre-trends", "--contacts",
              str(path), tmp_path=tmp_path, profiles=folder)
    assert out.returncode == 0, out.stderr
    assert "3 rows loaded" in out.stdout


def test_msy006_without_a_profile_a_comma_file_is_not_given_a_semicolon_profile(tmp_path):
    path = write(tmp_path, ["ID0001,Diane,1/30/2021,9:12:58,Contract,Y,Y,109,02:23,3,,,"])
    out = run("inspect", str(path), tmp_path=tmp_path)
    assert "Traceback" not in out.stderr
    assert "fr-acd-export" not in out.stdout.split("profiles:")[1].split("\n")[0].split(",")[0]
    assert "no profile knows this file's columns" in out.stdout
    assert "encoding" not in out.stdout
    # through the French profile anyway: the true hint is the separator
    eng = database.engine(tmp_path / "x.duckdb")
    try:
        with pytest.raises(LoadError, match=r"the whole header is one column: is ';' the separator\?"):
            load(eng, {"contacts": path}, profile=get_profile("fr-acd-export"), key=KEY)
    finally:
        database.dispose(tmp_path / "x.duckdb")
