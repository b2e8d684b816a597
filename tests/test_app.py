"""The app in a real headless Chromium, on a small hand-built database."""
from __future__ import annotations

CONTACTS = [
    # phone, threshold 20 s: c1 met (wait 20 = threshold), c2 not met, c3 a short abandon
    dict(contact_id="c1", arrived_at="2025-03-10 09:00:00", channel="phone", outcome="answered",
         wait_s=20, talk_s=200, acw_s=40),
    dict(contact_id="c2", arrived_at="2025-03-10 09:10:00", channel="phone", outcome="answered",
         wait_s=45, talk_s=100),
    dict(contact_id="c3", arrived_at="2025-03-11 09:00:00", channel="phone", outcome="abandoned",
         wait_s=3),
    dict(contact_id="c4", arrived_at="2025-03-11 09:30:00", channel="phone", outcome="abandoned",
         wait_s=30),
]
SURVEYS = [
    dict(response_id="s1", responded_at="2025-03-10 10:00:00", contact_id="c1", nps=10),
    dict(response_id="s2", responded_at="2025-03-10 11:00:00", contact_id="c2", nps=3),
    dict(response_id="s3", responded_at="2025-03-11 11:00:00", contact_id="c2", nps=9),
]


def test_app001_overview_shows_the_fixture_numbers(dash_duo, make_db, app_for):
    eng = make_db(contacts=CONTACTS, surveys=SURVEYS)
    app = app_for(eng)
    dash_duo.start_server(app)
    # net offered = 4 - 1 short abandon = 3; met = c1 only -> 1/3 = 33.3 %
    dash_duo.wait_for_text_to_equal("#value-service_level", "33.3 %")
    # NPS: promoters s1, s3 (2), detractor s2 (1), 3 answers -> 100 * (2 - 1) / 3 = +33
    dash_duo.wait_for_text_to_equal("#value-nps", "+33")
    # AHT over the 2 handled: (200 + 40 + 100) / 2 = 170 s
    dash_duo.wait_for_text_to_equal("#value-aht", "2 min 50 s")
    assert dash_duo.get_logs() == []


def test_app002_definitions_list_every_kpi_and_the_settings(dash_duo, make_db, app_for):
    dash_duo.start_server(app_for(make_db(contacts=CONTACTS)))
    dash_duo.wait_for_page(dash_duo.server_url + "/definitions")
    dash_duo.wait_for_text_to_equal("#def-service_level td:nth-child(4) div", (
        "Threshold per channel: chat 60 s, e-mail 1 d, mail 5 d, phone 20 s, social media 1 h; "
        "other channels 20 s"))
    assert "Qualité de service (décroché en X s)" in dash_duo.find_element("#def-service_level").text
    assert "168 hours" in dash_duo.find_element("#settings-table").text
    assert dash_duo.get_logs() == []


def test_app003_filters_write_the_url_and_back_walks_back(dash_duo, make_db, app_for):
    dash_duo.start_server(app_for(make_db(contacts=CONTACTS, surveys=SURVEYS)))
    dash_duo.wait_for_page(dash_duo.server_url + "/?from=2025-03-10&to=2025-03-11")
    dash_duo.wait_for_text_to_equal("#value-offered", "4")
    # the latest day (11 March): c3 (short abandon) and c4 (abandoned at 30 s)
    dash_duo.select_dcc_dropdown("#period-preset", value="Latest day")
    dash_duo.wait_for_text_to_equal("#value-offered", "2")
    assert "from=2025-03-11&to=2025-03-11" in dash_duo.driver.current_url
    # net offered = 1 (c4), answered 0 -> service level 0 %, abandon rate 100 %
    dash_duo.wait_for_text_to_equal("#value-service_level", "0.0 %")
    dash_duo.wait_for_text_to_equal("#value-abandon_rate", "100.0 %")
    dash_duo.driver.back()
    dash_duo.wait_for_text_to_equal("#value-offered", "4")
    assert "from=2025-03-10" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_app004_a_card_opens_the_focus_view_of_its_kpi(dash_duo, make_db, app_for):
    dash_duo.start_server(app_for(make_db(contacts=CONTACTS, surveys=SURVEYS)))
    dash_duo.wait_for_page(dash_duo.server_url + "/?from=2025-03-10&to=2025-03-11")
    dash_duo.wait_for_element("#card-service_level").click()
    dash_duo.wait_for_text_to_equal("#focus-value", "33.3 %")
    assert "/focus?from=2025-03-10&to=2025-03-11&kpi=service_level" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []
