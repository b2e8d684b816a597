"""Turn the text cells of an extract into typed columns, row by row rules included.

Every rule is vectorised: a million rows validate in seconds. A row that breaks a rule is
rejected with its line number (the header is line 1) and every reason found.
"""
from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data.reading import LINE
from data.schema import INBOUND_OUTCOMES, OUTBOUND_OUTCOMES, Column, Table

FLAG_VALUES = {
    "1": True, "true": True, "yes": True, "y": True, "oui": True,
    "0": False, "false": False, "no": False, "n": False, "non": False,
}
_YES = [k for k, v in FLAG_VALUES.items() if v]
_NO = [k for k, v in FLAG_VALUES.items() if not v]
_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$"
_DATE = r"^\d{4}-\d{2}-\d{2}$"


class _Problems:
    """Reasons collected per row; a row with any reason is rejected."""

    def __init__(self, index: pd.Index):
        self.reasons = pd.Series("", index=index, dtype=object)

    def add(self, mask: pd.Series, message: str | pd.Series, cell: pd.Series | None = None,
            after: str = "") -> None:
        """Reject the rows of ``mask`` for ``message``, followed by the row's ``cell`` quoted
        and ``after`` when a cell is given (the text is made for those rows only)."""
        if not mask.any():
            return
        text = message if cell is None else message + _quoted(cell[mask]) + after
        current = self.reasons[mask]
        self.reasons[mask] = current.where(current == "", current + "; ") + text

    @property
    def mask(self) -> pd.Series:
        return self.reasons != ""


def _quoted(values: pd.Series) -> pd.Series:
    return "'" + values.str.slice(0, 40) + "'"


def _numbers(text: pd.Series) -> pd.Series:
    """Numbers from text, NaN where a cell is not one: Arrow's cast (ten times quicker), or
    pandas' parser cell by cell when some cell is not a number."""
    try:
        values = pc.cast(pa.array(text, type=pa.string(), from_pandas=True), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.to_numeric(text, errors="coerce")
    return pd.Series(values.to_numpy(zero_copy_only=False), index=text.index)


def _parse(col: Column, text: pd.Series, present: pd.Series, problems: _Problems) -> pd.Series:
    name = col.name
    if col.kind in ("text", "lower"):
        out = text.str.lower() if col.kind == "lower" else text
        out = out.where(present, None)
        if col.choices:
            bad = present & ~out.isin(col.choices)
            problems.add(bad, f"{name} ", text, f" is not one of {', '.join(col.choices)}")
        return out
    if col.kind in ("timestamp", "date"):
        pattern = _TIMESTAMP if col.kind == "timestamp" else _DATE
        shaped = present & text.str.match(pattern)
        out = pd.to_datetime(text.where(shaped), format="ISO8601", errors="coerce")
        bad = present & out.isna()
        what = "a date and time (YYYY-MM-DD HH:MM:SS)" if col.kind == "timestamp" else "a date (YYYY-MM-DD)"
        problems.add(bad, f"{name} ", text, f" is not {what}")
        return out.dt.date if col.kind == "date" else out
    if col.kind in ("number", "integer"):
        out = _numbers(text.where(present).str.replace(" ", "", regex=False))
        bad = present & out.isna()
        problems.add(bad, f"{name} ", text, " is not a number")
        ok = present & ~bad
        if col.kind == "integer":
            frac = ok & (out % 1 != 0)
            problems.add(frac, f"{name} ", text, " is not a whole number")
            ok &= ~frac
        if col.low is not None or col.high is not None:
            low = -float("inf") if col.low is None else col.low
            high = float("inf") if col.high is None else col.high
            outside = ok & ((out < low) | (out > high))
            bounds = (f"between {low:g} and {high:g}" if col.high is not None else f"at least {low:g}")
            problems.add(outside, f"{name} ", text, f" is not {bounds}")
        return out.round().astype("Int64") if col.kind == "integer" else out.astype("float64")
    if col.kind == "flag":
        lower = text.str.lower()
        yes, no = lower.isin(_YES), lower.isin(_NO)
        out = pd.Series(yes.to_numpy(), index=text.index, dtype="boolean").where(yes | no)
        bad = present & out.isna()
        problems.add(bad, f"{name} ", text, " is not a yes/no flag (1/0, true/false, yes/no, oui/non)")
        return out
    raise ValueError(f"unknown column kind {col.kind}")


def validate(cells: pd.DataFrame, table: Table, first_line: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed rows that pass every rule, and the rejected rows as (line, reason).

    ``cells`` holds strings (empty string = unknown) with the table's column names; missing
    optional columns are unknown everywhere. Each row's line is its ``LINE`` cell when there
    is one, else its position after ``first_line``.
    """
    cells = cells.reset_index(drop=True)
    lines = cells[LINE].astype(int) if LINE in cells else pd.Series(cells.index + first_line, index=cells.index)
    problems = _Problems(cells.index)
    typed = {}
    for col in table.columns:
        text = (cells[col.name].fillna("").astype(str).str.strip()
                if col.name in cells else pd.Series("", index=cells.index, dtype=object))
        present = text != ""
        if col.required:
            problems.add(~present, f"{col.name} is empty")
        typed[col.name] = _parse(col, text, present, problems)
    out = pd.DataFrame(typed)

    if table.name == "contacts":
        out["direction"] = out["direction"].fillna("inbound")
        inbound = out["direction"] == "inbound"
        known = out["outcome"].isin(INBOUND_OUTCOMES + OUTBOUND_OUTCOMES)
        wrong = known & ((inbound & ~out["outcome"].isin(INBOUND_OUTCOMES))
                         | (~inbound & ~out["outcome"].isin(OUTBOUND_OUTCOMES)))
        problems.add(wrong, "outcome '" + out.loc[wrong, "outcome"] + "' does not fit direction '"
                     + out.loc[wrong, "direction"] + "'")
    elif table.name == "surveys":
        out["survey"] = out["survey"].fillna(
            pd.Series("hot", index=out.index).where(out["contact_id"].notna(), "cold"))

    bad = problems.mask
    rejects = pd.DataFrame({"line": lines[bad].to_numpy().astype(int),
                            "reason": problems.reasons[bad].to_numpy()})
    return out[~bad].reset_index(drop=True), rejects
