"""Server time of every page's main callbacks on demo databases, against DuckDB's own floor.

    .venv/bin/python -m bench.callbacks [--sizes 1000000 10000000] [--runs 24] [--out bench/results.md]

For each size it builds (or reuses) ``var/bench-<size>.duckdb`` and reports, in one run:
the demo's generation time and the generating process's peak memory; the load throughput of
a canonical CSV extract of 1 million rows (rows per second); for each main callback, called
as Dash calls it, ``--runs`` times through 24 varied URL states (six periods from a day to
13 months, with no filter and three; the explore page's contact list is one agent's, with
varied sorts and pages), the median and 95th percentile server time and the largest response in bytes, beside
the floor: the plainest DuckDB query over the contacts table that computes the same numbers,
timed in the same run, and the ratio of the two; and the peak memory of the process serving
them. Each size runs in a process of its own, so its peak memory is its own. The roll-ups are
made ready first, as the dashboard does when it starts; each callback is called once untimed,
then every timed call computes afresh (the result cache is emptied before it). Times depend
on the machine: compare ratios within one run.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# what the floor query computes for each callback: the scan and grouping it needs
_MEASURES = ("count(*) FILTER (WHERE outcome IN ('answered', 'abandoned')) AS offered, "
             "count(*) FILTER (WHERE outcome IN ('answered', 'reached')) AS handled, "
             "count(*) FILTER (WHERE outcome = 'answered' AND wait_s <= 20) AS met, "
             "sum(coalesce(talk_s, 0) + coalesce(hold_s, 0) + coalesce(acw_s, 0)) AS handle_time")
FLOORS = {
    "overview": f"SELECT CAST(arrived_at AS DATE) AS d, {_MEASURES} FROM contacts "
                "WHERE arrived_at >= $start AND arrived_at < $end GROUP BY d",
    "explore": f"SELECT queue, {_MEASURES} FROM contacts WHERE arrived_at >= $start AND arrived_at < $end GROUP BY queue",
    "focus": f"SELECT CAST(arrived_at AS DATE) AS d, queue, {_MEASURES} FROM contacts "
             "WHERE arrived_at >= $start AND arrived_at < $end GROUP BY ALL",
    "service": f"SELECT time_bucket(INTERVAL 30 MINUTES, arrived_at) AS h, queue, {_MEASURES} FROM contacts "
               "WHERE arrived_at >= $day_start AND arrived_at < $end GROUP BY ALL",
    "campaigns": f"SELECT campaign, {_MEASURES} FROM contacts WHERE arrived_at >= $start AND arrived_at < $end "
                 "AND campaign IS NOT NULL GROUP BY campaign",
    "committee": f"SELECT date_trunc('month', arrived_at) AS m, {_MEASURES} FROM contacts "
                 "WHERE arrived_at >= $year_start AND arrived_at < $end AND client = $client GROUP BY m",
    "filter options": "SELECT DISTINCT channel, client, queue, campaign, agent_id FROM contacts "
                      "WHERE arrived_at >= $start AND arrived_at < $end",
    "contact list": "SELECT * FROM contacts WHERE arrived_at >= $start AND arrived_at < $end "
                    "AND agent_id = $agent ORDER BY arrived_at DESC LIMIT 50",
}
# the contact list's sorts and pages, taken in turn
CONTACT_PAGES = (("recent", "0"), ("longest_wait", "3"), ("longest_handle", "0"), ("oldest", "40"))


def db_for(size: int) -> Path:
    return ROOT / "var" / f"bench-{size}.duckdb"


def ensure_demo(size: int) -> dict:
    """Build the demo database of this size when missing (in a process of its own: its peak
    memory is not the server's); its generation time and the builder's peak memory."""
    path, meta = db_for(size), db_for(size).with_suffix(".json")
    if not (path.exists() and meta.exists()):
        from data import db as database
        from data.customers import load_key
        from data.demo import build
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        started = time.perf_counter()
        build(database.engine(path), size, 1, load_key(path.with_suffix(".key")))
        elapsed = time.perf_counter() - started
        database.dispose(path)
        meta.write_text(json.dumps({"generation_s": elapsed, "peak_mb": _peak_mb()}))
    return json.loads(meta.read_text())


def _peak_mb() -> float:
    """The largest memory this process, or one of its children (a demo's parts), took."""
    return max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024


def load_throughput(source_db: Path, rows: int = 1_000_000) -> dict:
    """Rows per second of a canonical contacts CSV loaded into a new database."""
    import duckdb
    from data import db as database
    from data.loader import load
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "contacts.csv"
        con = duckdb.connect(str(source_db), read_only=True)
        con.execute(f"""COPY (SELECT contact_id, strftime(arrived_at, '%Y-%m-%d %H:%M:%S') AS arrived_at, channel,
                                     direction, outcome, queue, campaign, client, site, agent_id,
                                     customer_key AS customer_id, reason, wait_s, talk_s, hold_s, acw_s,
                                     transferred, escalated, sale, revenue
                              FROM contacts LIMIT {int(rows)}) TO '{csv_path}' (HEADER, DELIMITER ',')""")
        con.close()
        target = Path(tmp) / "load.duckdb"
        started = time.perf_counter()
        [report] = load(database.engine(target), {"contacts": csv_path}, source="bench", key=b"k" * 32)
        elapsed = time.perf_counter() - started
        database.dispose(target)
    return {"rows": report.accepted, "seconds": elapsed, "rows_per_s": report.accepted / elapsed}


def queries(db: Path) -> list[dict]:
    """Varied URL states: six periods from a day to 13 months, each with no filter and three."""
    from data import db as database
    from metrics.query import Scope, data_extent, dimension_values
    eng = database.engine(db)
    first, last = data_extent(eng, Scope(date.min, date.max))
    found = dimension_values(eng, Scope(last - timedelta(days=30), last), ["queue", "client", "channel"])
    month_start = (last.replace(day=1) - timedelta(days=1)).replace(day=1)
    month_end = last.replace(day=1) - timedelta(days=1)
    periods = [(month_start, month_end), (last - timedelta(days=6), last),
               (max(first, last - timedelta(days=395)), last), (last, last),
               (last.replace(day=1), last), (last - timedelta(days=27), last)]
    out = []
    for start, end in periods:
        base = {"from": start.isoformat(), "to": end.isoformat()}
        out += [base, {**base, "channel": "phone"}, {**base, "client": found["client"][0]},
                {**base, "queue": found["queue"][len(found["queue"]) // 2]}]
    return out


def callbacks(agent: str) -> dict:
    """name -> function(query) returning what Dash would send (the contact list is one
    agent's contacts, through the explore page's drill-down)."""
    from components.view import filter_options, open_view
    from pages.campaigns import campaigns_content
    from pages.committee import committee_content
    from pages.explore import explore_view
    from pages.focus import focus_view
    from pages.overview import overview_content
    from pages.service import service_content
    pages = itertools.cycle(CONTACT_PAGES)
    return {
        "overview": overview_content,
        "explore": lambda q: explore_view({**q, "by": "queue"}),
        "focus": lambda q: focus_view({**q, "kpi": "service_level"}),
        "service": lambda q: service_content({k: v for k, v in q.items() if k not in ("from", "to")} | {"day": q["to"]}),
        "campaigns": campaigns_content,
        "committee": lambda q: committee_content({"client": q.get("client", ""), "month": q["from"][:7]}),
        "filter options": lambda q: filter_options(open_view(q)),
        "contact list": lambda q: explore_view({**q, "by": "agent", "path": f"agent:{agent}",
                                                  **dict(zip(("sort", "page"), next(pages)))}),
    }


def measure(size: int, runs: int, engine_url: str | None = None) -> dict:
    """Everything for one size (run in a process of its own); with ``engine_url``, the KPIs
    read on that engine, fed from the demo database (the time to publish it counted apart)."""
    from access.viewer import LOCAL, acting_as
    from app import create_app
    from data import db as database
    from metrics import rollups
    from metrics.query import Scope, dimension_values
    from settings import Settings
    generation = ensure_demo(size)
    db = db_for(size)
    settings = replace(Settings(), db=db, key_file=db.with_suffix(".key"))
    create_app(settings)
    rollups.ensure(database.engine(db), settings.kpi)   # as the dashboard does when it starts
    published = None
    if engine_url:
        import warehouse
        started = time.perf_counter()
        warehouse.attach(database.engine(db), engine_url, ROOT / "var" / f"lake-{size}")
        published = time.perf_counter() - started
    states = queries(db)
    found = dimension_values(database.engine(db), Scope(date(2000, 1, 1), date(2100, 1, 1)), ["client", "agent"])
    first_client, agent = found["client"][0], found["agent"][len(found["agent"]) // 2][0]
    with acting_as(LOCAL):      # the callbacks are called outside a request: as the local user
        results = {name: _timed(db, name, call, states, runs, first_client, agent)
                   for name, call in callbacks(agent).items()}
    return {"size": size, "generation": generation, "callbacks": results, "peak_mb": _peak_mb(),
            "runs": runs, "states": len(states),
            "engine": engine_url and engine_url.split(":", 1)[0], "publish_s": published}


def afresh() -> None:
    """Forget the server's query results and kept responses: the next view is computed anew."""
    from components.responses import forget
    from metrics.query import clear_cache
    clear_cache()
    forget()


def _timed(db: Path, name: str, call, states: list[dict], runs: int, first_client: str, agent: str) -> dict:
    """A callback's median and 95th percentile time over the states, its largest response and
    the floor's median."""
    import plotly
    call(states[0])     # a warm-up, untimed
    times, sizes, floors = [], [], []
    for i in range(runs):
        q = states[i % len(states)]
        afresh()   # every timed call computes afresh
        started = time.perf_counter()
        out = call(q)
        times.append(time.perf_counter() - started)
        sizes.append(len(json.dumps(out, cls=plotly.utils.PlotlyJSONEncoder)))
        floors.append(_floor(db, name, q, first_client, agent))
    return {"median_ms": 1000 * statistics.median(times), "p95_ms": 1000 * _p95(times),
            "max_bytes": max(sizes), "floor_ms": 1000 * statistics.median(floors)}


def _floor(db: Path, name: str, q: dict, default_client: str, agent: str) -> float:
    """The floor query's time, on the app's own connection to the database (the committee
    shows the first client when none is asked for, and so does its floor)."""
    from data import db as database
    start, end = date.fromisoformat(q["from"]), date.fromisoformat(q["to"]) + timedelta(days=1)
    params = {"start": start, "end": end, "day_start": end - timedelta(days=1),
              "year_start": start - timedelta(days=366), "client": q.get("client") or default_client,
              "agent": agent}
    sql = FLOORS[name]
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    with database.engine(db).connect() as conn:
        duck = database.raw(conn)
        started = time.perf_counter()
        duck.execute(sql, used).fetchall()
        return time.perf_counter() - started


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(results: list[dict], load: dict) -> str:
    lines = [f"Machine: {os.cpu_count()} cores, {_memory_gb():.0f} GB; Python {sys.version.split()[0]}.",
             f"Canonical CSV load: {load['rows']:,} rows in {load['seconds']:.1f} s = "
             f"{load['rows_per_s']:,.0f} rows/s.", "",
             f"Server time of each callback over {results[0]['runs']} calls, taking in turn the {results[0]['states']} "
             "URL states (six periods from a day to 13 months, each with no filter and three), every call "
             "computed afresh (no cached result), after one untimed "
             "warm-up call. The floor is DuckDB's time for the plainest query over the contacts computing "
             "the same numbers; a callback answered from the daily roll-ups can beat it (ratio under 1).", ""]
    on_duckdb = {r["size"]: r for r in results if not r.get("engine")}
    for r in results:
        if r.get("engine"):
            lines += _compared(on_duckdb[r["size"]], r)
            continue
        gen = r["generation"]
        lines += [f"### {r['size']:,} contacts", "",
                  f"Demo generation {gen['generation_s']:.0f} s (peak memory {gen.get('peak_mb', 0):,.0f} MB); "
                  f"peak memory of the process serving the callbacks {r['peak_mb']:,.0f} MB.", "",
                  "| callback | median | p95 | largest response | DuckDB floor | ratio |", "|---|---:|---:|---:|---:|---:|"]
        for name, c in r["callbacks"].items():
            lines.append(f"| {name} | {c['median_ms']:.0f} ms | {c['p95_ms']:.0f} ms | {c['max_bytes'] / 1024:,.0f} KB | "
                         f"{c['floor_ms']:.0f} ms | {c['median_ms'] / max(c['floor_ms'], 0.01):.1f} |")
        lines.append("")
    return "\n".join(lines)


def _compared(duck: dict, other: dict) -> list[str]:
    """The callbacks' times on another engine beside DuckDB's, and their ratio."""
    engine = "Spark SQL (local, Thrift server)" if other["engine"].startswith("hive") else other["engine"]
    lines = [f"### {other['size']:,} contacts on {engine}", "",
             f"Published to the engine (Parquet by month, then its roll-ups built there) in {other['publish_s']:.0f} s. "
             "The same callbacks, their queries translated for the engine; the ratio is the engine's median over "
             "DuckDB's, both measured in this run.", "",
             "| callback | DuckDB median | engine median | engine p95 | ratio |", "|---|---:|---:|---:|---:|"]
    for name, c in other["callbacks"].items():
        d = duck["callbacks"][name]
        lines.append(f"| {name} | {d['median_ms']:.0f} ms | {c['median_ms']:.0f} ms | {c['p95_ms']:.0f} ms | "
                     f"{c['median_ms'] / max(d['median_ms'], 0.01):.1f} |")
    return lines + [""]


def _memory_gb() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.callbacks", description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    p.add_argument("--runs", type=int, default=24)
    p.add_argument("--out", help="also write the report (Markdown) to this file")
    p.add_argument("--engine-url", help="also read the KPIs on this engine (e.g. hive://127.0.0.1:10001/bench)")
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)   # a child process: one size, JSON out
    p.add_argument("--build", type=int, help=argparse.SUPPRESS)  # a child process: one demo database
    args = p.parse_args(argv)
    if args.build:
        ensure_demo(args.build)
        return 0
    if args.one:
        print(json.dumps(measure(args.one, args.runs, args.engine_url)))
        return 0
    results = []
    for size in args.sizes:
        steps = [["--build", str(size)], ["--one", str(size), "--runs", str(args.runs)]]
        if args.engine_url:
            steps.append(steps[1] + ["--engine-url", args.engine_url])
        for step in steps:
            child = subprocess.run([sys.executable, "-m", "bench.callbacks", *step], cwd=ROOT,
                                   capture_output=True, text=True)
            if child.returncode:
                sys.stderr.write(child.stderr)
                return child.returncode
            if step[0] == "--one":
                results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    text = report(results, load_throughput(db_for(args.sizes[0])))
    print(text)
    if args.out:
        Path(args.out).write_text("# Benchmark\n\n`" + " ".join(["python -m bench.callbacks"] + (argv or sys.argv[1:]))
                                  + "`\n\n" + text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
