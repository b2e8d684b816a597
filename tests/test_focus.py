"""Focus: gap to target by member, distribution, related indicators, last year, stored focus."""
from __future__ import annotations

from datetime import date

import pytest

from data.focus import current_focus, set_focus
from metrics.focus import distribution, gap_contributions, related_indicators, trend_with_last_year
from metrics.query import Scope


def call(cid, when, queue, outcome, wait, channel="phone"):
    return dict(contact_id=cid, arrived_at=when, channel=channel, queue=queue, outcome=outcome,
                wait_s=wait, talk_s=60 if outcome == "answered" else None)


# Q1: 4 net offered, 3 met (75 %); Q2: 2 net offered, 0 met (0 %); overall 3/6 = 50 %
CONTACTS = [
    call("a", "2025-03-03 09:00:00", "Q1", "answered", 5),
    call("b", "2025-03-03 09:01:00", "Q1", "answered", 20),
    call("c", "2025-03-04 09:02:00", "Q1", "answered", 10),
    call("d", "2025-03-04 09:03:00", "Q1", "abandoned", 60),
    call("e", "2025-03-05 09:04:00", "Q2", "answered", 45),
    call("f", "2025-03-05 09:05:00", "Q2", "abandoned", 90),
    call("g", "2025-03-05 09:06:00", "Q2", "abandoned", 2),          # short: left out
    call("x", "2024-03-04 10:00:00", "Q1", "answered", 100),         # a year earlier
]
MARCH = Scope.of("2025-03-01", "2025-03-31")


def test_foc001_gap_contributions_weighted_by_volume(make_db):
    eng = make_db(contacts=CONTACTS)
    gaps = gap_contributions(eng, MARCH, "service_level", "queue", 80).set_index("member")
    # Q1: (75 - 80) × 4 / 6 = -3.333; Q2: (0 - 80) × 2 / 6 = -26.667: Q2 first (worst)
    assert list(gaps.index) == ["Q2", "Q1"]
    assert gaps.loc["Q1", "contribution"] == pytest.approx(-20 / 6)
    assert gaps.loc["Q2", "contribution"] == pytest.approx(-160 / 6)
    assert gaps.loc["Q1", "volume"] == 4 and gaps.loc["Q1", "value"] == 75
    # they add up to the overall gap: 50 - 80 = -30
    assert gaps["contribution"].sum() == pytest.approx(-30)
    # lower is better: abandon rate Q1 1/4 = 25 %, Q2 1/2 = 50 %, target 10
    # contributions -(25 - 10) × 4/6 = -10, -(50 - 10) × 2/6 = -13.33
    ab = gap_contributions(eng, MARCH, "abandon_rate", "queue", 10).set_index("member")
    assert ab.loc["Q1", "contribution"] == pytest.approx(-10)
    assert ab.loc["Q2", "contribution"] == pytest.approx(-40 / 3)
    with pytest.raises(ValueError):
        gap_contributions(eng, MARCH, "offered", "queue", 10)


def test_foc002_wait_distribution_in_quarters_of_the_threshold(make_db):
    eng = make_db(contacts=CONTACTS)
    d = distribution(eng, MARCH, "service_level")
    got = {(int(r.bin), r.series): r.count for r in d.itertuples()}
    # phone threshold 20 s: 5 s -> bin 1 (25-50 %), 20 s -> 4, 10 s -> 2, 45 s -> 9,
    # abandons 60 s -> 12, 90 s -> 16 (capped: 400 % +); the short abandon is left out
    assert got == {(1, "answered"): 1, (4, "answered"): 1, (2, "answered"): 1,
                   (9, "answered"): 1, (12, "abandoned"): 1, (16, "abandoned"): 1}
    assert "400 % +" in set(d["label"])


