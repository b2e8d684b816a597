"""Maturity (KPIS.md, *Maturity*): first-contact resolution is known only once a contact's
whole look-ahead window has passed, its repeat status once its whole look-back window is in
the data. Both are measured against the data's *first day* and *latest day*: the earliest and
latest days on which any contact arrived, in all the data.

- mature for FCR: ``arrived_at + window`` before the end of the latest day (``fcr_until``);
- mature for repeats: ``arrived_at − window`` at or after the start of the first day
  (``repeat_from``).

The row flags (``relations.contact_flags``) bind these two instants; the roll-ups store the
days they were computed for and a load that moves the first or latest day computes again the
days whose contacts changed maturity (``changed_days``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from data.db import frame, generation
from i18n import formats, ngettext

PARAMS = ("fcr_until", "repeat_from")   # the bound values that depend on the data, not the settings


@dataclass(frozen=True)
class Maturity:
    first: date | None       # the data's first day
    latest: date | None      # the data's latest day
    window_h: float          # the repeat window, in hours

    @property
    def window(self) -> timedelta:
        return timedelta(hours=self.window_h)

    @property
    def fcr_until(self) -> datetime | None:
        """Contacts that arrived before this instant are mature for FCR."""
        if self.latest is None:
            return None
        return datetime.combine(self.latest + timedelta(days=1), time.min) - self.window

    @property
    def repeat_from(self) -> datetime | None:
        """Contacts that arrived at or after this instant are mature for repeats."""
        return None if self.first is None else datetime.combine(self.first, time.min) + self.window

    def bind(self, params: dict) -> None:
        # without data nothing is mature (and there is nothing to count)
        params["fcr_until"] = self.fcr_until or datetime(1970, 1, 1)
        params["repeat_from"] = self.repeat_from or datetime(9999, 12, 31)

    @property
    def fcr_pending_from(self) -> date | None:
        """The first day that holds contacts pending for FCR."""
        return None if self.fcr_until is None else self.fcr_until.date()

    @property
    def repeat_counted_from(self) -> date | None:
        """The first day all of whose contacts count for repeats (an earlier one may count in part)."""
        if self.repeat_from is None:
            return None
        day = self.repeat_from.date()
        return day if self.repeat_from.time() == time.min else day + timedelta(days=1)

    def note(self, kpi_id: str, pending: int, start: date) -> str:
        """What a person must know of the contacts not counted in a period starting on ``start``."""
        hours = self.window_h
        window = (ngettext("{n}-day", "{n}-day", int(hours // 24)) if hours % 24 == 0 else
                  ngettext("{hours}-hour", "{hours}-hour", int(hours),
                           hours=formats.number(hours, 0 if hours == int(hours) else 1)))
        if kpi_id == "fcr":
            since = max(start, self.fcr_pending_from)
            return ngettext("{count} contact from {since} pending: it counts once its {window} window has passed",
                            "{count} contacts from {since} pending: each counts once its {window} window has passed",
                            pending, count=formats.number(pending), since=formats.day(since), window=window)
        return ngettext(
            "{count} contact before {until} not counted: the {window} window before it is not in the data",
            "{count} contacts before {until} not counted: the {window} window before them is not in the data",
            pending, count=formats.number(pending), until=formats.day(self.repeat_counted_from), window=window)


def changed_days(old: Maturity, new: Maturity) -> list[date]:
    """The days holding contacts whose maturity differs between two spans of the data."""
    days: set[date] = set()
    for a, b in ((old.fcr_until, new.fcr_until), (old.repeat_from, new.repeat_from)):
        if a == b:
            continue
        if a is None or b is None:   # from no data (or to none): every day there is was loaded now
            continue
        lo, hi = min(a, b), max(a, b)
        days.update(lo.date() + timedelta(days=i) for i in range((hi.date() - lo.date()).days + 1))
    return sorted(days)


_SPAN_SQL = "SELECT CAST(min(arrived_at) AS DATE) AS first, CAST(max(arrived_at) AS DATE) AS latest FROM contacts"
_spans: dict = {}


def span(db: Engine | Connection) -> tuple[date | None, date | None]:
    """The data's first and latest day (any contact, inbound or outbound), read once per data
    generation through an engine."""
    if isinstance(db, Engine):
        key = (str(db.url), generation())
        if key not in _spans:
            with db.connect() as conn:
                found = span(conn)
            _spans.clear()          # only the latest data counts
            _spans[key] = found
        return _spans[key]
    row = frame(db, _SPAN_SQL).iloc[0]
    return (None if pd.isna(row["first"]) else row["first"], None if pd.isna(row["latest"]) else row["latest"])


def of(db: Engine | Connection, window_h: float) -> Maturity:
    first, latest = span(db)
    return Maturity(first, latest, window_h)
