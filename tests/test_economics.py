"""What it costs and what it earns: cost, cost per contact and the campaign economics, worked
out by hand on a small fixture (partial months, rows shared over clients and channels)."""
from __future__ import annotations

from datetime import date

import pytest

from metrics.query import Scope, compute

pytestmark = pytest.mark.engines       # every fixture read on DuckDB and on Spark SQL


def handled(prefix, n, day, client, channel="phone", **extra):
    return [dict(contact_id=f"{prefix}{i}", arrived_at=f"{day} 10:{i % 60:02d}:00", channel=channel, client=client,
                 queue="Q1", outcome="answered", wait_s=5, talk_s=100, agent_id="A1", **extra) for i in range(n)]


# March 2025 (31 days): ACME 30 phone + 10 e-mail + 10 outbound calls of campaign WIN (all
# reached, 4 sales of 250), BOLT 50 phone: 100 handled, ACME 50, BOLT 50, phone 90, e-mail 10.
# April 2025: ACME 20 and BOLT 20 on the phone.
CONTACTS = (handled("ap", 30, "2025-03-10", "ACME") + handled("ae", 10, "2025-03-20", "ACME", channel="email")
            + [dict(contact_id=f"w{i}", arrived_at=f"2025-03-12 11:{i:02d}:00", channel="phone", client="ACME",
                    queue="OUT", direction="outbound", outcome="reached", campaign="WIN", customer_id=f"cust{i}",
                    talk_s=60, agent_id="A2", sale="yes" if i < 4 else "no", revenue=250 if i < 4 else None)
               for i in range(10)]
            + handled("bp", 50, "2025-03-10", "BOLT") + handled("a4", 20, "2025-04-10", "ACME")
            + handled("b4", 20, "2025-04-10", "BOLT"))
CAMPAIGNS = [dict(campaign="WIN", campaign_name="Win-back", sponsor="Marketing", target_size=40)]
COSTS = [
    dict(month="2025-03", kind="payroll", amount=10000),                     # every contact: shared
    dict(month="2025-03", kind="outsourcing", amount=3000, client="BOLT"),
    dict(month="2025-03", kind="campaign", amount=1000, campaign="WIN"),
    dict(month="2025-04", kind="payroll", amount=6000),
]
KPIS = ["cost", "cost_per_contact", "campaign_cost", "acquisition_cost", "return_on_cost",
        "response_rate_campaign", "efficiency_rate"]


@pytest.fixture
def db(make_db):
    return make_db(contacts=CONTACTS, campaigns=CAMPAIGNS, costs=COSTS)


def values(db, start, end, by=None, scope=None, **filters):
    scope = scope or Scope.of(start, end, **filters)
    out = compute(db, scope, KPIS, by=by)
    rounded = lambda v: None if v is None or v != v else round(float(v), 2)   # noqa: E731
    if by is None:
        return {k: rounded(v) for k, v in out.iloc[0].items()}
    return {row["group"]: {k: rounded(row[k]) for k in KPIS} for row in out.to_dict("records")}


def test_eco001_every_row_in_the_period_and_the_contacts_they_cover(db):
    # 10000 + 3000 + 1000 + 6000 = 20000 over the 140 handled contacts of March and April
    found = values(db, "2025-03-01", "2025-04-30")
    assert found["cost"] == 20000 and found["cost_per_contact"] == round(20000 / 140, 2)
    # the campaign's row: 1000 for 4 sales -> 250 each; their revenue 4 × 250 = 1000 -> 1.00 per euro;
    # 10 distinct customers reached of a target file of 40 -> 25 %; 4 sales of the 140 handled -> 2.86 %
    # (WIN's alone: 4 of its 10 calls, 40 %)
    assert found["campaign_cost"] == 1000 and found["acquisition_cost"] == 250 and found["return_on_cost"] == 1.0
    assert found["response_rate_campaign"] == 25.0 and found["efficiency_rate"] == 2.86
    assert values(db, "2025-03-01", "2025-04-30", campaign="WIN")["efficiency_rate"] == 40.0