def test_foc003_score_distribution_and_groups(make_db):
    surveys = [dict(response_id=f"s{i}", responded_at="2025-03-03 12:00:00", nps=n)
               for i, n in enumerate([10, 10, 9, 7, 3])]
    eng = make_db(contacts=CONTACTS, surveys=surveys)
    d = distribution(eng, MARCH, "nps")
    assert dict(zip(d["bin"], d["count"])) == {3: 1, 7: 1, 9: 1, 10: 2}
    assert dict(zip(d["bin"], d["series"])) == {3: "detractor", 7: "passive", 9: "promoter",
                                                10: "promoter"}
    assert distribution(eng, MARCH, "fcr") is None


def test_foc004_related_indicators_correlate_over_days(make_db):
    # three days: service level 100, 50, 0 %; NPS 100, 0, -100 -> r = +1
    contacts, surveys = [], []
    for day, (waits, score) in enumerate([((5, 5), 10), ((5, 50), 8), ((50, 50), 0)], start=3):
        for i, w in enumerate(waits):
            contacts.append(call(f"c{day}{i}", f"2025-03-0{day} 10:0{i}:00", "Q1", "answered", w))
        surveys.append(dict(response_id=f"s{day}", responded_at=f"2025-03-0{day} 12:00:00", nps=score))
    eng = make_db(contacts=contacts, surveys=surveys)
    rel = related_indicators(eng, Scope.of("2025-03-03", "2025-03-05"), "service_level").set_index("kpi")
    assert rel.loc["nps", "correlation"] == pytest.approx(1.0)
    assert rel.loc["nps", "days"] == 3
    assert rel.index[0] == "nps"                       # strongest first
    assert rel.loc["ces", "correlation"] is None        # no effort answers


def test_foc005_last_year_on_this_years_days(make_db):
    eng = make_db(contacts=CONTACTS)
    t = trend_with_last_year(eng, Scope.of("2025-03-03", "2025-03-05"), "service_level", "day")
    rows = t.set_index("group")
    # 4 March 2024 (x, 100 s: not met) shows on 4 March 2025 as 0 %
    assert rows.loc["2025-03-04", "last_year"] == 0.0
    # this year on 4 March: c met, d abandoned -> 1/2 = 50 %
    assert rows.loc["2025-03-04", "service_level"] == 50.0


def test_foc006_team_focus_is_stored_latest_wins(make_db):
    eng = make_db(contacts=CONTACTS)
    assert current_focus(eng) is None
    set_focus(eng, "service_level", 80, date(2025, 3, 1))
    set_focus(eng, "nps", 25.5, date(2025, 3, 3), note="  rappels sous 24 h ")
    focus = current_focus(eng)
    assert (focus.kpi, focus.target, focus.starts_on, focus.note) == ("nps", 25.5, date(2025, 3, 3),
                                                                      "rappels sous 24 h")
    with pytest.raises(KeyError):
        set_focus(eng, "happiness", 1, date(2025, 3, 3))


def test_foc007_focus_page_shows_value_target_and_saves_the_team_focus(dash_duo, make_db, app_for):
    eng = make_db(contacts=CONTACTS)
    dash_duo.start_server(app_for(eng))
    dash_duo.wait_for_page(dash_duo.server_url + "/focus?kpi=service_level&from=2025-03-01&to=2025-03-31")
    # 3 met of 6 net offered = 50 %, against the default target of 80 %
    dash_duo.wait_for_text_to_equal("#focus-value", "50.0 %")
    dash_duo.wait_for_text_to_equal("#focus-target", "Target 80.0 %")
    dash_duo.wait_for_text_to_equal("#focus-status", "✗ Off target")
    # set abandon rate as the team's focus, target 20 %, from 3 March
    dash_duo.find_element("#focus-open-form").click()
    dash_duo.select_dcc_dropdown("#focus-form-kpi", value="Abandon rate")
    target = dash_duo.wait_for_element("#focus-form-target")
    target.clear()
    target.send_keys("20")
    dash_duo.find_element("#focus-save").click()
    dash_duo.wait_for_contains_text("#focus-banner", "Team focus since")
    # /focus without a KPI shows the team focus: abandon rate 2/6 = 33.3 %, target 20 %
    dash_duo.wait_for_page(dash_duo.server_url + "/focus?from=2025-03-01&to=2025-03-31")
    dash_duo.wait_for_text_to_equal("#focus-value", "33.3 %")
    dash_duo.wait_for_text_to_equal("#focus-target", "Target 20.0 %")
    assert dash_duo.get_logs() == []


