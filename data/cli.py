"""What every command line of Pilotage shares: one clear line on error, non-zero exit, and
the language of the setting ``PILOTAGE_LANG`` (its help, its output and its errors)."""
from __future__ import annotations

import argparse
import os
import re
from dataclasses import replace
import sys
from pathlib import Path
from typing import Callable

import duckdb
import sqlalchemy as sa

from data.loader import LoadError
from i18n import _, chosen, using
from settings import Settings, SettingsError, active, load_settings

EXPECTED = (LoadError, SettingsError, ValueError, KeyError, OSError)   # UserError is a ValueError
# DuckDB's error when another process has the database file open (one process at a time)
LOCKED = re.compile(r'Could not set lock on file "([^"]*)"(?:.*?\(PID (\d+)\))?', re.S)


def in_use(exc: Exception) -> str | None:
    """The message for a database held by another process, or None for any other error."""
    found = LOCKED.search(str(exc))
    if not found:
        return None
    path, pid = found.groups()
    try:
        settings = load_settings()
        inbox, server = settings.inbox or Path(path).parent / "inbox", f"http://{settings.host}:{settings.port}"
    except SettingsError:
        inbox, server = _("its inbox folder"), _("the dashboard's address")
    return _("the database {path} is in use by another process{pid}, for example the running dashboard: drop "
             "the files in its inbox ({inbox}) and it loads them itself, or load them through its import page; "
             "read through it with python -m metrics summary --server {server}",
             path=path, pid=" (PID " + pid + ")" if pid else "", inbox=inbox, server=server)


def language() -> str:
    """The command line's language: the setting's; when the settings cannot be read (the
    command's error then says why), ``PILOTAGE_LANG`` if it names one, else the default."""
    try:
        return active().lang
    except SettingsError:
        return chosen(os.environ.get("PILOTAGE_LANG")) or Settings.lang


def run(parser: Callable[[], argparse.ArgumentParser], argv=None) -> int:
    """Make the parser (its help in the command line's language), parse the arguments and run
    the chosen command; an expected error is printed as ``error: ...`` on standard error (no
    traceback) and gives exit code 1."""
    with using(language()):
        return _run(parser(), argv)


def _run(parser: argparse.ArgumentParser, argv) -> int:
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except EXPECTED as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(error(message), file=sys.stderr)
        return 1
    except (duckdb.IOException, sa.exc.OperationalError) as exc:
        message = in_use(exc)
        if message is None:
            raise
        print(error(message), file=sys.stderr)
        return 1


def existing_settings(db: str | None) -> Settings:
    """The settings of a command over a database (``--db``, else the settings'), which must
    exist."""
    settings = load_settings()
    if db:
        settings = replace(settings, db=Path(db))
    if not settings.db.exists():
        raise ValueError(_("database {path} does not exist", path=settings.db))
    return settings


def error(message) -> str:
    """The line a command line prints for an error: ``error: ...``."""
    return _("error: {text}", text=message)
