"""The committee review as a printable PDF (A4): the indicators against target, the decisions,
a chart of each indicator's last 12 months, the volumes by channel and the worst comments.

Text from the data goes through ``escape`` before it reaches a Paragraph (whose text is a
markup language): a comment is shown as written, never interpreted.
"""
from __future__ import annotations

import io
import math
import os
from datetime import datetime
from xml.sax.saxutils import escape

import reportlab
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

from components.committee import (RESULT_COLOURS, VERBATIM_HEAD, VOLUME_COLUMNS, _value, actual_text, change_cell,
                                  met_text, month_label, said_text, scope_sentence, score_text, short_month, target_text,
                                  title, unjudged_text, volume_channel)
from components.kpi import value_text
from i18n.labels import channel_label
from data.decisions import Decisions
from i18n import N_, _, formats
from metrics.committee import RESULT, WORST_ORDER_TEXT, Review

# Bitstream Vera ships with reportlab: the same glyphs (accents, €, ≥, ≤) on every machine
_FONTS = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
pdfmetrics.registerFont(TTFont("Vera", os.path.join(_FONTS, "Vera.ttf")))
pdfmetrics.registerFont(TTFont("VeraBd", os.path.join(_FONTS, "VeraBd.ttf")))

INK = colors.HexColor("#2c3e50")
MUTED = colors.HexColor("#6c7a89")
RULE = colors.HexColor("#dfe6ec")
STYLES = {
    "title": ParagraphStyle("title", fontName="VeraBd", fontSize=16, leading=20, textColor=INK),
    "sub": ParagraphStyle("sub", fontName="Vera", fontSize=8.5, leading=11, textColor=MUTED),
    "h2": ParagraphStyle("h2", fontName="VeraBd", fontSize=11, leading=14, textColor=INK,
                         spaceBefore=10, spaceAfter=4),
    "cell": ParagraphStyle("cell", fontName="Vera", fontSize=8, leading=10, textColor=INK),
    "head": ParagraphStyle("head", fontName="VeraBd", fontSize=8, leading=10, textColor=INK),
    "result": ParagraphStyle("result", fontName="VeraBd", fontSize=8, leading=10, textColor=colors.white),
    "body": ParagraphStyle("body", fontName="Vera", fontSize=9, leading=12.5, textColor=INK),
}
TABLE_STYLE = [
    ("FONT", (0, 0), (-1, -1), "Vera", 8), ("FONT", (0, 0), (-1, 0), "VeraBd", 8),
    ("TEXTCOLOR", (0, 0), (-1, -1), INK), ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
    ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
]


PADDING = 6   # reportlab's cell padding, left and right, in points


def _p(text: str, style: str = "cell") -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), STYLES[style])


def _sentence(text: str) -> str:
    """A text as a sentence: its first letter a capital, a full stop at its end."""
    return text[:1].upper() + text[1:] + "."


def _longest_word(text, style: str) -> float:
    font, size = STYLES[style].fontName, STYLES[style].fontSize
    return max((stringWidth(w, font, size) for w in str(text).split()), default=0)


def fit_widths(headers: list[str], widths: list[float], style: str = "head", body: list[list] = ()) -> list[float]:
    """Column widths that keep every word of the headers whole, and of the ``body``'s cells
    (rows of texts; None for a cell not measured, such as a comment): a column too narrow for
    its longest word (a Paragraph then cuts the word: "Previou s month") is widened, and the
    columns with room to spare give it back, so that the table keeps its width."""
    need = [_longest_word(h, style) for h in headers]
    for row in body:
        need = [max(n, _longest_word(cell, "cell")) if cell is not None else n for n, cell in zip(need, row)]
    need = [n + 2 * PADDING + 1 for n in need]
    out = [max(w, n) for w, n in zip(widths, need)]
    excess = sum(out) - sum(widths)
    while excess > 0.01:
        spare = [(w - n, i) for i, (w, n) in enumerate(zip(out, need)) if w - n > 0.01]
        if not spare:
            break       # wider than the page's room: the table grows
        room, i = max(spare)
        give = min(room, excess)
        out[i] -= give
        excess -= give
    return out


