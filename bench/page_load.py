"""How long each page takes to show, in a real headless Chromium.

    .venv/bin/python -m bench.page_load --db var/bench-1m.duckdb [--contacts 1000000] [--runs 7]

Builds the demo database first when the file does not exist. Serves the app on a free local
port, then loads each page ``--runs`` times (a fresh navigation each time) and reports the
median and the slowest time from the start of navigation until the page's content is shown
(the element that the page fills last is present and not loading).
"""
from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time
from dataclasses import replace
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

# page -> (path and query, CSS selector of the content that shows it is ready)
PAGES = {
    "overview": ("/", "#value-nps"),
    "explore": ("/explore", "#explore-grid .ag-row"),
    "explore (agents)": ("/explore?path=channel:phone|queue:{queue}", "#explore-grid .ag-row"),
    "explore (contacts)": ("/explore?path=channel:phone|queue:{queue}|agent:{agent}",
                           "#explore-contact-grid .ag-row"),
    "focus": ("/focus?kpi=service_level", "#focus-value"),
    "daily service": ("/service", "#service-intervals .ag-row"),
    "campaigns": ("/campaigns", "#campaigns-grid .ag-row"),
    "committee": ("/committee", "#committee-history .main-svg"),
    "definitions": ("/definitions", "#def-service_level"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser() -> webdriver.Chrome:
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic", "--window-size=1500,1200"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options)


def ensure_demo(db: Path, contacts: int) -> None:
    if db.exists():
        return
    from data import db as database
    from data.customers import load_key
    from data.demo import build
    started = time.perf_counter()
    build(database.engine(db), contacts, 1, load_key(db.with_suffix(".key")))
    database.dispose(db)
    print(f"built demo of {contacts:,} contacts in {time.perf_counter() - started:.0f} s")


def sample_members(db: Path) -> dict:
    """A busy queue and one of its agents, for the contact-list page."""
    from data import db as database
    with database.engine(db).connect() as conn:
        row = database.frame(conn, "SELECT queue, agent_id FROM contacts WHERE channel = 'phone' "
                                   "AND queue IS NOT NULL AND agent_id IS NOT NULL "
                                   "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").iloc[0]
    return {"queue": row["queue"], "agent": row["agent_id"]}


def serve(db: Path, port: int) -> None:
    from waitress import serve as waitress_serve

    from app import create_app
    from settings import load_settings
    from data import db as database
    from metrics import rollups
    settings = replace(load_settings(), db=db.resolve())
    app = create_app(settings)
    rollups.ensure(database.engine(settings.db), settings.kpi)   # as the dashboard does when it starts
    threading.Thread(target=waitress_serve, args=(app.server,),
                     kwargs=dict(host="127.0.0.1", port=port, threads=8, _quiet=True),
                     daemon=True).start()


def time_page(driver, url: str, ready: str, timeout: float = 60) -> float:
    started = time.perf_counter()
    driver.get(url)
    WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, ready)))
    WebDriverWait(driver, timeout).until(lambda d: not d.find_elements(
        By.CSS_SELECTOR, "[data-dash-is-loading='true']"))
    return time.perf_counter() - started


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, default=Path("var/bench-1m.duckdb"))
    p.add_argument("--contacts", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--pages", nargs="*", default=list(PAGES))
    args = p.parse_args(argv)
    ensure_demo(args.db, args.contacts)
    members = sample_members(args.db)
    port = free_port()
    serve(args.db, port)
    driver = browser()
    try:
        time_page(driver, f"http://127.0.0.1:{port}/definitions", "#def-service_level")  # warm up
        print(f"{'page':<22}{'median s':>10}{'slowest s':>11}   ({args.runs} loads, {args.db})")
        for name in args.pages:
            path, ready = PAGES[name]
            url = f"http://127.0.0.1:{port}{path.format(**members)}"
            times = [time_page(driver, url, ready) for _ in range(args.runs)]
            print(f"{name:<22}{statistics.median(times):>10.2f}{max(times):>11.2f}")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
