"""Tables written as files a person opens in a spreadsheet (CSV, Excel): every download and
every file of rejected rows goes through here.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a carriage
return before one) as a formula: a queue named ``=HYPERLINK("http://x", "y")`` would become a
live link. So text from the data is always written as text: in a CSV with a leading ``'``
(``inert``), in a workbook as a text cell that stays text when edited (``put_cell``). Numbers
stay numbers, a negative one included: only text is ever changed.
"""
from __future__ import annotations

import csv
import io
import math
from datetime import datetime
from typing import Mapping

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font

from i18n import current
from metrics.registry import KPIS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value) -> bool:
    """Whether a spreadsheet would read this value as the start of a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def inert(value):
    """A value as a text file holds it: text a spreadsheet would run gets a leading ``'``
    (which spreadsheets read as "this is text"); anything else is returned unchanged."""
    return "'" + value if formula_like(value) else value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table with every text cell, and every header, made inert."""
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_datetime64_any_dtype(out[column])):
            out[column] = out[column].map(inert)
    out.columns = [inert(str(c)) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as a CSV file for the reader's spreadsheet (a header line, no index), its
    text made inert and quoted (a spreadsheet that splits on another separator keeps
    ``a;=1+1`` one text cell rather than make a formula of its second half). In French:
    ``;`` between values, a decimal comma and UTF-8 with a byte-order mark, as French Excel
    reads them; in English ``,``, a decimal point and plain UTF-8."""
    text = inert_frame(frame).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC,
                                     **({"sep": ";", "decimal": ","} if current() == "fr" else {}))
    return text.encode("utf-8-sig" if current() == "fr" else "utf-8")


def cell_value(value):
    """A value as a workbook cell takes it: a missing or non-finite number empty, NumPy and
    pandas scalars as plain Python, dates without a time zone (Excel has none), text without
    the control characters a workbook cannot hold."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        value = pd.Timestamp(value).to_pydatetime()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def put_cell(cell: Cell, value) -> Cell:
    """Write a value into a worksheet cell: text always as a text cell, never a formula (one
    that looks like a formula also marked to stay text when someone edits it), a number as
    a number."""
    value = cell_value(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if formula_like(value):
            cell.quotePrefix = True
    return cell


def number_format(kpi_id: str) -> str:
    """The Excel format of a KPI's values, from its unit and its decimals: a rate stored as
    81.3 shows "81.3 %", a duration in seconds "393 s" (Excel writes the separators of the
    reader's locale: "81,3 %" in a French Excel)."""
    k = KPIS[kpi_id]
    digits = "#,##0" + ("." + "0" * k.decimals if k.decimals else "")
    if k.unit == "percent":
        return f'{digits}" %"'
    if k.unit == "seconds":
        return f'{digits}" s"'
    if k.unit == "currency":
        return f'{digits}" €"'
    if k.fmt.startswith("+"):
        return f"+{digits};-{digits};{digits}"
    return digits


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "Sheet1", number_formats: Mapping[str, str] | None = None) -> bytes:
    """A table as an Excel workbook of one sheet: a bold header row, then one row per row of
    the table, each cell written by ``put_cell``; a column named in ``number_formats`` shows
    its numbers in that Excel format."""
    number_formats = number_formats or {}
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    for col, name in enumerate(frame.columns, start=1):
        put_cell(ws.cell(1, col), str(name)).font = Font(bold=True)
    shown = [number_formats.get(name) for name in frame.columns]
    for row, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        for col, value in enumerate(values, start=1):
            cell = put_cell(ws.cell(row, col), value)
            if shown[col - 1] and isinstance(cell.value, (int, float)):
                cell.number_format = shown[col - 1]
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
