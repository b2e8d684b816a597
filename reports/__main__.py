"""Reports from the command line.

    python -m reports send --db PATH --committee CLIENT --month YYYY-MM --to ADDRESS[,ADDRESS]
        the committee pack (PDF and Excel) of a client's month, sent now through the SMTP
        server of PILOTAGE_SMTP_HOST (README: "Reports by e-mail"); the sending is recorded
    python -m reports send --db PATH --summary --month YYYY-MM --to ADDRESS[,ADDRESS]
        the director's monthly summary (every client, the headline KPIs), the same way
    python -m reports scheduler [--db PATH] [--schedule FILE] [--once]
        the schedule's reports (PILOTAGE_SCHEDULE), each on the first working day after its
        month at 8:00 Europe/Paris, by this one process
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path

from alerts.check import check
from alerts.notify import notify
from data import cli
from data import db as database
from i18n import _
from reports.deliver import deliver, only_scheduler, run_due
from reports.mail import Smtp, addresses
from reports.packs import committee_pack, summary_pack
from reports.schedule import PARIS, read_schedule


def _month(text: str) -> date:
    try:
        year, month = (int(p) for p in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValueError(_("{value!r} is not a month (YYYY-MM)", value=text)) from None


def cmd_send(args) -> int:
    settings = cli.existing_settings(args.db)
    to, smtp = addresses(args.to), Smtp.from_env(os.environ)
    month = _month(args.month)
    pack = summary_pack(settings, month) if args.summary else committee_pack(settings, args.committee, month)
    deliver(database.engine(settings.db), smtp, pack, to)
    print(_("sent {subject} to {to}", subject=pack.subject, to=", ".join(to)))
    return 0


def cmd_scheduler(args) -> int:
    """Send the schedule's reports as they fall due and the alerts as they are raised, in one
    process (``--once``: what is due now, then stop)."""
    settings = cli.existing_settings(args.db)
    path = args.schedule or os.environ.get("PILOTAGE_SCHEDULE")     # none: the alerts only
    schedule = read_schedule(Path(path)) if path else []
    smtp, db = Smtp.from_env(os.environ), database.engine(settings.db)
    for entry in schedule:
        addresses(",".join(entry.to))
    with only_scheduler(settings.db.with_suffix(".scheduler.lock")):
        while True:
            check(db, settings)        # the alerts of the latest data, then every alert not told yet
            for line in run_due(settings, db, smtp, schedule, datetime.now(PARIS)) + notify(db, smtp):
                print(line, flush=True)
            if args.once:
                return 0
            time.sleep(args.every)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m reports", description=_("Send Pilotage's reports by e-mail."))
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("send", help=_("send a report now"))
    s.add_argument("--db", help=_("database file (default: PILOTAGE_DB or var/pilotage.duckdb)"))
    which = s.add_mutually_exclusive_group(required=True)
    which.add_argument("--committee", metavar="CLIENT", help=_("the client whose committee pack is sent"))
    which.add_argument("--summary", action="store_true", help=_("the director's monthly summary of every client"))
    s.add_argument("--month", required=True, metavar="YYYY-MM", help=_("the month reviewed"))
    s.add_argument("--to", required=True, metavar="ADDRESS", help=_("the addresses to send to, comma-separated"))
    s.set_defaults(run=cmd_send)
    c = sub.add_parser("scheduler", help=_("send the schedule's reports as they fall due"))
    c.add_argument("--db", help=_("database file (default: PILOTAGE_DB or var/pilotage.duckdb)"))
    c.add_argument("--schedule", metavar="FILE", help=_("the schedule file (default: PILOTAGE_SCHEDULE)"))
    c.add_argument("--once", action="store_true", help=_("send what is due now, then stop"))
    c.add_argument("--every", type=float, default=300, metavar="SECONDS", help=_("seconds between two looks"))
    c.set_defaults(run=cmd_scheduler)
    return p


def main(argv=None) -> int:
    return cli.run(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
