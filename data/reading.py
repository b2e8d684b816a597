"""Reading an extract as a table of text cells, whatever its encoding, separator or format.

Text files: UTF-8 with or without BOM, CP1252 and Latin-1 are told apart (or forced); the
separator (``,`` ``;`` tab ``|``) is found from the header line (or forced). Workbooks: one
sheet of an .xlsx. Every cell stays text: types are the profile's and the validator's work.
Each row keeps the line of the file it came from (``LINE``), for messages.

What a file may hold is bounded (``Limits``: its columns, the length of a value, the size a
workbook expands to), and a file past a bound is refused before the costly part of its reading,
with the file, the line and the setting that sets the bound. A workbook's formula cells are
read as the values they were saved with; one saved without its value is refused, with its cells.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import iterparse

import pandas as pd

from i18n import _, formats, ngettext

LINE = "_line"                       # the column holding each row's line in the file
ENCODINGS = ("utf-8", "cp1252", "latin-1")
SEPARATORS = (",", ";", "\t", "|")
# what UTF-8 text looks like once wrongly decoded as CP1252 / Latin-1: 'Ã©' for 'é'...
_MOJIBAKE = ("Ã©", "Ã¨", "Ã ", "Ã§", "Ã´", "Ã¢", "Ãª", "Ã‰", "â‚¬", "â€™", "Ã¹", "Ã®", "Â°")
MB = 1024 * 1024
CELLS_NAMED = 10                     # formula cells named in a refusal
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")   # a formula element in a sheet's XML
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension[\s>/]")   # a sheet's declared size
UNSIZED_PREVIEW_MB = 4     # the largest sheet without a declared size whose start is read
# the csv module's own bound on a value (128 KB, a traceback past it) is lifted: the bound is
# Limits.field_kb, checked on the cells read, with the line
csv.field_size_limit(2**31 - 1)


class ReadError(ValueError):
    """A file that cannot be read as a table; the message names the file (and line)."""


@dataclass(frozen=True)
class Limits:
    """What a file may hold, each bound a setting (named in the refusal), and how much of it
    to read (``rows``: a preview's first rows of a workbook; None reads it all)."""

    columns: int = 500          # PILOTAGE_MAX_COLUMNS
    field_kb: float = 64        # PILOTAGE_MAX_FIELD_KB: the longest value, in thousands of characters
    xlsx_mb: float = 100        # PILOTAGE_MAX_XLSX_MB: the size a workbook's parts expand to
    rows: int | None = None

    @classmethod
    def of(cls, settings, rows: int | None = None) -> "Limits":
        """The bounds a ``settings.Settings`` sets."""
        return cls(settings.max_columns, settings.max_field_kb, settings.max_xlsx_mb, rows)

    @property
    def field_chars(self) -> int:
        return int(self.field_kb * 1024)


LIMITS = Limits()


def _bound(value: float) -> str:
    """A bound as the settings give it (``64``, ``1.5``), in the language's numbers."""
    digits = f"{value:f}".rstrip("0").partition(".")[2]
    return formats.number(value, min(len(digits), 6))


def check_columns(count: int, name: str, line: int, limits: Limits) -> None:
    """Refuse a record of more cells than a file may have columns."""
    if count > limits.columns:
        raise ReadError(_("{file}: {count} columns on line {line}, more than the {limit} a file may have "
                          "(PILOTAGE_MAX_COLUMNS)", file=name, count=formats.number(count), line=line,
                          limit=formats.number(limits.columns)))


def check_values(cells: pd.DataFrame, name: str, limits: Limits, header_line: int = 1) -> None:
    """Refuse a file with a column name or a value longer than a value may be, naming the
    first line that holds one."""
    limit = limits.field_chars
    lines = [header_line] if any(len(str(c)) > limit for c in cells.columns) else []
    for column in cells.columns.drop(LINE, errors="ignore"):
        long = cells[column].str.len() > limit
        if long.any():
            lines.append(int(cells.loc[long.idxmax(), LINE]))
    if lines:
        raise ReadError(_("{file}, line {line}: a value longer than the {limit} KB a value may hold "
                          "(PILOTAGE_MAX_FIELD_KB)", file=name, line=min(lines), limit=_bound(limits.field_kb)))


@dataclass(frozen=True)
class Sheet:
    name: str                 # the file's name, for messages
    cells: pd.DataFrame       # text cells, header names as in the file, plus LINE
    encoding: str | None      # None for a workbook
    separator: str | None

    @property
    def headers(self) -> list[str]:
        return [c for c in self.cells.columns if c != LINE]


def is_workbook(data: bytes, name: str) -> bool:
    return data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm"))


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """The text of a file and the encoding it was read with: the one forced, else the first
    of UTF-8, CP1252, Latin-1 that reads it. A forced encoding that does not fit fails."""
    if b"\x00" in data[:8192]:
        raise ReadError(_("{file}: not a CSV or text file (it holds binary data)", file=name))
    if encoding:
        enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ReadError(_("{file}, line {line}: not {encoding} text (byte {byte}); read it with another "
                              "encoding", file=name, line=line, encoding=encoding.upper(),
                              byte=format(data[exc.start], "#04x"))) from None
        except LookupError:
            raise ReadError(_("{file}: unknown encoding {encoding!r}", file=name, encoding=encoding)) from None
        if enc.lower() in ("cp1252", "latin-1", "latin1", "iso-8859-1", "iso-8859-15") and _looks_utf8(data):
            sample = next(m for m in _MOJIBAKE if m in text)
            raise ReadError(_("{file}: the file is UTF-8 but was read as {encoding} (it would show '{sample}' "
                              "for accented letters); read it as UTF-8", file=name, encoding=encoding, sample=sample))
        return text, encoding
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:   # bytes CP1252 leaves undefined (0x81, 0x8d...): Latin-1
        return data.decode("latin-1"), "latin-1"


def _looks_utf8(data: bytes) -> bool:
    """UTF-8 text with non-ASCII letters (which a single-byte reading would garble)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return any(ord(ch) > 127 for ch in text[:200_000])


def separator_named(name: str) -> str:
    """A separator as a profile or a person names it ("tab" for a tab)."""
    return {"tab": "\t", "\\t": "\t"}.get(name, name)


def find_separator(text: str, separator: str | None = None) -> str:
    """The separator forced, else the one that splits the header line into most columns
    (ties go to the order of SEPARATORS) and keeps the next lines to the same count."""
    if separator:
        return separator_named(separator)
    lines = [ln for ln in text[:1_000_000].splitlines()[:20] if ln.strip()]   # not the whole file
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for sep in SEPARATORS:
        counts = [len(next(csv.reader([ln], delimiter=sep), [])) for ln in lines]
        steady = sum(c == counts[0] for c in counts[1:])
        score = (counts[0], steady) if counts[0] > 1 else (0, 0)
        if score > best_score:
            best, best_score = sep, score
    return best


def read_sheet(path: Path | str, *, encoding: str | None = None, separator: str | None = None,
               sheet: str | None = None, data: bytes | None = None, name: str | None = None,
               limits: Limits = LIMITS) -> Sheet:
    """A file's cells as text (``data`` gives the bytes of an upload instead of a path), within
    ``limits``."""
    data, name = _contents(path, data, name)
    if is_workbook(data, name):
        return _read_workbook(data, name, sheet, limits)
    text, used = decode(data, name, encoding)
    sep = find_separator(text, separator)
    cells = _fast_table(text, sep, data if used == "utf-8" else text.encode("utf-8"), name, limits)
    if cells is None:   # blank lines, values over several lines, ragged rows: read line by line
        try:
            cells = _table(_records(text, sep, name, limits), name, limits)
        except csv.Error as exc:
            raise ReadError(_("{file}: not a readable CSV file ({error})", file=name, error=exc)) from None
    return Sheet(name, cells, used, sep)


def _fast_table(text: str, sep: str, utf8: bytes, name: str, limits: Limits) -> pd.DataFrame | None:
    """The common case, read fast from the text's UTF-8 bytes: a header on line 1, then one
    record per line (so a row's line is its position + 2). None when the file is not that
    simple (blank lines, values over several lines, ragged rows). A header of more columns
    than a file may have is refused before the rest is read."""
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    first = text.split("\n", 1)[0]
    header = next(csv.reader([first], delimiter=sep), [])
    check_columns(len(header), name, 1, limits)
    if not first.strip() or len({h.strip() for h in header}) < len(header) or not all(h.strip() for h in header):
        return None   # blank or repeated column names: the careful reader names them
    try:   # Arrow's reader: several threads, and its strings are what pandas keeps
        cells = pd.read_csv(io.BytesIO(utf8), sep=sep, dtype=str, keep_default_na=False,
                            engine="pyarrow")
    except (pd.errors.ParserError, ValueError):
        return None
    if len(cells) + 1 != lines or (cells == "").all(axis=1).any():
        return None
    cells.columns = [h.strip() for h in header]
    cells[LINE] = range(2, len(cells) + 2)
    check_values(cells, name, limits)
    return cells


def read_lines(path: Path | str, *, encoding: str | None = None, data: bytes | None = None,
               name: str | None = None) -> tuple[list[str], str]:
    """A text file's lines (for event logs that are not tables) and its encoding."""
    data, name = _contents(path, data, name)
    text, used = decode(data, name, encoding)
    return text.splitlines(), used


def _contents(path: Path | str, data: bytes | None, name: str | None) -> tuple[bytes, str]:
    """A file's bytes (or those of an upload) and its name, refused when empty."""
    name = name or Path(path).name
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ReadError(_("{file}: cannot read the file ({reason})", file=name, reason=exc.strerror)) from None
    if not data.strip():
        raise ReadError(_("{file}: the file is empty", file=name))
    return data, name


def _table(rows: list[tuple[int, list[str]]], name: str, limits: Limits) -> pd.DataFrame:
    """Records as (line where it starts, cells), the first being the header, as a DataFrame
    with each row's line."""
    rows = [(n, row) for n, row in rows if any(c.strip() for c in row)]
    if not rows:
        raise ReadError(_("{file}: the file is empty", file=name))
    first, header = rows[0][0], [c.strip() for c in rows[0][1]]
    check_columns(len(header), name, first, limits)
    body = []
    for n, row in rows[1:]:
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            raise ReadError(ngettext("{file}, line {line}: {cells} cells for {count} column (a separator inside "
                                     "a value that is not quoted?)",
                                     "{file}, line {line}: {cells} cells for {count} columns (a separator inside "
                                     "a value that is not quoted?)", len(header), file=name, line=n,
                                     cells=formats.number(len(row)), count=formats.number(len(header))))
        body.append(row[:len(header)] + [""] * (len(header) - len(row)) + [n])
    # a column without a name (trailing empty columns of a spreadsheet's export) is left out
    # when it is empty, and named by its position when it holds values
    keep, names = [], []
    for i, h in enumerate(header):
        if h or any(r[i].strip() for r in body):
            keep.append(i)
            names.append(h or _("(empty name) at position {position}", position=i + 1))
    if len(set(names)) < len(names):
        twice = sorted({h for h in names if names.count(h) > 1})
        raise ReadError(_("{file}, line {line}: column(s) named twice: {columns}", file=name, line=first,
                          columns=", ".join(twice)))
    cells = pd.DataFrame([[r[i] for i in keep] + [r[-1]] for r in body], columns=names + [LINE]).astype({LINE: int})
    check_values(cells, name, limits, first)
    return cells


def _records(text: str, sep: str, name: str, limits: Limits) -> list[tuple[int, list[str]]]:
    """The CSV records of a text, each with the line it starts on (a quoted value may hold
    line breaks); a record of more cells than a file may have columns stops the reading."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    out, start = [], 1
    for row in reader:
        check_columns(len(row), name, start, limits)
        out.append((start, row))
        start = reader.line_num + 1
    return out


def _read_workbook(data: bytes, name: str, sheet: str | None, limits: Limits) -> Sheet:
    """One sheet of a workbook (``limits.rows``: its first rows only), refused before it is
    parsed when its parts expand past ``limits.xlsx_mb``."""
    try:
        _check_expanded(data, name, limits)
        archive, title, part = _sheet_part(data, sheet)
        if limits.rows is not None:
            _check_sized(archive, part, name, title)
        book = pd.read_excel(io.BytesIO(data), sheet_name=sheet or 0, dtype=str, header=None,
                             keep_default_na=False, nrows=limits.rows)   # the values saved with formulas
        unsaved = _unsaved_formulas(archive, part, limits.rows)
    except ReadError:
        raise
    except ValueError as exc:
        raise ReadError(_("{name}: {text}", name=name, text=exc)) from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ReadError(_("{file}: not a readable .xlsx workbook ({error})", file=name, error=exc)) from None
    if unsaved:
        raise ReadError(ngettext("{file}: sheet {sheet!r} cell {cells} holds a formula without a saved value; open "
                                 "and save the file in Excel, or export it as CSV",
                                 "{file}: sheet {sheet!r} cells {cells} hold formulas without a saved value; open "
                                 "and save the file in Excel, or export it as CSV", len(unsaved),
                                 file=name, sheet=title, cells=_cells_named(unsaved)))
    rows = [(n, ["" if v is None else str(v) for v in r]) for n, r in enumerate(book.itertuples(index=False), 1)]
    return Sheet(name, _table(rows, name, limits), None, None)


def _check_expanded(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a workbook whose parts, as its archive declares them (the zip reader holds each
    part to its declared size), expand past the bound."""
    try:
        size = sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ReadError(_("{file}: not a readable .xlsx workbook ({error})", file=name, error=exc)) from None
    if size > limits.xlsx_mb * MB:
        raise ReadError(_("{file}: the workbook expands to {size} MB, more than the {limit} MB a workbook may "
                          "(PILOTAGE_MAX_XLSX_MB)", file=name, size=formats.number(size / MB, 1),
                          limit=_bound(limits.xlsx_mb)))


def _sheet_part(data: bytes, sheet: str | None) -> tuple[zipfile.ZipFile, str, str]:
    """The workbook's archive, and the title and part of the sheet to read (named, else the
    first)."""
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(io.BytesIO(data), read_only=True)
    reader.read_manifest()
    reader.read_workbook()
    sheets = [(s.name, rel.target) for s, rel in reader.parser.find_sheets() if rel.Type.endswith("/worksheet")]
    title, part = next((s for s in sheets if s[0] == sheet), sheets[0]) if sheet else sheets[0]
    return reader.archive, title, part


def _check_sized(archive: zipfile.ZipFile, part: str, name: str, title: str) -> None:
    """Refuse to read the start of a large sheet that does not declare its size (a
    spreadsheet always does; without it the reader goes through the whole sheet before its
    first row): a preview must stay quick."""
    if archive.getinfo(part).file_size <= UNSIZED_PREVIEW_MB * MB:
        return
    with archive.open(part) as xml:
        start = xml.read(8192)
    if not _DIMENSION.search(start):
        raise ReadError(_("{file}: sheet {sheet!r} is large and does not declare its size, so it is not read "
                          "here; open and save the file in Excel, export it as CSV, or load it with "
                          "python -m data load", file=name, sheet=title))


def _unsaved_formulas(archive: zipfile.ZipFile, part: str, rows: int | None) -> list[str]:
    """The cells of a sheet, among its first ``rows`` rows, that hold a formula saved without
    its value (a workbook written by a program rather than saved by a spreadsheet: its
    formulas were never computed)."""
    if not _holds_formulas(archive, part):
        return []
    unsaved, seen = [], 0
    with archive.open(part) as xml:
        for _event, element in iterparse(xml):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "c" and _unsaved(element):
                unsaved.append(element.get("r") or "?")
            elif tag == "row":
                seen += 1
                element.clear()
                if rows is not None and seen >= rows:
                    break
    return unsaved


def _holds_formulas(archive: zipfile.ZipFile, part: str) -> bool:
    """Whether a sheet's XML holds a formula (a quick look, before parsing it)."""
    tail = b""
    with archive.open(part) as xml:
        while chunk := xml.read(MB):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _unsaved(cell) -> bool:
    """A cell with a formula and no saved value (an empty one is a value only for text)."""
    children = {child.tag.rsplit("}", 1)[-1]: child for child in cell}
    if "f" not in children:
        return False
    value = children.get("v")
    return value is None or (not value.text and cell.get("t") != "str")


def _cells_named(cells: list[str]) -> str:
    """The first cells named, then how many more."""
    more = len(cells) - CELLS_NAMED
    return ", ".join(cells[:CELLS_NAMED]) + (" " + ngettext("and {count} more", "and {count} more", more,
                                                            count=formats.number(more)) if more > 0 else "")
