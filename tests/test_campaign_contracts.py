"""Campaigns as contracts: a campaign's service contract stored and validated, its objectives
met or missed (worked out by hand), its retro-planning, the year's calendar, the sponsor
review with its Excel and PDF exports read back, the pages in a browser, and access."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from access.viewer import LOCAL, Viewer
from components import campaign_contracts as cc
from components import sponsors as sp
from components.committee_xlsx import HEADER_ROW
from components.sponsors_export import review_pdf, review_workbook
from components.state import ViewState
from components.view import View
from data.audit import trail
from data.campaign_contracts import DEFAULT_OFFSETS, Contract, contracts_for, save_contract, validated
from i18n import using
from metrics.campaigns import deadline_status, milestone_plan, objective_status
from settings import Settings
from dash.testing.wait import until

from tests.conftest import click

NBSP = "\u00a0"       # French puts one before a colon

CAMPAIGNS = [
    dict(campaign="REN", campaign_name="Renouvellements", purpose="renewal", kind="recurring", sponsor="Marketing",
         starts_on="2025-03-03", ends_on="2025-03-31", target_size=4),
    dict(campaign="OPS", campaign_name="Offre", purpose="development", kind="one_off", sponsor="Network",
         starts_on="2025-03-03", ends_on="2025-03-15", target_size=2),
    dict(campaign="QF", campaign_name="Devis", purpose="quote_follow_up", kind="recurring", sponsor="Marketing",
         starts_on="2025-03-06", ends_on="2025-12-31", target_size=10),
    dict(campaign="NEW", campaign_name="Nouvelle offre", purpose="development", kind="one_off", sponsor="Network",
         starts_on="2025-04-01", ends_on="2025-04-30", target_size=50),
]


def out(cid, day, campaign, customer, reached, sale=None, revenue=None, client="ACME"):
    return dict(contact_id=cid, arrived_at=f"2025-03-{day:02d} 10:00:00", channel="phone", direction="outbound",
                campaign=campaign, customer_id=customer, agent_id="A1", client=client,
                outcome="reached" if reached else "not_reached", sale=sale, revenue=revenue,
                talk_s=60 if reached else None)


CONTACTS = [
    out("r1", 3, "REN", "C1", False), out("r2", 4, "REN", "C1", True, "yes", 100),
    out("r3", 4, "REN", "C2", True, "no"), out("r4", 5, "REN", "C3", False),
    out("o1", 3, "OPS", "C4", True, "yes", 50), out("o2", 3, "OPS", "C5", False),
    out("q1", 6, "QF", "C6", True, "yes", 30, client="Zanzibar"),
]
# REN: reach 60 % wanted, 50 % done -> missed; conversion 50 % wanted, 50 % done -> met; its
# whole file (4) tried by 5 March: 3 tried (C1, C2, C3) -> missed (the data reach 6 March)
# OPS: reach 40 % wanted, 50 % -> met; conversion 80 %, 100 % -> met; 2 of 2 tried by 4 March -> met
# QF: deadline 20 March, 1 of 10 tried, the data end on 6 March -> under way
CONTRACTS = [Contract("REN", reach_rate=60, conversion_rate=50, deadline=date(2025, 3, 5),
                      offsets={"test": -14}, done={"brief": date(2025, 2, 1)}),
             Contract("OPS", reach_rate=40, conversion_rate=80, deadline=date(2025, 3, 4)),
             Contract("QF", deadline=date(2025, 3, 20))]
COSTS = [dict(month="2025-03", kind="campaign", amount=400, campaign="REN"),
         dict(month="2025-03", kind="campaign", amount=150, campaign="OPS")]


def view_of(eng, viewer=LOCAL, **query) -> View:
    state = ViewState.from_query({"from": "2025-03-01", "to": "2025-03-31", **query}, (date(2025, 3, 3), date(2025, 3, 6)))
    settings = replace(Settings(), db=Path(eng.url.database))
    return View(settings, eng, date(2025, 3, 3), date(2025, 3, 6), state, dict(settings.targets), viewer)


@pytest.fixture
def eng(make_db):
    db = make_db(contacts=CONTACTS, campaigns=CAMPAIGNS, costs=COSTS)
    for c in CONTRACTS:
        save_contract(db, c)
    return db


# ---------------------------------------------------------------- the contract, stored

def test_ccn001_a_contract_is_stored_the_latest_in_force_and_audited(make_db):
    db = make_db(contacts=CONTACTS, campaigns=CAMPAIGNS)
    save_contract(db, Contract("REN", reach_rate=50))
    save_contract(db, Contract("REN", reach_rate=55.5, acquisition_cost=12, deadline="2025-03-20",
                               offsets={"brief": -30.0}, done={"script": "2025-02-12"}))
    c = contracts_for(db, ["REN", "OPS"])
    assert list(c) == ["REN"]            # OPS has none
    ren = c["REN"]
    assert (ren.reach_rate, ren.conversion_rate, ren.acquisition_cost, ren.deadline) == (55.5, None, 12.0,
                                                                                         date(2025, 3, 20))
    assert dict(ren.offsets) == {**DEFAULT_OFFSETS, "brief": -30} and ren.done == {"script": date(2025, 2, 12)}
    entries = trail(db, action="campaign_contract")
    assert len(entries) == 2
    assert json.loads(entries.iloc[0]["detail"]) == {"acquisition_cost": 12.0, "campaign": "REN",
                                                     "deadline": "2025-03-20", "reach_rate": 55.5}


@pytest.mark.parametrize("contract, message", [
    (Contract("REN", reach_rate=120), "the reach rate objective is a rate from 0 to 100 % (120.0 given)"),
    (Contract("REN", response_rate=-1), "the response rate objective is a rate from 0 to 100 %"),
    (Contract("REN", acquisition_cost=0), "the acquisition cost objective is an amount above 0"),
    (Contract("REN", conversion_rate="x"), "the conversion objective must be a finite number"),
    (Contract("REN", deadline="2025-02-01"), "the deadline (01/02/2025) comes before the launch (03/03/2025)"),
    (Contract("REN", deadline="soon"), "the deadline must be a date (YYYY-MM-DD)"),
    (Contract("REN", offsets={"brief": 5}), "the brief milestone lies 0 to 365 days before the launch (5 given)"),
    (Contract("REN", offsets={"test": -1.5}), "the test milestone lies 0 to 365 days before the launch"),
    (Contract("REN", offsets={"launch": -2}), "the launch is the campaign's first day: its offset is 0"),
    (Contract("REN", offsets={"party": -2}), "unknown milestone 'party'"),
    (Contract("REN", done={"script": "yesterday"}), "script must be a date"),
    (Contract("NOPE"), "no campaign 'NOPE' in the campaigns table"),
    (Contract(""), "a contract belongs to a campaign"),
])
def test_ccn002_a_wrong_contract_is_refused_with_what_is_wrong_and_nothing_stored(make_db, contract, message):
    db = make_db(contacts=CONTACTS, campaigns=CAMPAIGNS)
    with pytest.raises(ValueError, match=None) as err:
        save_contract(db, contract)
    assert message in str(err.value)
    assert contracts_for(db, ["REN", "NOPE"]) == {} and trail(db, action="campaign_contract").empty


def test_ccn003_the_refusal_is_in_french_for_a_french_reader():
    with using("fr"), pytest.raises(ValueError) as err:
        validated(Contract("REN", reach_rate=120))
    assert "taux d'aboutissement" in str(err.value).lower()


# ---------------------------------------------------------------- met or missed

def test_ccn010_statuses_by_rule():
    assert objective_status("reach_rate", 60, 50) == "missed" and objective_status("reach_rate", 50, 50) == "met"
    assert objective_status("acquisition_cost", 20, 25) == "missed"     # a cost is met at or below
    assert objective_status("acquisition_cost", 20, 20) == "met"
    assert objective_status("acquisition_cost", 20, None) == "unknown" and objective_status("reach_rate", None, 5) is None
    assert deadline_status(date(2025, 3, 5), 4, 3, date(2025, 3, 6)) == "missed"
    assert deadline_status(date(2025, 3, 5), 4, 3, date(2025, 3, 4)) == "pending"
    assert deadline_status(date(2025, 3, 5), 4, 4, date(2025, 3, 4)) == "met"
    assert deadline_status(date(2025, 3, 5), None, 3, date(2025, 3, 6)) == "unknown"
    assert deadline_status(None, 4, 3, date(2025, 3, 6)) is None


def test_ccn011_each_campaign_against_its_contract_worked_out_by_hand(eng):
    res = cc.results(view_of(eng)).set_index("campaign")
    # REN: 4 attempts, 2 reached -> 50 % against 60 % (missed); 1 sale of 2 handled -> 50 % against 50 % (met);
    # by 5 March C1, C2, C3 tried: 3 of 4 -> missed
    assert (res.loc["REN", "reach_rate__actual"], res.loc["REN", "reach_rate__result"]) == (50.0, "missed")
    assert (res.loc["REN", "conversion_rate__actual"], res.loc["REN", "conversion_rate__result"]) == (50.0, "met")
    assert (res.loc["REN", "deadline__tried"], res.loc["REN", "deadline__result"]) == (3, "missed")
    # OPS: 1 reached of 2 -> 50 % >= 40 % met; 1 sale of 1 handled -> 100 % >= 80 % met; C4 and C5 tried
    # on 3 March, 2 of 2 by 4 March -> met
    assert res.loc["OPS", "reach_rate__result"] == "met" and res.loc["OPS", "conversion_rate__actual"] == 100.0
    assert (res.loc["OPS", "deadline__tried"], res.loc["OPS", "deadline__result"]) == (2, "met")
    # QF: no objective but its deadline (20 March): 1 of 10 tried, the data end on 6 March -> under way
    assert pd.isna(res.loc["QF", "reach_rate__result"]) and res.loc["QF", "deadline__result"] == "pending"
    rows = {r["campaign"]: r for r in cc.contract_rows(res.reset_index())}
    assert rows["REN"]["reach_rate"] == "✗ missed: 50.0 % (objective 60.0 %)"
    assert rows["REN"]["reach_rate__status"] == "missed" and rows["REN"]["conversion_rate__status"] == "met"
    assert rows["REN"]["deadline"] == "✗ missed: 3 of 4 tried by 05/03/2025"
    assert rows["QF"]["deadline"] == "… under way: 1 of 10 tried by 20/03/2025"
    assert rows["QF"]["reach_rate"] == "100.0 %"


def test_ccn012_response_rate_and_acquisition_cost_against_the_contract(eng):
    save_contract(eng, Contract("REN", response_rate=60, acquisition_cost=300))
    save_contract(eng, Contract("OPS", response_rate=50, acquisition_cost=100))
    res = cc.results(view_of(eng)).set_index("campaign")
    # the period is the whole of March: each campaign's March cost row counts whole
    # REN: C1 and C2 reached of a file of 4 -> 50 % < 60 % missed; 400 € for 1 sale -> 400 € > 300 € missed
    assert res.loc["REN", "response_rate__actual"] == pytest.approx(50.0)
    assert res.loc["REN", "response_rate__result"] == "missed"
    assert res.loc["REN", "acquisition_cost__actual"] == pytest.approx(400.0)
    assert res.loc["REN", "acquisition_cost__result"] == "missed"
    # OPS: C4 reached of 2 -> 50 % met; 150 € for 1 sale -> 150 € > 100 € missed; revenue 50 / 150 € = 0.33
    assert res.loc["OPS", "response_rate__result"] == "met"
    assert res.loc["OPS", "acquisition_cost__actual"] == pytest.approx(150.0)
    assert res.loc["OPS", "return_on_cost"] == pytest.approx(50 / 150)
    # QF has no cost row: no cost data, never 0
    rows = {r["campaign"]: r for r in cc.contract_rows(res.reset_index())}
    assert rows["QF"]["campaign_cost"] == "no cost data" and rows["QF"]["acquisition_cost"] == "no cost data"
    assert pd.isna(res.loc["QF", "acquisition_cost"]) and rows["QF"]["return_on_cost"] == "no cost data"
    assert rows["REN"]["acquisition_cost"] == "✗ missed: €400.00 (objective €300.00)"


# ---------------------------------------------------------------- the retro-planning

def test_ccn020_milestones_counted_back_from_the_launch_with_their_status():
    # launch 3 March 2025; brief -28 -> 3 February (done 1 February), script -21 -> 10 February,
    # test -14 (changed) -> 17 February, team -7 -> 24 February, all past on 6 March and not done -> late;
    # the launch's day has come -> done that day
    plan = milestone_plan(date(2025, 3, 3), {**DEFAULT_OFFSETS, "test": -14}, {"brief": date(2025, 2, 1)},
                          date(2025, 3, 6), ("brief", "script", "test", "team", "launch"))
    assert [(m["milestone"], m["day"], m["status"]) for m in plan] == [
        ("brief", date(2025, 2, 3), "done"), ("script", date(2025, 2, 10), "late"),
        ("test", date(2025, 2, 17), "late"), ("team", date(2025, 2, 24), "late"), ("launch", date(2025, 3, 3), "done")]
    assert plan[0]["done_on"] == date(2025, 2, 1) and plan[-1]["done_on"] == date(2025, 3, 3)
    assert cc.milestone_text(plan[-1]) == "✓ done on 03/03/2025"          # on its day: no "planned"
    # launch 1 April: brief 4 March (past on 6 March: late), script 11 March, test 22 March, team 25 March,
    # launch 1 April -> coming
    later = milestone_plan(date(2025, 4, 1), DEFAULT_OFFSETS, {}, date(2025, 3, 6),
                           ("brief", "script", "test", "team", "launch"))
    assert [(m["day"], m["status"]) for m in later] == [
        (date(2025, 3, 4), "late"), (date(2025, 3, 11), "coming"), (date(2025, 3, 22), "coming"),
        (date(2025, 3, 25), "coming"), (date(2025, 4, 1), "coming")]
    assert milestone_plan(None, DEFAULT_OFFSETS, {}, date(2025, 3, 6), ("brief",)) == []


def test_ccn021_the_years_campaigns_in_the_calendar_with_their_milestones(eng):
    view = view_of(eng)
    info = cc.year_campaigns(view, 2025)
    # every campaign of the table for a viewer without restrictions: NEW too, though it has no contact yet
    assert info["campaign"].tolist() == ["OPS", "REN", "QF", "NEW"]
    planned = cc.plans(view, info, view.last)
    rows = {r["campaign"]: r for r in cc.milestone_rows(info, planned)}
    assert rows["REN"]["brief"] == "✓ done on 01/02/2025 (planned 03/02/2025)"
    assert rows["REN"]["test"] == "✗ 17/02/2025, late"
    assert rows["NEW"]["script"] == "◦ 11/03/2025, coming" and rows["NEW"]["script__status"] is None
    fig = cc.calendar_figure(info, planned, 2025)
    bars = {t.name: t for t in fig.data if t.type == "bar"}
    assert set(bars) == {"Recurring", "One-off"} and bars["Recurring"].marker.pattern.shape == "/"
    assert list(bars["Recurring"].y) == ["REN · Renouvellements", "QF · Devis"]
    # REN runs 3 to 31 March: 29 days
    assert bars["Recurring"].x[0] == 29 * 86_400_000 and bars["Recurring"].base[0] == "2025-03-03"
    marks = [t for t in fig.data if t.type == "scatter"][0]
    assert len(marks.x) == 4 * 4            # four campaigns, four milestones before each launch


def test_ccn022_a_campaign_name_from_the_data_is_plain_text_in_the_calendar(make_db):
    db = make_db(contacts=CONTACTS[:1], campaigns=[{**CAMPAIGNS[0], "campaign_name": "<b>bold</b>"}])
    view = view_of(db)
    info = cc.year_campaigns(view, 2025)
    fig = cc.calendar_figure(info, cc.plans(view, info, view.last), 2025)
    assert fig.data[0].y[0] == "REN · &lt;b&gt;bold&lt;/b&gt;"


# ---------------------------------------------------------------- the sponsor review and its exports

def test_ccn030_the_sponsor_review_holds_its_campaigns_only(eng):
    review = sp.review_of(view_of(eng), "Marketing")
    assert review.sponsors == ("Marketing", "Network")
    assert sorted(review.results["campaign"]) == ["QF", "REN"]
    # REN: reach missed, conversion met, deadline missed; QF: deadline under way (not judged) -> 1 of 3
    assert review.tally() == (1, 3)
    assert sp.tally_text(review) == "Objectives met: 1 of 3; campaigns: 2."
    assert sp.review_of(view_of(eng), "nobody").sponsor == "Marketing"     # an unknown sponsor: the first


def test_ccn031_the_workbook_read_back_cell_by_cell(eng):
    review = sp.review_of(view_of(eng), "Marketing")
    book = load_workbook(io.BytesIO(review_workbook(review, generated=datetime(2025, 4, 8, 9, 5))))
    ws = book["Campaigns"]
    assert ws["A1"].value == "Sponsor review – Marketing – 01/03/2025 to 31/03/2025"
    assert ws["A2"].value == "Objectives met: 1 of 3; campaigns: 2. – generated 08/04/2025 09:05 by Pilotage"
    head = [c.value for c in ws[HEADER_ROW]]
    assert head[:9] == ["Campaign", "Name", "First day", "Last day", "Target file", "Reach rate: objective",
                        "Reach rate: actual", "Reach rate: result", "Conversion: objective"]
    rows = {ws.cell(r, 1).value: r for r in range(HEADER_ROW + 1, ws.max_row + 1)}
    r = rows["REN"]
    values = [ws.cell(r, c).value for c in range(1, 12)]
    assert values[:2] == ["REN", "Renouvellements"] and values[2] == datetime(2025, 3, 3)
    assert values[4:11] == [4, 60, 50, "✗ missed", 50, 50, "✓ met"]
    assert ws.cell(r, 7).data_type == "n" and ws.cell(r, 7).number_format == '#,##0.0" %"'
    deadline = head.index("Deadline") + 1
    assert [ws.cell(r, deadline + i).value for i in range(3)] == [datetime(2025, 3, 5), 3, "✗ missed"]
    q = rows["QF"]
    assert ws.cell(q, 6).value is None and ws.cell(q, 7).value == 100
    assert [ws.cell(q, deadline + i).value for i in range(3)] == [datetime(2025, 3, 20), 1, "… under way"]
    with using("fr"):
        book = load_workbook(io.BytesIO(review_workbook(review, generated=datetime(2025, 4, 8, 9, 5))))
    ws = book["Campagnes"]
    assert ws["A1"].value == "Revue commanditaire – Marketing – du 01/03/2025 au 31/03/2025"
    assert [c.value for c in ws[HEADER_ROW]][5:8] == [f"Taux d'aboutissement{NBSP}: {w}" for w in
                                                      ("objectif", "réalisé", "résultat")]
    assert [ws.cell(rows["REN"], c).value for c in (6, 7, 8)] == [60, 50, "✗ manqué"]


def test_ccn032_a_name_like_a_formula_stays_text_in_the_workbook(make_db):
    db = make_db(contacts=CONTACTS[:2], campaigns=[{**CAMPAIGNS[0], "campaign_name": "=HYPERLINK(\"x\")"}])
    review = sp.review_of(view_of(db), "Marketing")
    ws = load_workbook(io.BytesIO(review_workbook(review)))["Campaigns"]
    assert ws.cell(HEADER_ROW + 1, 2).value == "=HYPERLINK(\"x\")" and ws.cell(HEADER_ROW + 1, 2).data_type == "s"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_ccn033_the_pdf_read_back(eng, tmp_path):
    review = sp.review_of(view_of(eng), "Marketing")
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(review_pdf(review, generated=datetime(2025, 4, 8, 9, 5)))
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Sponsor review – Marketing – 01/03/2025 to 31/03/2025" in text
    assert "Objectives met: 1 of 3; campaigns: 2." in text
    flat = " ".join(text.split())
    # the results in words (the font has no ✓ nor ✗)
    assert "REN · Renouvellements" in flat and "Missed: 50.0 % (objective 60.0 %)" in flat
    assert "Met: 50.0 % (objective 50.0 %)" in flat and "Missed: 3 of 4 tried by 05/03/2025" in flat
    assert "OPS" not in flat                # the other sponsor's campaign
    with using("fr"):
        pdf.write_bytes(review_pdf(review, generated=datetime(2025, 4, 8, 9, 5)))
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Revue commanditaire – Marketing" in text and "généré le 08/04/2025" in " ".join(text.split())


# ---------------------------------------------------------------- access

def test_ccn040_a_client_sees_its_own_campaigns_only(eng):
    acme = view_of(eng, Viewer("clio", "client", clients=("ACME",)))
    # QF's only contact is Zanzibar's: ACME's review of Marketing holds REN alone
    review = sp.review_of(acme, "Marketing")
    assert review.results["campaign"].tolist() == ["REN"]
    # the costs are the outsourcer's: a client reads "no cost data", never 0
    assert cc.contract_rows(review.results)[0]["campaign_cost"] == "no cost data"
    assert cc.year_campaigns(acme, 2025)["campaign"].tolist() == ["OPS", "REN"]     # not QF, not NEW
    nobody = view_of(eng, Viewer("x", "client"))
    assert sp.review_of(nobody) is None and cc.year_campaigns(nobody, 2025).empty
    assert not acme.viewer.may("campaign_contracts") and not Viewer("t", "team_lead").may("campaign_contracts")
    assert Viewer("d", "director").may("campaign_contracts")


def test_ccn041_a_forged_save_by_a_client_or_a_team_lead_is_refused(eng, app_for):
    from tests.forging import dependencies, forged
    from tests.test_access import sign_in, with_users
    app = app_for(with_users(eng))
    for name in ("clio", "tom"):
        client = app.server.test_client()
        sign_in(client, name)
        [cb] = [d for d in dependencies(client) if d["output"] == "campaigns-contract-saved.children"]
        values = {"campaigns-contract-campaign": "REN", "campaigns-contract-reach_rate": 1}
        response = forged(client, cb, lambda c, p: values.get(c, 1 if p == "n_clicks" else None))
        assert response.status_code == 403, name
    assert contracts_for(eng, ["REN"])["REN"].reach_rate == 60       # unchanged


def test_ccn042_a_client_opens_the_sponsor_review_of_its_scope_not_the_campaigns(eng, app_for):
    from tests.test_access import sign_in, with_users
    app = app_for(with_users(eng))
    client = app.server.test_client()
    sign_in(client, "clio")
    assert client.get("/sponsors").status_code == 200 and client.get("/campaigns").status_code == 403


# ---------------------------------------------------------------- in the browser

def pick(dash_duo, selector: str, value: str) -> None:
    """Choose in a dropdown wherever it is on the page (scrolled to first)."""
    element = dash_duo.wait_for_element(selector)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)
    for option in dash_duo.wait_for_element(".dash-dropdown-options").find_elements(
            "css selector", ".dash-dropdown-option"):
        if option.text == value:
            dash_duo.driver.execute_script("arguments[0].click();", option)
            return
    raise AssertionError(f"no option {value!r} in {selector}")


def test_ccn050_the_campaigns_page_shows_contracts_calendar_and_retro_planning_and_saves_a_contract(
        dash_duo, eng, app_for):
    dash_duo.start_server(app_for(eng))
    dash_duo.wait_for_page(dash_duo.server_url + "/campaigns?from=2025-03-01&to=2025-03-31")
    row = dash_duo.wait_for_element("#campaigns-contracts .ag-center-cols-container .ag-row[row-id='REN']")
    assert "✗ missed: 50.0 % (objective 60.0 %)" in row.text and "✓ met: 50.0 % (objective 50.0 %)" in row.text
    dash_duo.wait_for_contains_text("#campaigns-calendar", "Campaigns of 2025")
    plan = dash_duo.wait_for_element("#campaigns-milestones .ag-center-cols-container .ag-row[row-id='NEW']")
    assert "11/03/2025, coming" in plan.text
    # a director edits OPS's contract: its reach objective to 70 % (it reached 50 %: missed)
    pick(dash_duo, "#campaigns-contract-campaign", "OPS")
    field = dash_duo.wait_for_element("#campaigns-contract-reach_rate")
    until(lambda: field.get_attribute("value") == "40", timeout=4)
    field.clear()
    field.send_keys("70")
    click(dash_duo, "#campaigns-contract-save")
    dash_duo.wait_for_contains_text("#campaigns-contract-saved", "Saved the contract of OPS")
    until(lambda: "✗ missed: 50.0 % (objective 70.0 %)" in dash_duo.find_element(
        "#campaigns-contracts .ag-center-cols-container .ag-row[row-id='OPS']").text, timeout=6)
    assert contracts_for(eng, ["OPS"])["OPS"].reach_rate == 70
    # a wrong one is refused in words, nothing stored
    field.clear()
    field.send_keys("170")
    click(dash_duo, "#campaigns-contract-save")
    dash_duo.wait_for_contains_text("#campaigns-contract-saved", "Not saved: the reach rate objective is a rate")
    assert contracts_for(eng, ["OPS"])["OPS"].reach_rate == 70
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_ccn051_the_sponsor_review_in_the_browser_in_both_languages(dash_duo, eng, app_for, lang):
    dash_duo.start_server(app_for(eng))
    page = "/campaigns?from=2025-03-01%26to=2025-03-31"
    dash_duo.wait_for_page(dash_duo.server_url + f"/lang?to={lang}&next={page}")
    contracts = {"en": ("✗ missed: 50.0 % (objective 60.0 %)", "Campaigns of 2025"),
                 "fr": ("✗ manqué : 50,0 % (objectif 60,0 %)", "Campagnes de 2025")}[lang]
    row = dash_duo.wait_for_element("#campaigns-contracts .ag-center-cols-container .ag-row[row-id='REN']")
    assert contracts[0] in row.text.replace("\u202f", " ").replace("\u00a0", " ")
    dash_duo.wait_for_contains_text("#campaigns-calendar", contracts[1])
    click(dash_duo, "#campaigns-sponsors-link")
    dash_duo.wait_for_contains_text("#sponsors-title", "Marketing")
    words = {"en": ("Sponsor review – Marketing – 01/03/2025 to 31/03/2025", "✗ missed: 50.0 % (objective 60.0 %)",
                    "Objectives met: 1 of 3; campaigns: 2."),
             "fr": ("Revue commanditaire – Marketing – du 01/03/2025 au 31/03/2025", "✗ manqué : 50,0 % (objectif 60,0 %)",
                    "Objectifs atteints : 1 sur 3 ; campagnes : 2.")}[lang]
    assert dash_duo.find_element("#sponsors-title").text == words[0]
    row = dash_duo.wait_for_element("#sponsors-grid .ag-center-cols-container .ag-row[row-id='REN']")
    assert words[1] in row.text.replace("\u202f", " ").replace("\u00a0", " ")
    assert words[2] in dash_duo.find_element("#sponsors-tally").text.replace("\u202f", " ").replace("\u00a0", " ")
    assert not dash_duo.driver.find_elements("css selector", "#sponsors-grid .ag-center-cols-container .ag-row[row-id='OPS']")
    # another sponsor, kept in the URL
    pick(dash_duo, "#sponsors-sponsor", "Network")
    dash_duo.wait_for_element("#sponsors-grid .ag-center-cols-container .ag-row[row-id='OPS']")
    assert "sponsor=Network" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_ccn043_a_client_forging_the_export_gets_its_own_campaigns_only(eng, app_for):
    from tests.forging import dependencies, file_bytes, files, forged
    from tests.test_access import sign_in, with_users
    app = app_for(with_users(eng))
    client = app.server.test_client()
    sign_in(client, "clio")
    [cb] = [d for d in dependencies(client) if d["output"] == "sponsors-download.data"]

    def export(**state):
        query = {"from": "2025-03-01", "to": "2025-03-31", "sponsor": "Marketing", **state}
        response = forged(client, cb, lambda c, p: query if p == "data" else 1)
        return list(files(response.get_json() or {})) if response.status_code == 200 else None

    [found] = export()
    ws = load_workbook(io.BytesIO(file_bytes(found)))["Campaigns"]
    # Marketing's QF has only a Zanzibar contact: ACME's export holds REN alone
    assert [ws.cell(r, 1).value for r in range(HEADER_ROW + 1, ws.max_row + 1)] == ["REN"]
    assert export(client="Zanzibar") in ([], None)      # the other client's filter: nothing sent
