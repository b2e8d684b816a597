"""What a report holds, made as the pages make it: the committee pack of a client's month is
the committee page's PDF and workbook, in the reader's language; the director's monthly
summary is the same review over every client and the headline KPIs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from access.viewer import LOCAL
from components import committee as cm
from components.committee_pdf import review_pdf
from components.committee_xlsx import review_workbook
from components.view import view_for
from data.decisions import decisions_for
from i18n import _
from metrics.committee import Review, summary_review
from metrics.query import dimension_values
from reports.mail import Attachment
from settings import Settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Pack:
    what: str                        # what was sent, as the sendings record it
    subject: str
    body: str
    attachments: list[Attachment]


def committee_pack(settings: Settings, client: str, month: date) -> Pack:
    """The committee review of a client's month as its page exports it (PDF and Excel), with
    the month's decisions; a client the data do not know is refused."""
    view = view_for(settings, LOCAL, {"client": client, "month": f"{month:%Y-%m}"})
    if not view.has_data or client not in dimension_values(view.db, view.scope(), ["client"])["client"]:
        raise ValueError(_("no client {client!r} in the data", client=client))
    review = cm.review_of(view, client, month)
    decisions = decisions_for(view.db, client, month)
    return _pack(f"committee {client} {month:%Y-%m}", review, decisions, cm.indicator_notes(review, view),
                 _("{title}: the review and the month's decisions, in PDF and Excel.\n\nPilotage", title=cm.title(review)))


def summary_pack(settings: Settings, month: date) -> Pack:
    """The director's summary of a month: every client's contacts and answers over the
    headline KPIs against the targets in force, in PDF and Excel."""
    view = view_for(settings, LOCAL, {"month": f"{month:%Y-%m}"})
    if not view.has_data or not view.first.replace(day=1) <= month <= view.last:
        raise ValueError(_("no data in {month}", month=cm.month_label(month)))
    review = summary_review(view.db, view.scope(), month, view.targets, view.settings.kpi,
                            min_answers=view.settings.min_answers, first=view.first)
    return _pack(f"summary {month:%Y-%m}", review, None, cm.indicator_notes(review, view),
                 _("{title}: the headline indicators of every client, in PDF and Excel.\n\nPilotage",
                   title=cm.title(review)))


def _pack(what: str, review: Review, decisions, notes: list[str], body: str) -> Pack:
    return Pack(what, cm.title(review), body,
                [Attachment(cm.filename(review, "pdf"), review_pdf(review, decisions, notes), "application/pdf"),
                 Attachment(cm.filename(review, "xlsx"), review_workbook(review, decisions, notes), XLSX)])
