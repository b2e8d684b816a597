"""When reports go out: the committee pack of each client named in the schedule file, and the
director's monthly summary, for the month just ended, on the first working day of the next
month at 8:00, Europe/Paris time.

The schedule is a TOML file (``PILOTAGE_SCHEDULE``)::

    [[committee]]
    client = "ACME"
    to = ["dg@acme.fr", "cr@example.fr"]

    [[summary]]
    to = ["direction@example.fr"]

One scheduler process sends them (``python -m reports scheduler``; a lock file keeps a second
one from starting), never the dashboard's server threads. A report already sent for its month
(table ``sendings``) is not sent again, so a scheduler restarted late sends what it missed,
once.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from i18n import _
from reports.packs import Pack, committee_pack, summary_pack
from settings import Settings

PARIS = ZoneInfo("Europe/Paris")
SEND_AT = time(8, 0)


def easter(year: int) -> date:
    """Easter Sunday (the Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def french_holidays(year: int) -> set[date]:
    """France's public holidays of a year (metropolitan)."""
    e = easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    return {date(year, m, d) for m, d in fixed} | {e + timedelta(days=1), e + timedelta(days=39), e + timedelta(days=50)}


def first_working_day(year: int, month: int) -> date:
    """The month's first day that is neither a weekend day nor a public holiday."""
    day, holidays = date(year, month, 1), french_holidays(year)
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def sending_time(month: date) -> datetime:
    """When the reports of a month (its first day) go out: 8:00 in Paris on the first working
    day of the next month."""
    after = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return datetime.combine(first_working_day(after.year, after.month), SEND_AT, PARIS)


def month_due(now: datetime) -> date:
    """The latest month whose reports are due at ``now`` (its first day)."""
    here = now.astimezone(PARIS)
    last = date(here.year, here.month, 1) - timedelta(days=1)
    month = last.replace(day=1)
    return month if sending_time(month) <= here else (month - timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class Committee:
    """A client's committee pack."""
    client: str
    to: tuple[str, ...]

    def what(self, month: date) -> str:
        return f"committee {self.client} {month:%Y-%m}"

    def pack(self, settings: Settings, month: date) -> Pack:
        return committee_pack(settings, self.client, month)


@dataclass(frozen=True)
class Summary:
    """The director's monthly summary."""
    to: tuple[str, ...]

    def what(self, month: date) -> str:
        return f"summary {month:%Y-%m}"

    def pack(self, settings: Settings, month: date) -> Pack:
        return summary_pack(settings, month)


def _addresses(entry) -> tuple[str, ...] | None:
    to = entry.get("to")
    ok = isinstance(to, list) and to and all(isinstance(a, str) for a in to)
    return tuple(to) if ok else None


def read_schedule(path: Path) -> list[Committee | Summary]:
    """The reports a schedule file asks for; a file that cannot be used is refused with what
    is wrong."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(_("schedule {path}: {error}", path=path, error=exc)) from None
    out = []
    for i, entry in enumerate(raw.get("committee", []), start=1):
        client, to = entry.get("client"), _addresses(entry)
        if not isinstance(client, str) or not client or to is None:
            raise ValueError(_("schedule {path}: committee {n} needs a client and a list of addresses (to)",
                               path=path, n=i))
        out.append(Committee(client, to))
    for i, entry in enumerate(raw.get("summary", []), start=1):
        if (to := _addresses(entry)) is None:
            raise ValueError(_("schedule {path}: summary {n} needs a list of addresses (to)", path=path, n=i))
        out.append(Summary(to))
    return out
