"""Looking at a file before loading it: how it reads (encoding, separator, header), which
profile fits it best, the rows that profile makes of it and every problem found. Nothing is
written to the database."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from data.loader import LoadError, LoadReport, prepare
from data.profile import Profile, ProfileError, available, get_profile, load_profile, separator, source_columns
from data.reading import LIMITS, Limits, ReadError, read_sheet
from data.schema import TABLES
from i18n import _, formats, ngettext

_QUEUE_LOG = re.compile(r"^\d{9,11}\|[^|]*\|[^|]*\|[^|]*\|[A-Z_]+")


@dataclass
class Inspection:
    file_name: str
    encoding: str | None = None
    separator: str | None = None
    headers: list[str] = field(default_factory=list)
    profile: str | None = None
    scores: dict[str, float] = field(default_factory=dict)   # profile -> share of its columns found
    table: str | None = None
    reports: list[LoadReport] = field(default_factory=list)
    error: str | None = None                                # why the file cannot be loaded


def profile_scores(data: bytes, headers: list[str], profiles: dict[str, Profile],
                   encoding: str | None = None) -> dict[str, float]:
    """How well each profile fits a file: the share of the columns it reads that the file
    has, its header read with the profile's own separator (a profile for ';' files cannot fit
    a comma-separated one), 1.0 for a queue log read by the queue-log profile."""
    text = data[:65536].decode(encoding or "latin-1", errors="replace")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")

    def header(profile: Profile) -> list[str]:
        sep = separator(profile)
        if not sep or encoding is None:   # any separator (or a workbook): as the file was read
            return headers
        return [h.strip() for h in next(csv.reader([first], delimiter=sep), [])]

    scores = {}
    for pname, profile in profiles.items():
        if profile.format == "asterisk-queue-log":
            scores[pname] = 1.0 if _QUEUE_LOG.match(first) else 0.0
        elif profile.canonical:
            lowered = {h.lower() for h in header(profile)}
            scores[pname] = max(len(set(t.required) & lowered) / len(t.required) for t in TABLES.values())
        else:
            wanted = set(profile.headers) or source_columns(profile)
            scores[pname] = len(wanted & set(header(profile))) / len(wanted)
    return scores


def sniff(path: Path | str, *, extra: Path | None = None, encoding: str | None = None,
          data: bytes | None = None, name: str | None = None, limits: Limits = LIMITS) -> Inspection:
    """How a file reads (encoding, separator, header) and how well each profile fits it, with
    the best in ``profile`` (None when none knows its columns); nothing is mapped."""
    path = Path(path)
    out = Inspection(name or path.name)
    data = path.read_bytes() if data is None else data
    try:   # a queue log is not a table: its profile reads it
        sheet = read_sheet(path, encoding=encoding, data=data, name=out.file_name, limits=limits)
        out.encoding, out.separator, out.headers = sheet.encoding, sheet.separator, sheet.headers
    except ReadError as exc:
        out.error = str(exc)
    profiles = {n: load_profile(p) for n, p in available(extra).items()}
    out.scores = profile_scores(data, out.headers, profiles, out.encoding)
    best = max(out.scores, key=lambda n: (out.scores[n], not profiles[n].canonical))
    out.profile = best if out.scores[best] > 0 else None
    return out


def canonical_table(headers: list[str]) -> str:
    """The canonical table a file's header is for (its key column)."""
    lowered = {h.strip().lower() for h in headers}
    # the first whose key it holds: answers and assessments carry contact_id too, contacts a
    # reason, costs a campaign
    for name in ("surveys", "evaluations", "contacts", "agents", "costs", "intervals", "campaigns", "reasons"):
        if TABLES[name].key_columns[0] in lowered:
            return name
    return "contacts"


def inspect_file(path: Path | str, profile: str | Profile | None = None, *, extra: Path | None = None,
                 encoding: str | None = None, reject_budget: float = 1.0, data: bytes | None = None,
                 name: str | None = None, limits: Limits = LIMITS) -> Inspection:
    """A file looked at through ``profile`` (a name or path, or a profile already chosen; the
    best fit when None), within ``limits``."""
    path = Path(path)
    try:
        data = path.read_bytes() if data is None else data
        out = sniff(path, extra=extra, encoding=encoding, data=data, name=name, limits=limits)
    except OSError as exc:
        return Inspection(name or path.name, error=str(exc))
    try:
        if profile is None and out.profile is None:
            out.error = out.error or _("{file}: no profile knows this file's columns; write one for it (see "
                                       "data/profiles/README.md)", file=out.file_name)
            return out
        chosen = profile if isinstance(profile, Profile) else get_profile(profile or out.profile, extra)
        out.profile, out.error = chosen.name, None
        out.table = canonical_table(out.headers) if chosen.canonical else next(iter(chosen.tables))
        out.reports = prepare(path, out.table, reject_budget, chosen, data=data, name=out.file_name,
                              encoding=encoding, limits=limits)
    except LoadError as exc:
        out.error, out.reports = str(exc), exc.reports
    except (ReadError, ProfileError) as exc:
        out.error = str(exc)
    return out


def _labelled(label: str, text: str) -> str:
    """A line of the description: its label, then its text in the column after the labels."""
    return f"{label:<10} {text}"


def describe(result: Inspection, rows: int = 5) -> str:
    """The inspection as text for the command line."""
    lines = [_labelled(_("file:"), result.file_name)]
    if result.encoding or result.separator:
        sep = _("tab") if result.separator == "\t" else result.separator
        lines.append(_labelled(_("read as:"), ngettext(
            "{encoding}, separator {separator!r}, {count} column", "{encoding}, separator {separator!r}, {count} columns",
            len(result.headers), encoding=result.encoding or _("workbook"), separator=sep,
            count=formats.number(len(result.headers)))))
        lines.append(_labelled(_("header:"), " | ".join(result.headers)))
    if result.scores:
        ranked = sorted(result.scores.items(), key=lambda kv: -kv[1])
        lines.append(_labelled(_("profiles:"), ", ".join(_("{profile} {share}%", profile=n,
                                                            share=formats.number(s * 100)) for n, s in ranked)))
    if result.profile:
        lines.append(_labelled(_("profile:"), _("{profile} (for {table})", profile=result.profile,
                                                 table=result.table)))
    for report in result.reports:
        lines.append(_("{table}: {accepted} rows ready, {dropped} left out by the profile, {rejected} rejected",
                       table=report.table, accepted=formats.number(report.accepted),
                       dropped=formats.number(report.dropped), rejected=formats.number(report.rejected)))
        if report.rows is not None and len(report.rows):
            shown = report.rows.head(rows).dropna(axis=1, how="all")
            lines.append(shown.to_string(index=False, na_rep="–", max_colwidth=30))
        for r in report.rejects.itertuples():
            lines.append("  " + _("line {line}: {reason}", line=r.line, reason=r.reason))
    if result.error:
        lines.append(_labelled(_("error:"), result.error))
    return "\n".join(lines)
