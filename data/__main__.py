"""Command line of the data layer.

    python -m data load --db PATH [--profile NAME|PATH] [--encoding ENC] [--contacts FILE]
                        [--surveys FILE] [--agents FILE] [--campaigns FILE] [--reasons FILE]
                        [--evaluations FILE] [--intervals FILE] [--costs FILE]
                        [--source NAME] [--rejects FILE]
    python -m data inspect FILE [--profile NAME|PATH] [--encoding ENC] [--rows N]
    python -m data demo --db PATH [--contacts N] [--seed S]
    python -m data users add NAME --role ROLE [--client C ...] [--team T ...]   (password on stdin)
    python -m data users list | remove NAME | passwd NAME                       (password on stdin)

Errors are one clear line on standard error and a non-zero exit code. Help, output and errors
are in the language of the setting ``PILOTAGE_LANG`` (French by default).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from data import cli
from data import db as database
from data.audit import COMMAND_LINE
from data.customers import load_key
from data.inspect import describe, inspect_file
from data.loader import LoadError, load, write_rejects
from data.profile import get_profile
from data.reading import Limits
from i18n import _, formats, ngettext
from i18n.labels import load_status_label
from settings import Settings, load_settings


def _settings(args) -> Settings:
    settings = load_settings()
    if args.db:
        settings = replace(settings, db=Path(args.db))
    return settings


def _progress(total: int, desc: str):
    bar = tqdm(total=total, desc=desc, unit="step", file=sys.stderr, leave=False,
               disable=not sys.stderr.isatty())

    def step(message: str) -> None:
        bar.set_postfix_str(message)
        bar.update(1)
    return bar, step


# the tables a load takes, references first (a load stores them in this order)
LOADABLE = ("agents", "campaigns", "reasons", "contacts", "surveys", "evaluations", "intervals", "costs")


def cmd_load(args) -> int:
    settings = _settings(args)
    files = {t: Path(getattr(args, t)) for t in LOADABLE if getattr(args, t)}
    if not files:
        raise SystemExit(cli.error(_("give at least one of {options}", options=", ".join(f"--{t}" for t in LOADABLE))))
    for path in files.values():
        if not path.is_file():
            raise LoadError(_("{path}: no such file", path=path))
    profile = get_profile(args.profile, settings.profiles)
    bar, step = _progress(len(files) + 1, _("loading"))
    try:
        reports = load(database.engine(settings.db), files, source=args.source, profile=profile,
                       encoding=args.encoding, key=load_key(settings.key_path),
                       reject_budget=settings.reject_budget, on_step=step, actor=COMMAND_LINE,
                       limits=Limits.of(settings))
    except LoadError as exc:
        _write_rejects(args.rejects, exc.reports)
        raise
    finally:
        bar.close()
    _write_rejects(args.rejects, reports)
    for report in reports:
        print(_("{name}: {text}", name=report.table, text=report.message))
    return 0


def _write_rejects(path: str | None, reports) -> None:
    if path:
        write_rejects(Path(path), reports)


def cmd_inspect(args) -> int:
    settings = load_settings()
    result = inspect_file(args.file, args.profile, extra=settings.profiles, encoding=args.encoding,
                          limits=Limits.of(settings))
    print(describe(result, args.rows))
    return 1 if result.error else 0


def cmd_demo(args) -> int:
    from data.demo import build
    settings = _settings(args)
    bar, step = _progress(8, ngettext("demo of {count} contact", "demo of {count} contacts", args.contacts,
                                      count=formats.number(args.contacts)))
    try:
        reports = build(database.engine(settings.db), args.contacts, args.seed,
                        load_key(settings.key_path), on_step=step)
    finally:
        bar.close()
    for report in reports:
        print(ngettext("{table}: {status}, {count} row", "{table}: {status}, {count} rows", report.rows_read,
                       table=report.table, status=load_status_label(report.status),
                       count=formats.number(report.rows_read)))
    return 0


def _password() -> str:
    """One line of standard input: typed without echo at a terminal, else read as piped."""
    if sys.stdin.isatty():
        import getpass
        return getpass.getpass(prompt="")
    return sys.stdin.readline().rstrip("\r\n")


def cmd_users(args) -> int:
    from data.users import add_user, remove_user, set_password, users

    engine = database.engine(_settings(args).db)
    if args.action == "list":
        for u in users(engine):
            limits = ", ".join(u.clients or u.teams) or _("all")
            changed = _("changed {when}", when=u.changed_at.strftime("%d/%m/%Y %H:%M"))
            print(f"{u.name}\t{u.role}\t{limits}\t{changed}")
        return 0
    if not args.name:
        raise ValueError(_("users {action} needs a user name", action=args.action))
    if args.action == "add":
        if not args.role:
            raise ValueError(_("users add needs --role (admin, director, team_lead or client)"))
        u = add_user(engine, args.name, args.role, _password(), args.client, args.team, actor=COMMAND_LINE)
        print(_("user {name} added, role {role}, limited to {limits}", name=u.name, role=u.role,
                limits=", ".join(u.clients or u.teams)) if u.clients or u.teams
              else _("user {name} added, role {role}", name=u.name, role=u.role))
    elif args.action == "remove":
        remove_user(engine, args.name, actor=COMMAND_LINE)
        print(_("user {name} removed", name=args.name))
    else:
        set_password(engine, args.name, _password(), actor=COMMAND_LINE)
        print(_("password of {name} changed", name=args.name))
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line, its help in the current language (argparse's own words stay Python's)."""
    p = argparse.ArgumentParser(prog="python -m data", description=_("Load extracts into Pilotage."))
    sub = p.add_subparsers(dest="command", required=True)
    ld = sub.add_parser("load", help=_("load canonical extracts (CSV or .xlsx), all or nothing"))
    ld.add_argument("--db", help=_("database file (default: PILOTAGE_DB or var/pilotage.duckdb)"))
    for table in LOADABLE:
        ld.add_argument(f"--{table}", metavar="FILE", help=_("{table} extract", table=table))
    ld.add_argument("--profile", default="canonical",
                    help=_("import profile: a shipped or user profile's name, or a profile file"))
    ld.add_argument("--encoding", help=_("read the files with this encoding (default: detected)"))
    ld.add_argument("--source",
                    help=_("name of the system the extract comes from (ids are unique within it); "
                           "default: the profile's, else 'default'"))
    ld.add_argument("--rejects", metavar="FILE", help=_("write the rejected rows (file, line, reason) here"))
    ld.set_defaults(run=cmd_load)
    ins = sub.add_parser("inspect", help=_("show how a file reads and maps, without loading it"))
    ins.add_argument("file")
    ins.add_argument("--profile", help=_("the profile to use (default: the best match)"))
    ins.add_argument("--encoding", help=_("read the file with this encoding (default: detected)"))
    ins.add_argument("--rows", type=int, default=5, help=_("mapped rows to show"))
    ins.set_defaults(run=cmd_inspect)
    demo = sub.add_parser("demo", help=_("build a demo database"))
    demo.add_argument("--db", help=_("database file"))
    demo.add_argument("--contacts", type=int, default=200_000, help=_("number of contacts"))
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(run=cmd_demo)
    us = sub.add_parser("users", help=_("the people who sign in (a password is read from standard input)"))
    us.add_argument("action", choices=("add", "list", "remove", "passwd"))
    us.add_argument("name", nargs="?", help=_("the user's name"))
    us.add_argument("--role", choices=("admin", "director", "team_lead", "client"))
    us.add_argument("--client", action="append", default=[], metavar="C",
                    help=_("a client it may see (repeatable)"))
    us.add_argument("--team", action="append", default=[], metavar="T", help=_("a team it may see (repeatable)"))
    us.add_argument("--db", help=_("database file"))
    us.set_defaults(run=cmd_users)
    return p


def main(argv=None) -> int:
    return cli.run(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
