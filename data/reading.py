"""Reading an extract as a table of text cells, whatever its encoding, separator or format.

Text files: UTF-8 with or without BOM, CP1252 and Latin-1 are told apart (or forced); the
separator (``,`` ``;`` tab ``|``) is found from the header line (or forced). Workbooks: one
sheet of an .xlsx. Every cell stays text: types are the profile's and the validator's work.
Each row keeps the line of the file it came from (``LINE``), for messages.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

LINE = "_line"                       # the column holding each row's line in the file
ENCODINGS = ("utf-8", "cp1252", "latin-1")
SEPARATORS = (",", ";", "\t", "|")
# what UTF-8 text looks like once wrongly decoded as CP1252 / Latin-1: 'Ã©' for 'é'...
_MOJIBAKE = ("Ã©", "Ã¨", "Ã ", "Ã§", "Ã´", "Ã¢", "Ãª", "Ã‰", "â‚¬", "â€™", "Ã¹", "Ã®", "Â°")


class ReadError(ValueError):
    """A file that cannot be read as a table; the message names the file (and line)."""


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
        raise ReadError(f"{name}: not a CSV or text file (it holds binary data)")
    if encoding:
        enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ReadError(f"{name}, line {line}: not {encoding.upper()} text (byte 0x{data[exc.start]:02x}); "
                            "read it with another encoding") from None
        except LookupError:
            raise ReadError(f"{name}: unknown encoding {encoding!r}") from None
        if enc.lower() in ("cp1252", "latin-1", "latin1", "iso-8859-1", "iso-8859-15") and _looks_utf8(data):
            sample = next(m for m in _MOJIBAKE if m in text)
            raise ReadError(f"{name}: the file is UTF-8 but was read as {encoding} (it would show "
                            f"'{sample}' for accented letters); read it as UTF-8")
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
        counts = [len(next(csv.reader([ln], delimiter=sep))) for ln in lines]
        steady = sum(c == counts[0] for c in counts[1:])
        score = (counts[0], steady) if counts[0] > 1 else (0, 0)
        if score > best_score:
            best, best_score = sep, score
    return best


def read_sheet(path: Path | str, *, encoding: str | None = None, separator: str | None = None,
               sheet: str | None = None, data: bytes | None = None, name: str | None = None) -> Sheet:
    """A file's cells as text (``data`` gives the bytes of an upload instead of a path)."""
    data, name = _contents(path, data, name)
    if is_workbook(data, name):
        return _read_workbook(data, name, sheet)
    text, used = decode(data, name, encoding)
    sep = find_separator(text, separator)
    cells = _fast_table(text, sep, data if used == "utf-8" else text.encode("utf-8"))
    if cells is None:   # blank lines, values over several lines, ragged rows: read line by line
        try:
            cells = _table(_records(text, sep), name)
        except csv.Error as exc:
            raise ReadError(f"{name}: not a readable CSV file ({exc})") from None
    return Sheet(name, cells, used, sep)


def _fast_table(text: str, sep: str, utf8: bytes) -> pd.DataFrame | None:
    """The common case, read fast from the text's UTF-8 bytes: a header on line 1, then one
    record per line (so a row's line is its position + 2). None when the file is not that
    simple (blank lines, values over several lines, ragged rows)."""
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    first = text.split("\n", 1)[0]
    header = next(csv.reader([first], delimiter=sep), [])
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
            raise ReadError(f"{name}: cannot read the file ({exc.strerror})") from None
    if not data.strip():
        raise ReadError(f"{name}: the file is empty")
    return data, name


def _table(rows: list[tuple[int, list[str]]], name: str) -> pd.DataFrame:
    """Records as (line where it starts, cells), the first being the header, as a DataFrame
    with each row's line."""
    rows = [(n, row) for n, row in rows if any(c.strip() for c in row)]
    if not rows:
        raise ReadError(f"{name}: the file is empty")
    first, header = rows[0][0], [c.strip() for c in rows[0][1]]
    body = []
    for n, row in rows[1:]:
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            raise ReadError(f"{name}, line {n}: {len(row)} cells for {len(header)} columns "
                            "(a separator inside a value that is not quoted?)")
        body.append(row[:len(header)] + [""] * (len(header) - len(row)) + [n])
    # a column without a name (trailing empty columns of a spreadsheet's export) is left out
    # when it is empty, and named by its position when it holds values
    keep, names = [], []
    for i, h in enumerate(header):
        if h or any(r[i].strip() for r in body):
            keep.append(i)
            names.append(h or f"(empty name) at position {i + 1}")
    if len(set(names)) < len(names):
        twice = sorted({h for h in names if names.count(h) > 1})
        raise ReadError(f"{name}, line {first}: column(s) named twice: {', '.join(twice)}")
    return pd.DataFrame([[r[i] for i in keep] + [r[-1]] for r in body], columns=names + [LINE]).astype({LINE: int})


def _records(text: str, sep: str) -> list[tuple[int, list[str]]]:
    """The CSV records of a text, each with the line it starts on (a quoted value may hold
    line breaks)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    out, start = [], 1
    for row in reader:
        out.append((start, row))
        start = reader.line_num + 1
    return out


def _read_workbook(data: bytes, name: str, sheet: str | None) -> Sheet:
    try:
        book = pd.read_excel(io.BytesIO(data), sheet_name=sheet or 0, dtype=str, header=None,
                             keep_default_na=False)
    except ValueError as exc:
        raise ReadError(f"{name}: {exc}") from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ReadError(f"{name}: not a readable .xlsx workbook ({exc})") from None
    rows = [(n, ["" if v is None else str(v) for v in r]) for n, r in enumerate(book.itertuples(index=False), 1)]
    return Sheet(name, _table(rows, name), None, None)
