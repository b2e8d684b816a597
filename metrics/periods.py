"""Calendar arithmetic of periods: months, the last full month, and the periods a value is
compared with (KPIS.md, *Comparisons*). Plain functions on dates; nothing touches the data."""
from __future__ import annotations

import calendar
from datetime import date, timedelta


def month_end(month: date) -> date:
    """The last day of a date's month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: date, n: int) -> date:
    """The first day of the month ``n`` months after a date's month."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def last_full_month(last: date) -> tuple[date, date]:
    """The latest month the data cover to its last day: the month of ``last`` when ``last`` is
    that month's last day, else the month before."""
    end = last if last == month_end(last) else last.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def whole_months(start: date, end: date) -> int:
    """How many calendar months a period is made of, 0 when it is not made of whole months."""
    if start.day != 1 or end != month_end(end):
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period a value is compared with: for whole calendar months, as many whole months
    just before (October for November, Q3 for Q4); otherwise (a whole ISO week included) the
    same number of days just before."""
    months = whole_months(start, end)
    if months:
        before = add_months(start, -months)
        return before, start - timedelta(days=1)
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def year_before(day: date) -> date:
    """The same date one year earlier (29 February gives 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def last_year(start: date, end: date) -> tuple[date, date]:
    """The same dates one year earlier."""
    return year_before(start), year_before(end)


def covers(first: date | None, last: date | None, start: date, end: date) -> bool:
    """Whether data running from ``first`` to ``last`` cover a period entirely."""
    return first is not None and last is not None and first <= start and end <= last
