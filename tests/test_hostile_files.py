"""Hostile and broken files (issue 13, classes 2, 3, 4, 7 and 8): the import page takes only
known profile names and its own uploads, survives forged values of any type, reads only the
start of a file in a request; a file past a bound (columns, value length, expanded workbook)
is refused before it is parsed, saying which bound; a workbook's unsaved formulas refuse it;
staged uploads are private and short-lived; the database's connections cannot reach files,
extensions or their own settings."""
from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from components import imports as im
from data import db as database
from data.audit import Actor
from data.customers import load_key
from data.jobs import JOBS
from data.loader import LoadError, load
from data.profile import SHIPPED
from data.reading import Limits, ReadError, read_sheet
from forging import dependencies, forged
from settings import Settings, SettingsError, active, load_settings
from tests.conftest import KEY, write_csv

ROOT = Path(__file__).resolve().parents[1]
KNOWN = "asterisk-queue-log, avaya-cms-interval, canonical, fr-acd-export, quality-export, survey-export, technion-bank"
HEADER = "contact_id,arrived_at,channel,outcome"
CONTACTS_CSV = f"{HEADER}\nc1,2025-03-03 09:00:00,phone,answered\n".encode()
PREVIEW_OUTPUT = '{"index":["ALL"],"role":"import-preview"}.children'


