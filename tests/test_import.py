"""The import page: uploads kept safely on the server, previews through the guessed profile,
a background load with its result, rejected rows and the load history."""
from __future__ import annotations

import base64
import os
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from components import imports as im
from data import db as database
from data.jobs import Jobs
from settings import Settings
from tests.conftest import click

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def data_url(data: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(data).decode()


def test_imp001_uploads_are_kept_under_a_token_with_a_clean_name(tmp_path):
    settings = replace(Settings(), db=tmp_path / "x.duckdb", max_upload_mb=0.001)   # about 1 KB
    staged = im.stage(settings, data_url(b"a,b\n1,2\n"), "../../etc/passwd")
    assert staged.name == "passwd" and staged.path(settings).read_bytes() == b"a,b\n1,2\n"
    assert staged.path(settings).parent.parent == tmp_path / "uploads"
    assert im.staged_from({"token": staged.token, "name": staged.name}) == replace(staged, size=0)
    with pytest.raises(im.UploadError, match="unknown upload"):
        im.staged_from({"token": "../../x", "name": "passwd"})
    with pytest.raises(im.UploadError, match="unknown upload"):
        im.staged_from({"token": staged.token, "name": "../passwd"})
    with pytest.raises(im.UploadError, match="over the 0.001 MB limit"):
        im.stage(settings, data_url(b"x" * 2000), "big.csv")
    assert im.clean_name("C:\\exports\\appels mars.csv") == "appels mars.csv"
    # uploads older than a day are forgotten at the next upload
    old = staged.path(settings).parent
    os.utime(old, (0, 0))
    im.stage(settings, data_url(b"a,b\n"), "next.csv")
    assert not old.exists()


def test_imp002_the_server_refuses_a_request_over_the_limit(tmp_path, make_db, app_for):
    app = app_for(make_db(), max_upload_mb=0.01)
    limit = app.server.config["MAX_CONTENT_LENGTH"]
    client = app.server.test_client()
    response = client.post("/_dash-update-component", data=b"x" * (limit + 1),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_imp003_a_job_reports_progress_then_its_result_or_its_error():
    jobs, gate = Jobs(), threading.Event()

    def work(step):
        step("reading")
        gate.wait(5)
        return "ok"
    job = jobs.start(work, total=2)
    while job.done < 1:
        pass
    assert job.state == "running" and job.progress == 0.5 and job.step == "reading"
    gate.set()
    failing = jobs.start(lambda step: 1 / 0, total=1)   # queued behind the first: one load at a time
    jobs.wait()
    assert (job.state, job.result, job.progress) == ("done", "ok", 1.0)
    assert failing.state == "failed" and isinstance(failing.error, ZeroDivisionError)
    assert jobs.get(job.id) is job and jobs.get("nope") is None


def upload(dash_duo, *paths):
    field = dash_duo.find_element("#import-upload input[type=file]")
    dash_duo.driver.execute_script("arguments[0].value = '';", field)   # a new choice, not added to the last
    field.send_keys("\n".join(str(p) for p in paths))


def test_imp004_upload_preview_load_and_history_in_the_browser(dash_duo, make_db, app_for, tmp_path):
    eng = make_db()
    dash_duo.start_server(app_for(eng))
    dash_duo.wait_for_page(dash_duo.server_url + "/import")
    upload(dash_duo, SAMPLES / "fr_acd_export.csv", SAMPLES / "survey_export.csv")
    dash_duo.wait_for_contains_text("#import-file-list", "contacts: 10 rows ready, 1 left out by the profile, 0 rejected")
    dash_duo.wait_for_contains_text("#import-file-list", "surveys: 5 rows ready")
    assert "Read as cp1252, separator ';'" in dash_duo.find_element("#import-file-list").text
    click(dash_duo, "#import-load")
    dash_duo.wait_for_text_to_equal("#import-outcome", "Loaded.")
    dash_duo.wait_for_contains_text("#import-history-table", "fr-acd-export")
    with eng.connect() as conn:
        assert database.scalar(conn, "SELECT count(*) FROM contacts") == 10
        assert database.scalar(conn, "SELECT count(*) FROM surveys WHERE contact_source = 'acd'") == 5

    # a file with a bad value is refused (one row of ten is over the 5 % budget): nothing changes
    bad = tmp_path / "appels.csv"
    text = (SAMPLES / "fr_acd_export.csv").read_bytes().decode("cp1252")
    bad.write_bytes(text.replace("4,5;0:04:35", "vite;0:04:35").replace("A-10", "B-10").encode("cp1252"))
    upload(dash_duo, bad)
    dash_duo.wait_for_contains_text("#import-file-list", "line 2: wait_s 'vite' is not a number")
    click(dash_duo, "#import-load")
    dash_duo.wait_for_contains_text("#import-outcome", "Refused: nothing was changed")
    dash_duo.wait_for_element("#import-rejects")
    with eng.connect() as conn:
        assert database.scalar(conn, "SELECT count(*) FROM contacts") == 10
    assert dash_duo.get_logs() == []
