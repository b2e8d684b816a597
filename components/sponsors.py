"""The sponsor review: for one sponsoring entity (the campaigns table's ``sponsor``), its
campaigns' results over a period against their service contracts, like the committee review,
on the viewer's scope; its Excel and PDF exports (``components.sponsors_export``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from components import campaign_contracts as cc
from components.campaigns import campaign_table
from components.view import View
from i18n import N_, _, formats
from metrics.campaigns import OBJECTIVES

# the review's table: a column's key and its header
COLUMNS = (("title", N_("Campaign")), ("reach_rate", N_("Reach rate")), ("conversion_rate", N_("Conversion")),
           ("response_rate", N_("Response rate")), ("acquisition_cost", N_("Acquisition cost")),
           ("deadline", N_("Deadline: target file tried")), ("campaign_cost", N_("Campaign cost")),
           ("return_on_cost", N_("Revenue per euro spent")))


@dataclass(frozen=True)
class SponsorReview:
    sponsor: str
    start: date
    end: date
    results: pd.DataFrame      # ``campaign_contracts.results``, the sponsor's campaigns only
    sponsors: tuple[str, ...] = ()   # every sponsor in scope, to choose another

    @property
    def rows(self) -> list[dict]:
        return cc.contract_rows(self.results)

    def tally(self) -> tuple[int, int]:
        """Objectives met, and judged (met or missed), over all its campaigns."""
        judged = [r[f"{o}__result"] for r in self.results.to_dict("records")
                  for o in (*OBJECTIVES, "deadline") if r[f"{o}__result"] in ("met", "missed")]
        return sum(1 for j in judged if j == "met"), len(judged)


def sponsors(table: pd.DataFrame) -> list[str]:
    """The sponsors of the campaigns in scope, in alphabetical order."""
    if table.empty or "sponsor" not in table:
        return []
    return sorted({s for s in table["sponsor"] if isinstance(s, str) and s})


def review_of(view: View, sponsor: str | None = None) -> SponsorReview | None:
    """The review of the sponsor asked for (the first one in scope when none or an unknown
    one is asked for), or None when no campaign in scope names a sponsor."""
    table = campaign_table(view)
    names = sponsors(table)
    if not names:
        return None
    sponsor = sponsor if sponsor in names else names[0]
    res = cc.results(view, table[table["sponsor"] == sponsor].reset_index(drop=True))
    return SponsorReview(sponsor, view.state.start, view.state.end, res, tuple(names))


def title(review: SponsorReview) -> str:
    return _("Sponsor review – {sponsor} – {start} to {end}", sponsor=review.sponsor,
             start=formats.day(review.start), end=formats.day(review.end))


def tally_text(review: SponsorReview) -> str:
    met, judged = review.tally()
    if not judged:
        return _("No objective judged yet: no contract sets one, or its data are not in.")
    return _("Objectives met: {met} of {judged}; campaigns: {campaigns}.", met=met, judged=judged,
             campaigns=len(review.results))


def filename(review: SponsorReview, kind: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in review.sponsor).strip("-") or "sponsor"
    return f"sponsor-review-{safe}-{review.start:%Y%m%d}-{review.end:%Y%m%d}.{kind}"
