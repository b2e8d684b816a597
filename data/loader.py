"""Load canonical extracts (CSV or .xlsx) into the database, following the loading rules.

- all-or-nothing: every file of a load is validated first, then stored in one transaction;
  a refused load leaves the data as it was;
- loading the same file again changes nothing; rows already loaded (same source and id)
  are replaced by a later load: the latest load wins;
- duplicate ids inside one file refuse the file and are named;
- rejected rows are reported with line and reason, and refuse the file past the reject budget;
- every attempt, refused ones included, leaves a row in ``load_log``.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from comments.store import read as read_comments
from data.audit import Actor, record
from data.customers import hash_ids
from data.db import raw, scalar, writing
from data.derived import LINKED, refresh_gaps, refresh_linked
from data.exports import csv_bytes, inert
from data.intervals import refresh_covered
from data.profile import Mapped, Profile, ProfileError, apply_profile, canonical, read_source
from data.reading import LIMITS, LINE, Limits, ReadError
from data.schema import SQL_TYPES, TABLES, Table
from data.validate import validate
from i18n import _, formats, ngettext
from metrics.rollups import refresh as refresh_rollups
import warehouse

MAX_LISTED = 10  # ids or problems named in one message


class LoadError(Exception):
    """A load that was refused; the message says which file, line and rule."""

    def __init__(self, message: str, reports: list["LoadReport"] | None = None):
        super().__init__(message)
        self.reports = reports or []


@dataclass
class LoadReport:
    table: str
    file_name: str
    checksum: str = ""
    status: str = "pending"            # loaded | unchanged | refused
    rows_read: int = 0
    dropped: int = 0                    # rows the profile's rules leave out (not rejects)
    profile: str = "canonical"
    accepted: int = 0
    rejected: int = 0
    message: str = ""
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["line", "reason"]))
    rows: pd.DataFrame | None = field(default=None, repr=False)
    load_id: int | None = None


# ---------------------------------------------------------------- reading

def _check_header(cells: pd.DataFrame, table: Table, name: str, profile: Profile) -> None:
    missing = [c for c in table.required if c not in cells.columns]
    if missing:
        message = _("{file}, line 1: missing required column(s) for {table}: {columns}", file=name,
                    table=table.name, columns=", ".join(missing))
        if profile.canonical and len(cells.columns) <= 2 and ";" in cells.columns[0]:
            message += " (" + _("the columns look separated by ';': the canonical CSV uses ','") + ")"
        elif not profile.canonical:
            message += " (" + _("profile {profile} does not make them", profile=profile.name) + ")"
        raise LoadError(message)
    if cells.empty:
        raise LoadError(_("{file}: the file has a header but no data rows", file=name))


def _check_duplicates(cells: pd.DataFrame, table: Table, name: str) -> None:
    parts = [cells[k].fillna("").astype(str).str.strip() if k in cells else pd.Series("", index=cells.index)
             for k in table.key_columns]
    ids = parts[0].str.cat(parts[1:], sep=" | ") if len(parts) > 1 else parts[0]
    ids = ids[parts[0] != ""]
    dup = ids[ids.duplicated(keep=False)]
    if dup.empty:
        return
    named = []
    for value, group in list(dup.groupby(dup, sort=False))[:MAX_LISTED]:
        lines = ", ".join(str(n) for n in cells.loc[group.index[:5], LINE])
        named.append(_("{value} (lines {lines})", value=value, lines=lines))
    more = dup.nunique() - len(named)
    raise LoadError(_("{file}: duplicate {column} in the file: {ids}", file=name, column=" | ".join(table.key_columns),
                      ids=_("; ").join(named)) + (" " + _more(more) if more > 0 else ""))


def _more(count: int) -> str:
    """The end of a list cut to its first items: "and 3 more"."""
    return ngettext("and {count} more", "and {count} more", count, count=formats.number(count))


def _list_rejects(rejects: pd.DataFrame) -> str:
    shown = [_("line {line}: {reason}", line=r.line, reason=r.reason)
             for r in rejects.head(MAX_LISTED).itertuples()]
    more = len(rejects) - len(shown)
    return _("; ").join(shown + ([_more(more)] if more > 0 else []))


def map_file(path: Path, table_name: str, profile: Profile, *, data: bytes | None = None,
             name: str | None = None, encoding: str | None = None, limits: Limits = LIMITS) -> dict[str, Mapped]:
    """What a profile makes of a file, the table it is loaded for first (no database)."""
    name = name or Path(path).name
    try:
        sheet = read_source(profile, path, data=data, name=name, encoding=encoding, limits=limits)
        mapped = apply_profile(profile, sheet)
    except (ReadError, ProfileError) as exc:
        message = str(exc) if str(exc).startswith(name) else _("{name}: {text}", name=name, text=exc)
        raise LoadError(message) from None
    if profile.canonical:   # a canonical file holds one table: the one it is loaded for
        mapped = {table_name: mapped[table_name]}
    if table_name not in mapped:
        raise LoadError(_("{file}: profile {profile} makes no {table} rows (it makes {tables})", file=name,
                          profile=profile.name, table=table_name, tables=", ".join(mapped)))
    return {table_name: mapped[table_name], **{t: m for t, m in mapped.items() if t != table_name}}


def prepare(path: Path, table_name: str, reject_budget: float, profile: Profile | None = None, *,
            data: bytes | None = None, name: str | None = None,
            encoding: str | None = None, limits: Limits = LIMITS) -> list[LoadReport]:
    """Read, map and validate one file without touching the database: a report for the
    table it is loaded for, and one for each other table its profile makes of it."""
    profile = profile or canonical()
    name = name or Path(path).name
    report = LoadReport(table=table_name, file_name=name, profile=profile.name)
    try:
        data = Path(path).read_bytes() if data is None else data
    except OSError as exc:
        raise LoadError(_("{file}: cannot read the file ({reason})", file=name, reason=exc.strerror),
                        [report]) from None
    report.checksum = hashlib.sha256(data).hexdigest()
    try:
        mapped = map_file(path, table_name, profile, data=data, name=name, encoding=encoding, limits=limits)
    except LoadError as exc:
        report.status, report.message = "refused", str(exc)
        raise LoadError(str(exc), [report]) from None
    reports = []
    for table, m in mapped.items():
        r = report if table == table_name else LoadReport(table=table, file_name=name, checksum=report.checksum,
                                                          profile=profile.name)
        try:
            _validate(r, m, profile, reject_budget)
        except LoadError as exc:
            raise LoadError(str(exc), reports + [r]) from None
        reports.append(r)
    return reports


def _validate(report: LoadReport, m: Mapped, profile: Profile, reject_budget: float) -> None:
    table, name = TABLES[m.table], report.file_name
    try:
        _check_header(m.cells, table, name, profile)
        _check_duplicates(m.cells, table, name)
        rows, rejects = validate(m.cells, table)
    except LoadError as exc:
        report.status, report.message = "refused", str(exc)
        raise
    rejects = pd.concat([m.problems, rejects]).sort_values("line", kind="stable").reset_index(drop=True)
    report.rows, report.rejects, report.dropped = rows, rejects, m.dropped
    report.accepted, report.rejected = len(rows), len(rejects)
    report.rows_read = report.accepted + report.rejected + report.dropped
    if report.accepted == 0:
        report.status = "refused"
        report.message = _("{file}: every row was rejected: {rejects}", file=name, rejects=_list_rejects(rejects))
    elif report.rejected > reject_budget * (report.accepted + report.rejected):
        report.status = "refused"
        report.message = ngettext(
            "{file}: {count} of {total} rows rejected, over the reject budget of {budget}%: {rejects}",
            "{file}: {count} of {total} rows rejected, over the reject budget of {budget}%: {rejects}",
            report.rejected, file=name, count=formats.number(report.rejected),
            total=formats.number(report.accepted + report.rejected), budget=formats.number(reject_budget * 100),
            rejects=_list_rejects(rejects))
    if report.status == "refused":
        raise LoadError(report.message, [report])


# ---------------------------------------------------------------- storing

# the days a load changes, per base: their daily roll-ups are computed again before it commits
CONTACT_DAYS, SURVEY_DAYS = "changed_contact_days", "changed_survey_days"


def _note_days(conn: Connection, days: str, times_sql: str, source: str | None = None) -> None:
    """Add the days of the timestamps a query gives to a table of changed days."""
    conn.execute(sa.text(f"INSERT INTO {days} SELECT DISTINCT CAST(t AS DATE) FROM ({times_sql}) x(t)"),
                 {"source": source} if source is not None else {})


def _insert(conn: Connection, table: Table, rows: pd.DataFrame, source: str, load_id: int,
            key: bytes) -> None:
    """Replace the rows with the same ids (latest load wins), then insert; note the days
    whose roll-ups change in ``CONTACT_DAYS`` and ``SURVEY_DAYS``."""
    rows = rows.copy()
    if "customer_id" in rows:
        rows["customer_id"] = hash_ids(rows["customer_id"], key)
    view = f"incoming_{table.name}_{load_id}"
    duck = raw(conn)
    duck.register(view, pa.Table.from_pandas(rows, preserve_index=False))   # Arrow: scanned quicker
    try:
        if isinstance(table.key, str):
            where = f"t.{table.key} IN (SELECT {table.key} FROM {view})"
        else:               # a key of several columns, some of which may be empty
            same = " AND ".join(f"v.{k} IS NOT DISTINCT FROM t.{k}" for k in table.key)
            where = f"EXISTS (SELECT 1 FROM {view} v WHERE {same})"
        if table.per_source:
            where = f"t.source = :source AND {where}"
        if table.name == "contacts":
            conn.execute(sa.text(
                f"CREATE TEMP TABLE touched_{load_id} AS SELECT DISTINCT customer_key FROM ("
                f"  SELECT customer_key FROM contacts t WHERE {where}"
                f"  UNION ALL SELECT customer_id FROM {view}) WHERE customer_key IS NOT NULL"),
                {"source": source})
        flag = next((f for f, link in LINKED.items() if link.table == table.name), None)
        if flag:   # the contacts linked before and after this load
            linked_source = LINKED[flag].source
            conn.execute(sa.text(
                f"CREATE TEMP TABLE linked_{load_id} AS SELECT DISTINCT {linked_source} AS source, contact_id FROM ("
                f"  SELECT {linked_source}, contact_id FROM {table.name} t WHERE {where}"
                f"  UNION ALL SELECT :source, contact_id FROM {view}) WHERE contact_id IS NOT NULL"),
                {"source": source})
        if table.name == "contacts":  # the rows replaced and loaded, and the answers linked to them
            _note_days(conn, CONTACT_DAYS, f"SELECT arrived_at FROM contacts t WHERE {where}"
                                           f" UNION ALL SELECT arrived_at FROM {view}", source)
            _note_days(conn, SURVEY_DAYS, f"SELECT responded_at FROM surveys WHERE contact_source = :source"
                                          f" AND contact_id IN (SELECT contact_id FROM {view})", source)
        if table.name == "surveys":
            _note_days(conn, SURVEY_DAYS, f"SELECT responded_at FROM surveys t WHERE {where}"
                                          f" UNION ALL SELECT responded_at FROM {view}", source)
        conn.execute(sa.text(f"DELETE FROM {table.name} t WHERE {where}"), {"source": source})

        targets, values = [], []
        for col in table.columns:
            stored = "customer_key" if col.name == "customer_id" else col.name
            targets.append(stored)
            values.append(f"CAST({col.name} AS {SQL_TYPES[col.kind]})")
        extra_t, extra_v = ["load_id"], [":load_id"]
        if table.per_source:
            extra_t.append("source"); extra_v.append(":source")
        if table.name == "surveys":
            extra_t.append("contact_source"); extra_v.append(":source")
        if table.name == "contacts":   # until refresh_linked finds an answer or evaluation linked to it
            extra_t += list(LINKED); extra_v += ["FALSE"] * len(LINKED)
        conn.execute(sa.text(
            f"INSERT INTO {table.name} ({', '.join(targets + extra_t)}) "
            f"SELECT {', '.join(values + extra_v)} FROM {view}"),
            {"source": source, "load_id": load_id})
        if table.name == "contacts":
            refresh_gaps(conn, f"SELECT customer_key FROM touched_{load_id}", CONTACT_DAYS)
            conn.exec_driver_sql(f"DROP TABLE touched_{load_id}")
            for each in LINKED:
                refresh_linked(conn, each, f"SELECT source, contact_id FROM contacts WHERE load_id = {int(load_id)}",
                               CONTACT_DAYS)
        if flag:
            refresh_linked(conn, flag, f"SELECT source, contact_id FROM linked_{load_id}", CONTACT_DAYS)
            conn.exec_driver_sql(f"DROP TABLE linked_{load_id}")
        if table.name == "surveys":
            read_comments(conn, f"SELECT source, response_id FROM surveys WHERE load_id = {int(load_id)}")
    finally:
        duck.unregister(view)


def _log(conn: Connection, report: LoadReport, source: str, started: datetime, actor: Actor | None) -> int:
    """The load log's row of a file, and the audit trail's (who loaded it, from where)."""
    load_id = report.load_id or scalar(conn, "SELECT nextval('load_ids')")
    record(conn, actor or Actor(None), "load", file=report.file_name, table=report.table, source=source,
           profile=report.profile, status=report.status, accepted=report.accepted, rejected=report.rejected)
    conn.execute(sa.text(
        "INSERT INTO load_log VALUES (:id, :started, :finished, :table, :file, :checksum, :source,"
        " :profile, :read, :accepted, :rejected, :status, :message)"),
        {"id": load_id, "started": started, "finished": datetime.now(), "table": report.table,
         "file": report.file_name, "checksum": report.checksum, "source": source,
         "profile": report.profile, "read": report.rows_read, "accepted": report.accepted,
         "rejected": report.rejected, "status": report.status, "message": report.message})
    return load_id


def _already_loaded(conn: Connection, report: LoadReport, source: str) -> bool:
    return scalar(conn, "SELECT count(*) FROM load_log WHERE status = 'loaded' AND checksum = :c"
                  " AND table_name = :t AND source = :s AND profile = :p",
                  {"c": report.checksum, "t": report.table, "s": source, "p": report.profile}) > 0


def store(engine: Engine, reports: list[LoadReport], source: str, key: bytes,
          started: datetime | None = None, actor: Actor | None = None, rollups: bool = True) -> list[LoadReport]:
    """Store validated files in one transaction and log them; nothing is kept on failure.
    Without ``rollups``, the caller computes the roll-ups again afterwards (a demo stored in
    parts, once after its last part)."""
    started = started or datetime.now()
    with writing(engine) as conn:
        for days in (CONTACT_DAYS, SURVEY_DAYS):
            conn.exec_driver_sql(f"CREATE OR REPLACE TEMP TABLE {days} (day DATE)")
        for report in reports:
            if _already_loaded(conn, report, source):
                report.status = "unchanged"
                report.message = _("{file}: already loaded; nothing changed", file=report.file_name)
                report.accepted = 0
            else:
                report.load_id = scalar(conn, "SELECT nextval('load_ids')")
                _insert(conn, TABLES[report.table], report.rows, source, report.load_id, key)
                report.status = "loaded"
                report.message = _loaded(report)
            report.load_id = _log(conn, report, source, started, actor)
        if rollups and any(r.status == "loaded" for r in reports):
            refresh_rollups(conn, CONTACT_DAYS, SURVEY_DAYS)
        if any(r.status == "loaded" and r.table in ("contacts", "intervals") for r in reports):
            refresh_covered(conn)
        conn.exec_driver_sql(f"DROP TABLE {CONTACT_DAYS}; DROP TABLE {SURVEY_DAYS}")
    if any(r.status == "loaded" for r in reports):
        warehouse.publish(engine)     # the engine the KPIs are read on, when it is not this one
    return reports


def _loaded(report: LoadReport) -> str:
    """What a file's load did: "contacts.csv: 3 rows loaded, 1 left out by the profile, 1
    rejected: line 4: ..."."""
    parts = [ngettext("{file}: {count} row loaded", "{file}: {count} rows loaded", report.accepted,
                      file=report.file_name, count=formats.number(report.accepted))]
    if report.dropped:
        parts.append(ngettext("{count} left out by the profile", "{count} left out by the profile", report.dropped,
                              count=formats.number(report.dropped)))
    if report.rejected:
        parts.append(ngettext("{count} rejected: {rejects}", "{count} rejected: {rejects}", report.rejected,
                              count=formats.number(report.rejected), rejects=_list_rejects(report.rejects)))
    return ", ".join(parts)


