"""Periods: the last full month, and the periods a value is compared with (KPIS.md,
*Comparisons*); every expected date worked out on a calendar."""
from __future__ import annotations

from datetime import date

from components.state import default_period, preset_period, which_preset
from metrics.periods import covers, last_full_month, last_year, previous_period, whole_months


def test_per001_a_month_is_full_when_the_data_reach_its_last_day():
    # data up to 30 November (its last day): November is full
    assert last_full_month(date(2026, 11, 30)) == (date(2026, 11, 1), date(2026, 11, 30))
    # mid-month: the month before
    assert last_full_month(date(2026, 11, 15)) == (date(2026, 10, 1), date(2026, 10, 31))
    # the first of a month: the month before too
    assert last_full_month(date(2026, 12, 1)) == (date(2026, 11, 1), date(2026, 11, 30))
    # February's last day, in a leap year and not
    assert last_full_month(date(2024, 2, 29)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert last_full_month(date(2025, 2, 28)) == (date(2025, 2, 1), date(2025, 2, 28))
    # 31 December: December; 1 January: the December before
    assert last_full_month(date(2025, 12, 31)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert last_full_month(date(2026, 1, 1)) == (date(2025, 12, 1), date(2025, 12, 31))


def test_per002_the_preset_and_the_default_period_follow_the_same_rule():
    last = date(2026, 11, 30)
    assert preset_period("last_month", last) == (date(2026, 11, 1), date(2026, 11, 30))
    assert which_preset(date(2026, 11, 1), date(2026, 11, 30), last) == "last_month"
    assert default_period(date(2025, 10, 31), last) == (date(2026, 11, 1), date(2026, 11, 30))
    # data that start inside November do not cover it: the last 7 days
    assert default_period(date(2026, 11, 2), last) == (date(2026, 11, 24), date(2026, 11, 30))
    assert preset_period("13m", last) == (date(2025, 11, 1), last)


def test_per003_previous_period_of_whole_months_is_as_many_whole_months_before():
    assert previous_period(date(2026, 11, 1), date(2026, 11, 30)) == (date(2026, 10, 1), date(2026, 10, 31))
    # March (31 days) is compared with February (28), not with the 31 days before
    assert previous_period(date(2025, 3, 1), date(2025, 3, 31)) == (date(2025, 2, 1), date(2025, 2, 28))
    # Q4 with Q3
    assert previous_period(date(2026, 10, 1), date(2026, 12, 31)) == (date(2026, 7, 1), date(2026, 9, 30))
    # January with the December before
    assert previous_period(date(2026, 1, 1), date(2026, 1, 31)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert whole_months(date(2026, 10, 1), date(2026, 12, 31)) == 3
    assert whole_months(date(2026, 10, 2), date(2026, 12, 31)) == 0


def test_per004_previous_week_and_previous_days():
    # Monday 23 to Sunday 29 November 2026: the week before
    assert previous_period(date(2026, 11, 23), date(2026, 11, 29)) == (date(2026, 11, 16), date(2026, 11, 22))
    # 10 days (Tuesday 3 to Thursday 12 March): the 10 days before
    assert previous_period(date(2025, 3, 3), date(2025, 3, 12)) == (date(2025, 2, 21), date(2025, 3, 2))
    # one day: the day before
    assert previous_period(date(2025, 3, 1), date(2025, 3, 1)) == (date(2025, 2, 28), date(2025, 2, 28))
    # month to date (1-15 November): the 15 days before, not October
    assert previous_period(date(2026, 11, 1), date(2026, 11, 15)) == (date(2026, 10, 17), date(2026, 10, 31))


def test_per005_last_year_is_the_same_dates_and_needs_the_data_to_cover_them():
    assert last_year(date(2026, 11, 1), date(2026, 11, 30)) == (date(2025, 11, 1), date(2025, 11, 30))
    assert last_year(date(2024, 2, 29), date(2024, 3, 1)) == (date(2023, 2, 28), date(2023, 3, 1))
    first, last = date(2025, 10, 31), date(2026, 11, 30)
    assert covers(first, last, date(2025, 11, 1), date(2025, 11, 30))
    assert covers(first, last, date(2025, 10, 31), date(2025, 10, 31))
    assert not covers(first, last, date(2025, 10, 1), date(2025, 10, 31))   # starts before the data
    assert not covers(None, None, date(2025, 11, 1), date(2025, 11, 30))
