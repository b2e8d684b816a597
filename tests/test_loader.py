"""Loading rules of EXTRACTS.md: every bad file is refused with a clear message naming the
file, line and rule, and leaves the database exactly as it was."""
from __future__ import annotations

import pandas as pd
import pytest

from data import db as database
from data.db import frame
from data.loader import LoadError, load
from tests.conftest import KEY, write_csv

GOOD = [
    dict(contact_id="c1", arrived_at="2025-03-04 09:00:00", channel="Phone", outcome="answered",
         wait_s="12", talk_s="100", customer_id="CUST-1", transferred="oui"),
    dict(contact_id="c2", arrived_at="2025-03-04 09:05:00", channel="chat", outcome="abandoned",
         wait_s="70", customer_id="CUST-2"),
    dict(contact_id="c3", arrived_at="2025-03-04T10:00:00", channel="phone", direction="outbound",
         outcome="reached", talk_s="60", sale="Y", revenue="120.5"),
]


@pytest.fixture
def eng(tmp_path):
    path = tmp_path / "load.duckdb"
    yield database.engine(path)
    database.dispose(path)


def snapshot(eng) -> dict[str, pd.DataFrame]:
    """Every data table, in a stable order (the load log is checked separately)."""
    with eng.connect() as conn:
        return {t: database.frame(conn, f"SELECT * EXCLUDE (load_id) FROM {t} ORDER BY ALL")
                for t in ("contacts", "surveys", "agents", "campaigns")}


def load_log(eng) -> pd.DataFrame:
    with eng.connect() as conn:
        return database.frame(conn, "SELECT * FROM load_log ORDER BY load_id")


def assert_unchanged(before, after):
    for table in before:
        pd.testing.assert_frame_equal(before[table], after[table])


def load_good(eng, tmp_path):
    return load(eng, {"contacts": write_csv(tmp_path / "good.csv", GOOD)}, source="acd", key=KEY)


def test_ldr001_good_file_loads_typed_rows(eng, tmp_path):
    [report] = load_good(eng, tmp_path)
    assert (report.status, report.rows_read, report.accepted, report.rejected) == ("loaded", 3, 3, 0)
    rows = snapshot(eng)["contacts"].set_index("contact_id")
    assert rows.loc["c1", "channel"] == "phone"          # stored lower-case
    assert rows.loc["c1", "direction"] == "inbound"      # default direction
    assert bool(rows.loc["c1", "transferred"]) is True   # 'oui' is a yes
    assert pd.isna(rows.loc["c2", "talk_s"])             # empty is unknown, not 0
    assert rows.loc["c3", "revenue"] == 120.5
    assert rows.loc["c3", "arrived_at"] == pd.Timestamp("2025-03-04 10:00:00")


def test_ldr002_customer_ids_are_only_stored_hashed(eng, tmp_path):
    load_good(eng, tmp_path)
    rows = snapshot(eng)["contacts"]
    assert "customer_id" not in rows.columns
    keys = rows.set_index("contact_id")["customer_key"]
    assert keys["c1"] != "CUST-1" and len(keys["c1"]) == 32
    assert keys["c1"] != keys["c2"]
    assert pd.isna(keys["c3"])
    path = eng.url.database
    assert b"CUST-1" not in open(path, "rb").read()


def test_ldr003_same_id_hashes_alike_across_loads_so_repeats_link(eng, tmp_path):
    load_good(eng, tmp_path)
    later = [dict(contact_id="c9", arrived_at="2025-03-05 09:00:00", channel="email",
                  outcome="answered", customer_id="CUST-1")]
    load(eng, {"contacts": write_csv(tmp_path / "later.csv", later)}, source="crm", key=KEY)
    rows = snapshot(eng)["contacts"].set_index("contact_id")
    assert rows.loc["c9", "customer_key"] == rows.loc["c1", "customer_key"]
    # c1's next inbound contact of the same customer is c9, 24 h later, across sources
    assert rows.loc["c1", "next_gap_s"] == 24 * 3600
    assert rows.loc["c9", "prev_gap_s"] == 24 * 3600


