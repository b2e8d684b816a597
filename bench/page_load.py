"""How long a person waits for each page's content, in a real headless Chromium.

    .venv/bin/python -m bench.page_load [--size 10000000] [--runs 5] [--out bench/page_load.md]

On the demo database of ``bench.callbacks`` (built when missing), the app is served in this
process. Each page is reached as a person reaches it within a session, by a link (the
dashboard's own navigation, without reloading the page), from the "page not found" page:
``runs`` times uncached (the server's result cache emptied before each), then ``runs`` times
again as it is (a repeated view); the "page not found" page itself is timed the same way, as
the yardstick. The first page of a session is timed as a full load in a new browser each time
(no HTTP cache: every bundle is fetched), and so is a full reload of each page in the same
browser.

The time is taken in the page itself, from the click to the frame painted after the content
is there: every element the page's data fill is present (a graph drawn with its traces, a
grid with its rows) and no callback is loading. Beside it: the callback requests the page
needed, the server's share (the sum of their times to first byte), the time the browser still
spent after the last response, its long tasks, and the bytes of the responses.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

from bench.callbacks import ROOT, afresh, db_for, ensure_demo

# page -> (path and query, what must be shown): "css:<selector>" present, "grid:<id>" with
# rows, "graph:<id>" drawn with at least one trace
PAGES = {
    "overview": ("/", ["css:#value-nps", "graph:overview-trend-delivered", "graph:overview-comparison"]),
    "overview, 13 months": ("/?from={y0}&to={last}", ["css:#value-nps", "graph:overview-trend-delivered"]),
    "explore": ("/explore", ["grid:explore-grid"]),
    "explore, agents of a queue": ("/explore?path=channel:phone|queue:{queue}", ["grid:explore-grid"]),
    "explore, an agent's contacts": ("/explore?path=channel:phone|queue:{queue}|agent:{agent}",
                                     ["grid:explore-contact-grid"]),
    "focus": ("/focus?kpi=service_level", ["css:#focus-value", "graph:focus-trend"]),
    "daily service": ("/service", ["grid:service-intervals", "graph:service-queues"]),
    "campaigns": ("/campaigns", ["grid:campaigns-grid", "graph:campaigns-progress"]),
    "committee": ("/committee", ["css:#committee-history .main-svg"]),
    "comments": ("/comments", ["grid:comments-list", "graph:comments-trend"]),
    "assessments": ("/alignment", ["grid:alignment-agents"]),
    "needs": ("/needs", ["grid:needs-matrix", "graph:needs-pareto"]),
    "staffing": ("/staffing", ["grid:staffing-intervals"]),
    "sponsors": ("/sponsors", ["css:#sponsors-sponsor"]),
    "definitions": ("/definitions", ["css:#def-service_level"]),
}
EMPTY = ("/404", ["css:#not-found"])

# run in every document before anything else (DevTools injects it, whatever the page's CSP):
# the long tasks' total, and ``__benchStart(conds)``, which notes the time and then the time of
# the frame after the content is shown
_PROBE = """
(() => {
  window.__benchLong = 0;
  try { new PerformanceObserver(l => l.getEntries().forEach(e => window.__benchLong += e.duration))
          .observe({type: 'longtask', buffered: true}); } catch (e) {}
  const shown = c => {
    const i = c.indexOf(':'), kind = c.slice(0, i), what = c.slice(i + 1);
    if (kind === 'css') return !!document.querySelector(what);
    if (kind === 'grid') return !!document.querySelector('#' + what + ' .ag-row');
    const gd = document.querySelector('#' + what + ' .js-plotly-plot');
    return !!(gd && gd.data && gd.data.length && gd.querySelector('.main-svg .trace, .main-svg .hm'));
  };
  window.__benchStart = (conds, start) => {
    const bench = window.__bench = {start: start === undefined ? performance.now() : start,
                                    long: window.__benchLong, ready: null};
    let seen = false;
    const check = () => {
      if (seen || !conds.every(shown) || document.querySelector("[data-dash-is-loading='true']")) return;
      seen = true;
      observer.disconnect();
      requestAnimationFrame(() => requestAnimationFrame(() => {
        bench.ready = performance.now();
        bench.long = window.__benchLong - bench.long;
      }));
    };
    const observer = new MutationObserver(check);
    observer.observe(document, {childList: true, subtree: true, attributes: true});
    check();
  };
})();
"""
# a full load: timed from the start of navigation
_ON_LOAD = "window.__benchStart(%s, 0);"
# a link followed within the page, as the dashboard's own links do it
_FOLLOW = """
window.__benchStart(arguments[0]);
window.history.pushState({}, '', arguments[1]);
window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
"""
_REQUESTS = """
const b = window.__bench;
return performance.getEntriesByType('resource')
  .filter(e => (e.name.includes('/_dash-update-component') || e.name.includes('/_dash-layout'))
               && e.startTime >= b.start && e.responseEnd <= b.ready)
  .map(e => ({start: e.requestStart, first: e.responseStart, end: e.responseEnd, bytes: e.encodedBodySize}));
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic", "--window-size=1280,1000"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options)


def sample_members(db) -> dict:
    """A busy queue and one of its agents, and the 13 months up to the latest day."""
    from metrics import periods
    from metrics.query import Scope, data_extent
    from data import db as database
    with db.connect() as conn:
        row = database.frame(conn, "SELECT queue, agent_id FROM contacts WHERE channel = 'phone' "
                                   "AND queue IS NOT NULL AND agent_id IS NOT NULL "
                                   "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").iloc[0]
    _first, last = data_extent(db, Scope(date.min, date.max))
    return {"queue": row["queue"], "agent": row["agent_id"], "last": last.isoformat(),
            "y0": periods.add_months(last, -12).isoformat()}


def serve(path: Path, port: int) -> None:
    from waitress import serve as waitress_serve
    from app import create_app
    from data import db as database
    from metrics import rollups
    from settings import load_settings
    settings = replace(load_settings(), db=path.resolve())
    app = create_app(settings)
    rollups.ensure(database.engine(settings.db), settings.kpi)   # as the dashboard does when it starts
    threading.Thread(target=waitress_serve, args=(app.server,),
                     kwargs=dict(host="127.0.0.1", port=port, threads=8, _quiet=True), daemon=True).start()


def _result(driver, timeout: float) -> dict:
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, timeout, poll_frequency=0.02).until(
        lambda d: d.execute_script("return window.__bench && window.__bench.ready"))
    bench = driver.execute_script("return window.__bench")
    requests = driver.execute_script(_REQUESTS)
    return {"ms": bench["ready"] - bench["start"], "long": bench["long"], "requests": len(requests),
            "server": sum(r["first"] - r["start"] for r in requests),
            "after": bench["ready"] - max((r["end"] for r in requests), default=bench["start"]),
            "kb": sum(r["bytes"] for r in requests) / 1024}


def full_load(driver, url: str, conds: list[str], timeout: float = 60) -> dict:
    """A page loaded anew (scripts and all): the time from the start of navigation."""
    script = _PROBE + _ON_LOAD % json.dumps(conds)
    probe = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": script})
    try:
        driver.get(url)
        return _result(driver, timeout)
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": probe["identifier"]})


def follow(driver, path: str, conds: list[str], timeout: float = 60) -> dict:
    """A link followed from the current page, without reloading it."""
    driver.execute_script(_FOLLOW, conds, path)
    return _result(driver, timeout)


def timed(driver, path: str, conds: list[str], runs: int, uncached: bool, start: tuple = EMPTY) -> dict:
    """The page reached ``runs`` times from the ``start`` page (the empty one)."""
    loads = []
    for _ in range(runs):
        follow(driver, start[0], start[1])
        if uncached:
            afresh()
        loads.append(follow(driver, path, conds))
    return summary(loads)


