"""Assessment alignment (KPIS.md "Assessment alignment (agents)"): the evaluations extract, the
four views of each agent, the spread, the six pairs and their nulls, worked out by hand on a
small fixture; the command line; a client's scope; the page in English and in French."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from access.viewer import LOCAL
from components.state import ViewState
from components.view import View
from conftest import click
from data import db as database
from data.loader import LoadError, load
from data.profile import get_profile
from metrics.alignment import Alignment, agent_views, alignment, as_json, pair_agreement
from metrics.query import Scope
from settings import Settings, SettingsError, apply_config
from tests.conftest import KEY, write_csv

pytestmark = pytest.mark.engines       # every fixture read on DuckDB and on Spark SQL

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
MARCH = Scope.of("2025-03-01", "2025-03-31")

# ---------------------------------------------------------------- the fixture
# Four agents of ACME in two teams, one of Bolt. Each agent's contacts X-0 ... X-5 are phone
# calls it answered in March; the quality team's evaluations are about them, the agent's own
# and the team lead's are about its work as a whole (no contact).
AGENTS = [dict(agent_id="A1", agent_name="Ana Roux", team="T1", site="Lille", client="ACME"),
          dict(agent_id="A2", agent_name="Ben Diallo", team="T1", site="Lille", client="ACME"),
          dict(agent_id="A3", agent_name="Chloé Petit", team="T2", site="Lille", client="ACME"),
          dict(agent_id="A4", agent_name="Driss Amrani", team="T2", site="Lille", client="ACME"),
          dict(agent_id="B1", agent_name="Eva Lind", team="T3", site="Rabat", client="Bolt")]
CLIENT = {"A1": "ACME", "A2": "ACME", "A3": "ACME", "A4": "ACME", "B1": "Bolt"}


def call(cid, day, agent, outcome="answered", direction="inbound"):
    return dict(contact_id=cid, arrived_at=f"2025-03-{day:02d} 10:00:00", channel="phone", queue="Q1",
                direction=direction, outcome=outcome, client=CLIENT[agent], agent_id=agent, wait_s=10,
                talk_s=100 if outcome in ("answered", "reached") else None)


CONTACTS = [call(f"{a}-{i}", 3 + i, a) for a in CLIENT for i in range(6)] + [
    call("A1-x", 9, "A1", "not_reached", "outbound")]     # an attempt that never reached the customer


def answer(rid, contact, csat, when="2025-03-20 12:00:00", **more):
    return dict(response_id=rid, responded_at=when, contact_id=contact, csat=csat, **more)


# satisfaction 1-5 on the 0-100 scale: 100 × (csat − 1) ÷ 4, so 2 → 25, 3 → 50, 4 → 75, 5 → 100
CSAT = {"A1": [4, 4, 4, 4, 4],       # 75 × 5 ÷ 5 = 75
        "A2": [3, 3, 3, 3, 2],       # (50 × 4 + 25) ÷ 5 = 45
        "A3": [4, 4, 5, 4, 4],       # (75 × 4 + 100) ÷ 5 = 80
        "A4": [5, 5, 5],             # 3 answers: under the 5 needed, no customer view
        "B1": [5, 5, 5, 5, 5]}       # 100
SURVEYS = [answer(f"s-{a}-{i}", f"{a}-{i}", v) for a, vs in CSAT.items() for i, v in enumerate(vs)] + [
    answer("late", "A1-0", 1, when="2025-04-02 12:00:00"),      # answered in April: not in March
    answer("nps-only", "A1-1", None, nps=2),                    # no satisfaction score
    answer("not-reached", "A1-x", 1),                           # a contact the agent did not handle
    dict(response_id="cold", responded_at="2025-03-20 12:00:00", client="ACME", csat=1)]  # no contact


def assessed(eid, agent, role, score, day, contact=None, time="09:00:00"):
    return dict(evaluation_id=eid, evaluated_at=f"2025-03-{day:02d} {time}", agent_id=agent, evaluator_role=role,
                score=score, contact_id=contact, evaluator="Q. Team" if role == "quality" else None, grid="G1")


def series(agent, role, scores, linked=False):
    return [assessed(f"{agent}-{role}-{i}", agent, role, s, 10 + i, f"{agent}-{i}" if linked else None)
            for i, s in enumerate(scores)]


EVALUATIONS = (
    # A1: self (88 + 90 + 92 + 90 + 90) ÷ 5 = 90 (the last one at 23:30 on 31 March, the period's
    # last day, counts; one on 1 April does not); manager 80; quality (70+72+74+70+74) ÷ 5 = 72
    series("A1", "self", [88, 90, 92, 90]) + [assessed("A1-self-4", "A1", "self", 90, 31, time="23:30:00"),
                                              dict(assessed("A1-self-april", "A1", "self", 0, 1),
                                                   evaluated_at="2025-04-01 00:00:00")]
    + series("A1", "manager", [80] * 5) + series("A1", "quality", [70, 72, 74, 70, 74], linked=True)
    # A2: self 95, manager 85, quality 60
    + series("A2", "self", [95] * 5) + series("A2", "manager", [85] * 5) + series("A2", "quality", [60] * 5, True)
    # A3: self (68 + 72 + 70 + 70 + 70) ÷ 5 = 70; manager 4 evaluations only: no view; quality 75
    + series("A3", "self", [68, 72, 70, 70, 70]) + series("A3", "manager", [90] * 4)
    + series("A3", "quality", [75] * 5, True)
    # A4: no self-assessment; manager 60, quality 62
    + series("A4", "manager", [60] * 5) + series("A4", "quality", [62] * 5, True)
    # B1 (Bolt): self 50, quality 90
    + series("B1", "self", [50] * 5) + series("B1", "quality", [90] * 5, True))

# The views, worked out above:        self  manager quality customer   spread (highest − lowest)
#   A1 Ana Roux                         90     80      72      75       90 − 72 = 18: aligned
#   A2 Ben Diallo                       95     85      60      45       95 − 45 = 50: misaligned
#   A3 Chloé Petit                      70     – (4)   75      80       80 − 70 = 10
#   A4 Driss Amrani                     –      60      62      – (3)    62 − 60 = 2
#   B1 Eva Lind                         50     –       90      100     100 − 50 = 50: misaligned
VIEWS = {"A1": (90, 80, 72, 75), "A2": (95, 85, 60, 45), "A3": (70, None, 75, 80), "A4": (None, 60, 62, None),
         "B1": (50, None, 90, 100)}


@pytest.fixture
def eng(make_db):
    return make_db(contacts=CONTACTS, surveys=SURVEYS, agents=AGENTS, evaluations=EVALUATIONS)


def views_of(result) -> dict:
    return {r["agent"]: tuple(r[v] for v in ("self", "manager", "quality", "customer"))
            for r in result.agents.to_dict("records")}


# ---------------------------------------------------------------- the numbers

def test_aln001_the_four_views_of_each_agent(eng):
    result = alignment(eng, MARCH)
    assert views_of(result) == VIEWS
    agents = result.agents.set_index("agent")
    # the counts behind each view: A1's 5 self-assessments of March (not April's), its 5 answers
    # with a satisfaction score (not April's, not the one without csat, not the unreached call's)
    assert agents.loc["A1", ["self__n", "manager__n", "quality__n", "customer__n"]].tolist() == [5, 5, 5, 5]
    assert agents.loc["A3", "manager__n"] == 4 and agents.loc["A4", "customer__n"] == 3    # too few: no view
    assert agents.loc["A4", "self__n"] == 0
    assert agents.loc["A2", ["name", "team"]].tolist() == ["Ben Diallo", "T1"]


def test_aln002_spread_misaligned_and_the_order(eng):
    result = alignment(eng, MARCH)
    agents = result.agents
    # misaligned first, the widest spread first (A2 and B1 tie at 50: by id), then the others
    assert agents["agent"].tolist() == ["A2", "B1", "A1", "A3", "A4"]
    assert agents["spread"].tolist() == [50, 50, 18, 10, 2]
    assert agents["misaligned"].tolist() == [True, True, False, False, False]
    # over 20 points, not at: with a threshold of 18, A1's 18 stays aligned; at 17 it is not
    assert alignment(eng, MARCH, misaligned_points=18).agents.set_index("agent").loc["A1", "misaligned"] == False  # noqa: E712
    assert alignment(eng, MARCH, misaligned_points=17).agents.set_index("agent").loc["A1", "misaligned"] == True  # noqa: E712


def test_aln003_the_six_pairs(eng):
    pairs = alignment(eng, MARCH).pairs
    assert list(pairs) == ["self_manager", "self_quality", "self_customer", "manager_quality", "manager_customer",
                           "quality_customer"]
    # self − manager: A1 90 − 80 = 10, A2 95 − 85 = 10; two agents: no agreement
    assert pairs["self_manager"] == {"gap": 10, "mad": 10, "r": None, "n": 2}
    # self − quality: A1 +18, A2 +35, A3 −5, B1 −40 -> gap 8 ÷ 4 = 2, mad 98 ÷ 4 = 24.5.
    # r: self 90 95 70 50 (mean 76.25: +13.75 +18.75 −6.25 −26.25), quality 72 60 75 90 (mean
    # 74.25: −2.25 −14.25 +0.75 +15.75): Σxy = −30.9375 − 267.1875 − 4.6875 − 413.4375 = −716.25,
    # Σx² = 1268.75, Σy² = 456.75, √(1268.75 × 456.75) = 761.25 -> r = −716.25 ÷ 761.25
    sq = pairs["self_quality"]
    assert (sq["gap"], sq["mad"], sq["n"]) == (2, 24.5, 4) and sq["r"] == pytest.approx(-716.25 / 761.25)
    # self − customer: +15 +50 −10 −50 -> gap 5 ÷ 4 = 1.25, mad 125 ÷ 4 = 31.25; customer 75 45 80
    # 100 (mean 75: 0 −30 +5 +25): Σxy = 0 − 562.5 − 31.25 − 656.25 = −1250, Σy² = 1550
    sc = pairs["self_customer"]
    assert (sc["gap"], sc["mad"], sc["n"]) == (1.25, 31.25, 4)
    assert sc["r"] == pytest.approx(-1250 / math.sqrt(1268.75 * 1550))
    # manager − quality: A1 +8, A2 +25, A4 −2 -> gap 31 ÷ 3, mad 35 ÷ 3; manager 80 85 60 (mean 75:
    # +5 +10 −15), quality 72 60 62 (mean 194 ÷ 3: +22/3 −14/3 −8/3): Σxy = (110 − 140 + 120) ÷ 3 = 30,
    # Σx² = 350, Σy² = (484 + 196 + 64) ÷ 9 = 248 ÷ 3
    mq = pairs["manager_quality"]
    assert mq["gap"] == pytest.approx(31 / 3) and mq["mad"] == pytest.approx(35 / 3) and mq["n"] == 3
    assert mq["r"] == pytest.approx(30 / math.sqrt(350 * 248 / 3))
    # manager − customer: A1 +5, A2 +40: two agents
    assert pairs["manager_customer"] == {"gap": 22.5, "mad": 22.5, "r": None, "n": 2}
    # quality − customer: −3 +15 −5 −10 -> gap −3 ÷ 4 = −0.75, mad 33 ÷ 4 = 8.25;
    # Σxy = 0 + 427.5 + 3.75 + 393.75 = 825, Σx² = 456.75, Σy² = 1550
    qc = pairs["quality_customer"]
    assert (qc["gap"], qc["mad"], qc["n"]) == (-0.75, 8.25, 4)
    assert qc["r"] == pytest.approx(825 / math.sqrt(456.75 * 1550))


def test_aln004_nulls_never_zeros():
    """Plain functions on hand-made means: a view under the minimum, an agent with one view,
    a pair no agent has, a view that does not vary, fewer than 3 agents."""
    means = pd.DataFrame([
        # agent, view, n, mean, name, team
        ("X", "manager", 2, 80.0, "X", "T"), ("X", "quality", 2, 60.0, "X", "T"),
        ("Y", "manager", 2, 80.0, "Y", "T"), ("Y", "quality", 2, 70.0, "Y", "T"),
        ("Z", "manager", 2, 80.0, "Z", "T"), ("Z", "quality", 2, 80.0, "Z", "T"),
        ("W", "self", 1, 99.0, None, None), ("W", "customer", 2, 40.0, None, None),
    ], columns=["agent", "view", "n", "mean", "name", "team"])
    agents = agent_views(means, min_values=2, misaligned_points=20)
    w = agents.set_index("agent").loc["W"]
    # W: self on 1 value (under 2): none; the customer's alone: no spread, so not misaligned
    assert w["self"] is None and w["customer"] == 40 and w["spread"] is None and not w["misaligned"]
    pairs = pair_agreement(agents)
    # manager − quality over X, Y, Z: 80 − 60, 80 − 70, 80 − 80 -> gap (20 + 10 + 0) ÷ 3 = 10;
    # the manager's view is 80 for all three: no correlation, not 0
    assert pairs["manager_quality"] == {"gap": 10, "mad": 10, "r": None, "n": 3}
    # no agent has both self and manager: every number null
    assert pairs["self_manager"] == {"gap": None, "mad": None, "r": None, "n": 0}
    out = as_json(Alignment(agents, pairs))
    assert out["agents"][-1] == {"agent_id": "W", "self": None, "manager": None, "quality": None, "customer": 40.0,
                                 "spread": None, "misaligned": False}
    assert out["pairs"]["self_manager"] == {"gap": None, "mad": None, "r": None}
    # nothing at all: no agents, every pair null
    empty = agent_views(means.iloc[0:0], 5, 20)
    assert empty.empty and all(p["gap"] is None and p["r"] is None for p in pair_agreement(empty).values())


def test_aln005_the_minimum_is_a_setting_of_its_own_default_5(eng):
    """KPIS.md's rule is 5 values; the survey scores' ``min_answers`` is 10, so alignment has its
    own setting; with 4 A3's team lead's 4 evaluations make a view (their mean 90)."""
    assert Settings().alignment_min == 5 and Settings().min_answers == 10 and Settings().misaligned_points == 20
    settings = apply_config(Settings(), {"alignment_min": 4, "misaligned_points": 25})
    assert (settings.alignment_min, settings.misaligned_points) == (4, 25.0)
    with pytest.raises(SettingsError, match="alignment_min"):
        apply_config(Settings(), {"alignment_min": 0})
    with pytest.raises(SettingsError, match="misaligned_points"):
        apply_config(Settings(), {"misaligned_points": "20"})
    agents = alignment(eng, MARCH, min_values=4).agents.set_index("agent")
    # A3: self 70, manager 90, quality 75, customer 80 -> spread 90 − 70 = 20: not over 20;
    # A4's 3 answers still too few
    assert agents.loc["A3", ["manager", "spread", "misaligned"]].tolist() == [90, 20, False]
    assert agents.loc["A4", "customer"] is None


def test_aln006_a_client_sees_only_its_agents_and_filters_follow_the_contact(eng):
    acme = alignment(eng, MARCH.restricted(client=["ACME"]))
    assert acme.agents["agent"].tolist() == ["A2", "A1", "A3", "A4"]          # no B1 of Bolt
    assert "Eva Lind" not in acme.agents["name"].tolist()
    # quality − customer over A1, A2, A3 only: −3 + 15 − 5 = 7 -> gap 7 ÷ 3, mad 23 ÷ 3; quality
    # 72 60 75 (mean 69: +3 −9 +6), customer 75 45 80 (mean 200 ÷ 3: +25/3 −65/3 +40/3):
    # Σxy = (75 + 585 + 240) ÷ 3 = 300, Σx² = 126, Σy² = 6450 ÷ 9
    qc = acme.pairs["quality_customer"]
    assert qc["gap"] == pytest.approx(7 / 3) and qc["mad"] == pytest.approx(23 / 3) and qc["n"] == 3
    assert qc["r"] == pytest.approx(300 / math.sqrt(126 * 6450 / 9))
    # a client with nothing in the data, and a restriction to nothing: no agent at all
    assert alignment(eng, MARCH.restricted(client=["Zeta"])).agents.empty
    assert alignment(eng, MARCH.restricted(client=[])).agents.empty
    # Bolt sees B1 alone: self 50 (the agent's client), quality 90 and customer 100 (its contacts')
    assert views_of(alignment(eng, MARCH.restricted(client=["Bolt"]))) == {"B1": (50, None, 90, 100)}
    # a channel filter: the assessments of the agent's work as a whole have no channel and are
    # left out; those about a phone call and the answers stay: A1 has quality 72 and customer 75
    phone = views_of(alignment(eng, Scope.of("2025-03-01", "2025-03-31", channel="phone")))
    assert phone["A1"] == (None, None, 72, 75)
    # a team: T2's agents only, their team read from the agents table
    assert sorted(views_of(alignment(eng, Scope.of("2025-03-01", "2025-03-31", team="T2")))) == ["A3", "A4"]


def test_aln007_what_stands_behind_an_agent_s_numbers(eng):
    from metrics.alignment import agent_answers, agent_evaluations, linked_contact
    rows = agent_evaluations(eng, MARCH, "A1")
    # 4 + 1 self-assessments, 5 from the team lead, 5 from the quality team in March
    assert len(rows) == 15 and rows["evaluated_at"].iloc[0] == pd.Timestamp("2025-03-31 23:30:00")
    quality = rows[rows["view"] == "quality"].set_index("evaluation_id")
    assert quality.loc["A1-quality-0", ["contact_id", "channel"]].tolist() == ["A1-0", "phone"]
    answers = agent_answers(eng, MARCH, "A1")
    assert sorted(answers["response_id"]) == [f"s-A1-{i}" for i in range(5)] and set(answers["value"]) == {75.0}
    found = linked_contact(eng, MARCH, "answer", "test", "s-A1-2")
    assert (found["source"], found["contact_id"], found["day"], found["agent"]) == ("test", "A1-2", date(2025, 3, 5),
                                                                                     "A1")
    # out of the viewer's scope, unknown, or about no contact: nothing
    assert linked_contact(eng, MARCH.restricted(client=["Bolt"]), "answer", "test", "s-A1-2") is None
    assert linked_contact(eng, MARCH, "evaluation", "test", "A1-self-0") is None
    assert linked_contact(eng, MARCH, "evaluation", "test", "' OR 1=1 --") is None


# ---------------------------------------------------------------- loading

def test_aln008_the_evaluations_extract_loads_and_rejects_with_line_and_reason(make_db, tmp_path):
    eng = make_db(contacts=CONTACTS, agents=AGENTS)
    rows = [assessed(f"e{i}", "A1", ("self", "Manager", "QUALITY")[i % 3], 50 + i, 10) for i in range(38)]
    rows.insert(5, assessed("bad-role", "A1", "peer", 70, 10))      # line 7: a role that is not one
    rows.insert(20, assessed("bad-score", "A1", "quality", 120, 10))  # line 22: over 100
    path = write_csv(tmp_path / "evaluations.csv", rows)
    [report] = load(eng, {"evaluations": path}, source="test", key=KEY)
    # 40 rows, 2 rejected: 2 is not over the 5 % budget of 40 rows
    assert (report.status, report.accepted, report.rejected) == ("loaded", 38, 2)
    assert report.rejects.values.tolist() == [
        [7, "evaluator_role 'peer' is not one of self, manager, quality"],
        [22, "score '120' is not between 0 and 100"]]
    stored = database.frame(eng.connect(), "SELECT * FROM evaluations ORDER BY evaluation_id")
    assert set(stored["evaluator_role"]) == {"self", "manager", "quality"}     # stored lower-case
    assert set(stored["source"]) == {"test"} and stored["contact_id"].isna().all()
    # a file without an agent or a score is refused whole, naming the columns; nothing changes
    bad = tmp_path / "bad.csv"
    bad.write_text("evaluation_id,evaluated_at,evaluator_role\nz1,2025-03-10 09:00:00,self\n")
    with pytest.raises(LoadError, match="missing required column.*for evaluations: agent_id, score"):
        load(eng, {"evaluations": bad}, source="test", key=KEY)
    assert database.scalar(eng.connect(), "SELECT count(*) FROM evaluations") == 38
    # loading the same file again changes nothing; a later extract replaces a row (same source, id)
    [again] = load(eng, {"evaluations": path}, source="test", key=KEY)
    assert again.status == "unchanged"
    later = write_csv(tmp_path / "later.csv", [assessed("e0", "A1", "self", 99, 11)])
    load(eng, {"evaluations": later}, source="test", key=KEY)
    assert database.scalar(eng.connect(), "SELECT score FROM evaluations WHERE evaluation_id = 'e0'") == 99


def test_aln009_the_quality_tool_s_export_through_its_profile(tmp_path):
    """The sample export (CP1252, ';', decimal commas, marks out of 20 or in %) with the French
    ACD's calls and the survey tool's answers it is about, all of source acd."""
    path = tmp_path / "q.duckdb"
    eng = database.engine(path)
    try:
        load(eng, {"contacts": SAMPLES / "fr_acd_export.csv"}, profile=get_profile("fr-acd-export"), key=KEY)
        load(eng, {"surveys": SAMPLES / "survey_export.csv"}, profile=get_profile("survey-export"), key=KEY)
        [report] = load(eng, {"evaluations": SAMPLES / "quality_export.csv"}, profile=get_profile("quality-export"),
                        key=KEY)
        assert (report.status, report.accepted, report.rejected, report.profile) == ("loaded", 7, 0, "quality-export")
        rows = database.frame(eng.connect(), "SELECT * FROM evaluations").set_index("evaluation_id")
        # "Note /20" 17 -> 85, 15,5 -> 77.5; "Note (%)" 72,5 -> 72.5; "Auto-évaluation" -> self
        assert rows.loc["EV-301", ["score", "evaluator_role", "source"]].tolist() == [85.0, "self", "acd"]
        assert rows.loc["EV-302", "score"] == 77.5 and rows.loc["EV-303", "score"] == 72.5
        assert rows.loc["EV-306", "evaluator_role"] == "manager" and pd.isna(rows.loc["EV-306", "contact_id"])
        assert rows.loc["EV-302", "comment"] == "Bonne écoute ; reformulation à travailler."
        assert pd.isna(rows.loc["EV-304", "comment"])                   # "-" means nothing written
        # every view counts from one value here (the sample is small); the agents are named as the
        # ACD names them. Léa Martin: self 85, manager 77.5, quality 72.5; her calls A-1001
        # (satisfaction "Very satisfied" = 5 -> 100) and A-1007 (no answer) -> customer 100;
        # spread 100 − 72.5 = 27.5. Hélène Dupré: self 16 × 5 = 80, quality 58, A-1002 "Neutral" = 3
        # -> 50; spread 30. Agnès Bréval: manager 90, quality 88; A-1008 (1 -> 0) and A-1010 (4 ->
        # 75) -> 37.5; spread 52.5. François Noël: A-1004 (4 -> 75) only, no spread.
        result = alignment(eng, MARCH, min_values=1)
        assert views_of(result) == {"Agnès Bréval": (None, 90, 88, 37.5), "Hélène Dupré": (80, None, 58, 50),
                                    "Léa Martin": (85, 77.5, 72.5, 100), "François Noël": (None, None, None, 75)}
        assert result.agents["agent"].tolist() == ["Agnès Bréval", "Hélène Dupré", "Léa Martin", "François Noël"]
        # quality − customer over the three: −27.5 + 8 + 50.5 = 31 -> gap 31 ÷ 3
        assert result.pairs["quality_customer"]["gap"] == pytest.approx(31 / 3)
        assert result.pairs["self_quality"] == {"gap": 17.25, "mad": 17.25, "r": None, "n": 2}   # (12.5 + 22) ÷ 2
    finally:
        database.dispose(path)


# ---------------------------------------------------------------- the command line

def run(*args, tmp_path):
    env = dict(os.environ, PILOTAGE_KEY_FILE=str(tmp_path / "test.key"), PILOTAGE_LANG="en")
    env.pop("PILOTAGE_CONFIG", None)
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_aln010_command_line_load_then_alignment_json_and_table(tmp_path):
    db = tmp_path / "cli.duckdb"
    files = {t: write_csv(tmp_path / f"{t}.csv", rows) for t, rows in
             (("contacts", CONTACTS), ("surveys", SURVEYS), ("agents", AGENTS), ("evaluations", EVALUATIONS))}
    out = run("data", "load", "--db", str(db), "--source", "test", *[a for t, p in files.items()
                                                                     for a in (f"--{t}", str(p))], tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    # A1 6 (one in April), A2 15, A3 14, A4 10, B1 10
    assert "evaluations: evaluations.csv: 65 rows loaded" in out.stdout
    out = run("metrics", "alignment", "--db", str(db), "--from", "2025-03-01", "--to", "2025-03-31",
              "--format", "json", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert list(got) == ["agents", "pairs"]
    # the views of the fixture (see its table), misaligned first; nulls where there is no value
    assert got["agents"] == [
        {"agent_id": "A2", "self": 95.0, "manager": 85.0, "quality": 60.0, "customer": 45.0, "spread": 50.0,
         "misaligned": True},
        {"agent_id": "B1", "self": 50.0, "manager": None, "quality": 90.0, "customer": 100.0, "spread": 50.0,
         "misaligned": True},
        {"agent_id": "A1", "self": 90.0, "manager": 80.0, "quality": 72.0, "customer": 75.0, "spread": 18.0,
         "misaligned": False},
        {"agent_id": "A3", "self": 70.0, "manager": None, "quality": 75.0, "customer": 80.0, "spread": 10.0,
         "misaligned": False},
        {"agent_id": "A4", "self": None, "manager": 60.0, "quality": 62.0, "customer": None, "spread": 2.0,
         "misaligned": False}]
    assert list(got["pairs"]) == ["self_manager", "self_quality", "self_customer", "manager_quality",
                                  "manager_customer", "quality_customer"]
    assert all(list(p) == ["gap", "mad", "r"] for p in got["pairs"].values())
    assert got["pairs"]["self_manager"] == {"gap": 10.0, "mad": 10.0, "r": None}
    assert got["pairs"]["self_quality"] == {"gap": 2.0, "mad": 24.5, "r": pytest.approx(-716.25 / 761.25)}
    assert got["pairs"]["quality_customer"]["gap"] == -0.75
    # a filter as summary takes them: comma-separated; the client's agents only
    out = run("metrics", "alignment", "--db", str(db), "--from", "2025-03-01", "--to", "2025-03-31",
              "--client", "Bolt,Zeta", "--format", "json", tmp_path=tmp_path)
    assert [a["agent_id"] for a in json.loads(out.stdout)["agents"]] == ["B1"]
    out = run("metrics", "alignment", "--db", str(db), "--from", "2025-03-01", "--to", "2025-03-31", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["Agent", "Team", "Self-assessment", "Manager", "Quality", "team", "Customer",
                                "Spread", "Misaligned"]
    assert lines[1].split() == ["Ben", "Diallo", "(A2)", "T1", "95.0", "85.0", "60.0", "45.0", "50.0", "yes"]
    assert "Chloé Petit (A3)" in lines[4] and "– (4 values)" in lines[4]
    assert any(line.split()[:4] == ["Self-assessment", "–", "Quality", "team"] and "+2.0 pts" in line
               and "24.5 pts" in line and "-0.94" in line for line in lines)
    assert lines[-1] == ("A view needs at least 5 values (evaluations, or survey answers with a satisfaction "
                         "score); an agent is misaligned when its views spread over 20 points.")
    out = run("metrics", "alignment", "--db", str(tmp_path / "none.duckdb"), "--from", "2025-03-01", "--to",
              "2025-03-31", tmp_path=tmp_path)
    assert out.returncode == 1 and out.stderr.startswith("error: database") and "Traceback" not in out.stderr


# ---------------------------------------------------------------- the demo

def test_aln011_the_demo_s_assessments_have_realistic_biases(tmp_path):
    """Over the demo's last full month: the quality team stricter than the team leads, the
    lenient teams' leads kinder than the others', some agents far above what their customers
    say of them, a few misaligned; quality assessments about a contact the agent handled."""
    from data.demo import LENIENT_TEAMS, build
    path = tmp_path / "demo.duckdb"
    eng = database.engine(path)
    try:
        build(eng, 60_000, 4, KEY, end=date(2026, 3, 31))
        agents = alignment(eng, Scope.of("2026-03-01", "2026-03-31")).agents
        views = agents[["self", "manager", "quality", "customer"]].astype(float)
        assert views.notna().mean().min() > 0.8              # most agents have every view
        assert views["quality"].mean() < views["manager"].mean() - 3
        lenient = agents["team"].isin(LENIENT_TEAMS)
        gap = views["manager"] - views["quality"]
        assert gap[lenient].mean() > gap[~lenient].mean() + 5
        assert ((views["self"] - views["customer"]) > 12).sum() >= 2
        assert 1 <= agents["misaligned"].sum() <= len(agents) // 3
        with eng.connect() as conn:
            unlinked = database.scalar(conn, """
                SELECT count(*) FROM evaluations e LEFT JOIN contacts c
                  ON c.source = e.source AND c.contact_id = e.contact_id AND c.agent_id = e.agent_id
                WHERE e.evaluator_role = 'quality' AND c.contact_id IS NULL""")
        assert unlinked == 0
    finally:
        database.dispose(path)


# ---------------------------------------------------------------- the page

def make_view(eng, **query):
    state = ViewState.from_query({"from": "2025-03-01", "to": "2025-03-31", **query}, (date(2025, 3, 3), date(2025, 3, 9)))
    settings = replace(Settings(), db=Path(eng.url.database))
    return View(settings, eng, date(2025, 3, 3), date(2025, 3, 9), state, dict(settings.targets), LOCAL)


def test_aln012_the_page_s_rows_say_the_numbers_in_words(eng):
    from components import alignment as al
    view = make_view(eng, sort="team")
    agents = al.ordered(al.alignment_of(view).agents, "team")
    # by team: T1 (A2 misaligned first, then A1), T2 (A3, A4), T3 (B1)
    assert agents["agent"].tolist() == ["A2", "A1", "A3", "A4", "B1"]
    rows = {r["rid"]: r for r in al.agent_rows(agents, 5)}
    assert rows["A2"]["agent"] == "Ben Diallo (A2)" and rows["A2"]["misaligned"] == "⚑ misaligned"
    assert rows["A2"]["row"] == "misaligned" and rows["A1"]["row"] == ""
    assert (rows["A3"]["manager__text"], rows["A3"]["manager"], rows["A3"]["manager__status"]) == ("– (4 values)",
                                                                                                   None, "few")
    assert rows["A4"]["self__text"] == "–" and rows["A1"]["quality__text"] == "72.0"
    pairs = {r["rid"]: r for r in al.pair_rows(al.alignment_of(view).pairs)}
    assert (pairs["self_quality"]["gap__text"], pairs["self_quality"]["mad__text"],
            pairs["self_quality"]["r__text"]) == ("+2.0 pts", "24.5 pts", "-0.94")
    assert pairs["self_manager"]["r__text"] == "–" and pairs["self_manager"]["pair"] == "Self-assessment – Manager"
    # the chart: an agent's name is text, never markup
    eng2_rows = al.views_figure(agents)
    assert eng2_rows["data"][1]["y"][0] == "Ben Diallo (A2)" and eng2_rows["data"][1]["x"][0] == 95
    marked = agents.assign(name=["<b>Ben</b>"] + agents["name"].tolist()[1:])
    assert al.views_figure(marked)["data"][1]["y"][0] == "&lt;b&gt;Ben&lt;/b&gt; (A2)"


def rows_of(dash_duo, grid):
    from selenium.webdriver.common.by import By
    return dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{grid} .ag-center-cols-container .ag-row")


def row_text(dash_duo, grid, row_id) -> str:
    """A row's text, its pinned cells' too (AG Grid lays them out in a container of their own)."""
    dash_duo.wait_for_element(f"#{grid} .ag-center-cols-container .ag-row[row-id='{row_id}']")
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(r => r.textContent).join(' | ')",
        f"#{grid} .ag-row[row-id='{row_id}']")


def click_row(dash_duo, grid, row_id) -> None:
    """A click on a row's first cell, wherever the page has scrolled it (a real DOM click)."""
    click(dash_duo, f"#{grid} .ag-row[row-id='{row_id}'] .ag-cell")


