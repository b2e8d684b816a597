"""Turn the text cells of an extract into typed columns, row by row rules included.

Every rule is vectorised: a million rows validate in seconds. A row that breaks a rule is
rejected with its line number (the header is line 1) and every reason found.
"""
from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data.reading import LINE
from data.schema import INBOUND_OUTCOMES, OUTBOUND_OUTCOMES, Column, Table
from i18n import _

FLAG_VALUES = {
    "1": True, "true": True, "yes": True, "y": True, "oui": True,
    "0": False, "false": False, "no": False, "n": False, "non": False,
}
_YES = [k for k, v in FLAG_VALUES.items() if v]
_NO = [k for k, v in FLAG_VALUES.items() if not v]
_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$"
_DATE = r"^\d{4}-\d{2}-\d{2}$"
_MARK = re.compile(r"\x00(\w+)\x00")


def mark(name: str) -> str:
    """Where a row's own cell goes in a reason made once for every row (see ``fill``): the
    value given to the reason's ``{name}`` field."""
    return f"\x00{name}\x00"


VALUE = mark("value")      # the row's cell, in the reasons of the rules on one column


def fill(reason: str, **cells: pd.Series) -> str | pd.Series:
    """Each row's reason: ``reason``, a text made once in the current language, with each of
    its marks replaced by the row's cell of that name (vectorised; the order of the fields is
    the language's)."""
    parts = _MARK.split(reason)
    text = parts[0]
    for name, after in zip(parts[1::2], parts[2::2]):
        text = text + cells[name] + after
    return text


class _Problems:
    """Reasons collected per row; a row with any reason is rejected."""

    def __init__(self, index: pd.Index):
        self.reasons = pd.Series("", index=index, dtype=object)
        self.joiner = _("; ")

    def add(self, mask: pd.Series, reason: str, quote=None, **cells: pd.Series) -> None:
        """Reject the rows of ``mask`` for ``reason`` (made once, its marks filled with the
        rows' ``cells``, quoted by ``quote``: cut to 40 characters by default); the text is
        made for those rows only."""
        if not mask.any():
            return
        quote = quote or _quoted
        text = fill(reason, **{name: quote(cell[mask]) for name, cell in cells.items()})
        current = self.reasons[mask]
        self.reasons[mask] = current.where(current == "", current + self.joiner) + text

    @property
    def mask(self) -> pd.Series:
        return self.reasons != ""


def _quoted(values: pd.Series) -> pd.Series:
    return "'" + values.str.slice(0, 40) + "'"


def _whole(values: pd.Series) -> pd.Series:
    return "'" + values + "'"


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
            problems.add(bad, _("{column} {value} is not one of {choices}", column=name, value=VALUE,
                                choices=", ".join(col.choices)), value=text)
        return out
    if col.kind == "month":
        shaped = present & text.str.match(r"^\d{4}-\d{2}$")
        out = pd.to_datetime(text.where(shaped) + "-01", format="%Y-%m-%d", errors="coerce")
        problems.add(present & out.isna(), _("{column} {value} is not a month (YYYY-MM)", column=name, value=VALUE),
                     value=text)
        return out.dt.date
    if col.kind in ("timestamp", "date"):
        pattern = _TIMESTAMP if col.kind == "timestamp" else _DATE
        shaped = present & text.str.match(pattern)
        out = pd.to_datetime(text.where(shaped), format="ISO8601", errors="coerce")
        bad = present & out.isna()
        reason = (_("{column} {value} is not a date and time (YYYY-MM-DD HH:MM:SS)", column=name, value=VALUE)
                  if col.kind == "timestamp" else _("{column} {value} is not a date (YYYY-MM-DD)", column=name,
                                                    value=VALUE))
        problems.add(bad, reason, value=text)
        return out.dt.date if col.kind == "date" else out
    if col.kind in ("number", "integer"):
        out = _numbers(text.where(present).str.replace(" ", "", regex=False))
        bad = present & out.isna()
        problems.add(bad, _("{column} {value} is not a number", column=name, value=VALUE), value=text)
        ok = present & ~bad
        if col.kind == "integer":
            frac = ok & (out % 1 != 0)
            problems.add(frac, _("{column} {value} is not a whole number", column=name, value=VALUE), value=text)
            ok &= ~frac
        if col.low is not None or col.high is not None:
            low = -float("inf") if col.low is None else col.low
            high = float("inf") if col.high is None else col.high
            outside = ok & ((out < low) | (out > high))
            reason = (_("{column} {value} is not between {low} and {high}", column=name, value=VALUE,
                        low=format(low, "g"), high=format(high, "g")) if col.high is not None
                      else _("{column} {value} is not at least {low}", column=name, value=VALUE, low=format(low, "g")))
            problems.add(outside, reason, value=text)
        return out.round().astype("Int64") if col.kind == "integer" else out.astype("float64")
    if col.kind == "flag":
        lower = text.str.lower()
        yes, no = lower.isin(_YES), lower.isin(_NO)
        out = pd.Series(yes.to_numpy(), index=text.index, dtype="boolean").where(yes | no)
        bad = present & out.isna()
        problems.add(bad, _("{column} {value} is not a yes/no flag (1/0, true/false, yes/no, oui/non)",
                            column=name, value=VALUE), value=text)
        return out
    raise ValueError(f"unknown column kind {col.kind}")