def summary(loads: list[dict]) -> dict:
    times = sorted(x["ms"] for x in loads)
    mid = lambda key: statistics.median(x[key] for x in loads)  # noqa: E731
    return {"median": statistics.median(times), "p95": _p95(times), "requests": mid("requests"),
            "server": mid("server"), "after": mid("after"), "long": mid("long"), "kb": mid("kb")}


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def first_page(base: str, runs: int) -> dict:
    """The overview as the first page of a session: a new browser each time."""
    loads = []
    for _ in range(runs):
        afresh()
        driver = browser()
        try:
            loads.append(full_load(driver, base + "/", PAGES["overview"][1]))
        finally:
            driver.quit()
    return summary(loads)


def measure(size: int, runs: int, pages: list[str]) -> dict:
    from data import db as database
    ensure_demo(size)
    path = db_for(size)
    members = sample_members(database.engine(path))
    port = free_port()
    serve(path, port)
    base = f"http://127.0.0.1:{port}"
    driver = browser()
    out = {"pages": {}}
    try:
        full_load(driver, base + EMPTY[0], EMPTY[1])       # the session's first page: every bundle loaded
        follow(driver, "/definitions", PAGES["definitions"][1])     # a warm-up
        out["empty"] = timed(driver, EMPTY[0], EMPTY[1], runs, uncached=True, start=("/definitions", PAGES["definitions"][1]))
        for name in pages:
            path_q, conds = PAGES[name]
            target = path_q.format(**members)
            out["pages"][name] = {"uncached": timed(driver, target, conds, runs, uncached=True),
                                  "repeated": timed(driver, target, conds, runs, uncached=False)}
            afresh()
            out["pages"][name]["reload"] = full_load(driver, base + target, conds)
            print(name, out["pages"][name], flush=True)
    finally:
        driver.quit()
    out["first"] = first_page(base, runs)
    return out


def report(size: int, runs: int, result: dict) -> str:
    empty, first = result["empty"], result["first"]
    lines = [f"# Page load in the browser at {size:,} contacts", "",
             f"Machine: {os.cpu_count()} cores, shared; Python {platform.python_version()}, headless Chromium at"
             f" 1280 px. Command: `.venv/bin/python -m bench.page_load --size {size} --runs {runs}`.", "",
             "Each page reached by a link within the session (from the \"page not found\" page), in ms from the"
             " click to the frame painted with the page's content: median and 95th percentile of"
             f" {runs}. Uncached: the server's result cache emptied before each; repeated: the same view again."
             " Ratio: the uncached median over the empty page's, in the same run. Requests: the layout and"
             " callback requests before the content; server: the sum of their times to first byte; after: the"
             " browser's time after the last response; long: its long tasks; reload: the page loaded anew"
             " (scripts and all) in the same browser, uncached.", "",
             f"Empty page (page not found, from the definitions): median {empty['median']:.0f} ms, p95 {empty['p95']:.0f} ms."
             f" First page of a session (the overview in a new browser, every bundle fetched): median"
             f" {first['median']:.0f} ms, p95 {first['p95']:.0f} ms (server {first['server']:.0f} ms, long tasks"
             f" {first['long']:.0f} ms).", "",
             "| page | uncached median | p95 | repeated median | p95 | ratio | requests | server | after | long | KB"
             " | reload |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in result["pages"].items():
        u, rep = r["uncached"], r["repeated"]
        lines.append(f"| {name} | {u['median']:.0f} | {u['p95']:.0f} | {rep['median']:.0f} | {rep['p95']:.0f} |"
                     f" {u['median'] / empty['median']:.1f} | {u['requests']:.0f} | {u['server']:.0f} |"
                     f" {u['after']:.0f} | {u['long']:.0f} | {u['kb']:.0f} | {r['reload']['ms']:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=10_000_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--pages", nargs="*", default=list(PAGES), choices=list(PAGES))
    p.add_argument("--out", default=str(ROOT / "bench" / "page_load.md"))
    args = p.parse_args(argv)
    os.environ.setdefault("PILOTAGE_LANG", "fr")
    text = report(args.size, args.runs, measure(args.size, args.runs, args.pages))
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