def test_foc008_opening_the_focus_page_writes_nothing_and_shows_the_full_month(dash_duo, make_db, app_for):
    # the data end on 31 March, the month's last day: March is the last full month
    eng = make_db(contacts=CONTACTS + [call("z", "2025-03-31 18:00:00", "Q1", "answered", 5)])
    dash_duo.start_server(app_for(eng))
    for url in ("/focus", "/focus?kpi=abandon_rate", "/focus"):
        dash_duo.wait_for_page(dash_duo.server_url + url)
        dash_duo.wait_for_element("#focus-value")
        dash_duo.wait_for_text_to_equal("#period-preset .Select-value-label, #period-preset", "Last full month")
    # the default period is March: a..g and z; net offered 6 + z = 7, met a b c z = 4 -> 57.1 %
    dash_duo.wait_for_text_to_equal("#focus-value", "57.1 %")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM focus").fetchone()[0] == 0
    assert dash_duo.get_logs() == []


def test_foc009_waits_are_followed_on_one_channel_and_last_year_only_when_there(make_db):
    from dataclasses import replace
    from pathlib import Path

    from components import focus as fc
    from components.state import ViewState
    from access.viewer import LOCAL
    from components.view import View
    from settings import Settings

    chats = [call("h1", "2025-03-05 10:00:00", "Q1", "answered", 50, channel="chat"),
             call("h2", "2025-03-05 10:01:00", "Q1", "answered", 80, channel="chat")]
    eng = make_db(contacts=CONTACTS[:-1] + chats)                     # without last year's x
    state = ViewState.from_query({"from": "2025-03-01", "to": "2025-03-31"}, (date(2025, 3, 3), date(2025, 3, 5)))
    settings = replace(Settings(), db=Path(eng.url.database))
    view = View(settings, eng, date(2025, 3, 3), date(2025, 3, 5), state, dict(settings.targets), LOCAL)
    # phone: 4 answered calls (a b c e), chat 2: the ASA is followed on the phone
    assert fc.focus_channel("asa", view) == "phone"
    assert fc.focus_channel("service_level", view) is None           # a rate compares across channels
    target = fc.focus_target("asa", view, None, "phone")
    h = fc.headline(view, "asa", target, "phone")
    assert h.now.value == pytest.approx((5 + 20 + 10 + 45) / 4)      # 20 s, the phone alone
    assert target.value == 30
    chat = fc.headline(view, "asa", fc.focus_target("asa", view, None, "chat"), "chat")
    assert chat.now.value == pytest.approx(65.0) and chat.target.value == 60   # the chat's own target
    # March 2024 is not in the data: no last-year value, and no empty line for it
    assert h.last_year is None
    fig = fc.trend_figure(view, "service_level", None)
    assert [t.name for t in fig.data] == ["Service level"]           # no empty last-year line


def test_foc010_last_year_buckets_the_data_do_not_cover_are_left_out(make_db):
    # data from 20 February 2024: last year's February is covered only in part, March wholly
    eng = make_db(contacts=CONTACTS + [call("y", "2024-02-20 10:00:00", "Q1", "answered", 5),
                                       call("feb", "2025-02-20 10:00:00", "Q1", "answered", 5)])
    t = trend_with_last_year(eng, Scope.of("2025-02-01", "2025-03-31"), "service_level", "month",
                             first=date(2024, 2, 20)).set_index("group")
    assert t["last_year"].isna()["2025-02-01"]                       # February 2024 not whole: none
    assert t.loc["2025-03-01", "last_year"] == 0.0                   # March 2024: x, 100 s, not met
    days = trend_with_last_year(eng, Scope.of("2025-02-19", "2025-02-21"), "service_level", "day",
                                first=date(2024, 2, 20)).set_index("group")
    assert days.loc["2025-02-20", "last_year"] == 100.0              # y: 5 s, met; a whole day
