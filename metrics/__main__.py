"""Command line of the metrics layer.

    python -m metrics summary --db PATH --from YYYY-MM-DD --to YYYY-MM-DD
        [--channel X] [--queue X] [--campaign X] [--client X] [--site X] [--agent X]
        [--team X] [--reason X] [--by DIMENSION] [--survey hot|cold] [--format json|table] [--server URL]
    python -m metrics alignment --db PATH --from YYYY-MM-DD --to YYYY-MM-DD [filters]
        [--format json|table]
    python -m metrics comments --db PATH --from YYYY-MM-DD --to YYYY-MM-DD [filters]
        [--category ID|extreme] [--format json|table]
    python -m metrics needs --db PATH --from YYYY-MM-DD --to YYYY-MM-DD [filters]
        [--format json|table]
    python -m metrics staffing --offered N --interval-min M --aht S --target PCT --threshold S
        [--shrinkage PCT] [--format json|table]

Every KPI of the dictionary; rates in percent (0-100), durations in seconds, unrounded in
JSON; null where the denominator is zero (and where FCR or repeats have only pending
contacts). A filter may be repeated or comma-separated. The table format ends with the notes
a reader needs: contacts pending, means over channels that are not comparable.

While the dashboard runs it holds the database (DuckDB lets one process open a file for
writing): the summary is then asked of the dashboard itself (``--server``, by default the one
the settings name when the database is held), which answers the same JSON, in the command
line's language (the setting ``PILOTAGE_LANG``), as are the help, the notes and the errors.
"""
from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

import duckdb
import sqlalchemy as sa

from comments import store as comment_reads
from comments.analysis import evidence_words
from data import cli
from data import db as database
from i18n import _, current, formats
from i18n.labels import tone_label
from metrics.comments import category_ids, comment_list
from metrics.query import DIMENSIONS, GROUPINGS, Scope
from metrics.registry import KPIS, format_value
from metrics.summary import summary


def _split(values_: list[str] | None) -> list[str]:
    return [v.strip() for item in values_ or [] for v in item.split(",") if v.strip()]


def cmd_summary(args) -> int:
    settings = cli.existing_settings(args.db)
    filters = {d: _split(getattr(args, d)) for d in DIMENSIONS}
    scope = _scope(args).with_survey(args.survey)
    if args.server:
        result, notes = _ask(args.server, args, filters)
    else:
        try:
            result, notes = summary(database.engine(settings.db), scope, args.by, settings.kpi)
        except (duckdb.IOException, sa.exc.OperationalError) as exc:   # as DuckDB, or wrapped by SQLAlchemy
            if not cli.in_use(exc):
                raise
            server = f"http://{settings.host}:{settings.port}"
            result, notes = _ask(server, args, filters, held=cli.in_use(exc))
            print(_("note: the dashboard holds the database; read through it ({server})", server=server),
                  file=sys.stderr)
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        _print_table(result if args.by else [result], args.by)
        for note in notes:
            print(_("note: {note}", note=note))
    return 0


def cmd_comments(args) -> int:
    """Every answer with a comment in the period and filters, with what its comment says."""
    eng = database.engine(cli.existing_settings(args.db).db)
    comment_reads.ensure(eng)
    scope = _scope(args)
    rows = comment_list(eng, scope, category=args.category, limit=None, risks_first=False)
    found = [{"response_id": r.response_id, "tone": r.tone, "categories": list(r.categories),
              "evidence": evidence_words(r.evidence), "extreme": bool(r.extreme)} for r in rows.itertuples()]
    if args.format == "json":
        print(json.dumps(found, ensure_ascii=False, indent=1))
        return 0
    for r, one in zip(rows.itertuples(), found):
        labels = ", ".join(one["categories"]) or "–"
        print(f"{r.response_id}  {formats.day(r.responded_at)}  {tone_label(r.tone)}{' !' if one['extreme'] else ''}  {labels}"
              f"  [{'; '.join(one['evidence'])}]  {r.verbatim}")
    return 0


def cmd_alignment(args) -> int:
    """Each agent's four views (self, manager, quality, customer), its spread and the six
    pairs' agreement (``metrics.alignment``), with the settings' ``alignment_min`` and
    ``misaligned_points``."""
    from metrics.alignment import alignment, as_json, table_text
    settings = cli.existing_settings(args.db)
    result = alignment(database.engine(settings.db), _scope(args), settings.alignment_min,
                       settings.misaligned_points)
    if args.format == "json":
        print(json.dumps(as_json(result), ensure_ascii=False, indent=1))
    else:
        print(table_text(result, settings.alignment_min, settings.misaligned_points))
    return 0


