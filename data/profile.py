"""Import profiles: small TOML files that turn one source format into the canonical tables.

A profile says how to read the file (encoding, separator, decimal mark, sheet), which rows to
leave out, and, for each canonical table it fills, how each canonical column is made from the
source's columns. The format is documented in ``data/profiles/README.md``; the shipped
profiles are in ``data/profiles/``, and users add theirs in the folder ``PILOTAGE_PROFILES``.

Applying a profile never loads anything: it gives canonical text cells per table (which the
loader then validates like any canonical file), the rows left out by the profile's rules, and
the values the profile could not read, each with its line in the file.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from pathlib import Path
from typing import Mapping

import pandas as pd
from babel.dates import format_date

from data.reading import LIMITS, LINE, Limits, Sheet, read_lines, read_sheet, separator_named
from data.schema import TABLES
from data.validate import VALUE, fill, mark
from i18n import _, current

SHIPPED = Path(__file__).resolve().parent / "profiles"
FORMATS = ("table", "asterisk-queue-log")
SPEC_KEYS = {"from", "with", "value", "case", "between", "sum", "empty", "map", "datetime", "duration",
             "number", "scale", "otherwise"}
DURATIONS = ("seconds", "minutes", "clock", "excel_days")
ISO = "%Y-%m-%d %H:%M:%S"
PROFILE_BYTES = 256 * 1024    # far more than any profile; what is read of a file given as one


class ProfileError(ValueError):
    """A profile that cannot be used, or a file it cannot read; the message says where."""


@dataclass(frozen=True)
class Profile:
    name: str
    description: str = ""
    format: str = "table"
    source: str | None = None                  # default source name of its loads
    read: Mapping = field(default_factory=dict)  # encoding, separator, decimal, sheet, empty, timezone
    headers: tuple[str, ...] = ()              # the columns that identify the format
    drop: tuple[Mapping, ...] = ()             # rules: rows matching one are left out
    tables: Mapping[str, Mapping] = field(default_factory=dict)   # table -> column -> spec
    path: Path | None = None

    @property
    def canonical(self) -> bool:
        """The canonical format itself: columns taken as they are."""
        return not self.tables


@dataclass
class Mapped:
    """What a profile made of a file for one table."""

    table: str
    cells: pd.DataFrame                  # canonical columns as text, plus LINE
    problems: pd.DataFrame               # line, reason: values the profile could not read
    dropped: int = 0                     # rows left out by the profile's rules
    encoding: str | None = None
    separator: str | None = None


# ---------------------------------------------------------------- finding and checking

def available(extra: Path | None = None) -> dict[str, Path]:
    """Profile name -> file, the user's folder overriding the shipped ones."""
    out: dict[str, Path] = {}
    for folder in [SHIPPED] + ([extra] if extra else []):
        if folder.is_dir():
            out.update({p.stem: p for p in sorted(folder.glob("*.toml"))})
    return out