def test_eco002_a_client_takes_its_own_rows_and_its_share_of_the_shared_ones(db):
    # ACME in March: half the payroll (50 of the 100 handled) = 5000; the campaign's row has no
    # client: shared over the clients of WIN's contacts, all ACME's -> 1000; BOLT's row is not
    # ACME's. 6000 over ACME's 50 handled contacts -> 120
    acme = values(db, "2025-03-01", "2025-03-31", client="ACME")
    assert acme["cost"] == 6000 and acme["cost_per_contact"] == 120
    assert acme["campaign_cost"] == 1000 and acme["acquisition_cost"] == 250
    # per client, the same shares; per channel: the payroll 90 / 10, BOLT's row and WIN's all phone
    assert {c: v["cost"] for c, v in values(db, "2025-03-01", "2025-03-31", by="client").items()} == {
        "ACME": 6000, "BOLT": 8000}
    assert {c: v["cost"] for c, v in values(db, "2025-03-01", "2025-03-31", by="channel").items()} == {
        "email": 1000, "phone": 13000}
    # BOLT's phone: 50 of the 100 handled of the payroll -> 5000; its own row, all on the phone -> 3000;
    # nothing of WIN's row (none of its contacts is BOLT's)
    assert values(db, "2025-03-01", "2025-03-31", client="BOLT", channel="phone")["cost"] == 8000


def test_eco003_part_of_a_month_takes_its_days_share(db):
    # 1 to 15 March: 15 of 31 days of 14000 = 6774.19, over the 90 handled those days (ACME's
    # phone 30, WIN's 10, BOLT's 50) -> 75.27
    half = values(db, "2025-03-01", "2025-03-15")
    assert half["cost"] == round(14000 * 15 / 31, 2) and half["cost_per_contact"] == round(14000 * 15 / 31 / 90, 2)
    # per month over both: 14000 and 6000; per week, each week's days of its month
    months = values(db, "2025-03-01", "2025-04-30", by="month")
    assert {m: v["cost"] for m, v in months.items()} == {"2025-03-01": 14000, "2025-04-01": 6000}
    # each over its own month's handled contacts: 14000 / 100, 6000 / 40
    assert {m: v["cost_per_contact"] for m, v in months.items()} == {"2025-03-01": 140, "2025-04-01": 150}
    weeks = values(db, "2025-03-01", "2025-03-31", by="week")
    # the week of Monday 24 February holds 1-2 March: 2 days of 14000 / 31
    assert weeks["2025-02-24"]["cost"] == round(14000 * 2 / 31, 2)


def test_eco004_no_cost_data_is_unknown_never_zero(db):
    # February has no cost row; a queue, agent or team is not what costs are kept by; a
    # viewer restricted to a client reads no cost
    assert values(db, "2025-02-01", "2025-02-28")["cost"] is None
    # May: WIN's calls and sales without a cost row: no acquisition cost, not a free one
    may = dict(CONTACTS[40], contact_id="may", arrived_at="2025-05-12 11:00:00")
    from conftest import KEY, write_csv
    from data.loader import load
    import tempfile
    from pathlib import Path
    load(db, {"contacts": write_csv(Path(tempfile.mkdtemp()) / "may.csv", [may])}, source="test", key=KEY)
    found = values(db, "2025-05-01", "2025-05-31")
    assert found["acquisition_cost"] is None and found["campaign_cost"] is None and found["efficiency_rate"] == 100
    assert values(db, "2025-03-01", "2025-03-31", queue="Q1")["cost"] is None
    assert all(v["cost"] is None for v in values(db, "2025-03-01", "2025-03-31", by="queue").values())
    restricted = Scope(date(2025, 3, 1), date(2025, 3, 31)).restricted(client=["ACME"])
    assert values(db, None, None, scope=restricted)["cost"] is None
    # the campaign's response rate is not a cost: the viewer reads its own scope's
    assert values(db, None, None, scope=restricted)["response_rate_campaign"] == 25.0


def test_eco005_costs_load_from_the_command_line_and_the_summary_gives_them_by_campaign(tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from conftest import write_csv
    root = Path(__file__).resolve().parents[1]
    db = tmp_path / "p.duckdb"
    env = dict(os.environ, PILOTAGE_LANG="en", PILOTAGE_KEY_FILE=str(tmp_path / "k.key"))

    def run(*args):
        return subprocess.run([sys.executable, "-m", *args], cwd=root, env=env, capture_output=True, text=True,
                              timeout=120)
    files = {t: write_csv(tmp_path / f"{t}.csv", rows) for t, rows in
             (("contacts", CONTACTS), ("campaigns", CAMPAIGNS), ("costs", COSTS))}
    out = run("data", "load", "--db", str(db), *[a for t, p in files.items() for a in (f"--{t}", str(p))])
    assert out.returncode == 0, out.stderr
    out = run("metrics", "summary", "--db", str(db), "--from", "2025-03-01", "--to", "2025-03-31", "--by",
              "campaign", "--format", "json")
    rows = {r["group"]: r for r in json.loads(out.stdout)}
    # WIN's March: its own 1000 and a tenth of the payroll (10 of the 100 handled): 2000; 4 sales
    assert rows["WIN"]["campaign_cost"] == 1000 and rows["WIN"]["acquisition_cost"] == 250
    assert rows["WIN"]["cost"] == 2000 and rows["WIN"]["response_rate_campaign"] == 25.0
    # a row with a bad month or kind is refused with its line, and nothing is loaded
    bad = write_csv(tmp_path / "bad.csv", [dict(month="2025-13", kind="payroll", amount=1),
                                           dict(month="2025-05", kind="snacks", amount=1)])
    out = run("data", "load", "--db", str(db), "--costs", str(bad))
    assert out.returncode == 1
    assert "line 2: month '2025-13' is not a month (YYYY-MM)" in out.stderr
    assert "line 3: kind 'snacks' is not one of payroll, outsourcing, telecom, tools, campaign, other" in out.stderr


def test_eco006_a_dropped_or_uploaded_file_is_told_by_its_header():
    from data.inspect import canonical_table
    assert canonical_table(["month", "kind", "amount", "campaign"]) == "costs"
    assert canonical_table(["interval_start", "interval_min", "channel", "queue", "offered"]) == "intervals"
    assert canonical_table(["reason", "need", "value"]) == "reasons"
    assert canonical_table(["contact_id", "arrived_at", "reason", "campaign"]) == "contacts"
    assert canonical_table(["campaign", "campaign_name", "target_size"]) == "campaigns"


def test_eco007_the_overview_shows_what_it_costs_in_french(dash_duo, db, app_for):
    from urllib.parse import quote
    dash_duo.start_server(app_for(db))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/lang?to=fr&next=" + quote("/?from=2025-03-01&to=2025-03-31", safe="/"))
    # March: 14000 over its 100 handled contacts -> 140,00 €
    plain = lambda css: " ".join(dash_duo.find_element(css).text.replace("\u202f", " ").replace("\xa0", " ").split())  # noqa: E731
    dash_duo.wait_for_contains_text("#value-cost_per_contact", "140,00")
    assert (plain("#value-cost_per_contact"), plain("#value-cost")) == ("140,00 €", "14 000 €")
    # February has no cost row: said in words
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?from=2025-02-01&to=2025-02-28")
    dash_duo.wait_for_text_to_equal("#value-cost_per_contact", "pas de données de coût")
    assert dash_duo.get_logs() == []


def test_eco008_a_channel_s_cost_of_a_handle_hour_prices_the_needs_what_if(db):
    from metrics.needs import channel_hour_costs
    # March: the phone costs 13000 for 30 × 100 + 50 × 100 + 10 × 60 = 8600 s of handling, the
    # e-mail 1000 for 10 × 100 = 1000 s: 13000 / (8600 / 3600) and 1000 / (1000 / 3600) an hour
    rates = channel_hour_costs(db, Scope.of("2025-03-01", "2025-03-31"))
    assert rates == pytest.approx({"phone": 13000 * 3600 / 8600, "email": 3600.0})
    restricted = Scope(date(2025, 3, 1), date(2025, 3, 31)).restricted(client=["ACME"])
    assert channel_hour_costs(db, restricted) == {}          # no cost for a restricted viewer
