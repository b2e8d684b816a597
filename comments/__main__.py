"""The comment rules from the command line.

    python -m comments measure [SET.csv ...] [--format table|json] [--mistakes]
        precision and recall per category, tone accuracy, on sets labelled by hand
        (default: the held-out sets of tests/comments/)
    python -m comments read "TEXT"
        what the rules make of one comment
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from comments.analysis import analyse
from comments.quality import measure, read_set

HELD_OUT = [Path(__file__).resolve().parents[1] / "tests" / "comments" / name
            for name in ("heldout_fr.csv", "heldout_en.csv")]


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def run_measure(args) -> int:
    for path in args.sets or HELD_OUT:
        labelled = read_set(Path(path))
        report = measure(labelled)
        if args.format == "json":
            print(json.dumps({"set": Path(path).name, **report.as_json()}, indent=2))
            continue
        print(f"{Path(path).name}: {report.size} comments, tone accuracy {report.tone_accuracy:.2f}")
        print(f"  {'category':<16}{'precision':>10}{'recall':>8}{'support':>9}")
        for name, score in [*report.per_category.items(), ("(extreme)", report.extreme)]:
            print(f"  {name:<16}{_ratio(score.precision):>10}{_ratio(score.recall):>8}{score.found + score.missed:>9}")
        if args.mistakes:
            for item, got in report.mistakes:
                print(f"  {item.id}: expected {item.tone} {sorted(item.categories)}{' extreme' if item.extreme else ''};"
                      f" got {got.tone} {sorted(got.categories)}{' extreme' if got.extreme else ''} {got.words}\n"
                      f"      {item.text}")
    return 0


def run_read(args) -> int:
    found = analyse(args.text)
    print(json.dumps({"tone": found.tone, "score": found.score, "extreme": found.extreme,
                      "categories": list(found.categories), "evidence": found.evidence, "lang": found.lang},
                     ensure_ascii=False, indent=2))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m comments", description="The comment rules.")
    sub = parser.add_subparsers(required=True)
    m = sub.add_parser("measure", help="precision and recall on sets labelled by hand")
    m.add_argument("sets", nargs="*", help="labelled CSV files (default: the held-out sets)")
    m.add_argument("--format", choices=("table", "json"), default="table")
    m.add_argument("--mistakes", action="store_true", help="list the comments read wrongly")
    m.set_defaults(run=run_measure)
    r = sub.add_parser("read", help="what the rules make of one comment")
    r.add_argument("text")
    r.set_defaults(run=run_read)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