def test_ldr004_reloading_the_same_file_changes_nothing(eng, tmp_path):
    load_good(eng, tmp_path)
    before = snapshot(eng)
    [report] = load_good(eng, tmp_path)
    assert report.status == "unchanged"
    assert_unchanged(before, snapshot(eng))
    assert list(load_log(eng)["status"]) == ["loaded", "unchanged"]


def test_ldr005_latest_load_wins(eng, tmp_path):
    load_good(eng, tmp_path)
    newer = [dict(contact_id="c2", arrived_at="2025-03-04 09:05:00", channel="chat",
                  outcome="answered", wait_s="40", talk_s="300", customer_id="CUST-2")]
    load(eng, {"contacts": write_csv(tmp_path / "newer.csv", newer)}, source="acd", key=KEY)
    rows = snapshot(eng)["contacts"].set_index("contact_id")
    assert len(rows) == 3
    assert rows.loc["c2", "outcome"] == "answered" and rows.loc["c2", "talk_s"] == 300
    # the same id from another source is another contact
    load(eng, {"contacts": write_csv(tmp_path / "other.csv", newer)}, source="chatbot", key=KEY)
    assert len(snapshot(eng)["contacts"]) == 4


BAD_FILES = {
    "missing_column": ("contact_id,arrived_at,channel\nc1,2025-03-04 09:00:00,phone\n",
                       ["bad.csv", "line 1", "missing required column", "outcome"]),
    "unknown_outcome": ("contact_id,arrived_at,channel,outcome\nc1,2025-03-04 09:00:00,phone,answered\n"
                        "c2,2025-03-04 09:01:00,phone,transfered\n",
                        ["bad.csv", "line 3", "outcome 'transfered' is not one of"]),
    "unparseable_date": ("contact_id,arrived_at,channel,outcome\nc1,04/03/2025 9h,phone,answered\n"
                         "c2,2025-03-04 09:01:00,phone,answered\n",
                         ["bad.csv", "line 2", "arrived_at '04/03/2025 9h' is not a date"]),
    "duplicate_ids": ("contact_id,arrived_at,channel,outcome\nc1,2025-03-04 09:00:00,phone,answered\n"
                      "c2,2025-03-04 09:01:00,phone,answered\nc1,2025-03-04 09:02:00,phone,answered\n",
                      ["bad.csv", "duplicate contact_id", "c1 (lines 2, 4)"]),
    "all_rows_bad": ("contact_id,arrived_at,channel,outcome\nc1,never,phone,answered\n"
                     "c2,2025-03-04 09:01:00,,answered\n",
                     ["bad.csv", "every row was rejected", "line 2", "line 3: channel is empty"]),
    "empty": ("", ["bad.csv", "empty"]),
    "header_only": ("contact_id,arrived_at,channel,outcome\n", ["bad.csv", "no data rows"]),
    "semicolons": ("contact_id;arrived_at;channel;outcome\nc1;2025-03-04 09:00:00;phone;answered\n",
                   ["missing required column", "separated by ';'"]),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_ldr006_bad_contacts_file_is_refused_clearly_and_changes_nothing(eng, tmp_path, case):
    load_good(eng, tmp_path)
    before = snapshot(eng)
    text, expected = BAD_FILES[case]
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as err:
        load(eng, {"contacts": path}, source="acd", key=KEY, reject_budget=0.0)
    for fragment in expected:
        assert fragment in str(err.value)
    assert_unchanged(before, snapshot(eng))
    log = load_log(eng)
    assert list(log["status"]) == ["loaded", "refused"]
    assert log.iloc[-1]["file_name"] == "bad.csv" and log.iloc[-1]["message"]


def test_ldr007_survey_score_out_of_range_is_rejected_with_line(eng, tmp_path):
    rows = [dict(response_id=f"r{i}", responded_at="2025-03-04 12:00:00", nps=str(i % 11))
            for i in range(20)]
    rows[4]["nps"] = "11"
    [report] = load(eng, {"surveys": write_csv(tmp_path / "s.csv", rows)}, source="survey",
                    key=KEY, reject_budget=0.1)
    assert (report.accepted, report.rejected) == (19, 1)
    assert report.rejects.to_dict("records") == [
        {"line": 6, "reason": "nps '11' is not between 0 and 10"}]
    assert len(snapshot(eng)["surveys"]) == 19


def test_ldr008_reject_budget_refuses_a_file_with_too_many_bad_rows(eng, tmp_path):
    rows = [dict(response_id=f"r{i}", responded_at="2025-03-04 12:00:00", nps="5") for i in range(10)]
    rows[0]["nps"] = rows[1]["nps"] = "eleven"
    path = write_csv(tmp_path / "s.csv", rows)
    with pytest.raises(LoadError, match=r"2 of 10 rows rejected, over the reject budget of 10%"):
        load(eng, {"surveys": path}, source="survey", key=KEY, reject_budget=0.1)
    assert snapshot(eng)["surveys"].empty
    [report] = load(eng, {"surveys": path}, source="survey", key=KEY, reject_budget=0.2)
    assert report.accepted == 8


def test_ldr009_non_csv_file_is_refused(eng, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(LoadError, match=r"photo.csv: not a CSV or text file"):
        load(eng, {"contacts": path}, source="acd", key=KEY)
    assert load_log(eng)["status"].tolist() == ["refused"]


def test_ldr010_wrong_encoding_fails_loudly(eng, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("contact_id,arrived_at,channel,outcome,reason\n"
                     "c1,2025-03-04 09:00:00,phone,answered,réclamation\n".encode("cp1252"))
    with pytest.raises(LoadError, match=r"latin.csv, line 2: not UTF-8"):
        load(eng, {"contacts": path}, source="acd", key=KEY)


def test_ldr011_a_refused_file_refuses_the_whole_load(eng, tmp_path):
    good = write_csv(tmp_path / "good.csv", GOOD)
    bad = tmp_path / "bad.csv"
    bad.write_text("response_id,responded_at\n", encoding="utf-8")
    with pytest.raises(LoadError, match="no data rows"):
        load(eng, {"contacts": good, "surveys": bad}, source="acd", key=KEY)
    assert snapshot(eng)["contacts"].empty
    log = load_log(eng).set_index("file_name")
    assert log.loc["good.csv", "status"] == "refused"
    assert "not loaded because the load was refused" in log.loc["good.csv", "message"]


def test_ldr012_xlsx_loads_like_csv(eng, tmp_path):
    path = tmp_path / "contacts.xlsx"
    pd.DataFrame(GOOD).to_excel(path, index=False)
    [report] = load(eng, {"contacts": path}, source="acd", key=KEY)
    assert report.accepted == 3
    assert sorted(snapshot(eng)["contacts"]["contact_id"]) == ["c1", "c2", "c3"]


def test_ldr013_outcome_must_fit_direction_and_numbers_be_valid(eng, tmp_path):
    rows = [dict(contact_id=f"c{i}", arrived_at="2025-03-04 09:00:00", channel="phone",
                 outcome="answered", wait_s="10") for i in range(10)]
    rows[1].update(direction="outbound")
    rows[2].update(wait_s="-3")
    rows[3].update(wait_s="12s")
    rows[4].update(transferred="maybe")
    [report] = load(eng, {"contacts": write_csv(tmp_path / "c.csv", rows)}, source="acd",
                    key=KEY, reject_budget=0.5)
    reasons = dict(zip(report.rejects["line"], report.rejects["reason"]))
    assert reasons == {
        3: "outcome 'answered' does not fit direction 'outbound'",
        4: "wait_s '-3' is not at least 0",
        5: "wait_s '12s' is not a number",
        6: "transferred 'maybe' is not a yes/no flag (1/0, true/false, yes/no, oui/non)",
    }


def test_ldr014_agents_and_campaigns_reference_tables_replace_by_key(eng, tmp_path):
    agents = [dict(agent_id="A1", agent_name="Léa Martin", team="T1", hired_on="2024-01-15")]
    load(eng, {"agents": write_csv(tmp_path / "a.csv", agents)}, source="hr", key=KEY)
    agents[0]["team"] = "T2"
    load(eng, {"agents": write_csv(tmp_path / "a2.csv", agents)}, source="hr", key=KEY)
    stored = snapshot(eng)["agents"]
    assert stored[["agent_id", "team"]].values.tolist() == [["A1", "T2"]]
    campaigns = [dict(campaign="REN-01", kind="recurring", purpose="renewal",
                      starts_on="2025-01-01", target_size="1200")]
    load(eng, {"campaigns": write_csv(tmp_path / "k.csv", campaigns)}, source="crm", key=KEY)
    assert snapshot(eng)["campaigns"]["target_size"].tolist() == [1200]


def surveyed_by_join(eng) -> dict:
    """Each contact's 'has a survey answer', computed directly (the flag must equal it)."""
    with eng.connect() as conn:
        rows = frame(conn, """SELECT c.contact_id, count(s.response_id) > 0 AS direct, c.surveyed AS flag
                              FROM contacts c LEFT JOIN surveys s
                                ON s.contact_source = c.source AND s.contact_id = c.contact_id
                              GROUP BY ALL ORDER BY 1""")
    return {r["contact_id"]: (bool(r["direct"]), r["flag"]) for r in rows.to_dict("records")}


def test_ldr020_the_surveyed_flag_follows_every_load(eng, tmp_path):
    def contacts(ids, name):
        return write_csv(tmp_path / name, [dict(contact_id=i, arrived_at="2025-03-04 09:00:00", channel="phone",
                                                outcome="answered") for i in ids])

    def surveys(pairs, name):
        return write_csv(tmp_path / name, [dict(response_id=r, responded_at="2025-03-05 09:00:00", contact_id=c,
                                                nps="8") for r, c in pairs])
    # answers arrive before their contacts: c1 is answered, c2 not
    load(eng, {"surveys": surveys([("r1", "c1")], "s1.csv")}, source="acd", key=KEY)
    load(eng, {"contacts": contacts(["c1", "c2"], "k1.csv")}, source="acd", key=KEY)
    assert surveyed_by_join(eng) == {"c1": (True, True), "c2": (False, False)}
    # a later extract moves r1 to c2 (the latest load wins): c1 loses its answer
    load(eng, {"surveys": surveys([("r1", "c2")], "s2.csv")}, source="acd", key=KEY)
    assert surveyed_by_join(eng) == {"c1": (False, False), "c2": (True, True)}
    # contacts reloaded keep their flag; answers of another source never link
    load(eng, {"contacts": contacts(["c1", "c2", "c3"], "k2.csv")}, source="acd", key=KEY)
    load(eng, {"surveys": surveys([("r9", "c3")], "s3.csv")}, source="other", key=KEY)
    assert surveyed_by_join(eng) == {"c1": (False, False), "c2": (True, True), "c3": (False, False)}


def test_ldr021_a_utf8_file_with_a_byte_order_mark_reads_its_first_column_and_accents(eng, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffcontact_id,arrived_at,channel,outcome,reason\n"
                     "b1,2025-03-04 09:00:00,phone,answered,Résiliation\n".encode("utf-8"))
    [report] = load(eng, {"contacts": path}, source="s", key=KEY)
    assert report.accepted == 1
    with eng.connect() as conn:
        row = frame(conn, "SELECT contact_id, reason FROM contacts").iloc[0]
    assert (row["contact_id"], row["reason"]) == ("b1", "Résiliation")


def test_ldr022_rejected_rows_files_never_carry_a_formula():
    import pandas as pd

    from data.loader import LoadReport, rejects_frame
    report = LoadReport(table="contacts", file_name="=HYPERLINK(1).csv",
                        rejects=pd.DataFrame({"line": [2, 3], "reason": ["=1+1 is not a date", "wait_s 'x' is not a number"]}))
    table = rejects_frame([report])
    assert table["file"].tolist() == ["'=HYPERLINK(1).csv"] * 2
    assert table["reason"].tolist() == ["'=1+1 is not a date", "wait_s 'x' is not a number"]