def get_profile(name_or_path: str, extra: Path | None = None) -> Profile:
    """A profile by name (shipped or in the user's folder) or by the path of its file."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return load_profile(path)
    known = available(extra)
    if name_or_path not in known:
        raise ProfileError(_("unknown profile {name!r}; known: {known}", name=name_or_path, known=", ".join(known)))
    return load_profile(known[name_or_path])


def named_profile(name, extra: Path | None = None) -> Profile:
    """A profile by its name only, one of ``available``: what a browser may choose. Any other
    value (a path, a list...) is refused without looking at the file system for it."""
    known = available(extra)
    if not isinstance(name, str) or name not in known:
        shown = repr(name[:40] + "…" if len(name) > 40 else name) if isinstance(name, str) else _("(not a name)")
        raise ProfileError(_("unknown import profile {name}; known: {known}", name=shown, known=", ".join(known)))
    return load_profile(known[name])


@lru_cache(maxsize=1)
def canonical() -> Profile:
    return load_profile(SHIPPED / "canonical.toml")


def load_profile(path: Path) -> Profile:
    """The profile of a file, which must be a file (not a device) of at most PROFILE_BYTES."""
    path = Path(path)
    if path.exists() and not path.is_file():
        raise ProfileError(_("profile {path}: not a file", path=path))
    try:
        with open(path, "rb") as fh:
            text = fh.read(PROFILE_BYTES + 1)
        if len(text) > PROFILE_BYTES:
            raise ProfileError(_("profile {name}: over {limit} KB, not a profile", name=path.name,
                                 limit=PROFILE_BYTES // 1024))
        raw = tomllib.loads(text.decode("utf-8"))
    except FileNotFoundError:
        raise ProfileError(_("profile file {path} does not exist", path=path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(_("profile {name}: not valid TOML ({error})", name=path.name, error=exc)) from None
    return parse_profile(raw, path.stem, path)


def parse_profile(raw: Mapping, default_name: str = "profile", path: Path | None = None) -> Profile:
    where = _("profile {name}", name=raw.get("name", default_name))
    known = {"name", "description", "format", "source", "read", "match", "drop"} | set(TABLES)
    unknown = set(raw) - known
    if unknown:
        raise ProfileError(_("{where}: unknown key(s) {keys}", where=where, keys=", ".join(sorted(unknown))))
    fmt = raw.get("format", "table")
    if fmt not in FORMATS:
        raise ProfileError(_("{where}: format must be one of {formats}, not {format!r}", where=where,
                             formats=", ".join(FORMATS), format=fmt))
    tables = {t: dict(raw[t]) for t in TABLES if t in raw}
    for table, columns in tables.items():
        allowed = {c.name for c in TABLES[table].columns} | {"keep_if_any"}
        for column, spec in columns.items():
            if column not in allowed:
                raise ProfileError(_("{where}: [{table}] has no canonical column {column!r}", where=where,
                                     table=table, column=column))
            if column != "keep_if_any":
                _check_spec(spec, f"{where}, {table}.{column}")
    drop = raw.get("drop", [])
    return Profile(name=raw.get("name", default_name), description=raw.get("description", ""),
                   format=fmt, source=raw.get("source"), read=dict(raw.get("read", {})),
                   headers=tuple(raw.get("match", {}).get("headers", ())),
                   drop=tuple(drop if isinstance(drop, list) else [drop]), tables=tables, path=path)


def _check_spec(spec, where: str) -> None:
    if isinstance(spec, str):
        return
    if not isinstance(spec, Mapping):
        raise ProfileError(_("{where}: a column is a source column name or a table of rules", where=where))
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise ProfileError(_("{where}: unknown rule(s) {rules}; rules: {known}", where=where,
                             rules=", ".join(sorted(unknown)), known=", ".join(sorted(SPEC_KEYS))))
    makers = [k for k in ("from", "value", "case", "between", "sum") if k in spec]
    if len(makers) != 1:
        raise ProfileError(_("{where}: give exactly one of from, value, case, between, sum", where=where))
    if "sum" in spec and (not isinstance(spec["sum"], list) or not spec["sum"]
                          or not all(isinstance(c, str) for c in spec["sum"])):
        raise ProfileError(_("{where}: sum is a list of source columns", where=where))
    if spec.get("duration") and spec["duration"] not in DURATIONS:
        raise ProfileError(_("{where}: duration must be one of {units}", where=where, units=", ".join(DURATIONS)))
    scale = spec.get("scale", 1)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale < float("inf"):
        raise ProfileError(_("{where}: scale must be a number above 0", where=where))
    if "otherwise" in spec:
        _check_spec(spec["otherwise"], where + ".otherwise")


# ---------------------------------------------------------------- applying

def read_source(profile: Profile, path: Path | str, data: bytes | None = None,
                name: str | None = None, encoding: str | None = None, limits: Limits = LIMITS) -> Sheet:
    """The file's cells as the profile reads them (``encoding`` overrides the profile's),
    within ``limits``."""
    encoding = encoding or _auto(profile.read.get("encoding"))
    if profile.format == "asterisk-queue-log":
        from data.asterisk import assemble
        lines, used = read_lines(path, encoding=encoding, data=data, name=name)
        return Sheet(name or Path(path).name, assemble(lines, name or Path(path).name), used, "|")
    return read_sheet(path, encoding=encoding, separator=_auto(profile.read.get("separator")),
                      sheet=profile.read.get("sheet"), data=data, name=name, limits=limits)


def _auto(value):
    return None if value in (None, "", "auto") else value


def separator(profile: Profile) -> str | None:
    """The separator a profile insists on (None: any)."""
    sep = _auto(profile.read.get("separator"))
    return separator_named(sep) if sep else None


def apply_profile(profile: Profile, sheet: Sheet) -> dict[str, Mapped]:
    """The canonical tables a profile makes of a file's cells."""
    cells = sheet.cells
    if profile.canonical:
        renamed = cells.rename(columns={c: c.strip().lower() for c in cells.columns if c != LINE})
        return {t: Mapped(t, renamed, _no_problems(), 0, sheet.encoding, sheet.separator) for t in TABLES}
    missing = sorted(source_columns(profile) - set(cells.columns))
    if missing:
        raise ProfileError(_("{file}, line 1: column(s) {columns} missing for profile {profile}", file=sheet.name,
                             columns=", ".join(missing), profile=profile.name) + _header_hint(sheet, missing))
    empty = {str(v) for v in profile.read.get("empty", [])}
    keep = ~_matches_any(cells, profile.drop)
    dropped = int((~keep).sum())
    cells = cells[keep].reset_index(drop=True)
    out = {}
    for table, columns in profile.tables.items():
        made, problems = {}, []
        for column, spec in columns.items():
            if column == "keep_if_any":
                continue
            values, bad = _make(spec, cells, profile, empty, column)
            made[column] = values
            problems.append(bad)
        frame = pd.DataFrame(made, index=cells.index)
        frame[LINE] = cells[LINE]
        reasons = _merge(problems, cells.index)
        keep_rows = pd.Series(True, index=cells.index)
        if "keep_if_any" in columns:   # e.g. survey rows only where the line has an answer
            keep_rows = frame[list(columns["keep_if_any"])].ne("").any(axis=1)
        bad = reasons.notna() & keep_rows
        problem_frame = pd.DataFrame({"line": cells.loc[bad, LINE].astype(int),
                                      "reason": reasons[bad]}).reset_index(drop=True)
        out[table] = Mapped(table, frame[keep_rows & ~bad].reset_index(drop=True), problem_frame,
                            dropped, sheet.encoding, sheet.separator)
    return out


