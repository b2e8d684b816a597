"""The URL state of every page: parsing, defaults, presets, writing back."""
from __future__ import annotations

from datetime import date

from components.state import ViewState, default_period, grain_for, preset_period, which_preset
from components.view import query_from_controls

LAST = date(2025, 3, 12)  # a Wednesday


def test_sta001_presets_are_anchored_on_the_latest_day_with_data():
    assert preset_period("yesterday", LAST) == (LAST, LAST)
    assert preset_period("7d", LAST) == (date(2025, 3, 6), LAST)
    assert preset_period("mtd", LAST) == (date(2025, 3, 1), LAST)
    assert preset_period("last_month", LAST) == (date(2025, 2, 1), date(2025, 2, 28))
    assert preset_period("13m", LAST) == (date(2024, 3, 1), LAST)
    assert which_preset(date(2025, 2, 1), date(2025, 2, 28), LAST) == "last_month"
    assert which_preset(date(2025, 2, 2), date(2025, 2, 28), LAST) == "custom"


def test_sta002_default_period_is_last_full_month_when_covered():
    assert default_period(date(2024, 1, 1), LAST) == (date(2025, 2, 1), date(2025, 2, 28))
    assert default_period(date(2025, 2, 15), LAST) == (date(2025, 3, 6), LAST)


def test_sta003_query_round_trip_keeps_filters_and_page_keys():
    query = {"from": "2025-03-01", "to": "2025-03-31", "channel": "phone,chat", "by": "queue",
             "path": "channel:phone|queue:Q1", "colour": ""}
    state = ViewState.from_query(query, (date(2024, 1, 1), LAST))
    assert state.filters == {"channel": ("phone", "chat")}
    assert state.extra == {"by": "queue", "path": "channel:phone|queue:Q1"}
    assert state.scope().filters == (("channel", ("chat", "phone")),)
    assert state.query() == {k: v for k, v in query.items() if v}
    assert state.href("/focus", kpi="nps", by=None) == (
        "/focus?from=2025-03-01&to=2025-03-31&channel=phone,chat&path=channel%3Aphone%7Cqueue%3AQ1&kpi=nps")
    # a whole month is compared with the month before (tests/test_periods.py)
    assert state.previous_period() == (date(2025, 2, 1), date(2025, 2, 28))


def test_sta004_bad_period_in_the_url_falls_back_to_the_default():
    state = ViewState.from_query({"from": "2025-13-01", "to": "x"}, (date(2024, 1, 1), LAST))
    assert (state.start, state.end) == (date(2025, 2, 1), date(2025, 2, 28))
    state = ViewState.from_query({"from": "2025-03-10", "to": "2025-03-01"}, (date(2024, 1, 1), LAST))
    assert (state.start, state.end) == (date(2025, 2, 1), date(2025, 2, 28))


def test_sta005_controls_write_the_query():
    current = {"from": "2025-03-01", "to": "2025-03-31", "path": "channel:phone"}
    q = query_from_controls(current, "period-preset", "7d", "2025-03-01", "2025-03-31",
                            {"channel": ["phone"], "queue": []}, {"kpi": "nps"}, LAST)
    assert q == {"from": "2025-03-06", "to": "2025-03-12", "path": "channel:phone",
                 "channel": "phone", "kpi": "nps"}
    q = query_from_controls(current, None, "custom", "2025-03-02", "2025-03-03T00:00:00",
                            {}, {"kpi": None}, None)
    assert q == {"from": "2025-03-02", "to": "2025-03-03", "path": "channel:phone"}


def test_sta006_trend_grain():
    assert grain_for(date(2025, 1, 1), date(2025, 3, 3)) == "day"      # 62 days
    assert grain_for(date(2025, 1, 1), date(2025, 3, 4)) == "week"     # 63 days
    assert grain_for(date(2025, 1, 1), date(2025, 7, 2)) == "week"     # 183 days
    assert grain_for(date(2025, 1, 1), date(2025, 7, 3)) == "month"


def test_sta007_a_new_view_resets_its_page_and_a_new_by_its_drill_path():
    current = {"from": "2025-03-01", "to": "2025-03-31", "by": "channel",
               "path": "channel:phone", "page": "3", "contact": "demo|D1"}
    q = query_from_controls(current, "by", None, "2025-03-01", "2025-03-31", {}, {"by": "team"}, None)
    assert q == {"from": "2025-03-01", "to": "2025-03-31", "by": "team"}
    q = query_from_controls(current, "channel", None, "2025-03-01", "2025-03-31",
                            {"channel": ["chat"]}, {"by": "channel"}, None)
    assert q == {"from": "2025-03-01", "to": "2025-03-31", "by": "channel", "path": "channel:phone",
                 "channel": "chat"}
    unchanged = query_from_controls(current, "by", None, "2025-03-01", "2025-03-31", {}, {"by": "channel"}, None)
    assert unchanged == current