INTERVAL_LENGTHS = (15, 30, 60)


def _interval_rules(out: pd.DataFrame, problems: _Problems) -> None:
    """An interval's counts must agree with each other (EXTRACTS.md, intervals); the defaults
    of its optional counts filled in (no short abandon, handled = answered)."""
    out["short_abandoned"] = out["short_abandoned"].fillna(0)
    out["handled"] = out["handled"].fillna(out["answered"])
    rules = (
        (out["interval_min"].notna() & ~out["interval_min"].isin(INTERVAL_LENGTHS),
         _("interval_min {value} is not 15, 30 or 60", value=VALUE), "interval_min"),
        (out["answered"] > out["offered"], _("answered {answered} is more than offered {offered}",
                                              answered=mark("answered"), offered=mark("offered")), None),
        (out["answered"] + out["abandoned"] > out["offered"],
         _("answered {answered} and abandoned {abandoned} make more than offered {offered}",
           answered=mark("answered"), abandoned=mark("abandoned"), offered=mark("offered")), None),
        (out["short_abandoned"] > out["abandoned"],
         _("short_abandoned {short_abandoned} is more than abandoned {abandoned}",
           short_abandoned=mark("short_abandoned"), abandoned=mark("abandoned")), None),
        (out["answered_within"] > out["answered"],
         _("answered_within {answered_within} is more than answered {answered}",
           answered_within=mark("answered_within"), answered=mark("answered")), None),
        (out["answered_within"].notna() & out["threshold_s"].isna(),
         _("answered_within is given without the threshold_s it was counted with"), None),
        ((out["answered_wait_s"] > 0) & (out["answered"] == 0),
         _("answered_wait_s {answered_wait_s} with no contact answered", answered_wait_s=mark("answered_wait_s")), None),
        (out["transferred"] > out["handled"], _("transferred {transferred} is more than handled {handled}",
                                                 transferred=mark("transferred"), handled=mark("handled")), None),
    )
    counts = {c: out[c].astype("string").fillna("") for c in
              ("interval_min", "offered", "answered", "abandoned", "short_abandoned", "answered_within",
               "handled", "transferred")}
    counts["answered_wait_s"] = out["answered_wait_s"].map(lambda v: format(v, "g"), na_action="ignore").fillna("")
    for mask, reason, value in rules:
        mask = mask.fillna(False).astype(bool)
        cells = {"value": counts[value]} if value else {k: v for k, v in counts.items() if mark(k) in reason}
        problems.add(mask, reason, quote=lambda v: v, **cells)


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
            problems.add(~present, _("{column} is empty", column=col.name))
        typed[col.name] = _parse(col, text, present, problems)
    out = pd.DataFrame(typed)

    if table.name == "contacts":
        out["direction"] = out["direction"].fillna("inbound")
        inbound = out["direction"] == "inbound"
        known = out["outcome"].isin(INBOUND_OUTCOMES + OUTBOUND_OUTCOMES)
        wrong = known & ((inbound & ~out["outcome"].isin(INBOUND_OUTCOMES))
                         | (~inbound & ~out["outcome"].isin(OUTBOUND_OUTCOMES)))
        problems.add(wrong, _("outcome {outcome} does not fit direction {direction}", outcome=mark("outcome"),
                              direction=mark("direction")),
                     quote=_whole, outcome=out["outcome"], direction=out["direction"])
    elif table.name == "intervals":
        _interval_rules(out, problems)
    elif table.name == "surveys":
        out["survey"] = out["survey"].fillna(
            pd.Series("hot", index=out.index).where(out["contact_id"].notna(), "cold"))

    bad = problems.mask
    rejects = pd.DataFrame({"line": lines[bad].to_numpy().astype(int),
                            "reason": problems.reasons[bad].to_numpy()})
    return out[~bad].reset_index(drop=True), rejects