def _no_problems() -> pd.DataFrame:
    return pd.DataFrame({"line": pd.Series(dtype=int), "reason": pd.Series(dtype=object)})


def _header_hint(sheet: Sheet, missing: list[str]) -> str:
    """Why a profile's columns are not found, when the file tells: a header read as one
    column (the separator), or a column there with its accented letters garbled (the encoding)."""
    if len(sheet.headers) == 1 and sheet.separator:
        return " (" + _("the whole header is one column: is {separator!r} the separator?",
                        separator=sheet.separator) + ")"
    fold = lambda text: "".join(ch for ch in text if ch.isascii()).strip().lower()  # noqa: E731
    seen = {fold(h) for h in sheet.headers}
    if sheet.encoding and any(not m.isascii() and fold(m) in seen for m in missing):
        return " (" + _("the file was read as {encoding}: is that its encoding?", encoding=sheet.encoding) + ")"
    return ""


def source_columns(profile: Profile) -> set[str]:
    """Every source column the profile reads."""
    names: set[str] = set()

    def walk(spec):
        if isinstance(spec, str):
            names.add(spec)
            return
        for key in ("from", "between", "sum"):
            if key in spec:
                names.update([spec[key]] if isinstance(spec[key], str) else spec[key])
        for rule in spec.get("case", []):
            names.update(rule.get("when", {}))
            if "from" in rule:
                names.add(rule["from"])
        if "otherwise" in spec:
            walk(spec["otherwise"])

    for columns in profile.tables.values():
        for column, spec in columns.items():
            if column != "keep_if_any":
                walk(spec)
    for rule in profile.drop:
        names.update(k for k in rule if k != "why")
    return names


def _text(cells: pd.DataFrame, column: str) -> pd.Series:
    return cells[column].fillna("").astype(str).str.strip()


def _matches(cells: pd.DataFrame, when: Mapping) -> pd.Series:
    """Rows where every condition holds: a value, a list of values, "" for empty."""
    hit = pd.Series(True, index=cells.index)
    for column, wanted in when.items():
        if column == "why":
            continue
        values = [str(v) for v in (wanted if isinstance(wanted, list) else [wanted])]
        hit &= _text(cells, column).isin(values)
    return hit


def _matches_any(cells: pd.DataFrame, rules) -> pd.Series:
    hit = pd.Series(False, index=cells.index)
    for rule in rules:
        hit |= _matches(cells, rule)
    return hit


