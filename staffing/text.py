"""The staffing command line's arguments and its table (``python -m metrics staffing``)."""
from __future__ import annotations

import argparse

from i18n import _, formats
from staffing.erlang import Staffing


def add_parser(sub, run) -> argparse.ArgumentParser:
    """``staffing --offered N --interval-min M --aht S --target PCT --threshold S [--shrinkage PCT]``."""
    c = sub.add_parser("staffing", help=_("the agents an interval needs for its contacts (Erlang C)"))
    c.add_argument("--offered", type=float, required=True, metavar="N", help=_("contacts offered in the interval"))
    c.add_argument("--interval-min", type=float, required=True, metavar="M", help=_("the interval's length in minutes"))
    c.add_argument("--aht", type=float, required=True, metavar="S", help=_("average handle time in seconds"))
    c.add_argument("--target", type=float, required=True, metavar="PCT",
                   help=_("the service-level target in percent"))
    c.add_argument("--threshold", type=float, required=True, metavar="S",
                   help=_("the service-level threshold in seconds"))
    c.add_argument("--shrinkage", type=float, default=None, metavar="PCT",
                   help=_("share of paid time away from the contacts, in percent (default: the setting, 30)"))
    c.add_argument("--format", choices=("json", "table"), default="table")
    c.set_defaults(run=_with_setting(run))
    return c


def _with_setting(run):
    def with_shrinkage(args):
        if args.shrinkage is None:
            from settings import active
            args.shrinkage = active().shrinkage
        return run(args)
    return with_shrinkage


def table_text(found: Staffing) -> str:
    """One figure a line, in the current language."""
    def pct(v):
        return "–" if v is None else formats.percent(v)
    lines = [(_("Traffic (erlangs)"), formats.number(found.traffic, 2)),
             (_("Agents needed"), formats.number(found.agents)),
             (_("Service level"), pct(found.service_level)),
             (_("Average speed of answer"), "–" if found.asa is None else formats.duration(found.asa)),
             (_("Occupancy"), pct(found.occupancy)),
             (_("Agents to schedule"), formats.number(found.scheduled))]
    width = max(len(label) for label, _v in lines)
    return "\n".join(f"{label:<{width}}  {value:>10}" for label, value in lines)
