"""Shared fixtures: small databases built from hand-written rows through the real loader."""
from __future__ import annotations

import csv
import os
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from data import db as database
from data.loader import load

KEY = b"k" * 64
# the tests of English texts read English (the product's default is French: the tests of
# French texts ask for it, with ``i18n.using`` or ``lang="fr"``); the command lines they run too
os.environ.setdefault("PILOTAGE_LANG", "en")


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    """Write rows as a canonical CSV; columns default to the union of the rows' keys."""
    if columns is None:
        columns = list(dict.fromkeys(k for row in rows for k in row))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    return path


ENGINES = ("duckdb", pytest.param("spark", marks=pytest.mark.spark))


def pytest_generate_tests(metafunc):
    """The tests of a module marked ``engines`` run once per engine: their ``make_db``
    databases read on the embedded DuckDB, then on Spark SQL (the pages in the browser on
    DuckDB only: a page waits seconds for a Spark server on a laptop)."""
    names = metafunc.fixturenames
    if metafunc.definition.get_closest_marker("engines") and "make_db" in names and "dash_duo" not in names:
        metafunc.parametrize("engine_kind", ENGINES, indirect=True)


@pytest.fixture
def engine_kind(request):
    return getattr(request, "param", "duckdb")


@pytest.fixture(scope="session")
def spark_url():
    """A Spark SQL Thrift server on this machine (``make spark-start`` leaves one running;
    otherwise the tests start one and stop it at the end)."""
    from warehouse import spark_local
    running = spark_local.running()
    url = spark_local.start()
    yield url
    if not running:
        spark_local.stop()


@pytest.fixture
def make_db(tmp_path, request, engine_kind):
    """``make_db(contacts=[...], surveys=[...], agents=[...], campaigns=[...], source="s")``
    loads the rows through the canonical loader into a new database and returns its engine;
    on Spark (``engine_kind``), its KPIs are then read on a Spark SQL server fed from it (its
    tables in a database of the test's own)."""
    import warehouse
    engines = []
    spark = request.getfixturevalue("spark_url").rsplit("/", 1)[0] if engine_kind == "spark" else None

    def _make(source: str = "test", **tables: list[dict]):
        path = tmp_path / f"db{len(engines)}.duckdb"
        eng = database.engine(path)
        engines.append((path, eng))
        files = {name: write_csv(tmp_path / f"{name}{len(engines)}.csv", rows)
                 for name, rows in tables.items() if rows}
        if files:
            load(eng, files, source=source, key=KEY)
        if spark:
            warehouse.attach(eng, f"{spark}/t{uuid.uuid4().hex[:12]}", tmp_path / f"lake{len(engines)}")
        return eng

    yield _make
    for path, eng in engines:
        warehouse.detach(eng, drop=True)
        database.dispose(path)


def pytest_setup_options():
    """Chrome options for Dash's browser tests: Debian's Chromium, quiet on a closed network."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--window-size=1400,1000"):
        options.add_argument(flag)
    return options


@pytest.fixture
def app_for():
    """``app_for(engine, **settings)``: the app, reading the database of a ``make_db`` engine,
    with these settings changed."""
    from dataclasses import replace

    from app import create_app
    from settings import Settings

    def _app(eng, **changes):
        return create_app(replace(Settings(), db=Path(eng.url.database), **{"lang": "en", **changes}))
    return _app


def click(dash_duo, selector: str) -> None:
    """Click an element wherever it is on the page (a real DOM click; Selenium's own click
    misses elements below the fold of a page whose height is still settling)."""
    element = dash_duo.wait_for_element(selector)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


def text_of(dash_duo, selector: str) -> str | None:
    """An element's text as written (no-break spaces kept)."""
    return dash_duo.driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", selector)


def until(check, timeout: float = 15) -> None:
    """Wait for a check to hold (a page that updates itself)."""
    end = time.time() + timeout
    while not check():
        assert time.time() < end, "timed out"
        time.sleep(0.1)


def open_in(dash_duo, lang: str, path: str) -> None:
    """Open a page in a language (the switch's own address)."""
    dash_duo.wait_for_page(dash_duo.server_url + f"/lang?to={lang}&next=" + quote(path, safe="/"))
