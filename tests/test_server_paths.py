"""Server paths that stay flat with size: the contact list read in two steps (keys, then rows)
and the campaign progress over the campaign's rows, against straightforward direct
computations written here (the numbers are the same as the one-query versions)."""
from __future__ import annotations

import random

import pandas as pd
import pytest

from data.loader import load
from metrics.campaigns import campaign_progress
from metrics.contacts import SORTS, contact_export, contact_list
from metrics.query import Scope, clear_cache
from tests.conftest import KEY, write_csv
from tests.test_kpis import contact, outbound, survey

# T1: A1, A2; T2: A3; A4 has no team; A9 (in the contacts) has no row in agents, so no team
AGENTS = [dict(agent_id="A1", agent_name="Léa Martin", team="T1"),
          dict(agent_id="A2", agent_name="Hugo Petit", team="T1"),
          dict(agent_id="A3", agent_name="Inès Roux", team="T2"),
          dict(agent_id="A4", agent_name="Paul Blanc", team=None)]
PERIOD = ("2025-03-01", "2025-03-31")


def contacts(prefix: str, n: int, seed: int) -> list[dict]:
    """Varied contacts over a week: few distinct arrival times (many ties), waits and handle
    times sometimes missing, every kind of agent, outbound campaign attempts to few customers."""
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        outbound = rnd.random() < 0.4
        talk = None if rnd.random() < 0.2 else rnd.randint(10, 300)
        rows.append(dict(
            contact_id=f"{prefix}{i:03d}" if rnd.random() < 0.5 else f"x{i:03d}",     # ids shared by sources
            arrived_at=f"2025-03-{rnd.randint(2, 8):02d} {rnd.choice(['09:00:00', '10:30:00', '14:15:00'])}",
            channel=rnd.choice(["phone", "chat"]), direction="outbound" if outbound else "inbound",
            outcome=rnd.choice(["reached", "not_reached"] if outbound else ["answered", "abandoned"]),
            queue=rnd.choice(["Q1", "Q2"]), client=rnd.choice(["X", "Y"]),
            campaign=rnd.choice(["REN", "QF"]) if outbound else None,
            customer_id=f"C{rnd.randint(1, 25)}" if outbound and rnd.random() < 0.9 else None,
            agent_id=rnd.choice(["A1", "A2", "A3", "A4", "A9", None]),
            wait_s=None if rnd.random() < 0.15 else rnd.choice([0, 1, 3, 5, 7, 10, 15, 20, 40]),   # edges of bands
            talk_s=talk, hold_s=None if talk is None or rnd.random() < 0.5 else rnd.randint(0, 30)))
    return rows


@pytest.fixture(scope="module")
def eng(tmp_path_factory):
    from data import db as database
    tmp = tmp_path_factory.mktemp("paths")
    yield paths_db(tmp)
    database.dispose(tmp / "paths.duckdb")


def paths_db(tmp):
    from data import db as database
    engine = database.engine(tmp / "paths.duckdb")
    for source, prefix, seed in (("test", "t", 1), ("other", "o", 2)):
        rows = contacts(prefix, 160, seed)
        answered = [r["contact_id"] for r in rows[::7]]
        surveys = [dict(response_id=f"{source}{k}", responded_at=f"2025-03-{9 + k % 3:02d} {k % 24:02d}:{k // 24:02d}:00",
                        contact_id=cid, nps=k % 11) for k, cid in enumerate(answered + answered[::2])]
        files = {"contacts": write_csv(tmp / f"c-{source}.csv", rows),
                 "surveys": write_csv(tmp / f"s-{source}.csv", surveys)}
        if source == "test":
            files["agents"] = write_csv(tmp / "agents.csv", AGENTS)
        load(engine, files, source=source, key=KEY)
    return engine


def reference_rows(eng, where: str, sort: str, limit: int, offset: int) -> pd.DataFrame:
    """The page as one plain query over the contacts joined to their agent, the latest answer
    read per contact (the way the list was read before the two steps)."""
    order = SORTS[sort]
    sql = f"""
        SELECT c.source, c.contact_id, c.arrived_at, c.wait_s,
               CASE WHEN c.talk_s IS NULL AND c.hold_s IS NULL AND c.acw_s IS NULL THEN NULL
                    ELSE coalesce(c.talk_s, 0) + coalesce(c.hold_s, 0) + coalesce(c.acw_s, 0) END AS handle_s,
               c.agent_id AS agent, a.agent_name, a.team,
               (SELECT count(*) FROM surveys s WHERE s.contact_source = c.source
                  AND s.contact_id = c.contact_id) AS answers,
               (SELECT arg_max(s.nps, s.responded_at) FROM surveys s WHERE s.contact_source = c.source
                  AND s.contact_id = c.contact_id) AS nps
        FROM contacts c LEFT JOIN agents a ON a.agent_id = c.agent_id
        WHERE c.arrived_at >= TIMESTAMP '2025-03-01' AND c.arrived_at < TIMESTAMP '2025-04-01' AND {where}
        ORDER BY {order} LIMIT {limit} OFFSET {offset}"""
    with eng.connect() as conn:
        return pd.DataFrame(conn.exec_driver_sql(sql).mappings().all())


