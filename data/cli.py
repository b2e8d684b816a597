"""What every command line of Pilotage shares: one clear line on error, non-zero exit."""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import duckdb
import sqlalchemy as sa

from data.loader import LoadError
from settings import SettingsError, load_settings

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
        inbox, server = "its inbox folder", "the dashboard's address"
    return (f"the database {path} is in use by another process{f' (PID {pid})' if pid else ''}, "
            f"for example the running dashboard: drop the files in its inbox ({inbox}) and it loads "
            f"them itself, or load them through its import page; read through it with "
            f"python -m metrics summary --server {server}")


def run(parser: argparse.ArgumentParser, argv=None) -> int:
    """Parse the arguments and run the chosen command; an expected error is printed as
    ``error: ...`` on standard error (no traceback) and gives exit code 1."""
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except EXPECTED as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"error: {message}", file=sys.stderr)
        return 1
    except (duckdb.IOException, sa.exc.OperationalError) as exc:
        message = in_use(exc)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 1
