"""The URL is the state: every page reads its view from the query string and writes it back.

Shared keys: ``from``, ``to`` (YYYY-MM-DD) and the filters ``channel``, ``client``, ``queue``,
``campaign``, ``team``, ``agent`` (comma-separated). Pages add their own keys (``kpi``,
``by``, ``path``...), kept as given.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from components import inputs
from i18n import N_
from metrics import periods
from metrics.query import Scope

FILTER_KEYS = ("channel", "client", "queue", "campaign", "team", "agent")
PERIOD_KEYS = ("from", "to")

PRESETS = {   # looked up where shown
    "yesterday": N_("Latest day"),
    "7d": N_("Last 7 days"),
    "last_month": N_("Last full month"),
    "mtd": N_("Month to date"),
    "13m": N_("Last 13 months"),
    "custom": N_("Custom range"),
}


def preset_period(preset: str, last: date) -> tuple[date, date]:
    """A preset period, anchored on the latest day with data (``last``)."""
    if preset == "yesterday":
        return last, last
    if preset == "7d":
        return last - timedelta(days=6), last
    if preset == "mtd":
        return last.replace(day=1), last
    if preset == "last_month":
        return periods.last_full_month(last)
    if preset == "13m":
        return periods.add_months(last, -12), last
    raise ValueError(f"unknown period preset {preset!r}")


def which_preset(start: date, end: date, last: date) -> str:
    for preset in PRESETS:
        if preset != "custom" and preset_period(preset, last) == (start, end):
            return preset
    return "custom"


def default_period(first: date, last: date) -> tuple[date, date]:
    """The last full month when the data cover it, else the last 7 days."""
    start, end = preset_period("last_month", last)
    return (start, end) if first <= start else preset_period("7d", last)


def clamped_period(start: date | None, end: date | None, first: date | None,
                   last: date | None) -> tuple[date, date]:
    """The period asked for, kept within the months the data cover and the year before
    them (the longest preset's reach; a period of whole months stays whole); a missing,
    reversed or disjoint one gives the default period."""
    if last is None:
        return (date.today(),) * 2
    low, high = periods.add_months(first.replace(day=1), -12), periods.month_end(last)
    if start is None or end is None or end < start or end < low or start > high:
        return default_period(first, last)
    return max(start, low), min(end, high)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(v for v in (text or "").split(",") if v)


@dataclass(frozen=True)
class ViewState:
    """What a page shows, as read from (and written to) its URL."""

    start: date
    end: date
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: dict, extent: tuple[date | None, date | None]) -> "ViewState":
        """The state of a query string (any value from the browser): the period within the
        data's months (``clamped_period``), the filters, the page's own keys as texts."""
        query = inputs.query(query)
        start, end = clamped_period(inputs.day(query.get("from")), inputs.day(query.get("to")), *extent)
        filters = {k: _split(query.get(k)) for k in FILTER_KEYS if _split(query.get(k))}
        extra = {k: v for k, v in query.items() if k not in FILTER_KEYS + PERIOD_KEYS and v}
        return cls(start, end, filters, extra)

    def scope(self) -> Scope:
        return Scope.of(self.start, self.end, **self.filters)

    def query(self, **changes) -> dict[str, str]:
        """The query as a dict, with changes (None removes a key; tuples become lists)."""
        out = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        out.update({k: ",".join(v) for k, v in self.filters.items() if v})
        out.update(self.extra)
        for key, value in changes.items():
            if value in (None, "", (), []):
                out.pop(key, None)
            elif isinstance(value, (list, tuple)):
                out[key] = ",".join(value)
            elif isinstance(value, date):
                out[key] = value.isoformat()
            else:
                out[key] = str(value)
        return out

    def href(self, page: str, /, **changes) -> str:
        """The URL of a page (e.g. ``/focus``) with this state and the changes."""
        return f"{page}?{urlencode(self.query(**changes), safe=',')}"

    def previous_period(self) -> tuple[date, date]:
        """The period this one is compared with (``metrics.periods.previous_period``)."""
        return periods.previous_period(self.start, self.end)


GRAIN_WORD = {"day": N_("daily"), "week": N_("weekly"), "month": N_("monthly")}   # looked up where shown


def grain_for(start: date, end: date) -> str:
    """Time grain of a trend: daily up to 62 days, weekly up to 6 months, else monthly."""
    days = (end - start).days + 1
    return "day" if days <= 62 else "week" if days <= 183 else "month"
