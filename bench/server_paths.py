"""Server time of the contact list and the campaign progress, before and after their
flat-with-size queries (issue 20, part 2), on the demo databases of ``bench.callbacks``.

    .venv/bin/python -m bench.server_paths [--sizes 1000000 10000000] [--runs 7] [--out bench/server_paths.md]

"Before" is the code of commit ``BEFORE`` (the one-query contact list and the progress over
the contacts joined to the agents), loaded from git; "after" is the working tree's. Each
path is called once untimed, then ``runs`` times with the result cache emptied before each
call; the table gives the medians, the 10 M / 1 M ratios, and checks that both give the same
rows and numbers. Times depend on the machine: compare within one run.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import types
from datetime import date, timedelta

from bench.callbacks import ROOT, db_for, ensure_demo

BEFORE = "ee293c5"      # the last commit with the one-query versions


def _module_at(commit: str, path: str, name: str) -> types.ModuleType:
    """A module as it was at a commit (its imports are today's)."""
    source = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    module = types.ModuleType(name)
    module.__file__ = f"{commit}:{path}"
    sys.modules[name] = module      # dataclasses look their module up
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def cases(db) -> dict:
    """name -> (path, scope, keyword arguments): an agent's contacts over 13 months (the
    explore page's drill-down to an agent) at pages 0, 100 and 500, a team's, and the busiest
    campaign's progress over 13 months, for everyone and for a team."""
    from metrics.query import Scope, data_extent, dimension_values
    first, last = data_extent(db, Scope(date.min, date.max))
    period = Scope(max(first, last - timedelta(days=395)), last)
    found = dimension_values(db, period, ["agent", "team", "campaign"])
    agent, team = found["agent"][len(found["agent"]) // 2][0], found["team"][0]
    by_agent, by_team = period.with_filters(agent=[agent]), period.with_filters(team=[team])
    return {
        "contact list, agent, page 0": ("list", by_agent, {"page": 0}),
        "contact list, agent, page 100": ("list", by_agent, {"page": 100}),
        "contact list, agent, page 500": ("list", by_agent, {"page": 500}),
        "contact list, agent, longest wait, page 100": ("list", by_agent, {"page": 100, "sort": "longest_wait"}),
        "contact list, team, page 0": ("list", by_team, {"page": 0}),
        "contact list, team, page 100": ("list", by_team, {"page": 100}),
        "campaign progress (QF)": ("progress", period, {"campaign": "QF"}),
        "campaign progress (QF), team": ("progress", by_team, {"campaign": "QF"}),
    }


def measure(size: int, runs: int) -> dict:
    from data import db as database
    from metrics import campaigns, contacts
    from metrics.query import clear_cache
    ensure_demo(size)
    db = database.engine(db_for(size))
    before = {"list": _module_at(BEFORE, "metrics/contacts.py", "before_contacts").contact_list,
              "progress": _module_at(BEFORE, "metrics/campaigns.py", "before_campaigns").campaign_progress}
    after = {"list": contacts.contact_list, "progress": campaigns.campaign_progress}
    out = {}
    for name, (path, scope, kwargs) in cases(db).items():
        results, times = {}, {}
        for label, fns in (("before", before), ("after", after)):
            call = (lambda: fns[path](db, scope, page_size=50, **kwargs)) if path == "list" else \
                   (lambda: fns[path](db, scope, kwargs["campaign"]))
            call()      # a warm-up, untimed
            timed = []
            for _ in range(runs):
                clear_cache()
                started = time.perf_counter()
                results[label] = call()
                timed.append(time.perf_counter() - started)
            times[label] = 1000 * statistics.median(timed)
        out[name] = {**times, "same": _same(path, results["before"], results["after"])}
        print(size, name, out[name], file=sys.stderr, flush=True)
    database.dispose(db_for(size))
    return out


def _same(path: str, before, after) -> bool:
    if path == "list":
        keys = ["source", "contact_id", "arrived_at", "agent", "team", "answers", "nps"]
        return (before.total, before.page) == (after.total, after.page) and \
            before.rows[keys].equals(after.rows[keys].reset_index(drop=True))
    return before.reset_index(drop=True).equals(after.reset_index(drop=True))


def report(sizes: list[int], results: dict[int, dict], runs: int) -> str:
    small, large = min(sizes), max(sizes)
    head = " | ".join(f"{label} {s // 1_000_000} M" for s in sizes for label in ("before", "after"))
    lines = ["# Server paths that stay flat with size (issue 20, part 2)", "",
             f"Machine: {os.cpu_count()} cores, shared. Command: `.venv/bin/python -m bench.server_paths "
             f"--sizes {' '.join(map(str, sizes))}` (median of {runs} calls each, result cache emptied before each; "
             f"before = commit {BEFORE}, after = the two-step contact list read within its window of days or of "
             "bands of values, and the progress read from its roll-up). "
             "Times in ms; ratio = 10 M / 1 M; same = both versions give the same rows and numbers.", "",
             f"| path | {head} | ratio before | ratio after | same |",
             "|---" * (2 * len(sizes) + 4) + "|"]
    for name in results[small]:
        cells = " | ".join(f"{results[s][name][label]:.0f}" for s in sizes for label in ("before", "after"))
        ratios = " | ".join(f"{results[large][name][label] / results[small][name][label]:.2f}"
                            for label in ("before", "after"))
        same = all(results[s][name]["same"] for s in sizes)
        lines.append(f"| {name} | {cells} | {ratios} | {'yes' if same else 'NO'} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "bench" / "server_paths.md"))
    args = parser.parse_args(argv)
    results = {size: measure(size, args.runs) for size in args.sizes}
    text = report(args.sizes, results, args.runs)
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(text)


if __name__ == "__main__":
    main()
