"""Explore: drill path, KPI table per member, contact list and detail, in the browser too."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from components import explore as ex
from components.state import ViewState
from access.viewer import LOCAL
from components.view import View
from metrics.contacts import contact_detail, contact_list
from metrics.query import Scope
from settings import Settings

AGENTS = [dict(agent_id="A1", agent_name="Léa Martin", team="T1"),
          dict(agent_id="A2", agent_name="Hugo Petit", team="T2")]


def c(cid, day, channel, queue, outcome, agent=None, wait=10, talk=None):
    return dict(contact_id=cid, arrived_at=f"2025-03-{day:02d} 10:00:00", channel=channel,
                queue=queue, outcome=outcome, agent_id=agent, wait_s=wait, talk_s=talk)


CONTACTS = [
    c("p1", 3, "phone", "Q1", "answered", "A1", 10, 100),
    c("p2", 3, "phone", "Q1", "answered", "A1", 30, 200),
    c("p3", 4, "phone", "Q1", "answered", "A2", 15, 300),
    c("p4", 4, "phone", "Q1", "abandoned", None, 40),
    c("p5", 5, "phone", "Q2", "answered", "A2", 5, 60),
    c("h1", 5, "chat", "Q3", "answered", "A1", 100, 400),
]
SURVEYS = [dict(response_id="s1", responded_at="2025-03-03 12:00:00", contact_id="p1", nps=10,
                verbatim="Très bien <b>merci</b>"),
           dict(response_id="s2", responded_at="2025-03-06 12:00:00", contact_id="p1", nps=4)]
PERIOD = dict(start="2025-03-01", end="2025-03-31")


@pytest.fixture
def view(make_db):
    eng = make_db(contacts=CONTACTS, surveys=SURVEYS, agents=AGENTS)
    state = ViewState.from_query({"from": "2025-03-01", "to": "2025-03-31"}, (date(2025, 3, 3), date(2025, 3, 5)))
    settings = replace(Settings(), db=Path(eng.url.database))
    return View(settings, eng, date(2025, 3, 3), date(2025, 3, 5), state, dict(settings.targets), LOCAL)


def test_exp001_drill_path_follows_the_hierarchy():
    steps = ex.parse_path("channel:phone|queue:Q1|agent:A1")
    assert steps == [("channel", "phone"), ("queue", "Q1"), ("agent", "A1")]
    assert ex.level_of("channel", steps) is None                  # contacts
    assert ex.level_of("channel", steps[:2]) == "agent"
    assert ex.level_of("campaign", []) == "campaign"
    assert ex.parse_path("channel:phone|agent:A1") == [("channel", "phone")]  # skips a level
    assert ex.parse_path("colour:red") == [] and ex.parse_path("channel:") == []
    assert ex.format_path(steps) == "channel:phone|queue:Q1|agent:A1"
    assert ex.first_path("team", steps) == []
    scope = ex.drill_scope(Scope.of("2025-03-01", "2025-03-31", channel=["phone", "chat"]), steps[:2])
    assert scope.filters == (("channel", ("phone",)), ("queue", ("Q1",)))


def test_exp002_table_per_member_with_total(view):
    scope = ex.drill_scope(view.scope(), [("channel", "phone")])
    table = ex.explore_table(view, scope, "queue")
    rows = table.rows.set_index("member")
    # Q1: offered 4 (p1-p4), answered 3; met at 20 s: p1 (10), p3 (15) -> 2/4 = 50 %
    assert rows.loc["Q1", "offered"] == 4 and rows.loc["Q1", "service_level"] == 50.0
    # Q1 AHT (100 + 200 + 300) / 3 = 200 s; Q2: one call of 60 s
    assert rows.loc["Q1", "aht"] == 200.0 and rows.loc["Q2", "aht"] == 60.0
    # phone total: offered 5, met 3 (p1, p3, p5) -> 60 %
    assert table.total["offered"] == 5 and table.total["service_level"] == 60.0
    rows_, total = ex.grid_rows(table, view, scope, "queue")
    assert [r["rid"] for r in rows_] == ["Q1", "Q2"] and total[0]["rid"] == ex.TOTAL_ROW
    # against the default target (80, close from 75): 50 % is off target, 100 % on it
    assert rows_[0]["service_level__text"] == "50.0 % ✗"
    assert rows_[1]["service_level__text"] == "100.0 % ✓"
    assert rows_[0]["offered__text"] == "4"
    download = ex.download_frame(table, "queue")
    frame = download.frame
    assert list(frame["Queue"]) == ["Q1", "Q2", "Total"]
    assert frame["Service level (%)"].tolist() == [50.0, 100.0, 60.0]
    # what it is counted on: offered 4 in Q1, 1 in Q2, 5 in all; a count has no base column
    assert frame["Service level, counted on"].tolist() == [4, 1, 5] and "Offered, counted on" not in frame
    # rounded as shown: AHT (100 + 200 + 300) / 3 = 200 s in Q1
    assert frame["Average handle time (s)"].tolist()[0] == 200
    assert download.number_formats["Service level (%)"] == '#,##0.0" %"'
    assert download.number_formats["Service level, counted on"] == "#,##0"


def test_exp003_agent_level_names_agents_and_unknown(view):
    scope = ex.drill_scope(view.scope(), [("channel", "phone"), ("queue", "Q1")])
    table = ex.explore_table(view, scope, "agent")
    assert table.rows["label"].tolist() == ["Léa Martin (A1)", "Hugo Petit (A2)", "(unknown)"]
    assert ex.agent_names(view, [("agent", "A1")]) == {"A1": "Léa Martin", "A2": "Hugo Petit"}


def test_exp004_contact_list_pages_and_attaches_the_latest_answer(view):
    scope = Scope.of(**PERIOD, channel="phone")
    page = contact_list(view.db, scope, page=1, page_size=2)
    assert (page.total, page.pages, page.page) == (5, 3, 1)
    # most recent first, ties by id: p5 | p3, p4 (4 March) | p1, p2 (3 March)
    assert page.rows["contact_id"].tolist() == ["p4", "p1"]
    last = contact_list(view.db, scope, page=9, page_size=2)           # past the end: last page
    assert last.page == 2 and last.rows["contact_id"].tolist() == ["p2"]
    p1 = page.rows.iloc[1]
    assert (p1["answers"], p1["nps"]) == (2, 4)                        # latest of two answers
    assert contact_list(view.db, scope, sort="longest_wait").rows["contact_id"].tolist()[:2] == ["p4", "p2"]
    rows = ex.contact_rows(page)
    assert rows[1]["key"] == "test|p1" and rows[1]["wait_s"] == "10 s" and rows[1]["nps"] == 4
    assert (p1["agent_name"], p1["team"]) == ("Léa Martin", "T1")


def test_exp006_contact_list_of_a_team_and_of_a_viewer_restricted_to_one(view):
    # team T2 = agent A2: p3 (4 March), p5 (5 March), most recent first
    team = contact_list(view.db, Scope.of(**PERIOD, team="T2"))
    assert team.total == 2 and team.rows["contact_id"].tolist() == ["p5", "p3"]
    assert team.rows["agent_name"].tolist() == ["Hugo Petit", "Hugo Petit"]
    seen = contact_list(view.db, Scope.of(**PERIOD, channel="phone").restricted(team=["T1"]))
    assert seen.rows["contact_id"].tolist() == ["p1", "p2"]            # same day: by id


def test_exp005_contact_detail_only_within_the_scope(view):
    scope = Scope.of(**PERIOD)
    contact, answers = contact_detail(view.db, scope, "test", "p1")
    assert contact["agent_name"] == "Léa Martin" and len(answers) == 2
    assert contact_detail(view.db, scope.restricted(channel=["chat"]), "test", "p1") is None
    assert contact_detail(view.db, Scope.of("2025-04-01", "2025-04-30"), "test", "p1") is None
    fields = dict(ex.detail_fields(contact))
    assert fields["Agent"] == "Léa Martin (A1)" and fields["Handle time"] == "1 min 40 s"
    assert "hashed" in fields["Customer"] or fields["Customer"] == "unknown"


def rows_of(dash_duo, grid):
    return dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{grid} .ag-center-cols-container .ag-row")


def click_row(dash_duo, grid, row_id):
    dash_duo.wait_for_element(f"#{grid} .ag-center-cols-container .ag-row[row-id='{row_id}'] .ag-cell").click()


def test_exp006_drill_from_channel_to_contacts_in_the_browser(dash_duo, make_db, app_for):
    eng = make_db(contacts=CONTACTS, surveys=SURVEYS, agents=AGENTS)
    dash_duo.start_server(app_for(eng))
    dash_duo.wait_for_page(dash_duo.server_url + "/explore?from=2025-03-01&to=2025-03-31")
    click_row(dash_duo, "explore-grid", "phone")
    click_row(dash_duo, "explore-grid", "Q1")
    click_row(dash_duo, "explore-grid", "A1")
    dash_duo.wait_for_text_to_equal("#explore-contacts-count", "2 contacts (showing 1–2)")
    url = dash_duo.driver.current_url
    assert "path=channel%3Aphone%7Cqueue%3AQ1%7Cagent%3AA1" in url
    assert "Agent: Léa Martin" in dash_duo.find_element("#explore-path").text
    # the grid shows the latest comment (of the first answer here) as plain text
    dash_duo.wait_for_contains_text("#explore-contact-grid", "Très bien <b>merci</b>")
    # back walks back one drill level
    dash_duo.driver.back()
    dash_duo.wait_for_element("#explore-grid .ag-row[row-id='A2']")
    assert "agent%3AA1" not in dash_duo.driver.current_url
    # the copied URL reproduces the contact list in a fresh page load
    dash_duo.driver.delete_all_cookies()
    dash_duo.wait_for_page(url)
    dash_duo.wait_for_text_to_equal("#explore-contacts-count", "2 contacts (showing 1–2)")
    # open p1 (the older of A1's two contacts): its detail lists both survey answers
    click_row(dash_duo, "explore-contact-grid", "test|p1")
    dash_duo.wait_for_contains_text("#explore-detail-body", "Très bien <b>merci</b>")
    assert "contact=test%7Cp1" in dash_duo.driver.current_url
    assert not dash_duo.driver.find_elements(By.CSS_SELECTOR, "#explore-detail-body b")
    assert dash_duo.get_logs() == []


def test_exp007_waits_per_channel_and_scores_from_too_few_answers(view):
    table = ex.explore_table(view, view.scope(), "queue")
    assert table.channels == ("phone", "chat")                     # 5 answered phone calls, 1 chat
    rows, [total] = ex.grid_rows(table, view, view.scope(), "queue")
    q1, q3 = rows[0], rows[2]
    # Q1 phone ASA (10 + 30 + 15) / 3 = 18.3 s, against the phone's 30 s target
    assert q1["asa@phone__text"] == "18 s ✓" and q1["asa@chat__text"] == "–"
    # Q3 chat ASA 100 s, against the chat's own target (60 s, close up to 90 s): missed
    assert q3["asa@chat__text"] == "1 min 40 s ✗"
    # the total over channels is labelled as mixed and not judged: (10+30+15+5+100) / 5 = 32 s
    assert total["asa__text"] == "32 s (mixed)" and total["asa__status"] is None
    assert total["asa@chat__text"] == "1 min 40 s ✗"
    # NPS of Q1: s1 10 (promoter), s2 4 (detractor) -> 0 (no sign) from 2 answers, under 10: not judged
    assert q1["nps__text"] == "0 (2 answers)" and q1["nps__status"] == "few"
    columns = ex.grid_columns("queue", view, table, ["offered", "asa"])
    assert [c["headerName"] for c in columns[2]["children"]] == ["phone", "chat"]
    frame = ex.download_frame(table, "queue").frame
    assert frame["Average speed of answer, chat (s)"].tolist()[-1] == 100.0
    # the mixed total (10 + 30 + 15 + 5 + 100) / 5 = 32 s, as the page shows it: to the second
    assert frame["Average speed of answer, all channels mixed (s)"].tolist()[-1] == 32
    fig = ex.bar_figure(table, "asa", "queue", view, view.scope())
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["phone", "chat"]
    from components.charts import plot_text
    assert plot_text("<a href='x'>chat</a> & co") == "&lt;a href='x'&gt;chat&lt;/a&gt; &amp; co"


def test_exp008_the_user_chooses_the_columns():
    assert ex.chosen_columns({}) == list(ex.DEFAULT_COLUMNS)
    assert ex.chosen_columns({"cols": "nps,offered,bogus"}) == ["offered", "nps"]