def reference_total(eng, where: str) -> int:
    with eng.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT count(*) FROM contacts c LEFT JOIN agents a ON a.agent_id = c.agent_id"
            " WHERE c.arrived_at >= TIMESTAMP '2025-03-01' AND c.arrived_at < TIMESTAMP '2025-04-01'"
            f" AND {where}").scalar()


COMPARED = ["source", "contact_id", "arrived_at", "wait_s", "handle_s", "agent", "agent_name", "team", "nps"]


def same_page(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert len(got) == len(want)
    if want.empty:
        return
    got = got[COMPARED + ["answers"]].reset_index(drop=True)
    want = want[COMPARED + ["answers"]].reset_index(drop=True)
    got["answers"] = got["answers"].fillna(0)     # no answer: null in the page, 0 in the count
    for col in COMPARED + ["answers"]:
        g = [None if pd.isna(v) else v for v in got[col]]
        w = [None if pd.isna(v) else v for v in want[col]]
        if col in ("arrived_at",):
            g, w = [pd.Timestamp(v) for v in g], [pd.Timestamp(v) for v in w]
        elif col in ("wait_s", "handle_s", "nps", "answers"):
            g = [None if v is None else float(v) for v in g]
            w = [None if v is None else float(v) for v in w]
        assert g == w, col


# (scope, the same scope as SQL over ``c`` and ``a``) : no filter, a team drill path, restricted viewers
CASES = {
    "all": (Scope.of(*PERIOD), "TRUE"),
    "team drill": (Scope.of(*PERIOD, channel="phone", team="T1"),
                   "c.channel IN ('phone') AND a.team IN ('T1')"),
    "two teams": (Scope.of(*PERIOD, team=["T1", "T2"]), "a.team IN ('T1', 'T2')"),
    "restricted to a team": (Scope.of(*PERIOD, queue="Q1").restricted(team=["T2"]),
                             "c.queue IN ('Q1') AND a.team IN ('T2')"),
    "restricted to a client, team filter": (Scope.of(*PERIOD, team="T1").restricted(client=["X"]),
                                            "a.team IN ('T1') AND c.client IN ('X')"),
    "team filter outside the restriction": (Scope.of(*PERIOD, team="T1").restricted(team=["T2"]), "FALSE"),
    "restricted to no team": (Scope.of(*PERIOD).restricted(team=[]), "FALSE"),
    "unknown team": (Scope.of(*PERIOD, team="T9"), "FALSE"),
}


@pytest.mark.parametrize("counted", ["rollup", "contacts"])
@pytest.mark.parametrize("size", [7, 40])
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("sort", list(SORTS))
def test_spd001_contact_pages_are_those_of_the_plain_query(eng, case, sort, size, counted, monkeypatch):
    # a page by time read within the days that hold it (a page of 7 within one or two, one of
    # 40 across several), one by value among the contacts without a value too; the contacts
    # counted from the daily roll-up, or over the contacts when there is none
    if counted == "contacts":
        monkeypatch.setattr("metrics.rollups.covering", lambda *args, **kwargs: None)
    scope, where = CASES[case]
    clear_cache()
    total = reference_total(eng, where)
    first = contact_list(eng, scope, page=0, page_size=size, sort=sort)
    assert first.total == total
    last_page = max(0, -(-total // size) - 1)
    for page in sorted({0, last_page // 2, last_page}):
        got = contact_list(eng, scope, page=page, page_size=size, sort=sort)
        assert (got.total, got.page) == (total, page)
        same_page(got.rows, reference_rows(eng, where, sort, size, page * size))
    # every contact on exactly one page
    seen = [(r.source, r.contact_id) for p in range(last_page + 1)
            for r in contact_list(eng, scope, page=p, page_size=size, sort=sort).rows.itertuples()]
    assert len(seen) == len(set(seen)) == total


def test_spd002_the_fixture_has_what_the_comparison_needs(eng):
    # ties in arrival time, contact ids shared by both sources, contacts without a team
    all_rows = reference_rows(eng, "TRUE", "recent", 1000, 0)
    assert all_rows.duplicated(["arrived_at"]).any()
    assert all_rows.duplicated(["contact_id"]).any()
    assert all_rows["team"].isna().any() and (all_rows["agent"] == "A9").any()
    assert all_rows["wait_s"].isna().any() and all_rows["handle_s"].isna().any()
    assert (all_rows["answers"] > 1).any()


def test_spd003_export_is_the_plain_query_too(eng):
    scope, where = CASES["team drill"]
    clear_cache()
    same_page(contact_export(eng, scope, sort="longest_handle"), reference_rows(eng, where, "longest_handle", 1000, 0))
    same_page(contact_export(eng, scope, limit=5), reference_rows(eng, where, "recent", 5, 0))


@pytest.mark.engines
def test_spd009_contact_pages_by_hand_on_both_engines(make_db):
    # c1..c5 over three days; handle = talk + hold; c4 has neither a wait nor a handle time,
    # c5 (outbound) no wait; c1 answered twice (the latest NPS 3), c3 once
    at = {"c1": "2025-03-03 09:00:00", "c2": "2025-03-03 10:00:00", "c3": "2025-03-04 09:00:00",
          "c4": "2025-03-04 11:00:00", "c5": "2025-03-05 08:00:00"}
    eng = make_db(
        contacts=[contact("c1", at["c1"], agent_id="A1", client="X", wait_s=30, talk_s=100),
                  contact("c2", at["c2"], agent_id="A2", client="X", wait_s=5, talk_s=200, hold_s=20),
                  contact("c3", at["c3"], channel="chat", agent_id="A1", client="X", wait_s=60, talk_s=50),
                  contact("c4", at["c4"], "abandoned", agent_id="A3", client="X"),
                  outbound("c5", at["c5"], agent_id="A2", client="X", talk_s=300)],
        surveys=[survey("r1", "2025-03-03 12:00:00", contact_id="c1", nps=9),
                 survey("r2", "2025-03-04 12:00:00", contact_id="c1", nps=3),
                 survey("r3", "2025-03-04 13:00:00", contact_id="c3", nps=10)],
        agents=[dict(agent_id="A1", agent_name="Léa", team="T1"), dict(agent_id="A2", agent_name="Hugo", team="T1"),
                dict(agent_id="A3", agent_name="Inès", team="T2")])
    march = Scope.of("2025-03-01", "2025-03-31")

    def ids(scope, sort, page, size=2):
        got = contact_list(eng, scope, page=page, page_size=size, sort=sort)
        return got.total, got.rows["contact_id"].tolist()

    assert [ids(march, "recent", p) for p in range(3)] == [(5, ["c5", "c4"]), (5, ["c3", "c2"]), (5, ["c1"])]
    assert ids(march, "oldest", 1) == (5, ["c3", "c4"])
    # waits 60, 30, 5, then none: the latest first
    assert [ids(march, "longest_wait", p)[1] for p in range(3)] == [["c3", "c1"], ["c2", "c5"], ["c4"]]
    # handle times 300, 220, 100, 50, then none
    assert [ids(march, "longest_handle", p)[1] for p in range(3)] == [["c5", "c2"], ["c1", "c3"], ["c4"]]
    assert ids(march.with_filters(team="T1", channel="phone"), "recent", 0, 10) == (3, ["c5", "c2", "c1"])
    rows = contact_list(eng, march.with_filters(team="T1"), sort="oldest").rows
    assert rows["contact_id"].tolist() == ["c1", "c2", "c3", "c5"]
    assert rows["answers"].fillna(0).tolist() == [2, 0, 1, 0]
    assert [None if pd.isna(v) else v for v in rows["nps"]] == [3, None, 10, None]
    assert rows["team"].tolist() == ["T1"] * 4
    assert ids(march.restricted(team=["T2"]), "recent", 0) == (1, ["c4"])


def direct_progress(eng, campaign: str, where: str, start: str = "2025-03-01", end: str = "2025-03-31"
                    ) -> list[tuple]:
    """The progress computed in Python from the contacts: per customer, the day of the first
    attempt and of the first reach in the scope; cumulated distinct customers per day."""
    with eng.connect() as conn:
        rows = pd.DataFrame(conn.exec_driver_sql(
            "SELECT c.customer_key, CAST(c.arrived_at AS DATE) AS day, c.outcome FROM contacts c"
            " LEFT JOIN agents a ON a.agent_id = c.agent_id"
            f" WHERE c.campaign = '{campaign}' AND c.direction = 'outbound' AND {where}"
            f" AND CAST(c.arrived_at AS DATE) BETWEEN DATE '{start}' AND DATE '{end}'").mappings().all())
    if rows.empty:
        return []
    rows = rows[rows["customer_key"].notna()]
    tried = rows.groupby("customer_key")["day"].min()
    reached = rows[rows["outcome"] == "reached"].groupby("customer_key")["day"].min()
    days = sorted(set(tried) | set(reached))
    return [(d, int((tried <= d).sum()), int((reached <= d).sum())) for d in days]


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("campaign", ["REN", "QF", "NONE"])
def test_spd004_campaign_progress_is_the_direct_computation(eng, case, campaign):
    scope, where = CASES[case]
    clear_cache()
    got = campaign_progress(eng, scope, campaign)
    assert [(d, int(t), int(r)) for d, t, r in got[["day", "tried", "reached"]].itertuples(index=False)] \
        == direct_progress(eng, campaign, where)


def test_spd005_campaign_progress_of_part_of_the_period_and_a_campaign_filter(eng):
    clear_cache()
    part = Scope.of("2025-03-04", "2025-03-06", client="Y")
    got = campaign_progress(eng, part, "REN")
    want = direct_progress(eng, "REN", "c.client IN ('Y')", "2025-03-04", "2025-03-06")
    assert want and [(d, int(t), int(r)) for d, t, r in got.itertuples(index=False)] == want
    # a campaign filter other than the campaign shown leaves nothing, as before
    assert campaign_progress(eng, Scope.of(*PERIOD, campaign="QF"), "REN").empty


def test_spd006_campaign_progress_read_from_its_rollup_stays_exact_under_loads(tmp_path, monkeypatch):
    """The progress is read from the roll-up of each campaign's customers per day; a load that
    moves attempts to other days, changes their outcomes and customers, and adds some, keeps it
    equal to the direct computation, and to the query over the contacts without the roll-up."""
    from data import db as database
    from metrics import rollups
    engine = paths_db(tmp_path)
    try:
        assert rollups.covering(engine, "contacts", ["team", "client"], None, "customers") is not None
        again = [dict(r, arrived_at=r["arrived_at"].replace("2025-03-0", "2025-03-1"),
                      outcome="reached" if r["outcome"] == "not_reached" else "not_reached",
                      customer_id=f"C{int(r['customer_id'][1:]) % 7}" if r["customer_id"] else None)
                 for r in contacts("t", 160, 1)[::3] if r["direction"] == "outbound"]
        again += [dict(again[0], contact_id="new1", customer_id="C99", arrived_at="2025-03-20 09:00:00")]
        load(engine, {"contacts": write_csv(tmp_path / "again.csv", again)}, source="test", key=KEY)
        for case in ("all", "team drill", "restricted to a client, team filter"):
            scope, where = CASES[case]
            for campaign in ("REN", "QF"):
                clear_cache()
                got = campaign_progress(engine, scope, campaign)
                want = direct_progress(engine, campaign, where)
                assert want and [(d, int(t), int(r)) for d, t, r in got.itertuples(index=False)] == want
                monkeypatch.setattr(rollups, "covering", lambda *a, **k: None)
                clear_cache()
                assert campaign_progress(engine, scope, campaign).equals(got)
                monkeypatch.undo()
    finally:
        database.dispose(tmp_path / "paths.duckdb")


def test_spd007_answers_meet_their_contacts_through_the_surveyed_flag_exactly(tmp_path):
    """The surveys' rows read their contact among the contacts flagged ``surveyed`` and by the
    arrival the answer keeps: after loads that move answers to other contacts, add answers
    (one before its contact), replace contacts (some arriving at another time), and in a
    database made before answers kept their contact's arrival, every answer still meets
    exactly the contact a plain join finds."""
    from data import db as database
    from metrics.relations import ROWS_SQL
    engine = paths_db(tmp_path)
    plain = ("surveys s LEFT JOIN contacts lc ON lc.source = s.contact_source AND lc.contact_id = s.contact_id")
    pairs = lambda rows: ("SELECT s.contact_source, s.response_id, lc.source, lc.contact_id, lc.agent_id"  # noqa: E731
                          f" FROM {rows} ORDER BY ALL")
    try:
        moved = [dict(response_id="test0", responded_at="2025-03-12 10:00:00", contact_id="t001", nps=3),
                 dict(response_id="test1", responded_at="2025-03-12 11:00:00", contact_id="x004", nps=9),
                 dict(response_id="test-new", responded_at="2025-03-13 09:00:00", contact_id="t005", nps=7),
                 dict(response_id="test-early", responded_at="2025-03-13 10:00:00", contact_id="t999", nps=2)]
        load(engine, {"surveys": write_csv(tmp_path / "moved.csv", moved)}, source="test", key=KEY)
        again = [dict(r, agent_id="A2", arrived_at="2025-03-08 16:45:00" if i % 2 else r["arrived_at"])
                 for i, r in enumerate(contacts("t", 160, 1)[:30])]
        late = dict(again[0], contact_id="t999", arrived_at="2025-03-13 08:00:00")
        load(engine, {"contacts": write_csv(tmp_path / "again.csv", again + [late])}, source="test", key=KEY)

        def met():
            with engine.connect() as conn:
                return (conn.exec_driver_sql(pairs(plain)).fetchall(),
                        conn.exec_driver_sql(pairs(ROWS_SQL["surveys"])).fetchall())
        want, got = met()
        assert any(r[3] is not None for r in want) and any(r[3] is None for r in want)   # linked and not
        assert ("test", "test-early", "test", "t999", "A2") in want
        assert got == want
        # the contact list finds the answer given before its contact was loaded
        day = contact_list(engine, Scope.of("2025-03-13", "2025-03-13")).rows
        assert day[["contact_id", "answers", "nps"]].values.tolist() == [["t999", 1, 2]]
        with engine.begin() as conn:    # as a database made before the column was
            conn.exec_driver_sql("ALTER TABLE surveys DROP COLUMN contact_arrived_at")
        database.dispose(tmp_path / "paths.duckdb")
        engine = database.engine(tmp_path / "paths.duckdb")
        assert met() == (want, want)
    finally:
        database.dispose(tmp_path / "paths.duckdb")


def test_spd008_evaluations_meet_their_contacts_through_the_evaluated_flag_exactly(tmp_path):
    """The evaluations' rows read their contact among the contacts flagged ``evaluated``: after
    a load of evaluations (some about a contact, one about none, one about a contact that does
    not exist), a reload that moves one to another contact, and a reload of contacts arriving
    at another time, every evaluation still meets exactly the contact a plain join finds."""
    from data import db as database
    from metrics.relations import ROWS_SQL
    engine = paths_db(tmp_path)
    plain = ("evaluations e LEFT JOIN agents ea ON ea.agent_id = e.agent_id"
             " LEFT JOIN contacts ec ON ec.source = e.source AND ec.contact_id = e.contact_id")
    pairs = lambda rows: ("SELECT e.source, e.evaluation_id, ec.source, ec.contact_id, ec.channel"  # noqa: E731
                          f" FROM {rows} ORDER BY ALL")
    flagged = "SELECT contact_id FROM contacts WHERE evaluated ORDER BY ALL"
    evaluation = lambda i, contact: dict(evaluation_id=f"ev{i}", evaluated_at="2025-03-20 10:00:00",  # noqa: E731
                                         agent_id="A1", evaluator_role="quality", score=70, contact_id=contact)
    a, b, c = sorted({r["contact_id"] for r in contacts("t", 160, 1)[:30]})[:3]   # reloaded below
    try:
        first = [evaluation(1, a), evaluation(2, b), evaluation(3, None), evaluation(4, "nowhere")]
        load(engine, {"evaluations": write_csv(tmp_path / "ev1.csv", first)}, source="test", key=KEY)
        with engine.connect() as conn:
            assert [r[0] for r in conn.exec_driver_sql(flagged)] == [a, b]
        # ev2 now about c: b is no longer evaluated
        load(engine, {"evaluations": write_csv(tmp_path / "ev2.csv", [evaluation(2, c)])},
             source="test", key=KEY)
        again = [dict(r, agent_id="A2", arrived_at="2025-03-08 16:45:00") for r in contacts("t", 160, 1)[:30]]
        load(engine, {"contacts": write_csv(tmp_path / "again.csv", again)}, source="test", key=KEY)
        with engine.connect() as conn:
            assert [r[0] for r in conn.exec_driver_sql(flagged)] == [a, c]
            want = conn.exec_driver_sql(pairs(plain)).fetchall()
            got = conn.exec_driver_sql(pairs(ROWS_SQL["evaluations"])).fetchall()
        assert sum(r[3] is not None for r in want) == 2 and sum(r[3] is None for r in want) == 2
        assert got == want
    finally:
        database.dispose(tmp_path / "paths.duckdb")
