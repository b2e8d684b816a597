"""Reports from the command line.

    python -m reports send --db PATH --committee CLIENT --month YYYY-MM --to ADDRESS[,ADDRESS]
        the committee pack (PDF and Excel) of a client's month, sent now through the SMTP
        server of PILOTAGE_SMTP_HOST (README: "Reports by e-mail"); the sending is recorded
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from data import cli
from data import db as database
from data.sendings import record
from i18n import _
from reports.mail import MailError, Smtp, addresses, send
from reports.packs import committee_pack
from settings import load_settings


def _month(text: str) -> date:
    try:
        year, month = (int(p) for p in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValueError(_("{value!r} is not a month (YYYY-MM)", value=text)) from None


def cmd_send(args) -> int:
    settings = load_settings()
    if args.db:
        settings = replace(settings, db=Path(args.db))
    if not settings.db.exists():
        raise ValueError(_("database {path} does not exist", path=settings.db))
    to, smtp = addresses(args.to), Smtp.from_env(os.environ)
    pack = committee_pack(settings, args.committee, _month(args.month))
    db = database.engine(settings.db)
    try:
        send(smtp, to, pack.subject, pack.body, pack.attachments)
    except MailError as exc:
        record(db, pack.what, to, pack.subject, "failed", str(exc))
        raise
    record(db, pack.what, to, pack.subject, "sent")
    print(_("sent {subject} to {to}", subject=pack.subject, to=", ".join(to)))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m reports", description=_("Send Pilotage's reports by e-mail."))
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("send", help=_("send a report now"))
    s.add_argument("--db", help=_("database file (default: PILOTAGE_DB or var/pilotage.duckdb)"))
    s.add_argument("--committee", required=True, metavar="CLIENT", help=_("the client whose committee pack is sent"))
    s.add_argument("--month", required=True, metavar="YYYY-MM", help=_("the month reviewed"))
    s.add_argument("--to", required=True, metavar="ADDRESS", help=_("the addresses to send to, comma-separated"))
    s.set_defaults(run=cmd_send)
    return p


def main(argv=None) -> int:
    return cli.run(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
