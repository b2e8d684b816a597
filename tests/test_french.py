"""French first: the language chosen, the browser's, then the setting; the shell, the sign-in
page and the overview in French with French formats, in a real browser too."""
from __future__ import annotations

import re

from data.users import add_user

# March 2025 on the phone, worked out by hand: 7 offered, 4 answered, 3 abandoned after a
# wait of 30 s (not short) -> answer rate 4/7 = 57.142... % -> "57,1 %" in French, "57.1 %"
# in English; the data reach 31 March, so the default period is March
CONTACTS = [dict(contact_id=f"c{i}", arrived_at=f"2025-03-{day:02d} 10:00:00", channel="phone",
                 outcome="answered" if i < 4 else "abandoned", wait_s=30, talk_s=200 if i < 4 else None, client="ACME",
                 queue="Q1", agent_id="A1" if i < 4 else "", customer_id=f"K{i}")
            for i, day in enumerate((1, 5, 10, 31, 4, 12, 20))]


def html_lang(response) -> str:
    return re.search(r'<html lang="(\w+)"', response.get_data(as_text=True)).group(1)


def test_fre001_the_language_is_the_choice_then_the_browser_then_the_setting(make_db, app_for):
    eng = make_db(contacts=CONTACTS)
    client = app_for(eng, lang="fr").server.test_client()
    assert html_lang(client.get("/")) == "fr"                                           # the setting
    assert html_lang(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})) == "en"   # the browser
    assert html_lang(client.get("/", headers={"Accept-Language": "de-DE,fr;q=0.5"})) == "fr"
    switched = client.get("/lang?to=en&next=/explore?by=agent")
    assert switched.status_code == 302 and switched.headers["Location"] == "/explore?by=agent"
    assert "pilotage_lang=en" in switched.headers["Set-Cookie"] and "Max-Age=31536000" in switched.headers["Set-Cookie"]
    assert html_lang(client.get("/", headers={"Accept-Language": "fr"})) == "en"        # the choice first
    # a language we do not have, or a way out of the site, changes nothing
    assert client.get("/lang?to=de&next=/").headers.get("Set-Cookie") is None
    assert client.get("/lang?to=fr&next=//evil.example").headers["Location"] == "/"
    client = app_for(eng, lang="en").server.test_client()
    assert html_lang(client.get("/")) == "en"


def test_fre002_a_signed_in_user_s_choice_comes_back_at_the_next_sign_in(make_db, app_for):
    eng = make_db(contacts=CONTACTS)
    add_user(eng, "ada", "admin", "correct horse battery")
    client = app_for(eng, lang="en").server.test_client()
    form = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in form and "User name" in form and 'id="login-language" lang="fr"' in form

    def sign_in(c):
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
        return c.post("/login", data={"username": "ada", "password": "correct horse battery", "csrf_token": token})
    assert "pilotage_lang" not in (sign_in(client).headers.get("Set-Cookie") or "")    # no choice yet
    client.get("/lang?to=fr&next=/")
    other = app_for(eng, lang="en").server.test_client()                    # another browser, later
    assert "pilotage_lang=fr" in sign_in(other).headers["Set-Cookie"]
    french = other.get("/login").get_data(as_text=True)
    assert "Nom d'utilisateur" in french and "Se connecter" in french


def test_fre003_the_overview_in_french_and_back_in_english(dash_duo, make_db, app_for):
    """As a French director: the switch, the page's words and formats, and the way back
    (WebDriver reads a no-break space as a space)."""
    from conftest import click
    dash_duo.start_server(app_for(make_db(contacts=CONTACTS)))
    dash_duo.driver.set_window_size(1280, 1000)
    dash_duo.wait_for_text_to_equal("#value-answer_rate", "57.1 %")          # the browser asks for English
    assert dash_duo.find_element("html").get_attribute("lang") == "en"
    click(dash_duo, "#nav-language")
    dash_duo.wait_for_text_to_equal("#value-answer_rate", "57,1 %")
    assert dash_duo.find_element("html").get_attribute("lang") == "fr"
    body = dash_duo.find_element("body").text.casefold()     # the side titles are in capitals
    for text in ("Qualité délivrée", "Qualité perçue", "Taux de décroché", "Vue d'ensemble", "Explorer",
                 "Période", "Dernier mois complet", "Taux d'abandon", "42,9 %"):
        assert text.casefold() in body, text
    assert dash_duo.find_element("#nav-language").text == "EN"
    dash_duo.driver.save_screenshot("/tmp/overview-fr.png")
    # the choice is kept: another page, then a new visit, stay French
    dash_duo.wait_for_page(dash_duo.server_url + "/explore?by=channel")
    dash_duo.wait_for_element("#explore-grid .ag-row")
    assert "Explorer" in dash_duo.find_element(".navbar").text
    dash_duo.wait_for_page(dash_duo.server_url + "/")
    dash_duo.wait_for_text_to_equal("#value-answer_rate", "57,1 %")
    click(dash_duo, "#nav-language")
    dash_duo.wait_for_text_to_equal("#value-answer_rate", "57.1 %")
    assert "delivered quality" in dash_duo.find_element("body").text.casefold()
    dash_duo.driver.save_screenshot("/tmp/overview-en.png")
    assert dash_duo.get_logs() == []