def page_footer(heading: str, generated: datetime, width: float):
    """The footer of every page of an export: what it is, when it was made, the page number."""
    when = f"{formats.day(generated)} {generated:%H:%M}"

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Vera", 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(15 * mm, 9 * mm, _("{title} – generated {when} by Pilotage", title=heading, when=when))
        canvas.drawRightString(width - 15 * mm, 9 * mm, _("page {number}", number=doc.page))
        canvas.restoreState()
    return footer


def review_pdf(review: Review, decisions: Decisions | None, notes: list[str] = (),
               generated: datetime | None = None) -> bytes:
    out = io.BytesIO()
    heading = title(review)
    footer = page_footer(heading, generated or datetime.now(), A4[0])

    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=heading, author="Pilotage")
    summary = review.client is None        # the director's summary: no contract, no committee decisions
    story = [_p(heading, "title"), Spacer(1, 2 * mm), _p(scope_sentence(review), "sub"),
             _p(_("Indicators") if summary else _("Contractual indicators"), "h2"), _indicator_table(review),
             *[_p(note, "sub") for note in notes],
             *([] if summary else [_p(_("Decisions"), "h2"),
                                   _p(decisions.text if decisions else _("(none recorded)"), "body")]),
             _p(_("Last 12 months"), "h2"),
             _p(_("{first} to {last}. Bars: met (green), missed within tolerance (amber), missed (red), "
                  "no target (grey); dashed line: target.", first=month_label(review.months[0]),
                  last=month_label(review.month)), "sub"), Spacer(1, 2 * mm), _charts(review),
             KeepTogether([_p(_("Volumes by channel"), "h2"), _volume_table(review)]),
             KeepTogether([_p(_("Worst-scored comments"), "h2"), _p(_sentence(_(WORST_ORDER_TEXT)), "sub"),
                           Spacer(1, 1 * mm), _verbatim_table(review)])]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


INDICATOR_HEAD = (N_("Contractual indicator"), N_("Target"), N_("Actual"), N_("Result"), N_("Previous month"),
                  N_("Same month last year"), N_("Months met"))


def _indicator_table(review: Review) -> Table:
    heads = [_(h) for h in INDICATOR_HEAD]
    if review.client is None:
        heads[0] = _("Indicator")
    rows = [[_p(h, "head") for h in heads]]
    style = list(TABLE_STYLE)
    for n, r in enumerate(review.indicators.to_dict("records"), start=1):
        state = _value(r["status"])
        previous = value_text(r["kpi"], _value(r["previous"]))
        year = value_text(r["kpi"], _value(r["last_year"])) if r["covered_last_year"] else _("not in the data")
        rows.append([_p(r["label"]), _p(target_text(r["kpi"], _value(r["target"]), _value(r["amber"]))),
                     _p(actual_text(r)), _p(_(RESULT[state][0]), "result") if state else _p(unjudged_text(r)),
                     _p(f"{previous} ({_change(r, 'previous')})"),
                     _p(f"{year} ({_change(r, 'last_year')})" if r["covered_last_year"] else year),
                     _p(met_text(r))])
        if state:
            style.append(("BACKGROUND", (3, n), (3, n), colors.HexColor(RESULT_COLOURS[state])))
    style += [("ALIGN", (6, 1), (6, -1), "RIGHT")]
    body = [[r["label"], None, actual_text(r), None, None, None, met_text(r)]
            for r in review.indicators.to_dict("records")]
    widths = fit_widths(heads, [40 * mm, 36 * mm, 22 * mm, 28 * mm, 20 * mm, 20 * mm, 14 * mm], body=body)
    return Table(rows, colWidths=widths, style=style, repeatRows=1)


def _change(r: dict, other: str) -> str:
    """The change, without the page's arrow (the font has no arrow; the sign tells the way)."""
    return change_cell(r, other).removeprefix("▲ ").removeprefix("▼ ")