def rejects_frame(reports: list[LoadReport]) -> pd.DataFrame:
    """Every rejected row of a load, for a file: file, table, line and reason. A file name or a
    reason (which quotes the file's values) that a spreadsheet would take for a formula is
    made text."""
    parts = [r.rejects.assign(file=r.file_name, table=r.table) for r in reports if len(r.rejects)]
    if not parts:
        return pd.DataFrame(columns=["file", "table", "line", "reason"])
    table = pd.concat(parts)[["file", "table", "line", "reason"]]
    for column in ("file", "reason"):
        table[column] = [inert(v) for v in table[column]]
    return table


def write_rejects(path: Path, reports: list[LoadReport]) -> None:
    """The rejected rows of a load as a CSV file."""
    path.write_bytes(csv_bytes(rejects_frame(reports)))


def log_refusal(engine: Engine, reports: list[LoadReport], source: str, started: datetime,
                actor: Actor | None = None) -> None:
    with engine.begin() as conn:
        for report in reports:
            report.load_id = None
            _log(conn, report, source, started, actor)


def load(engine: Engine, files: Mapping[str, str | Path | tuple[Path, Profile]], *, source: str | None = None,
         key: bytes, profile: Profile | None = None, encoding: str | None = None, reject_budget: float = 0.05,
         on_step: Callable[[str], None] | None = None, actor: Actor | None = None,
         limits: Limits = LIMITS) -> list[LoadReport]:
    """Load files (``{table: path}``, or ``{table: (path, profile)}`` for a file with its own
    profile; else read through ``profile``, canonical by default) as one all-or-nothing load;
    the source defaults to the first file's profile's; ``actor`` is who loads, for the audit trail;
    a file past ``limits`` is refused.

    Returns a report per table made; raises LoadError, after logging every file as
    refused, when any file is refused.
    """
    step = on_step or (lambda _msg: None)
    profile = profile or canonical()
    unknown = set(files) - set(TABLES)
    if unknown:
        raise ValueError(_("unknown table(s): {tables}", tables=", ".join(sorted(unknown))))
    items = {t: f if isinstance(f, tuple) else (Path(f), profile) for t, f in files.items()}
    source = source or next((p.source for _path, p in items.values() if p.source), None) or "default"
    if not source.strip():
        raise LoadError(_("the source name is empty"))
    started = datetime.now()
    reports: list[LoadReport] = []
    refusal: LoadError | None = None
    for table_name, (path, file_profile) in items.items():
        step(_("reading {file}", file=Path(path).name))
        try:
            reports.extend(prepare(Path(path), table_name, reject_budget, file_profile, encoding=encoding,
                                   limits=limits))
        except LoadError as exc:
            reports.extend(exc.reports or [LoadReport(table_name, Path(path).name, status="refused",
                                                      message=str(exc), profile=file_profile.name)])
            refusal = refusal or exc
    if refusal is None:
        step(_("storing"))
        try:
            return store(engine, reports, source, key, started, actor)
        except LoadError as exc:
            refusal = exc
        except sa.exc.DBAPIError as exc:
            refusal = LoadError(_("the database refused the load: {error}", error=exc.orig))
    for report in reports:
        if report.status != "refused":
            report.status = "refused"
            report.message = _("{file}: not loaded because the load was refused ({reason})",
                               file=report.file_name, reason=refusal)
    log_refusal(engine, reports, source, started, actor)
    raise LoadError(str(refusal), reports)
