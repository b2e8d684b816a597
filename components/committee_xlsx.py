"""The committee review as an Excel workbook: one sheet per table, numbers stored as numbers
with a display format (a rate is 81.3 shown as "81.3 %", a duration is seconds shown "393 s").

Its texts are in the reader's language; its numbers are Excel's, which writes them with the
separators of the reader's Excel (81,3 % in a French one), and its months in the reader's
language (the format names the locale)."""
from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from components.committee import (VOLUME_COLUMNS, _value, month_label, result_text, said_text, title,
                                  unjudged_text, volume_channel)
from i18n.labels import channel_label, survey_label
from data.decisions import Decisions
from i18n import _, current, formats
from data.exports import number_format, put_cell
from metrics.committee import WORST_ORDER_TEXT, Review

HEADER_ROW = 4   # rows 1-2: title and subtitle; the table starts at row 4
FILLS = {"met": "D4F4EC", "close": "FDEBD0", "missed": "FADBD8"}
BOLD = Font(bold=True)
LOCALES = {"fr": "[$-40C]", "en": "[$-809]"}   # Excel's locale ids: French (France), English (UK)


def month_format() -> str:
    """A month as Excel shows it, named in the reader's language: "mars 2025", "Mar 2025"."""
    return LOCALES.get(current(), "") + "mmm yyyy"


def review_workbook(review: Review, decisions: Decisions | None, notes: list[str] = (),
                    generated: datetime | None = None) -> bytes:
    wb = Workbook()
    generated = generated or datetime.now()
    _indicators(wb.active, review, notes)
    _history(wb.create_sheet(), review)
    _volumes(wb.create_sheet(), review)
    _comments(wb.create_sheet(), review)
    if review.client is not None:         # the director's summary has no committee decisions
        _decisions(wb.create_sheet(), review, decisions)
    when = f"{formats.day(generated)} {generated:%H:%M}"
    for ws in wb.worksheets:
        ws["A1"] = title(review)
        ws["A1"].font = Font(bold=True, size=14)
        ws["A2"] = _("{subtitle} – generated {when} by Pilotage", subtitle=ws["A2"].value, when=when)
        ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _header(ws: Worksheet, name: str, subtitle: str, headers: list[str], widths: list[float]) -> None:
    ws.title = name
    ws["A2"] = subtitle
    for col, (text, width) in enumerate(zip(headers, widths), start=1):
        cell = ws.cell(HEADER_ROW, col, text)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[cell.column_letter].width = width


def _put(ws: Worksheet, row: int, col: int, value, fmt: str | None = None, state: str | None = None):
    cell = put_cell(ws.cell(row, col), _value(value))   # text from the data stays text, never a formula
    if fmt:
        cell.number_format = fmt
    if state in FILLS:
        cell.fill = PatternFill("solid", fgColor=FILLS[state])
    return cell


def _indicators(ws: Worksheet, review: Review, notes: list[str]) -> None:
    month = month_label(review.month)
    heading = (_("Headline indicators of {month}", month=month) if review.client is None
               else _("Contractual indicators of {month}", month=month))
    _header(ws, _("Indicators"), heading,
            [_("Indicator"), _("KPI id"), _("Channel"), _("Target"), _("Tolerance"), _("Actual"), _("Result"),
             _("Previous month"), _("Same month last year"), _("Months met"), _("Months judged"),
             _("Answers or contacts"), _("Pending")],
            [46, 16, 12, 11, 11, 11, 26, 14, 14, 11, 11, 12, 10])
    for row, r in enumerate(review.indicators.to_dict("records"), start=HEADER_ROW + 1):
        fmt, state = number_format(r["kpi"]), _value(r["status"])
        for col, value, f in ((1, r["label"], None), (2, r["kpi"], None), (3, channel_label(r["channel"]) if _value(r["channel"]) else _("all channels"), None),
                              (4, r["target"], fmt), (5, r["amber"], fmt), (6, r["actual"], fmt),
                              (8, r["previous"], fmt), (9, r["last_year"], fmt), (10, r["months_met"], "0"),
                              (11, r["months_judged"], "0"), (12, r["n"], "#,##0"), (13, r["pending"], "#,##0")):
            _put(ws, row, col, value, f)
        _put(ws, row, 7, result_text(state) if state else unjudged_text(r), state=state)
    for n, note in enumerate(notes, start=HEADER_ROW + len(review.indicators) + 2):
        _put(ws, n, 1, note)


