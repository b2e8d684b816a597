"""Customer needs and the channel mix (KPIS.md): volumes per need × channel, imputation of the
contacts without a reason, the 80/20 view, each need's quality and value, the what-if, the
reasons reference's load, the command line and the page. Expected numbers are worked out by
hand in the comments."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest

from data import db as database
from data.loader import LoadError, load
from metrics import needs as nd
from metrics.query import Scope
from tests.conftest import KEY, write_csv

pytestmark = pytest.mark.engines       # every fixture read on DuckDB and on Spark SQL

ROOT = Path(__file__).resolve().parents[1]
MARCH = ("2025-03-01", "2025-03-31")


def contact(cid, day, channel, reason, talk, customer=None, client="A", direction="inbound", outcome="answered"):
    return {"contact_id": cid, "arrived_at": f"2025-03-{day:02d} 10:00:00", "channel": channel,
            "direction": direction, "outcome": outcome, "client": client, "customer_id": customer, "reason": reason,
            "wait_s": 5, "talk_s": talk if outcome in ("answered", "reached") else None}


# Client A, March 2025 (all answered, inbound, unless said):
# phone: claim x6 (k1..k6, 10/03, 300 s), claim follow-up x2 (k1, k2, 12/03, 300 s),
#        billing x4 (15/03, 200 s), info x2 (k7, k8, 28/03, 100 s; "info" is not in the reference)
# email: claim x2 (11/03, 600 s), billing x4 (16/03, 400 s)
# mail:  10 letters without a reason (01/03, 8 x 20/03, 31/03; 900 s)
# plus one phone billing contact of client B, and an outbound phone attempt (not an inbound contact)
CONTACTS = (
    [contact(f"p{i}", 10, "phone", "claim", 300, f"k{i}") for i in range(1, 7)]
    + [contact("p7", 12, "phone", "claim follow-up", 300, "k1"), contact("p8", 12, "phone", "claim follow-up", 300, "k2")]
    + [contact(f"p{i}", 15, "phone", "billing", 200) for i in range(9, 13)]
    + [contact("p13", 28, "phone", "info", 100, "k7"), contact("p14", 28, "phone", "info", 100, "k8")]
    + [contact("e1", 11, "email", "claim", 600), contact("e2", 11, "email", "claim", 600)]
    + [contact(f"e{i}", 16, "email", "billing", 400) for i in range(3, 7)]
    + [contact("m1", 1, "mail", None, 900)] + [contact(f"m{i}", 20, "mail", None, 900) for i in range(2, 10)]
    + [contact("m10", 31, "mail", None, 900)]
    + [contact("b1", 15, "phone", "billing", 200, client="B"),
       contact("o1", 10, "phone", "claim", None, "k9", direction="outbound", outcome="not_reached")]
)
REASONS = [
    {"reason": "claim", "need": "Claims", "label_fr": "Sinistre", "label_en": "Claim", "value": "high"},
    {"reason": "claim follow-up", "need": "Claims", "label_fr": "Suivi de sinistre", "label_en": "Claim follow-up",
     "value": "HIGH"},
    {"reason": "billing", "need": "Billing", "label_fr": "Facturation", "label_en": "Billing", "value": "low"},
]
# two hot answers about billing phone contacts: satisfaction 5 and 2
SURVEYS = [{"response_id": "s1", "responded_at": "2025-03-15 12:00:00", "contact_id": "p9", "csat": 5},
           {"response_id": "s2", "responded_at": "2025-03-15 12:00:00", "contact_id": "p10", "csat": 2}]


@pytest.fixture
def eng(make_db):
    return make_db(contacts=CONTACTS, reasons=REASONS, surveys=SURVEYS)


def client_a() -> Scope:
    return Scope.of(*MARCH).restricted(client=["A"])


def cells_of(result: nd.Needs) -> dict:
    return {(r.need, r.channel): (r.known, pytest.approx(r.imputed), bool(r.imputed > 0))
            for r in result.cells.itertuples()}


def test_nds001_volumes_per_need_and_channel_with_the_letters_imputed(eng):
    result = nd.needs(eng, client_a())
    # known reasons (client A, inbound): Claims = claim + claim follow-up: phone 6 + 2 = 8, email 2;
    # Billing: phone 4, email 4; info (not in the reference: its own need): phone 2. Known total 20:
    # shares Claims 10/20 = 0.5, Billing 8/20 = 0.4, info 2/20 = 0.1. The 10 letters have no reason:
    # mail gets Claims 10 x 0.5 = 5, Billing 10 x 0.4 = 4, info 10 x 0.1 = 1, each imputed.
    # The outbound attempt and client B's contact are not counted.
    assert cells_of(result) == {
        ("Claims", "phone"): (8, 0, False), ("Claims", "email"): (2, 0, False), ("Claims", "mail"): (0, 5, True),
        ("Billing", "phone"): (4, 0, False), ("Billing", "email"): (4, 0, False), ("Billing", "mail"): (0, 4, True),
        ("info", "phone"): (2, 0, False), ("info", "mail"): (0, 1, True)}
    assert result.unplaced == 0


def test_nds002_the_80_20_view(eng):
    top = nd.needs(eng, client_a()).pareto
    # totals: Claims 8 + 2 + 5 = 15, Billing 4 + 4 + 4 = 12, info 2 + 1 = 3; all 30.
    # shares 50 %, 40 %, 10 %; cumulative 50, 90, 100. In the 80 %: Claims (0 before it < 80),
    # Billing (50 before it < 80); not info (90 before it).
    assert top["need"].tolist() == ["Claims", "Billing", "info"]
    assert top["contacts"].tolist() == pytest.approx([15, 12, 3])
    assert top["share"].tolist() == pytest.approx([50, 40, 10])
    assert top["cumulative"].tolist() == pytest.approx([50, 90, 100])
    assert top["in_80"].tolist() == [True, True, False]


def test_nds003_pareto_by_hand_at_the_edge_and_on_ties():
    # 80 / 20 exactly: A alone makes 80 %, so B is out; ties are sorted by name
    cells = pd.DataFrame({"need": ["B", "A", "C", "D"], "channel": ["phone"] * 4, "contacts": [10, 80, 5, 5]})
    top = nd.pareto(cells)
    assert top["need"].tolist() == ["A", "B", "C", "D"]
    assert top["in_80"].tolist() == [True, False, False, False]
    assert nd.pareto(cells.iloc[:0]).empty


def test_nds004_the_viewer_s_scope_applies_and_no_reason_known_leaves_contacts_unplaced(eng):
    # client B: one phone billing contact, no letter: nothing imputed
    result = nd.needs(eng, Scope.of(*MARCH).restricted(client=["B"]))
    assert cells_of(result) == {("Billing", "phone"): (1, 0, False)}
    assert result.pareto[["need", "in_80"]].values.tolist() == [["Billing", True]]
    # a viewer restricted to nothing sees nothing
    assert nd.needs(eng, Scope.of(*MARCH).restricted(client=[])).cells.empty
    # only the letters: no reason known to spread them by, they are said to be left out
    letters = nd.needs(eng, client_a().with_filters(channel=["mail"]))
    assert letters.cells.empty and letters.unplaced == 10


def test_nds005_quality_and_value_per_need_with_pending_shown_as_such(eng):
    scope = client_a()
    result = nd.needs(eng, scope)
    per_need, per_channel = nd.quality(eng, scope, result.reference)
    q = per_need.set_index("need")
    # Claims: 8 phone contacts with a customer, all before 25/03 (mature: data end 31/03, 7 days);
    # k1's and k2's claims of 10/03 are followed on 12/03: FCR 6 / 8 = 75 %; the two follow-ups
    # were preceded within 7 days: repeats 2 / 8 = 25 % (all after 08/03: mature).
    assert q.loc["Claims", "fcr"] == pytest.approx(75) and q.loc["Claims", "repeat_rate"] == pytest.approx(25)
    # info: k7, k8 on 28/03 are pending for FCR (28/03 + 7 d after 31/03): no value, 2 pending;
    # their repeat status is known: 0 of 2
    assert q.loc["info", "fcr"] is None and q.loc["info", "fcr__pending"] == 2
    assert q.loc["info", "repeat_rate"] == pytest.approx(0)
    # Billing: no customer known, so no FCR; satisfaction from answers 5 and 2: top-2-box 1 / 2 = 50 %
    assert q.loc["Billing", "fcr"] is None and q.loc["Billing", "fcr__pending"] == 0
    assert q.loc["Billing", "csat"] == pytest.approx(50) and q.loc["Billing", "csat__n"] == 2
    # AHT per need and channel: Claims phone 300 s, email 600 s; Billing phone 200 s, email 400 s
    aht = {(r.need, r.channel): r.aht for r in per_channel.itertuples()}
    assert aht == {("Claims", "phone"): 300, ("Claims", "email"): 600, ("Billing", "phone"): 200,
                   ("Billing", "email"): 400, ("info", "phone"): 100}
    needs = nd.need_of(result.reference)
    # values: Claims' two reasons are both high (the loader stores "HIGH" lower-case); info has none
    assert nd.value_of(result.reference, needs) == {"Claims": "high", "Billing": "low"}
    assert nd.labels_of(result.reference, needs)["Claims"] == ["Claim", "Claim follow-up"]


def test_nds006_the_target_mix_by_hand(eng):
    scope = client_a()
    result = nd.needs(eng, scope)
    _per_need, per_channel = nd.quality(eng, scope, result.reference)
    ahts = nd.channel_aht(eng, scope)
    assert ahts["mail"] == pytest.approx(900)
    w = nd.what_if(result.cells, per_channel, ahts, "Claims", "phone", "email", 50)
    # 50 % of Claims' 8 phone contacts = 4 move to e-mail: phone 8 -> 4, email 2 -> 6, mail 5 stays.
    # AHT: the need's on phone (300 s) and e-mail (600 s); on mail the need has none: the channel's 900 s.
    # hours before (8 x 300 + 2 x 600 + 5 x 900) / 3600 = 8100 / 3600 = 2.25;
    # after (4 x 300 + 6 x 600 + 5 x 900) / 3600 = 9300 / 3600 = 2.5833
    assert w.moved == pytest.approx(4)
    rows = w.rows.set_index("channel")
    assert rows["before"].tolist() == pytest.approx([8, 2, 5]) and rows["after"].tolist() == pytest.approx([4, 6, 5])
    assert rows.index.tolist() == ["phone", "email", "mail"]
    assert rows["aht_from"].tolist() == ["need", "need", "channel"]
    assert w.hours_before == pytest.approx(2.25) and w.hours_after == pytest.approx(9300 / 3600)
    assert w.cost_before is None                      # no cost: handle hours stand in for it
    # priced at 40, 30 and 20 euros a handle hour on the phone, e-mail and mail: before
    # 8 × 300 s × 40 + 2 × 600 s × 30 + 5 × 900 s × 20 = (96000 + 36000 + 90000) / 3600 = 61.67;
    # after 4 × 300 × 40 + 6 × 600 × 30 + 5 × 900 × 20 = (48000 + 108000 + 90000) / 3600 = 68.33
    priced = nd.what_if(result.cells, per_channel, ahts, "Claims", "phone", "email", 50,
                        {"phone": 40.0, "email": 30.0, "mail": 20.0})
    assert priced.cost_before == pytest.approx(222000 / 3600) and priced.cost_after == pytest.approx(246000 / 3600)
    assert nd.what_if(result.cells, per_channel, ahts, "Claims", "phone", "email", 50,
                      {"phone": 40.0, "email": 30.0}).cost_before is None      # the mail's cost unknown
    for args, message in ((("Claims", "phone", "phone", 10), "two different channels"),
                          (("Claims", "phone", "email", 150), "between 0 and 100"),
                          (("Claims", "phone", "email", float("nan")), "between 0 and 100"),
                          (("nobody", "phone", "email", 10), "no contact in the period"),
                          (("info", "email", "phone", 10), "no contact on channel email")):
        with pytest.raises(ValueError, match=message):
            nd.what_if(result.cells, per_channel, ahts, *args)


def test_nds007_the_reasons_reference_loads_all_or_nothing_with_line_and_rule(make_db, tmp_path):
    eng = make_db(reasons=REASONS)
    stored = database.frame(eng.connect(), "SELECT reason, need, value FROM reasons ORDER BY reason")
    assert stored.values.tolist() == [["billing", "Billing", "low"], ["claim", "Claims", "high"],
                                      ["claim follow-up", "Claims", "high"]]
    # a value that is not low or high: its line and rule; 1 of 2 rows is over the 5 % budget: refused
    bad = write_csv(tmp_path / "bad.csv", [{"reason": "info", "need": "Info", "value": "low"},
                                           {"reason": "loan", "need": "Loans", "value": "medium"}])
    with pytest.raises(LoadError, match="line 3: value 'medium' is not one of low, high"):
        load(eng, {"reasons": bad}, source="test", key=KEY)
    # the same reason twice: the file is refused, naming it and its lines
    twice = write_csv(tmp_path / "twice.csv", [{"reason": "claim", "need": "A"}, {"reason": "claim", "need": "B"}])
    with pytest.raises(LoadError, match=r"duplicate reason in the file: claim \(lines 2, 3\)"):
        load(eng, {"reasons": twice}, source="test", key=KEY)
    assert database.scalar(eng.connect(), "SELECT count(*) FROM reasons") == 3     # nothing changed
    # a later reference replaces a reason's row: the latest load wins
    later = write_csv(tmp_path / "later.csv", [{"reason": "billing", "need": "Payments", "value": "low"}])
    load(eng, {"reasons": later}, source="test", key=KEY)
    assert database.scalar(eng.connect(), "SELECT need FROM reasons WHERE reason = 'billing'") == "Payments"
    assert database.scalar(eng.connect(), "SELECT count(*) FROM reasons") == 3


def run(*args, tmp_path, lang="en"):
    env = dict(os.environ, PILOTAGE_KEY_FILE=str(tmp_path / "test.key"), PILOTAGE_LANG=lang)
    env.pop("PILOTAGE_CONFIG", None)
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_nds008_command_line_load_with_reasons_then_needs_json_and_table(tmp_path):
    db = tmp_path / "cli.duckdb"
    files = {"contacts": write_csv(tmp_path / "contacts.csv", CONTACTS),
             "reasons": write_csv(tmp_path / "reasons.csv", REASONS)}
    out = run("data", "load", "--db", str(db), "--source", "test",
              *[a for t, p in files.items() for a in (f"--{t}", str(p))], tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    out = run("metrics", "needs", "--db", str(db), "--from", MARCH[0], "--to", MARCH[1], "--client", "A",
              "--format", "json", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    assert set(found) == {"cells", "pareto"}
    assert {tuple(sorted(c)) for c in found["cells"]} == {("channel", "contacts", "imputed", "need")}
    cells = {(c["need"], c["channel"]): (c["contacts"], c["imputed"]) for c in found["cells"]}
    # as test_nds001: known cells whole numbers, the letters imputed
    assert cells == {("Billing", "email"): (4, False), ("Billing", "mail"): (pytest.approx(4), True),
                     ("Billing", "phone"): (4, False), ("Claims", "email"): (2, False),
                     ("Claims", "mail"): (pytest.approx(5), True), ("Claims", "phone"): (8, False),
                     ("info", "mail"): (pytest.approx(1), True), ("info", "phone"): (2, False)}
    assert [(p["need"], p["contacts"], p["in_80"]) for p in found["pareto"]] == [
        ("Claims", pytest.approx(15), True), ("Billing", pytest.approx(12), True), ("info", pytest.approx(3), False)]
    assert [(p["share"], p["cumulative"]) for p in found["pareto"]] == [
        (pytest.approx(50), pytest.approx(50)), (pytest.approx(40), pytest.approx(90)),
        (pytest.approx(10), pytest.approx(100))]
    table = run("metrics", "needs", "--db", str(db), "--from", MARCH[0], "--to", MARCH[1], "--client", "A",
                tmp_path=tmp_path, lang="fr")
    assert table.returncode == 0, table.stderr
    assert "Besoins par volume" in table.stdout and "(imputé)" in table.stdout and "courrier" in table.stdout
    bad = run("metrics", "needs", "--db", str(db), "--from", "2025-03-31", "--to", "2025-03-01", tmp_path=tmp_path)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr


def _page(dash_duo, path: str, lang: str) -> None:
    dash_duo.wait_for_page(dash_duo.server_url + f"/lang?to={lang}&next=" + quote(path, safe="/"))


def test_nds009_the_needs_page_in_english_and_french(dash_duo, eng, app_for):
    dash_duo.start_server(app_for(eng))
    path = "/needs?from=2025-03-01&to=2025-03-31&client=A&need=Claims&src=phone&dst=email&move=50"
    _page(dash_duo, path, "en")
    row = dash_duo.wait_for_element("#needs-matrix .ag-center-cols-container .ag-row[row-id='Claims']")
    # Claims: phone 8 of 15 (53 %), e-mail 2 (13 %), mail ≈ 5 (33 %)
    dash_duo.wait_for_contains_text("#needs-matrix", "≈ 5 (33 %)")
    assert "8 (53 %)" in row.text and "2 (13 %)" in row.text
    dash_duo.wait_for_contains_text("#needs-imputed", "mail: 10 contacts without a reason")
    dash_duo.wait_for_contains_text("#needs-pareto", "2 needs of 3 make 80 % of the contacts")
    quality = dash_duo.wait_for_element("#needs-quality .ag-center-cols-container .ag-row[row-id='Claims']")
    assert "75.0 %" in quality.text and "high value" in quality.text
    dash_duo.wait_for_contains_text("#needs-quality .ag-center-cols-container .ag-row[row-id='info']", "pending")
    # k7's and k8's contacts of 28/03 wait for their 7 days (the data end on 31/03)
    dash_duo.wait_for_contains_text("#needs-pending", "First-contact resolution: 2 contacts from")
    # the what-if of test_nds006: 4 contacts move, 2.25 to 2.58 hours
    dash_duo.wait_for_contains_text("#needs-whatif-summary", "moves 4 contacts")
    assert "from 2.25 to 2.58 hours (+0.33)" in dash_duo.find_element("#needs-whatif-summary").text
    assert dash_duo.get_logs() == []
    _page(dash_duo, path, "fr")
    dash_duo.wait_for_contains_text("#needs-imputed", "courrier : 10 contacts sans motif")
    dash_duo.wait_for_contains_text("#needs-pareto", "2 besoins sur 3 font 80 % des contacts")
    dash_duo.wait_for_contains_text("#needs-whatif-summary", "déplace 4 contacts")
    assert "valeur forte" in dash_duo.find_element("#needs-quality .ag-center-cols-container .ag-row[row-id='Claims']").text
    assert "Besoins" in dash_duo.find_element(".navbar").text
    assert dash_duo.get_logs() == []


def test_nds010_the_what_if_form_writes_the_url(dash_duo, eng, app_for):
    dash_duo.start_server(app_for(eng))
    _page(dash_duo, "/needs?from=2025-03-01&to=2025-03-31&client=A&need=Claims&src=phone&dst=email", "en")
    dash_duo.wait_for_contains_text("#needs-whatif", "Choose a need, the channel it leaves")
    box = dash_duo.wait_for_element("#needs-whatif-move")
    box.send_keys("50\n")
    dash_duo.wait_for_contains_text("#needs-whatif-summary", "moves 4 contacts")
    assert "move=50" in dash_duo.driver.current_url and "client=A" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []
