"""Daily service: intervals against target and last week, agents' outliers, in the browser."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from components import service as sv
from components.state import ViewState
from access.viewer import LOCAL
from components.view import View
from settings import Settings


def call(cid, when, wait, agent=None, talk=100, outcome="answered", channel="phone"):
    return dict(contact_id=cid, arrived_at=when, channel=channel, queue="Q1", outcome=outcome,
                wait_s=wait, talk_s=talk if outcome == "answered" else None,
                agent_id=agent if outcome == "answered" else None)


MONDAY = "2025-03-10"
CONTACTS = [
    call("a", f"{MONDAY} 09:05:00", 5, "A1"), call("b", f"{MONDAY} 09:20:00", 10, "A1"),
    # 09:30-10:00: 1 of 4 within 20 s -> 25 %, under the 75 % amber: missed
    call("c", f"{MONDAY} 09:31:00", 30, "A1"), call("d", f"{MONDAY} 09:40:00", 40, "A2"),
    call("e", f"{MONDAY} 09:45:00", 5, "A2"), call("f", f"{MONDAY} 09:59:59", 50, "A2"),
    call("m", f"{MONDAY} 09:50:00", 3600, "A2", channel="email"),     # not on the phone view
    call("w", "2025-03-03 09:10:00", 50, "A1"),                        # last Monday, 09:00: 0 %
]


def make_view(eng, day=MONDAY):
    state = ViewState.from_query({"day": day, "channel": "phone"}, (date(2025, 3, 3), date(2025, 3, 10)))
    settings = replace(Settings(), db=Path(eng.url.database))
    return View(settings, eng, date(2025, 3, 3), date(2025, 3, 10), state, dict(settings.targets), LOCAL)


def test_svc001_intervals_against_target_and_last_week(make_db):
    view = make_view(make_db(contacts=CONTACTS))
    data = sv.intervals(view, date(2025, 3, 10)).set_index("interval")
    assert list(data.index) == ["09:00", "09:30"]
    assert (data.loc["09:00", "offered"], data.loc["09:00", "service_level"]) == (2, 100.0)
    assert (data.loc["09:30", "offered"], data.loc["09:30", "service_level"]) == (4, 25.0)
    assert data.loc["09:30", "asa"] == pytest.approx((30 + 40 + 5 + 50) / 4)
    assert data.loc["09:00", "service_level__status"] == "met"
    assert data.loc["09:30", "service_level__status"] == "missed"
    assert (data.loc["09:00", "lw_offered"], data.loc["09:00", "lw_service_level"]) == (1, 0.0)
    assert pd_isna(data.loc["09:30", "lw_offered"])
    rows = {r["interval"]: r for r in sv.interval_rows(data.reset_index())}
    assert rows["09:30"]["row"] == "missed" and rows["09:30"]["service_level__text"] == "25.0 % ✗"
    assert rows["09:00"]["row"] == "met" and rows["09:00"]["lw_service_level__text"] == "0.0 %"


def test_svc005_the_four_week_heat_map_lists_its_days_in_date_order(make_db):
    view = make_view(make_db(contacts=CONTACTS + [call("x", "2025-03-07 10:00:00", 5, "A1")]))
    fig = sv.weeks_heatmap(view, date(2025, 3, 10))
    # phone traffic on Monday 3, Friday 7 and Monday 10 March: by date, not by label ("Fri" < "Mon")
    assert fig["data"][0]["y"] == ["Mon 03/03", "Fri 07/03", "Mon 10/03"]


def pd_isna(v):
    return v is None or v != v


def test_svc002_agents_beyond_tukeys_fences_are_flagged(make_db):
    contacts = []
    # five agents, five calls each; handle times 100, 110, 120, 130 and 1000 s:
    # Q1 = 110, Q3 = 130, IQR = 20, fence 130 + 30 = 160 -> only A5 is flagged
    for n, aht in enumerate([100, 110, 120, 130, 1000], start=1):
        contacts += [call(f"x{n}{i}", f"{MONDAY} 10:0{i}:00", 5, f"A{n}", talk=aht) for i in range(5)]
    contacts.append(call("y", f"{MONDAY} 11:00:00", 5, "A6", talk=5000))   # one call: too few to judge
    view = make_view(make_db(contacts=contacts, agents=[dict(agent_id="A5", agent_name="Inès Roux")]))
    agents = sv.agents_of_day(view, date(2025, 3, 10)).set_index("agent")
    assert agents.loc["A5", "outlier"] == "long handle time"
    assert (agents.drop("A5")["outlier"] == "").all()
    assert agents.loc["A5", "name"] == "Inès Roux" and agents.loc["A5", "handled"] == 5
    assert agents.index[0] == "A5"                                   # flagged first
    assert sv.agent_rows(agents.reset_index(), 10)[0]["outlier"] == "⚑ long handle time"


def test_svc003_day_defaults_to_the_latest_with_data():
    first, last = date(2025, 3, 1), date(2025, 3, 10)
    assert sv.chosen_day({}, first, last) == last
    assert sv.chosen_day({"day": "2025-03-03"}, first, last) == date(2025, 3, 3)
    assert sv.chosen_day({"day": "yesterday"}, first, last) == last
    # a day outside the data is the nearest day with data; one outside 1900-2199 no day
    assert sv.chosen_day({"day": "2025-02-14"}, first, last) == first
    assert sv.chosen_day({"day": "2025-04-01"}, first, last) == last
    assert sv.chosen_day({"day": "9999-12-31"}, first, last) == last
    assert sv.chosen_day({"day": "0001-01-01"}, first, last) == last


def test_svc004_service_page_shows_the_missed_interval(dash_duo, make_db, app_for):
    dash_duo.start_server(app_for(make_db(contacts=CONTACTS)))
    dash_duo.wait_for_page(dash_duo.server_url + "/service")        # the latest day: 10 March
    # the phone only: 3 of 6 within 20 s -> 50 %
    dash_duo.wait_for_text_to_equal("#service-service_level", "50.0 %")
    row = dash_duo.wait_for_element("#service-intervals .ag-center-cols-container .ag-row[row-index='1']")
    assert "row-missed" in row.get_attribute("class")
    assert "25.0 % ✗" in row.text
    first = dash_duo.find_element("#service-intervals .ag-center-cols-container .ag-row[row-index='0']")
    assert "row-missed" not in first.get_attribute("class") and "100.0 % ✓" in first.text
    assert dash_duo.driver.find_elements(By.CSS_SELECTOR, "#service-weeks .heatmaplayer, #service-weeks .hm")
    # the wallboard of the same channel, in a tab of its own
    link = dash_duo.find_element("#service-wall")
    assert link.get_attribute("href").endswith("/wall?channel=phone") and link.get_attribute("target") == "_blank"
    assert dash_duo.get_logs() == []


def test_svc006_an_interval_close_to_target_has_its_own_mark_and_colour(make_db):
    # 10:00-10:30: 4 of 5 within 20 s -> 80 % (met); 11:00-11:30: 3 of 4 -> 75 %, the amber
    # value (close); 12:00-12:30: 1 of 2 -> 50 % (missed)
    calls = ([call(f"m{i}", f"{MONDAY} 10:0{i}:00", 5 if i < 4 else 50, "A1") for i in range(5)]
             + [call(f"c{i}", f"{MONDAY} 11:0{i}:00", 5 if i < 3 else 50, "A1") for i in range(4)]
             + [call(f"x{i}", f"{MONDAY} 12:0{i}:00", 5 if i < 1 else 50, "A1") for i in range(2)])
    view = make_view(make_db(contacts=calls))
    rows = {r["interval"]: r for r in sv.interval_rows(sv.intervals(view, date(2025, 3, 10)))}
    assert [rows[t]["row"] for t in ("10:00", "11:00", "12:00")] == ["met", "close", "missed"]
    assert rows["11:00"]["service_level__text"] == "75.0 % !"
    legend = " ".join(str(getattr(part, "children", part)) for part in sv.interval_legend(view))
    assert "! close to target (within tolerance: from 75.0 %)" in legend and "✗ missed" in legend


def test_svc007_each_channel_is_judged_against_its_own_targets(make_db):
    from pages.service import service_query

    assert service_query({})["channel"] == "phone"
    assert service_query({"channel": "chat,email"})["channel"] == "chat"     # one channel at a time
    chats = [call("h1", f"{MONDAY} 10:00:00", 50, "A1", channel="chat"),
             call("h2", f"{MONDAY} 10:05:00", 70, "A1", channel="chat")]
    eng = make_db(contacts=CONTACTS + chats)
    state = ViewState.from_query({"day": MONDAY, "channel": "chat"}, (date(2025, 3, 3), date(2025, 3, 10)))
    settings = replace(Settings(), db=Path(eng.url.database))
    view = View(settings, eng, date(2025, 3, 3), date(2025, 3, 10), state, dict(settings.targets), LOCAL)
    rows = {r["interval"]: r for r in sv.interval_rows(sv.intervals(view, date(2025, 3, 10)))}
    # chat threshold 60 s: 50 s within, 70 s not -> 50 %; ASA (50 + 70) / 2 = 60 s, on the
    # chat's own 60 s target (the phone's is 30 s)
    assert rows["10:00"]["service_level__text"] == "50.0 % ✗"
    assert rows["10:00"]["asa__text"] == "60 s ✓"
    assert "answered within 60 s" in str(sv.interval_legend(view)[0])