def _chart(review: Review, r: dict, width: float, height: float) -> Drawing:
    h = review.history[review.history["indicator"] == r["indicator"]]
    values = [_value(v) for v in h["value"]]
    target = _value(r["target"])
    known = [v for v in values if v is not None] + ([target] if target is not None else [])
    low, high = min(known + [0.0]), max(known + [0.0])
    span = (high - low) or 1.0
    low, high = (low - 0.08 * span if low < 0 else 0.0), high + 0.12 * span

    d = Drawing(width, height)
    lines = simpleSplit(r["label"], "VeraBd", 8, width - 4)[:2]    # a long name on two lines, within its chart
    for n, line in enumerate(lines):
        d.add(String(0, height - 9 - 9.5 * n, line, fontName="VeraBd", fontSize=8, fillColor=INK))
    chart = VerticalBarChart()
    top = 9.5 * (len(lines) - 1)
    chart.x, chart.y, chart.width, chart.height = 30, 22, width - 36, height - 40 - top
    chart.data = [[0.0 if v is None else v for v in values]]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = low, high
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = "Vera", 6
    chart.valueAxis.labelTextFormat = lambda v: formats.number(v)
    chart.valueAxis.strokeColor = chart.categoryAxis.strokeColor = RULE
    chart.categoryAxis.categoryNames = [short_month(m, year=False) for m in review.months]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = "Vera", 5.5
    chart.categoryAxis.labels.angle, chart.categoryAxis.labels.boxAnchor = 45, "ne"
    chart.barSpacing, chart.groupSpacing = 0, 2.5
    chart.bars.strokeColor = None
    for i, state in enumerate(h["status"]):
        chart.bars[(0, i)].fillColor = colors.HexColor(RESULT_COLOURS[_value(state)])
    d.add(chart)
    if target is not None:
        y = chart.y + (target - low) / (high - low) * chart.height
        d.add(Line(chart.x, y, chart.x + chart.width, y, strokeColor=INK, strokeWidth=0.8,
                   strokeDashArray=[3, 2]))
    return d


def _charts(review: Review) -> Table:
    cols, width, height = 3, 58 * mm, 46 * mm
    cells = [_chart(review, r, width, height) for r in review.indicators.to_dict("records")]
    cells += [""] * (-len(cells) % cols)
    grid = [cells[i:i + cols] for i in range(0, len(cells), cols)] or [[""]]
    return Table(grid, colWidths=[width + 2 * mm] * cols, rowHeights=[height + 3 * mm] * math.ceil(len(cells) / cols),
                 style=[("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")])


def _volume_table(review: Review) -> Table:
    v = review.volumes
    heads = [_(h) for _c, h in VOLUME_COLUMNS]
    rows = [[_p(h) for h in heads]]
    for r in v.to_dict("records"):
        rows.append([volume_channel(r["channel"])] + [formats.number(int(r[c])) for c, _h in VOLUME_COLUMNS[1:]])
    rows.append([_("Total")] + [formats.number(int(v[c].sum())) for c, _h in VOLUME_COLUMNS[1:]])
    style = TABLE_STYLE + [("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("FONT", (0, -1), (-1, -1), "VeraBd", 8),
                           ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK)]
    widths = fit_widths(heads, [25 * mm] + [30 * mm] * (len(VOLUME_COLUMNS) - 1), style="cell")
    return Table(rows, colWidths=widths, style=style, repeatRows=1)


def _verbatim_table(review: Review) -> Table | Paragraph:
    if review.verbatims.empty:
        return _p(_("No survey comment this month."), "body")
    heads = [_(h) for h in VERBATIM_HEAD]
    rows = [[_p(h, "head") for h in heads]]
    for r in review.verbatims.to_dict("records"):
        rows.append([f"{r['responded_at']:%d/%m %H:%M}", _p(channel_label(r["channel"]) if _value(r["channel"]) else "–"),
                     _p(score_text(r)), _p(said_text(r)), _p(r["verbatim"])])
    body = [[None, row[1].text, None, None, None] for row in rows[1:]]
    widths = fit_widths(heads, [20 * mm, 16 * mm, 34 * mm, 32 * mm, 78 * mm], body=body)
    return Table(rows, colWidths=widths, style=TABLE_STYLE, repeatRows=1)