def _history(ws: Worksheet, review: Review) -> None:
    _header(ws, _("Last 12 months"), _("Each indicator month by month; the fill tells met, within tolerance or missed"),
            [_("Indicator"), _("Target")] + [""] * len(review.months), [46, 11] + [10] * len(review.months))
    for col, m in enumerate(review.months, start=3):
        _put(ws, HEADER_ROW, col, m, month_format()).font = BOLD
    for row, r in enumerate(review.indicators.to_dict("records"), start=HEADER_ROW + 1):
        fmt = number_format(r["kpi"])
        _put(ws, row, 1, r["label"])
        _put(ws, row, 2, r["target"], fmt)
        h = review.history[review.history["indicator"] == r["indicator"]]
        for col, (value, state) in enumerate(zip(h["value"], h["status"]), start=3):
            _put(ws, row, col, value, fmt, _value(state))


def _volumes(ws: Worksheet, review: Review) -> None:
    _header(ws, _("Volumes"), _("Contacts by channel in {month}", month=month_label(review.month)),
            [_(h) for _c, h in VOLUME_COLUMNS] + [_("Change in handled")], [12, 12, 16, 12, 12, 14, 12])
    v = review.volumes
    rows = [{**r, "channel": volume_channel(r["channel"])} for r in v.to_dict("records")]
    rows.append({"channel": _("Total"), **{c: v[c].sum() for c, _h in VOLUME_COLUMNS[1:]}})
    for row, r in enumerate(rows, start=HEADER_ROW + 1):
        _put(ws, row, 1, r["channel"])
        for col, (c, _h) in enumerate(VOLUME_COLUMNS[1:], start=2):
            _put(ws, row, col, int(r[c]), "#,##0")
        before = r["handled_previous"]
        _put(ws, row, len(VOLUME_COLUMNS) + 1, (r["handled"] - before) / before if before else None, "+0.0 %;-0.0 %;0.0 %")
    for col in range(1, len(VOLUME_COLUMNS) + 2):
        ws.cell(HEADER_ROW + len(rows), col).font = BOLD


def _comments(ws: Worksheet, review: Review) -> None:
    _header(ws, _("Comments"), _("Worst-scored comments, {order}", order=_(WORST_ORDER_TEXT)),
            [_("Answered on"), _("Channel"), _("Queue"), _("Survey"), _("NPS"), _("Satisfaction"), _("Effort"),
             _("What it says"), _("Comment")], [16, 12, 16, 16, 7, 12, 8, 28, 90])
    for row, r in enumerate(review.verbatims.to_dict("records"), start=HEADER_ROW + 1):
        _put(ws, row, 1, r["responded_at"].to_pydatetime(), "dd/mm/yyyy hh:mm")
        _put(ws, row, 2, channel_label(r["channel"]) if _value(r["channel"]) else None)
        _put(ws, row, 3, r["queue"])     # a queue as the data names it
        _put(ws, row, 4, survey_label(r["survey"]) if _value(r["survey"]) else None)
        for col, key in enumerate(("nps", "csat", "ces"), start=5):
            _put(ws, row, col, None if _value(r[key]) is None else int(r[key]), "0")
        _put(ws, row, 8, said_text(r))
        _put(ws, row, 9, r["verbatim"]).alignment = Alignment(wrap_text=True, vertical="top")


def _decisions(ws: Worksheet, review: Review, decisions: Decisions | None) -> None:
    _header(ws, _("Decisions"), _("Decisions of the committee of {month}", month=month_label(review.month)),
            [_("Decisions"), _("Saved at")], [100, 18])
    cell = _put(ws, HEADER_ROW + 1, 1, decisions.text if decisions else _("(none recorded)"))
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if decisions:
        _put(ws, HEADER_ROW + 1, 2, decisions.saved_at, "dd/mm/yyyy hh:mm")