def until(check, timeout: float = 10) -> None:
    import time
    end = time.time() + timeout
    while not check():
        assert time.time() < end, "timed out"
        time.sleep(0.2)


def test_aln013_the_page_in_english_opens_an_agent_and_a_contact(dash_duo, eng, app_for):
    dash_duo.start_server(app_for(eng))
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.wait_for_page(dash_duo.server_url + "/alignment?from=2025-03-01&to=2025-03-31")
    dash_duo.wait_for_text_to_equal("#alignment-summary", "5 agents, 2 misaligned")
    until(lambda: len(rows_of(dash_duo, "alignment-agents")) == 5)
    first = dash_duo.find_element("#alignment-agents .ag-center-cols-container .ag-row[row-index='0']")
    assert first.get_attribute("row-id") == "A2" and "row-misaligned" in first.get_attribute("class")
    for text in ("Ben Diallo (A2)", "95.0", "85.0", "60.0", "45.0", "50.0", "⚑ misaligned"):
        assert text in row_text(dash_duo, "alignment-agents", "A2"), text
    assert "– (4 values)" in row_text(dash_duo, "alignment-agents", "A3")
    pairs = row_text(dash_duo, "alignment-pairs", "self_quality")
    assert "Self-assessment – Quality team" in pairs and "+2.0 pts" in pairs and "24.5 pts" in pairs and "-0.94" in pairs
    assert "none under 3 agents" in dash_duo.find_element("#alignment-definitions").text
    # the agent's numbers: its 15 evaluations and 5 answers
    click_row(dash_duo, "alignment-agents", "A1")
    dash_duo.wait_for_text_to_equal("#alignment-evaluations-count", "15 evaluations")
    assert "show=A1" in dash_duo.driver.current_url
    assert dash_duo.find_element("#alignment-answers-count").text == "5 survey answers with a satisfaction score"
    assert dash_duo.find_element("#alignment-detail-title").get_attribute("textContent").startswith(
        "Behind the numbers of Ana Roux (A1): self-assessment 90.0, manager 80.0")
    until(lambda: len(rows_of(dash_duo, "alignment-answers")) == 5)
    assert "the agent's work as a whole" in row_text(dash_duo, "alignment-evaluations", "e|test|A1-self-4")
    quality = row_text(dash_duo, "alignment-evaluations", "e|test|A1-quality-2")
    assert "Quality team" in quality and "74.0" in quality and "A1-2 ›" in quality
    answer_row = row_text(dash_duo, "alignment-answers", "a|test|s-A1-2")
    assert "4 / 5" in answer_row and "75.0" in answer_row
    # a survey answer opens its contact in explore, on its own day
    click_row(dash_duo, "alignment-answers", "a|test|s-A1-2")
    dash_duo.wait_for_contains_text("#explore-detail-body", "A1-2 (source test)")
    assert "/explore?from=2025-03-05&to=2025-03-05&by=agent" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_aln014_the_page_in_french(dash_duo, eng, app_for):
    from urllib.parse import quote
    dash_duo.start_server(app_for(eng))
    dash_duo.driver.set_window_size(1400, 1000)
    path = "/alignment?from=2025-03-01&to=2025-03-31&show=A3"
    dash_duo.wait_for_page(dash_duo.server_url + "/lang?to=fr&next=" + quote(path, safe="/"))
    dash_duo.wait_for_text_to_equal("#alignment-summary", "5 conseillers, 2 désalignés")
    assert dash_duo.find_element("html").get_attribute("lang") == "fr"
    nbsp = "\u00a0"
    first = row_text(dash_duo, "alignment-agents", "A2")
    assert "95,0" in first and "⚑ désaligné" in first
    assert "– (4 valeurs)" in row_text(dash_duo, "alignment-agents", "A3")
    pairs = row_text(dash_duo, "alignment-pairs", "self_quality")
    assert "Auto-évaluation – Équipe qualité" in pairs and f"+2,0{nbsp}pts" in pairs and f"24,5{nbsp}pts" in pairs
    assert "-0,94" in pairs
    header = dash_duo.find_element("#alignment-agents .ag-header").get_attribute("textContent")
    for text in ("Conseiller", "Équipe", "Auto-évaluation", "Superviseur", "Équipe qualité", "Client final",
                 "Dispersion", "Désaligné"):
        assert text in header, text
    body = dash_duo.find_element("#react-entry-point").get_attribute("textContent")
    for text in ("Quatre regards sur chaque conseiller", "Concordance des regards", "Écart absolu moyen",
                 "Une évaluation compte à partir de 5 valeurs", "Évaluations"):
        assert text in body, text
    # A3's numbers, opened from the link: 5 + 4 + 5 evaluations, 5 answers
    dash_duo.wait_for_text_to_equal("#alignment-evaluations-count", "14 évaluations")
    assert "Derrière les chiffres de Chloé Petit (A3)" in dash_duo.find_element(
        "#alignment-detail-title").get_attribute("textContent")
    until(lambda: "Superviseur" in row_text(dash_duo, "alignment-evaluations", "e|test|A3-manager-0"))
    assert "le travail du conseiller dans son ensemble" in row_text(dash_duo, "alignment-evaluations",
                                                                    "e|test|A3-manager-0")
    # closing the agent's numbers takes it out of the URL
    click(dash_duo, "#alignment-modal .btn-close")
    until(lambda: "show=" not in dash_duo.driver.current_url)
    assert "from=2025-03-01&to=2025-03-31" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []
