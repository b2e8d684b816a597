"""Campaigns: KPIs per campaign, per purpose and kind (rebuilt exactly), progress, browser."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from components import campaigns as cp
from components.state import ViewState
from access.viewer import LOCAL
from components.view import View
from metrics.campaigns import campaign_progress
from metrics.query import Scope
from settings import Settings

pytestmark = pytest.mark.engines       # every fixture read on DuckDB and on Spark SQL

CAMPAIGNS = [dict(campaign="REN", campaign_name="Renouvellements", purpose="renewal", kind="recurring",
                  target_size=4),
             dict(campaign="OPS", campaign_name="Offre", purpose="development", kind="one_off", target_size=10),
             dict(campaign="QF", campaign_name="Devis", purpose="development", kind="recurring")]


def out(cid, day, campaign, customer, reached, sale=None, revenue=None, talk=60):
    return dict(contact_id=cid, arrived_at=f"2025-03-{day:02d} 10:00:00", channel="phone",
                direction="outbound", campaign=campaign, customer_id=customer, agent_id="A1",
                outcome="reached" if reached else "not_reached", sale=sale, revenue=revenue,
                talk_s=talk if reached else None)


CONTACTS = [
    out("r1", 3, "REN", "C1", False), out("r2", 4, "REN", "C1", True, "yes", 100),
    out("r3", 4, "REN", "C2", True, "no"), out("r4", 5, "REN", "C3", False),
    out("o1", 3, "OPS", "C4", True, "yes", 50), out("o2", 3, "OPS", "C5", False),
    out("q1", 6, "QF", "C6", True, "yes", 30),
]


@pytest.fixture
def view(make_db):
    eng = make_db(contacts=CONTACTS, campaigns=CAMPAIGNS)
    state = ViewState.from_query({"from": "2025-03-01", "to": "2025-03-31"}, (date(2025, 3, 3), date(2025, 3, 6)))
    settings = replace(Settings(), db=Path(eng.url.database))
    return View(settings, eng, date(2025, 3, 3), date(2025, 3, 6), state, dict(settings.targets), LOCAL)


def test_cmp101_kpis_per_campaign_with_reference_data(view):
    t = cp.campaign_table(view).set_index("campaign")
    # REN: 4 attempts, 2 reached (50 %), 1 sale of 2 handled (50 %), revenue 100 per sale
    assert (t.loc["REN", "attempts"], t.loc["REN", "reach_rate"]) == (4, 50.0)
    assert (t.loc["REN", "conversion_rate"], t.loc["REN", "revenue_per_sale"]) == (50.0, 100.0)
    assert t.loc["REN", "purpose"] == "renewal" and t.loc["REN", "target_size"] == 4
    assert t.loc["OPS", "reach_rate"] == 50.0


def test_cmp102_by_purpose_rebuilt_exactly_from_the_campaigns_measures(view):
    purpose = cp.by_attribute(cp.campaign_table(view), "purpose").set_index("purpose")
    # development = OPS + QF: 3 attempts, 2 reached -> 66.7 %; 2 sales of 2 handled -> 100 %;
    # revenue (50 + 30) / 2 = 40 (not the mean of the campaigns' means, 50 and 30)
    assert purpose.loc["development", "attempts"] == 3
    assert purpose.loc["development", "reach_rate"] == pytest.approx(200 / 3)
    assert purpose.loc["development", "conversion_rate"] == 100.0
    assert purpose.loc["development", "revenue_per_sale"] == 40.0
    kind = cp.by_attribute(cp.campaign_table(view), "kind").set_index("kind")
    assert kind.loc["recurring", "attempts"] == 5      # REN 4 + QF 1


def test_cmp105_progress_shows_the_busiest_campaign_until_one_is_chosen(view):
    table = cp.campaign_table(view)
    assert cp.busiest(table) == "REN"                  # 4 attempts, against OPS 2 and QF 1
    fig = cp.progress_figure(view, None, table)
    assert fig.layout.title.text.startswith("Progress of REN") and "busiest" in fig.layout.title.text


def test_cmp103_progress_counts_each_customer_once(view):
    p = campaign_progress(view.db, Scope.of("2025-03-01", "2025-03-31"), "REN")
    # 3 March: C1 tried; 4 March: C2 tried, C1 and C2 reached; 5 March: C3 tried
    assert p["day"].astype(str).tolist() == ["2025-03-03", "2025-03-04", "2025-03-05"]
    assert p["tried"].tolist() == [1, 2, 3]
    assert p["reached"].tolist() == [0, 2, 2]


def test_cmp104_campaigns_page_and_drill_to_agents(dash_duo, make_db, app_for):
    dash_duo.start_server(app_for(make_db(contacts=CONTACTS, campaigns=CAMPAIGNS)))
    dash_duo.wait_for_page(dash_duo.server_url + "/campaigns?from=2025-03-01&to=2025-03-31&show=REN")
    row = dash_duo.wait_for_element("#campaigns-grid .ag-center-cols-container .ag-row[row-id='REN']")
    assert "50.0 %" in row.text and "€100.00" in row.text
    dash_duo.wait_for_contains_text("#campaigns-progress", "75 % of the target file tried")
    row.find_element("css selector", ".ag-cell").click()
    dash_duo.wait_for_element("#explore-grid .ag-row[row-id='A1']")
    assert "path=campaign%3AREN" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_cmp106_a_scope_with_no_campaign_contact_gives_an_empty_table(view):
    from dataclasses import replace as changed
    empty = changed(view, state=ViewState.from_query({"from": "2025-03-01", "to": "2025-03-31", "client": "nobody"},
                                                   (view.first, view.last)))
    table = cp.campaign_table(empty)
    assert table.empty and cp.rows(table, "campaign") == []