def _make(spec, cells: pd.DataFrame, profile: Profile, empty: set[str], column: str):
    """A canonical column as text ('' = unknown) and the reason of each value it could not
    read (None where fine)."""
    if isinstance(spec, str):
        spec = {"from": spec}
    sentinels = empty | {str(v) for v in spec.get("empty", [])}
    reasons = pd.Series(None, index=cells.index, dtype=object)   # why a value could not be read
    if "value" in spec:
        values = pd.Series(str(spec["value"]), index=cells.index)
    elif "case" in spec:
        values = pd.Series("", index=cells.index)
        decided = pd.Series(False, index=cells.index)
        for rule in spec["case"]:
            hit = _matches(cells, rule.get("when", {})) & ~decided
            chosen = _text(cells, rule["from"]) if "from" in rule else str(rule.get("value", ""))
            values = values.where(~hit, chosen)
            decided |= hit
    elif "between" in spec:
        start, end = (_text(cells, c) for c in spec["between"])
        blank = start.isin(sentinels) | end.isin(sentinels) | (start == "") | (end == "")
        values, why = _difference(start, end, column)
        reasons = why.where(~blank, None)
        values = values.where(~blank, "")
    elif "sum" in spec:     # the total of number columns (unknown when a part is)
        parts = [_text(cells, c) for c in spec["sum"]]
        blank = pd.concat([p.isin(sentinels) | (p == "") for p in parts], axis=1).any(axis=1)
        read = [_numbers(p.where(~blank, ""), profile.read.get("decimal", "."), column) for p in parts]
        total = sum(pd.to_numeric(v.where(v != ""), errors="coerce") for v, _why in read)
        values = total.map(lambda v: "" if v != v else f"{v:.10g}")
        reasons = _merge([why for _v, why in read], cells.index)
    else:
        parts = [_text(cells, c) for c in ([spec["from"]] if isinstance(spec["from"], str) else spec["from"])]
        blank = pd.concat([p.isin(sentinels) | (p == "") for p in parts], axis=1).any(axis=1)
        values = parts[0]
        for part in parts[1:]:
            values = values + spec.get("with", " ") + part
        values = values.where(~blank, "")
    if "map" in spec:
        table = {str(k).strip().lower(): str(v) for k, v in spec["map"].items()}
        values = values.map(lambda v: table.get(v.lower(), v))
    decimal = profile.read.get("decimal", ".")
    converted = None
    if "datetime" in spec:
        converted = _datetimes(values, spec["datetime"], column, profile, cells[LINE])
    elif spec.get("duration"):
        converted = _durations(values, spec["duration"], decimal, column)
    elif spec.get("number") or "scale" in spec:
        converted = _numbers(values, decimal, column)
        if "scale" in spec:   # a mark out of 20 as a percentage: scale = 5
            scaled = pd.to_numeric(converted[0].where(converted[0] != ""), errors="coerce") * spec["scale"]
            converted = (scaled.map(lambda v: "" if v != v else f"{v:.10g}"), converted[1])
    if converted is not None:
        values, why = converted
        reasons = reasons.where(reasons.notna(), why)
    if "otherwise" in spec:
        other, other_why = _make(spec["otherwise"], cells, profile, empty, column)
        use = (values == "") & reasons.isna()
        values = values.where(~use, other)
        reasons = reasons.where(~use, other_why)
    return values.fillna(""), reasons


def _merge(problems: list[pd.Series], index) -> pd.Series:
    """A row's first problem, over the columns."""
    out = pd.Series(None, index=index, dtype=object)
    for why in problems:
        out = out.where(out.notna(), why)
    return out


def _datetimes(values: pd.Series, formats, column: str, profile: Profile, lines: pd.Series):
    """ISO text from the profile's date formats. Each value is read with the first listed
    format that reads it. Where formats read a value differently (03/04 as 3 April and as 4
    March), the file settles it: the format that alone reads some other value (13/04) is the
    one the file uses; a file that does not settle it is refused, naming the value's line."""
    formats = [formats] if isinstance(formats, str) else list(formats)
    present = values != ""
    text = values[present]
    if formats == ["epoch"]:
        stamps = pd.to_datetime(pd.to_numeric(text, errors="coerce"), unit="s", utc=True)
        stamps = stamps.dt.tz_convert(profile.read.get("timezone", "UTC")).dt.tz_localize(None)
        return _iso(values, present, stamps, column, _("seconds since 1970"))
    parsed = pd.DataFrame({f: pd.to_datetime(text, format=f, errors="coerce") for f in formats}, index=text.index)
    read = parsed.notna()
    alone = read.sum(axis=1) == 1
    proven = {f for f in formats if (alone & read[f]).any()}    # the file shows it uses these
    chosen = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for f in reversed(formats):   # the first listed format that reads a value wins
        chosen = chosen.where(~read[f], parsed[f])
    differ = parsed.nunique(axis=1, dropna=True) > 1
    for i in differ[differ].index:
        readers = [f for f in formats if read.at[i, f]]
        settled = [f for f in readers if f in proven]
        if len({parsed.at[i, f] for f in settled}) != 1:
            a, b = readers[0], next(f for f in readers[1:] if parsed.at[i, f] != parsed.at[i, readers[0]])
            raise ProfileError(_(
                "{column}, line {line}: the dates are ambiguous: {value!r} reads as {first} with {a} and as "
                "{second} with {b}, and the file does not settle which it uses; the profile must name the one "
                "format this file uses", column=column, line=int(lines[i]), value=text[i],
                first=_long_date(parsed.at[i, a]), a=a, second=_long_date(parsed.at[i, b]), b=b))
        chosen[i] = parsed.at[i, settled[0]]
    return _iso(values, present, chosen, column, reduce(lambda a, b: _("{a} or {b}", a=a, b=b), formats))


