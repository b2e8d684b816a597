"""What every command line of Pilotage shares: one clear line on error, non-zero exit."""
from __future__ import annotations

import argparse
import sys

from data.loader import LoadError
from settings import SettingsError

EXPECTED = (LoadError, SettingsError, ValueError, KeyError, OSError)


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
