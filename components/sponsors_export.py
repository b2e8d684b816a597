"""The sponsor review as an Excel workbook (numbers stored as numbers with a display format,
each objective's objective, actual and result in columns of their own) and as an A4 PDF in
the committee review's style (its writers and styles, reused)."""
from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from components.campaign_contracts import OBJECTIVE_HEADS, RESULT_WORDS
from components.committee_pdf import TABLE_STYLE, _p, fit_widths, page_footer
from components.committee import _value
from components.committee_xlsx import FILLS, HEADER_ROW, _header, _put
from components.sponsors import COLUMNS, SponsorReview, tally_text, title
from i18n import _, formats
from metrics.campaigns import OBJECTIVES

PERCENT = '#,##0.0" %"'
EUROS = '#,##0.00" €"'
FORMATS = {"reach_rate": PERCENT, "conversion_rate": PERCENT, "response_rate": PERCENT, "acquisition_cost": EUROS}


def _result(code) -> str | None:
    if code not in RESULT_WORDS:
        return None
    icon, word = RESULT_WORDS[code]
    return f"{icon} {_(word)}"


def review_workbook(review: SponsorReview, generated: datetime | None = None) -> bytes:
    """One sheet: a row per campaign; per objective its objective, actual and result."""
    wb = Workbook()
    ws = wb.active
    heads = [_("Campaign"), _("Name"), _("First day"), _("Last day"), _("Target file")]
    for objective, head in OBJECTIVE_HEADS.items():
        heads += [_("{objective}: objective", objective=_(head)), _("{objective}: actual", objective=_(head)),
                  _("{objective}: result", objective=_(head))]
    heads += [_("Deadline"), _("Tried by the deadline"), _("Deadline: result"), _("Campaign cost"),
              _("Revenue per euro spent")]
    _header(ws, _("Campaigns"), tally_text(review), heads, [14, 28, 11, 11, 10] + [12] * (len(heads) - 5))
    for row, r in enumerate(review.results.to_dict("records"), start=HEADER_ROW + 1):
        _put(ws, row, 1, r["campaign"])
        _put(ws, row, 2, r.get("campaign_name"))
        _put(ws, row, 3, r.get("starts_on"), "dd/mm/yyyy")
        _put(ws, row, 4, r.get("ends_on"), "dd/mm/yyyy")
        _put(ws, row, 5, r.get("target_size"), "#,##0")
        col = 6
        for objective in OBJECTIVES:
            result = r[f"{objective}__result"]
            _put(ws, row, col, r[f"{objective}__target"], FORMATS[objective])
            _put(ws, row, col + 1, r[f"{objective}__actual"], FORMATS[objective])
            _put(ws, row, col + 2, _result(result), state=result)
            col += 3
        _put(ws, row, col, r["deadline"], "dd/mm/yyyy")
        _put(ws, row, col + 1, r["deadline__tried"] if _value(r["deadline"]) else None, "#,##0")
        _put(ws, row, col + 2, _result(r["deadline__result"]), state=r["deadline__result"])
        _put(ws, row, col + 3, r.get("campaign_cost"), EUROS)
        _put(ws, row, col + 4, r.get("return_on_cost"), "#,##0.00")
    generated = generated or datetime.now()
    ws["A1"] = title(review)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = _("{subtitle} – generated {when} by Pilotage", subtitle=ws["A2"].value,
                 when=f"{formats.day(generated)} {generated:%H:%M}")
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def review_pdf(review: SponsorReview, generated: datetime | None = None) -> bytes:
    """A4 landscape: the title, the tally, the table of campaigns against their contracts."""
    out = io.BytesIO()
    heading = title(review)
    footer = page_footer(heading, generated or datetime.now(), landscape(A4)[0])

    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=14 * mm, bottomMargin=16 * mm, title=heading, author="Pilotage")
    story = [_p(heading, "title"), Spacer(1, 2 * mm), _p(tally_text(review), "sub"),
             _p(_("Campaigns against their contracts"), "h2"), _table(review)]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _words(text: str) -> str:
    """A cell without its icon (the PDF's font has no ✓ nor ✗): its words say the result."""
    for icon, _word in RESULT_WORDS.values():
        text = text.removeprefix(f"{icon} ")
    return text[:1].upper() + text[1:]


def _table(review: SponsorReview) -> Table | Paragraph:
    rows = review.rows
    if not rows:
        return _p(_("No campaign of this sponsor in the period."), "body")
    heads = [_(h) for _k, h in COLUMNS]
    body = [[_words(r[k]) for k, _h in COLUMNS] for r in rows]
    style = list(TABLE_STYLE)
    for n, r in enumerate(rows, start=1):
        for c, (key, _h) in enumerate(COLUMNS):
            state = r.get(f"{key}__status")
            if state in ("met", "missed"):
                style.append(("BACKGROUND", (c, n), (c, n), colors.HexColor("#" + FILLS[state])))
    widths = fit_widths(heads, [40 * mm] + [32 * mm] * 4 + [36 * mm, 24 * mm, 22 * mm], body=body)
    return Table([[_p(h, "head") for h in heads]] + [[_p(v) for v in row] for row in body], colWidths=widths,
                 style=style, repeatRows=1)