def cmd_needs(args) -> int:
    """Inbound contacts per customer need and channel, imputed where a channel's contacts have
    no reason, and the 80/20 view (``metrics.needs``)."""
    from metrics.needs import as_json, needs, table_text
    settings = cli.existing_settings(args.db)
    result = needs(database.engine(settings.db), _scope(args), settings.kpi)
    if args.format == "json":
        print(json.dumps(as_json(result), ensure_ascii=False, indent=1))
    else:
        print(table_text(result))
    return 0


def cmd_staffing(args) -> int:
    """Erlang C's agents for an interval's offered contacts and handle time (``staffing.erlang``);
    no database."""
    from staffing.erlang import staffing
    from staffing.text import table_text
    found = staffing(args.offered, args.interval_min * 60, args.aht, args.target, args.threshold, args.shrinkage)
    print(json.dumps(found.as_json(), indent=1) if args.format == "json" else table_text(found))
    return 0


def _ask(server: str, args, filters: dict, held: str | None = None):
    """The summary as the dashboard at ``server`` answers it (``/api/summary``)."""
    query = [("from", args.start), ("to", args.end)] + [(d, ",".join(v)) for d, v in filters.items() if v]
    query += [("by", args.by)] if args.by else []
    query += [("survey", args.survey)] if args.survey else []
    url = f"{server.rstrip('/')}/api/summary?{urllib.parse.urlencode(query)}"
    asked = urllib.request.Request(url, headers={"Accept-Language": current()})   # its notes in our language
    try:
        with urllib.request.urlopen(asked, timeout=60) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise ValueError(json.loads(exc.read() or b"{}").get("error")
                         or _("the dashboard answered {code}", code=exc.code)) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = (_("{held}; and no dashboard answers at {server}", held=held, server=server) if held
                  else _("no dashboard answers at {server}", server=server))
        raise ValueError(_("{reason} ({error}): give its address with --server", reason=reason,
                           error=getattr(exc, "reason", exc))) from None
    return body["result"], body["notes"]


def _print_table(rows: list[dict], by: str | None) -> None:
    cells = [[format_value(KPIS[k], r[k]) for k in KPIS] for r in rows]
    if not by:  # one KPI a line reads best for a single row; a grid for groups
        width = max(len(k.label()) for k in KPIS.values())
        for k, cell in zip(KPIS.values(), cells[0]):
            print(f"{k.label():<{width}}  {cell:>14}")
        return
    heads = [by] + list(KPIS)
    cells = [["–" if r["group"] is None else str(r["group"])] + c for r, c in zip(rows, cells)]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    print("  ".join(h.rjust(w) for h, w in zip(heads, widths)))
    for c in cells:
        print("  ".join(v.rjust(w) for v, w in zip(c, widths)))


def _scoped(sub, name: str, help_text: str, run) -> argparse.ArgumentParser:
    """A command over a period and filters of a database, its output as a table or JSON."""
    c = sub.add_parser(name, help=help_text)
    c.add_argument("--db", help=_("database file (default: PILOTAGE_DB or var/pilotage.duckdb)"))
    c.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    c.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    for dim in DIMENSIONS:
        c.add_argument(f"--{dim}", action="append", metavar="X",
                       help=_("only this {dimension} (repeatable)", dimension=dim))
    c.add_argument("--format", choices=("json", "table"), default="table")
    c.set_defaults(run=run)
    return c


def _scope(args) -> Scope:
    return Scope.of(args.start, args.end, **{d: _split(getattr(args, d)) for d in DIMENSIONS})


def parser() -> argparse.ArgumentParser:
    """The command line, its help in the current language (argparse's own words stay Python's)."""
    p = argparse.ArgumentParser(prog="python -m metrics", description=_("Compute Pilotage KPIs."))
    sub = p.add_subparsers(dest="command", required=True)
    s = _scoped(sub, "summary", _("every KPI for a period and filters"), cmd_summary)
    s.add_argument("--by", choices=GROUPINGS, help=_("one row per value of this dimension"))
    s.add_argument("--survey", choices=("hot", "cold"),
                   help=_("only the answers about a contact (hot, as the dashboard's pages) or the barometer's (cold);"
                          " by default both"))
    s.add_argument("--server", metavar="URL",
                   help=_("ask the running dashboard at this address (e.g. http://127.0.0.1:8050); by default "
                          "the one the settings name, when it holds the database"))
    c = _scoped(sub, "comments", _("what each survey comment says: tone, categories, evidence"), cmd_comments)
    c.add_argument("--category", choices=category_ids() + ["extreme"], help=_("only the comments of this category"))
    _scoped(sub, "alignment", _("each agent's self, manager, quality and customer views, and how far they agree"),
            cmd_alignment)
    _scoped(sub, "needs", _("contacts per customer need and channel, and the needs that make 80 % of them"),
            cmd_needs)
    from staffing.text import add_parser as add_staffing
    add_staffing(sub, cmd_staffing)
    return p


def main(argv=None) -> int:
    return cli.run(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