def _long_date(stamp) -> str:
    """``03 April 2025``, ``03 avril 2025``: a day whose month is read whatever the language."""
    return format_date(stamp, "dd MMMM yyyy", locale=current())


def _iso(values, present, stamps, column, expected):
    out = pd.Series("", index=values.index, dtype=object)
    out[present] = stamps.dt.strftime(ISO).fillna("")
    why = pd.Series(None, index=values.index, dtype=object)
    bad = present & (out == "")
    why[bad] = fill(_("{column} {value} is not a date in the form {formats}", column=column, value=VALUE,
                      formats=expected), value=_quoted(values[bad]))
    return out, why


def _quoted(values: pd.Series) -> pd.Series:
    return "'" + values + "'"


def _numbers(values: pd.Series, decimal: str, column: str, reason: str | None = None):
    """Canonical numbers from the profile's; ``reason`` says why a value is not one (made
    with ``VALUE`` for the value: "... is not a number" by default)."""
    present = values != ""
    text = values.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    if decimal == ",":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text.where(present), errors="coerce")
    reason = reason or _("{column} {value} is not a number", column=column, value=VALUE)
    return _number_text(values, present, numbers, reason)


def _number_text(values, present, numbers, reason: str, **cells):
    """The numbers as canonical text, and why each value that is not one is refused:
    ``reason``, its marks filled with the value quoted (or with ``cells``)."""
    out = numbers.map(lambda v: "" if v != v else f"{v:.10g}")
    why = pd.Series(None, index=values.index, dtype=object)
    bad = present & numbers.isna()
    why[bad] = fill(reason, **({name: _quoted(cell[bad]) for name, cell in cells.items()}
                               or {"value": _quoted(values[bad])}))
    return out.where(present, ""), why


def _durations(values: pd.Series, unit: str, decimal: str, column: str):
    """Seconds from seconds, minutes, a clock (H:MM:SS or MM:SS) or an Excel day fraction."""
    present = values != ""
    if unit == "clock":
        parts = values.str.replace(",", ".", regex=False).str.split(":")
        count = parts.str.len()
        three = count == 3

        def part(i: int) -> pd.Series:   # the i-th part as a number (none where the value has fewer)
            return pd.to_numeric(parts.str[i], errors="coerce")
        hours = part(0).where(three, 0)
        minutes, secs = part(1).where(three, part(0)), part(2).where(three, part(1))
        ok = count.isin((2, 3)) & secs.between(0, 60, inclusive="left") & (~three | minutes.between(0, 59))
        seconds = (hours * 3600 + minutes * 60 + secs).where(present & ok)
        return _number_text(values, present, seconds, _("{column} {value} is not a duration as H:MM:SS or MM:SS",
                                                        column=column, value=VALUE))
    if unit in ("minutes", "excel_days"):
        out, _why = _numbers(values, decimal, column)
        factor = 60 if unit == "minutes" else 86400
        numbers = pd.to_numeric(out.where(out != ""), errors="coerce") * factor
        return _number_text(values, present, numbers.round(3), _("{column} {value} is not a duration in {unit}",
                                                                 column=column, value=VALUE, unit=unit))
    return _numbers(values, decimal, column, _("{column} {value} is not a number of seconds", column=column,
                                               value=VALUE))


def _difference(start: pd.Series, end: pd.Series, column: str):
    """Seconds from start to end: two clock times (an end before the start is past
    midnight) or two timestamps."""
    def seconds(text: pd.Series) -> pd.Series:
        clock = pd.to_timedelta(text.where(text.str.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?")), errors="coerce")
        return clock.dt.total_seconds()
    s, e = seconds(start), seconds(end)
    diff = (e - s).where(lambda d: d >= 0, e - s + 86400)
    rest = diff.isna()
    if rest.any():
        stamps = (pd.to_datetime(end[rest], format="ISO8601", errors="coerce")
                  - pd.to_datetime(start[rest], format="ISO8601", errors="coerce")).dt.total_seconds()
        diff[rest] = stamps
    return _number_text(start, pd.Series(True, index=start.index), diff,
                        _("{column} {start} to {end} is not a pair of times", column=column, start=mark("start"),
                          end=mark("end")), start=start, end=end)
