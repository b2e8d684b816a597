"""Alert rules and alerts from the command line.

    python -m alerts add --db PATH --kpi ID --when below_target|above_target|below|above|anomaly
        [--threshold X] [--min-volume N] [--channel X ...] [--to ADDRESS,...]
    python -m alerts add --db PATH --when legal_risk [--client X] [--to ADDRESS,...]
    python -m alerts rules --db PATH
    python -m alerts remove --db PATH ID                     a rule, no longer checked
    python -m alerts check --db PATH [--day YYYY-MM-DD]     the rules against the latest day
    python -m alerts list --db PATH                          the alerts not acknowledged
    python -m alerts ack --db PATH ID [--by NAME]

The scheduler (``python -m reports scheduler``) checks the rules at every look and tells the
new alerts by e-mail; the dashboard checks them after every load.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date

from alerts.check import acknowledge, check, open_alerts
from alerts.rules import CONDITIONS, Rule, add_rule, recipients, remove_rule, rules
from data import cli
from data import db as database
from i18n import _, ngettext
from metrics.query import DIMENSIONS
from metrics.registry import KPI_IDS


def _open(args):
    settings = cli.existing_settings(args.db)
    return settings, database.engine(settings.db)


def cmd_add(args) -> int:
    settings, db = _open(args)
    scope = {d: [v for item in getattr(args, d) or [] for v in item.split(",") if v] for d in DIMENSIONS}
    rule = Rule(args.kpi, args.when, {d: v for d, v in scope.items() if v}, args.threshold, args.min_volume,
                recipients(args.to))
    print(_("rule {id}: {rule}", id=add_rule(db, rule), rule=rule.text()))
    return 0


def cmd_rules(args) -> int:
    _settings, db = _open(args)
    for rule in rules(db):
        print(f"{rule.id}  {rule.text()}  {', '.join(rule.to) or '–'}")
    return 0


def cmd_remove(args) -> int:
    _settings, db = _open(args)
    if not remove_rule(db, args.id):
        raise ValueError(_("no rule {id}", id=args.id))
    return 0


def cmd_check(args) -> int:
    settings, db = _open(args)
    new = check(db, settings, date.fromisoformat(args.day) if args.day else None)
    print(ngettext("{n} new alert", "{n} new alerts", new))
    return 0


def cmd_list(args) -> int:
    _settings, db = _open(args)
    for a in open_alerts(db).itertuples():
        print(f"{a.id}  {a.day}  {a.message}")
    return 0


def cmd_ack(args) -> int:
    _settings, db = _open(args)
    if not acknowledge(db, args.id, args.by):
        raise ValueError(_("no open alert {id}", id=args.id))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m alerts", description=_("Pilotage's alert rules and alerts."))
    sub = p.add_subparsers(dest="command", required=True)

    def command(name, help_text, run):
        c = sub.add_parser(name, help=help_text)
        c.add_argument("--db", help=_("database file (default: PILOTAGE_DB or var/pilotage.duckdb)"))
        c.set_defaults(run=run)
        return c

    a = command("add", _("add a rule"), cmd_add)
    a.add_argument("--kpi", choices=KPI_IDS)
    a.add_argument("--when", required=True, choices=list(CONDITIONS))
    a.add_argument("--threshold", type=float)
    a.add_argument("--min-volume", type=int, default=0, help=_("the least contacts or answers judged"))
    for dim in DIMENSIONS:
        a.add_argument(f"--{dim}", action="append", metavar="X")
    a.add_argument("--to", metavar="ADDRESS", help=_("the addresses told, comma-separated"))
    command("rules", _("the rules"), cmd_rules)
    r = command("remove", _("remove a rule"), cmd_remove)
    r.add_argument("id", type=int)
    c = command("check", _("check the rules against the latest day"), cmd_check)
    c.add_argument("--day", metavar="YYYY-MM-DD")
    command("list", _("the alerts not acknowledged"), cmd_list)
    k = command("ack", _("acknowledge an alert"), cmd_ack)
    k.add_argument("id", type=int)
    k.add_argument("--by", metavar="NAME")
    return p


def main(argv=None) -> int:
    return cli.run(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