def data_url(data: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(data).decode()


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def texts(node) -> list[str]:
    """Every text in a Dash component tree as the server sends it (JSON)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [t for item in node for t in texts(item)]
    if isinstance(node, dict):
        return texts(node.get("props", {}).get("children")) if "props" in node else \
            [t for item in node.values() for t in texts(item)]
    return []


def run_cli(*args, tmp_path, **env):
    environ = dict(os.environ, PILOTAGE_KEY_FILE=str(tmp_path / "cli.key"), **env)
    environ.pop("PILOTAGE_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "data", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def page(make_db, app_for):
    """The app in local mode on an empty database: its settings and a client on this machine."""
    eng = make_db()
    app = app_for(eng)
    yield active(), app.server.test_client()
    JOBS.wait()


def staged_entry(settings, data: bytes = CONTACTS_CSV, name: str = "c.csv") -> dict:
    staged = im.stage(settings, data_url(data), name)
    return {"token": staged.token, "name": staged.name, "size": staged.size, "profile": "canonical"}


def previews(client, files, profiles, shown: int | None = None) -> list[list[str]]:
    """The texts of each preview the page asks for: ``shown`` cards (default one per profile),
    the store holding ``files``, the cards' dropdowns ``profiles``."""
    shown = len(profiles) if shown is None else shown
    body = {"output": PREVIEW_OUTPUT,
            "outputs": [{"id": {"index": i, "role": "import-preview"}, "property": "children"} for i in range(shown)],
            "inputs": [[{"id": {"index": i, "role": "import-profile"}, "property": "value", "value": p}
                        for i, p in enumerate(profiles)]],
            "state": [{"id": "import-files", "property": "data", "value": files}],
            "changedPropIds": ['{"index":0,"role":"import-profile"}.value']}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    answered = json.loads(response.get_data(as_text=True))["response"]
    by_index = {json.loads(key)["index"]: value["children"] for key, value in answered.items()}
    return [texts(by_index[i]) for i in range(shown)]


# ---------------------------------------------------------------- class 2: what the browser names

def test_hfl001_a_profile_from_the_browser_is_a_known_name_never_a_path(page, monkeypatch):
    settings, client = page
    opened = []
    import data.profile as profiles
    real = profiles.load_profile
    monkeypatch.setattr(profiles, "load_profile", lambda path: opened.append(str(path)) or real(path))
    entry = staged_entry(settings)
    [[*_read_as, ready]] = previews(client, [entry], ["canonical"])
    assert ready == "contacts: 1 row ready, 0 left out by the profile, 0 rejected"
    assert opened == [str(SHIPPED / "canonical.toml")]
    # a path, a path into the shipped folder, a device, a list, a long text: refused by name, nothing opened
    opened.clear()
    for forged_value, shown in (("/etc/passwd", "'/etc/passwd'"),
                                ("../../data/profiles/canonical.toml", "'../../data/profiles/canonical.toml'"),
                                ("data/profiles/canonical.toml", "'data/profiles/canonical.toml'"),
                                ("/dev/zero", "'/dev/zero'"), (["canonical"], "(not a name)"), (3, "(not a name)"),
                                ("x" * 50, "'" + "x" * 40 + "…'")):
        assert previews(client, [entry], [forged_value]) == [[f"unknown import profile {shown}; known: {KNOWN}"]]
    [[absolute]] = previews(client, [entry], [str(SHIPPED / "canonical.toml")])
    assert absolute.startswith("unknown import profile '/") and absolute.endswith(f"; known: {KNOWN}")
    assert opened == []
    # nor can a load be started with one
    start = next(cb for cb in dependencies(client) if "import-job.data" in cb["output"])
    response = forged(client, start, lambda c, prop: {"n_clicks": 1, "data": [entry], "value": "/etc/passwd"}.get(prop))
    assert response.status_code == 200
    answer = json.loads(response.get_data(as_text=True))["response"]
    assert answer["import-error"]["children"] == f"unknown import profile '/etc/passwd'; known: {KNOWN}"
    assert "import-job" not in answer


def test_hfl002_an_unknown_upload_is_said_so_and_nothing_more(page, tmp_path):
    settings, client = page
    real = staged_entry(settings)
    forged_files = [{"token": "0" * 32, "name": "x.csv", "size": 1},                 # well formed, never made
                    {"token": "../../etc", "name": "passwd"}, {"token": real["token"], "name": "../c.csv"},
                    {"token": real["token"] + "\n", "name": "c.csv"}, "x", 7, None, [real]]
    got = previews(client, forged_files, ["canonical"] * len(forged_files))
    assert got == [["unknown upload"]] * len(forged_files)
    # an upload whose load has ended (its file deleted) is unknown too
    im.discard(settings, im.staged_from(real))
    assert previews(client, [real], ["canonical"]) == [["unknown upload"]]


def test_hfl003_every_import_callback_survives_forged_values_of_any_type(page, caplog):
    settings, client = page
    caplog.set_level(logging.ERROR, logger="pilotage.errors")
    hostile = [None, True, 0, -1, 1e308, "", "x" * 5000, "/etc/passwd", [], [None], [1, {}, []], ["a"] * 600, {},
               {"id": ["x"]}, {"id": "nope"}, ["x"], [{"token": 5, "name": [], "size": "12", "profile": {}}],
               [{"size": "12"}], {"token": "0" * 32, "name": "x.csv"}]

    entry = staged_entry(settings)     # loaded (then deleted) by the first start: unknown after

    def plausible(prop):
        return {"contents": [data_url(CONTACTS_CSV)], "filename": ["c.csv"], "data": [entry],
                "value": "canonical", "n_clicks": 1, "n_intervals": 1}.get(prop, "src")
    callbacks = [cb for cb in dependencies(client) if "import-" in cb["output"]]
    assert len(callbacks) == 6
    failures, tried = [], 0
    for cb in callbacks:
        slots = [(i["id"], i["property"]) for i in cb["inputs"] + cb.get("state", [])]
        for slot in slots:
            for value in hostile:
                def pick(component, prop, slot=slot, value=value):
                    id_text = component if isinstance(component, str) else json.dumps(component)
                    hit = prop == slot[1] and (id_text == slot[0] or not isinstance(component, str))
                    return value if hit else plausible(prop)
                tried += 1
                response = forged(client, cb, pick)
                text = response.get_data(as_text=True)
                if response.status_code >= 500 or "Traceback" in text:
                    failures.append(f"{cb['output'][:50]} {slot} = {str(value)[:40]}: HTTP {response.status_code}")
    failures += [f"left to the last-resort handler: {r.getMessage()[:100]}" for r in caplog.records]
    print(f"\nhostile import values: {tried} cases tried, {tried - len(failures)} passed")
    assert not failures, f"{len(failures)} of {tried}:\n" + "\n".join(failures[:30])
    # the store's files with a size that is no number, and fewer files and profiles than previews
    listing = next(cb for cb in callbacks if "import-file-list" in cb["output"])
    response = forged(client, listing, lambda c, p: [{"token": "0" * 32, "name": "a.csv", "size": "12"}])
    assert response.status_code == 200 and "0 KB" in response.get_data(as_text=True)
    two = [staged_entry(settings), staged_entry(settings)]
    first, second, third = previews(client, two, ["canonical"], shown=3)
    assert first[-1] == "contacts: 1 row ready, 0 left out by the profile, 0 rejected"
    assert second == [f"unknown import profile (not a name); known: {KNOWN}"]
    assert third == ["unknown upload"]


# ---------------------------------------------------------------- class 3: bounds on what a file holds

def test_hfl004_a_file_of_too_many_columns_is_refused_before_it_is_parsed(tmp_path, monkeypatch, make_db):
    ten = Limits(columns=10)
    wide = ",".join(f"c{i}" for i in range(12)).encode() + b"\n" + b"1," * 11 + b"1\n"
    import data.reading as reading
    arrow = reading.pd.read_csv
    monkeypatch.setattr(reading.pd, "read_csv", lambda *a, **k: pytest.fail("the file was parsed"))
    with pytest.raises(ReadError) as refused:
        read_sheet("wide.csv", data=wide, limits=ten)
    assert str(refused.value) == "wide.csv: 12 columns on line 1, more than the 10 a file may have (PILOTAGE_MAX_COLUMNS)"
    monkeypatch.setattr(reading.pd, "read_csv", arrow)
    # a record of more cells under a short header, and a workbook
    with pytest.raises(ReadError, match=r"^ragged.csv: 12 columns on line 3, more than the 10 a file"):
        read_sheet("ragged.csv", data=b"a,b,c\n1,2,3\n" + b"x," * 11 + b"x\n", limits=ten)
    book = openpyxl.Workbook()
    book.active.append([f"c{i}" for i in range(11)])
    book.save(tmp_path / "wide.xlsx")
    with pytest.raises(ReadError, match=r"^wide.xlsx: 11 columns on line 1, more than the 10 a file"):
        read_sheet(tmp_path / "wide.xlsx", limits=ten)
    assert len(read_sheet("wide.csv", data=wide).headers) == 12       # the default bound is 500
    # through a load: refused, logged, nothing stored
    eng = make_db()
    path = tmp_path / "wide.csv"
    path.write_bytes(HEADER.encode() + b"," + ",".join(f"x{i}" for i in range(7)).encode() + b"\n"
                     + b"c1,2025-03-03 09:00:00,phone,answered" + b",1" * 7 + b"\n")
    with pytest.raises(LoadError, match=r"^wide.csv: 11 columns on line 1, more than the 10 a file may have"):
        load(eng, {"contacts": path}, key=KEY, limits=ten)
    with eng.connect() as conn:
        assert database.scalar(conn, "SELECT count(*) FROM contacts") == 0
        assert database.scalar(conn, "SELECT status FROM load_log") == "refused"
    # the command line reads its bound from the environment, and says it without a traceback
    out = run_cli("inspect", str(path), tmp_path=tmp_path, PILOTAGE_MAX_COLUMNS="10")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "error:     wide.csv: 11 columns on line 1, more than the 10 a file may have (PILOTAGE_MAX_COLUMNS)" \
        in out.stdout


def test_hfl005_the_bounds_are_settings_read_from_the_environment():
    assert (Settings().max_columns, Settings().max_field_kb, Settings().max_xlsx_mb) == (500, 64, 100)
    assert Limits.of(Settings()) == Limits() == Limits(500, 64, 100, None)
    settings = load_settings({"PILOTAGE_MAX_COLUMNS": "10", "PILOTAGE_MAX_FIELD_KB": "1.5",
                              "PILOTAGE_MAX_XLSX_MB": "2"})
    assert Limits.of(settings, rows=7) == Limits(10, 1.5, 2.0, 7)
    assert Settings().max_upload_mb == 200 and load_settings({"PILOTAGE_MAX_UPLOAD_MB": "12.5"}).max_upload_mb == 12.5
    for name, bad in (("PILOTAGE_MAX_COLUMNS", "0"), ("PILOTAGE_MAX_COLUMNS", "1.5"), ("PILOTAGE_MAX_FIELD_KB", "x"),
                      ("PILOTAGE_MAX_XLSX_MB", "nan"), ("PILOTAGE_MAX_XLSX_MB", "-1"), ("PILOTAGE_MAX_UPLOAD_MB", "0")):
        with pytest.raises(SettingsError, match=f"^{name} must be a number above 0, not '{bad}'$"):
            load_settings({name: bad})


def test_hfl006_a_value_too_long_is_refused_naming_its_line_in_load_inspect_and_the_page(tmp_path, page):
    settings, client = page
    # 200 KB in one value: past the csv module's own limit (128 KB), which gave a traceback
    long = b"a,b\n1,2\n3," + b"x" * 200_000 + b"\n"
    message = "long.csv, line 3: a value longer than the 64 KB a value may hold (PILOTAGE_MAX_FIELD_KB)"
    with pytest.raises(ReadError) as refused:
        read_sheet("long.csv", data=long)
    assert str(refused.value) == message
    # read record by record (a blank line, a value over several lines): the line it starts on
    one_kb = Limits(field_kb=1)
    tricky = b'a,b\n1,x\n\n2,"' + b"y\n" * 600 + b'"\n'       # 1,200 characters from line 4
    with pytest.raises(ReadError, match=r"^tricky.csv, line 4: a value longer than the 1 KB a value may hold"):
        read_sheet("tricky.csv", data=tricky, limits=one_kb)
    with pytest.raises(ReadError, match=r"^named.csv, line 1: a value longer than the 1 KB"):
        read_sheet("named.csv", data=b"a," + b"n" * 1100 + b"\n1,2\n", limits=one_kb)
    # the command line: the refusal, no traceback
    path = tmp_path / "long.csv"
    path.write_bytes(long)
    out = run_cli("inspect", str(path), tmp_path=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert f"error:     {message}" in out.stdout
    # the page: the upload is taken (no 500), its preview says why it cannot be loaded
    upload = next(cb for cb in dependencies(client) if "import-files.data" in cb["output"])
    response = forged(client, upload, lambda c, prop: {"contents": [data_url(long)], "filename": ["long.csv"]}[prop])
    assert response.status_code == 200
    [entry] = json.loads(response.get_data(as_text=True))["response"]["import-files"]["data"]
    assert (entry["name"], entry["size"], entry["profile"]) == ("long.csv", len(long), "canonical")
    [shown] = previews(client, [entry], ["canonical"])
    assert shown == ["contacts: 0 rows ready, 0 left out by the profile, 0 rejected", message]


def test_hfl007_a_workbook_expanding_past_its_bound_is_refused_before_it_is_parsed(tmp_path, monkeypatch, make_db):
    book = openpyxl.Workbook()
    book.active.append(["contact_id", "arrived_at", "channel", "outcome"])
    book.save(tmp_path / "plain.xlsx")
    path = tmp_path / "big.xlsx"
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as plain, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as big:
        for part in plain.infolist():
            big.writestr(part, plain.read(part.filename))
        big.writestr("xl/media/padding.bin", b"\0" * 3 * 1024 * 1024)   # 3 MB once unzipped, 3 KB zipped
    assert path.stat().st_size < 100_000
    import data.reading as reading
    monkeypatch.setattr(reading.pd, "read_excel", lambda *a, **k: pytest.fail("the workbook was parsed"))
    message = "big.xlsx: the workbook expands to 3.0 MB, more than the 2 MB a workbook may (PILOTAGE_MAX_XLSX_MB)"
    with pytest.raises(ReadError) as refused:
        read_sheet(path, limits=Limits(xlsx_mb=2))
    assert str(refused.value) == message
    with pytest.raises(LoadError) as refused:
        load(make_db(), {"contacts": path}, key=KEY, limits=Limits(xlsx_mb=2))
    assert str(refused.value) == message


def test_hfl008_the_import_page_reads_only_the_start_of_a_large_file(page):
    settings, client = page
    rows = "".join(f"{i:08d},2025-03-01 10:00:00,phone,answered\n" for i in range(15_000))   # 44 bytes a line
    data = (HEADER + "\n" + rows).encode()
    assert len(data) == 38 + 15_000 * 44 > im.PREVIEW_BYTES == 512 * 1024
    entry = staged_entry(settings, data, "big.csv")
    [texts_shown] = previews(client, [entry], ["canonical"])
    # the first 524,288 bytes, cut after the last whole line: (524,288 - 38) // 44 = 11,914 rows
    assert "contacts: 11,914 rows ready, 0 left out by the profile, 0 rejected" in texts_shown
    assert texts_shown[0] == ("A preview of the start of the file (its first 512 KB, or a workbook's first 2,000 "
                              "rows): the load reads all of it.")
    # the load, in the background, reads it all
    staged = im.staged_from(entry)
    job = im.start_load(settings, database.engine(settings.db), [(staged, "canonical", "contacts")], "s", Actor("t"))
    JOBS.wait()
    assert job.state == "done" and job.result[0].accepted == 15_000


# ---------------------------------------------------------------- class 4: formulas

def formula_book(path: Path, formulas: list[str]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Feuil1"
    sheet.append(["contact_id", "arrived_at", "channel", "outcome", "wait_s"])
    for i, formula in enumerate(formulas):
        sheet.append([f"c{i}", "2025-03-03 09:00:00", "phone", "answered", formula])
    book.save(path)
    return path


def with_saved_values(path: Path, saved: dict[str, tuple[str, str]]) -> Path:
    """The workbook with these cells' formulas saved with a value (cell -> its type attribute
    and value XML), as a spreadsheet saves them: openpyxl writes a formula with an empty
    value and no type, a formula never computed."""
    out = path.with_name("saved-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for part in src.infolist():
            data = src.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                for cell, (kind, value) in saved.items():
                    start = data.index(f'<c r="{cell}">'.encode())
                    end = data.index(b"</c>", start)
                    made = data[start:end].replace(b"<v></v>", value.encode())
                    data = data[:start] + made.replace(b">", f"{kind}>".encode(), 1) + data[end:]
            dst.writestr(part, data)
    return out


def test_hfl009_formulas_are_read_as_their_saved_values_and_refuse_the_workbook_without_one(tmp_path, make_db):
    book = formula_book(tmp_path / "book.xlsx", ["=1+2", "=10+2"])
    message = ("book.xlsx: sheet 'Feuil1' cells E2, E3 hold formulas without a saved value; open and save the file "
               "in Excel, or export it as CSV")
    with pytest.raises(ReadError) as refused:
        read_sheet(book)
    assert str(refused.value) == message
    eng = make_db()
    with pytest.raises(LoadError) as refused:
        load(eng, {"contacts": book}, key=KEY)
    assert str(refused.value) == message
    with eng.connect() as conn:
        assert database.scalar(conn, "SELECT count(*) FROM contacts") == 0
    # one cell, and many: named, ten at most
    one = with_saved_values(book, {"E3": ("", "<v>12</v>")})
    with pytest.raises(ReadError, match=r"^saved-book.xlsx: sheet 'Feuil1' cell E2 holds a formula without a saved"):
        read_sheet(one)
    many = formula_book(tmp_path / "many.xlsx", [f"={i}+1" for i in range(12)])
    with pytest.raises(ReadError, match=r"cells E2, E3, E4, E5, E6, E7, E8, E9, E10, E11 and 2 more hold formulas"):
        read_sheet(many)
    # saved by a spreadsheet: the values it saved, an empty text being one
    saved = with_saved_values(book, {"E2": ("", "<v>3</v>"), "E3": ("", "<v>12</v>")})
    assert read_sheet(saved).cells["wait_s"].tolist() == ["3", "12"]
    load(eng, {"contacts": saved}, key=KEY)
    with eng.connect() as conn:
        assert database.frame(conn, "SELECT wait_s FROM contacts ORDER BY contact_id")["wait_s"].tolist() == [3, 12]
    text = with_saved_values(formula_book(tmp_path / "text.xlsx", ['=""']), {"E2": (' t="str"', "<v></v>")})
    assert read_sheet(text).cells["wait_s"].tolist() == [""]


def test_hfl013_a_large_sheet_that_does_not_declare_its_size_is_not_previewed(tmp_path, monkeypatch):
    """Without its <dimension>, reading a sheet's first rows means reading all of it: the
    page's preview (a bounded head) refuses it, saying what to do; the load reads it."""
    import data.reading
    book = formula_book(tmp_path / "sized.xlsx", [])
    unsized = tmp_path / "unsized.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(unsized, "w", zipfile.ZIP_DEFLATED) as dst:
        for part in src.infolist():
            xml = src.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                assert b"<dimension " in xml
                xml = xml[:xml.index(b"<dimension ")] + xml[xml.index(b"/>", xml.index(b"<dimension ")) + 2:]
            dst.writestr(part, xml)
    monkeypatch.setattr(data.reading, "UNSIZED_PREVIEW_MB", 0)      # any sheet is "large"
    head = Limits(rows=10)
    with pytest.raises(ReadError, match=r"^unsized.xlsx: sheet 'Feuil1' is large and does not declare its size, "
                                        r"so it is not read here; open and save the file in Excel"):
        read_sheet(unsized, limits=head)
    assert read_sheet(unsized).headers == read_sheet(book, limits=head).headers == [
        "contact_id", "arrived_at", "channel", "outcome", "wait_s"]


# ---------------------------------------------------------------- class 7: staged uploads

def test_hfl010_staged_uploads_are_private_and_deleted_when_their_load_ends(tmp_path):
    settings = replace(Settings(), db=tmp_path / "var" / "x.duckdb", key_file=tmp_path / "var" / "x.key")
    staged = im.stage(settings, data_url(CONTACTS_CSV), "c.csv")
    uploads = tmp_path / "var" / "uploads"
    assert (mode(tmp_path / "var"), mode(uploads), mode(uploads / staged.token)) == (0o700, 0o700, 0o700)
    assert mode(staged.path(settings)) == 0o600
    eng = database.engine(settings.db)
    try:
        # loaded: deleted
        job = im.start_load(settings, eng, [(staged, "canonical", "contacts")], "s", Actor("t"))
        JOBS.wait()
        assert job.state == "done" and not (uploads / staged.token).exists()
        # refused (every row rejected): deleted too
        bad = im.stage(settings, data_url(f"{HEADER}\nc2,not a date,phone,answered\n".encode()), "bad.csv")
        job = im.start_load(settings, eng, [(bad, "canonical", "contacts")], "s", Actor("t"))
        JOBS.wait()
        assert job.state == "failed" and not (uploads / bad.token).exists()
        # abandoned: deleted past an hour, at the next upload (and when the page opens)
        old, recent = (im.stage(settings, data_url(CONTACTS_CSV), "c.csv") for _ in range(2))
        now = time.time()
        os.utime(uploads / old.token, (now - 3700, now - 3700))
        os.utime(uploads / recent.token, (now - 1800, now - 1800))
        im.stage(settings, data_url(CONTACTS_CSV), "next.csv")
        assert not (uploads / old.token).exists() and (uploads / recent.token).exists()
    finally:
        database.dispose(settings.db)


def test_hfl011_the_database_its_keys_and_their_folders_are_private(tmp_path):
    before = mode(tmp_path)
    path = tmp_path / "new" / "var" / "x.duckdb"
    database.engine(path)
    try:
        assert (mode(tmp_path / "new"), mode(tmp_path / "new" / "var"), mode(path)) == (0o700, 0o700, 0o600)
    finally:
        database.dispose(path)
    assert mode(tmp_path) == before      # a folder that was there is left as it was
    load_key(tmp_path / "keys" / "x.key")
    assert (mode(tmp_path / "keys"), mode(tmp_path / "keys" / "x.key")) == (0o700, 0o600)
    from access.gate import secret_key
    secret_key(tmp_path / "secrets" / "x.secret")
    assert (mode(tmp_path / "secrets"), mode(tmp_path / "secrets" / "x.secret")) == (0o700, 0o600)


# ---------------------------------------------------------------- class 8: DuckDB's connections

def test_hfl012_the_connections_cannot_reach_files_extensions_or_their_settings(make_db, tmp_path):
    eng = make_db(contacts=[dict(contact_id="c1", arrived_at="2025-03-03 09:00:00", channel="phone",
                                 outcome="answered")])
    copy = tmp_path / "out.csv"
    for statement, refusal in (("SELECT * FROM read_csv('/etc/passwd')", "disabled by configuration"),
                               ("SELECT * FROM glob('/etc/*')", "disabled by configuration"),
                               (f"COPY contacts TO '{copy}'", "disabled by configuration"),
                               (f"ATTACH '{tmp_path / 'other.duckdb'}'", "disabled by configuration"),
                               ("SET enable_external_access = true", "configuration has been locked"),
                               ("SET autoload_known_extensions = true", "configuration has been locked"),
                               ("INSTALL httpfs", "disabled by configuration"),
                               ("LOAD httpfs", "disabled through configuration")):
        with eng.connect() as conn, pytest.raises(sa.exc.DBAPIError, match=refusal):
            database.frame(conn, statement)
    assert not copy.exists() and not (tmp_path / "other.duckdb").exists()
    # the loader still loads (it reads the files itself and hands DuckDB the rows)
    more = write_csv(tmp_path / "more.csv", [dict(contact_id="c2", arrived_at="2025-03-04 09:00:00", channel="chat",
                                                  outcome="answered")])
    [report] = load(eng, {"contacts": more}, source="test", key=KEY)
    assert (report.status, report.accepted) == ("loaded", 1)
    with eng.connect() as conn:
        assert database.scalar(conn, "SELECT count(*) FROM contacts") == 2
