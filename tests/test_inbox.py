"""The inbox the dashboard loads dropped extracts from: which files, in which order, through
which profile, and where each goes."""
from __future__ import annotations

from datetime import datetime

from data.inbox import Inbox, load_one, table_and_profile
from tests.conftest import KEY, write_csv

CONTACT = dict(contact_id="c1", arrived_at="2025-03-03 09:00:00", channel="phone", outcome="answered")


def test_inb001_a_file_is_loaded_once_its_size_has_settled_and_in_the_tables_order(tmp_path):
    inbox = Inbox(tmp_path)
    write_csv(tmp_path / "surveys-1.csv", [dict(response_id="r1", responded_at="2025-03-03 10:00:00")])
    write_csv(tmp_path / "contacts-1.csv", [CONTACT])
    write_csv(tmp_path / "agents.csv", [dict(agent_id="A1")])
    (tmp_path / "contacts-2.csv.part").write_text("still being copied")
    (tmp_path / ".hidden.csv").write_text("x")
    assert inbox.ready() == []                                   # first look: sizes noted
    grown = (tmp_path / "contacts-1.csv").read_text() + "c2,2025-03-03 10:00:00,phone,answered\n"
    (tmp_path / "contacts-1.csv").write_text(grown)
    # second look: the grown file waits; the others are ready, references first, surveys last
    assert [p.name for p in inbox.ready()] == ["agents.csv", "surveys-1.csv"]
    assert [p.name for p in inbox.ready()] == ["contacts-1.csv"]


def test_inb002_table_and_profile_from_the_name_or_the_file(tmp_path):
    path = write_csv(tmp_path / "appels--fr-acd-export.csv", [CONTACT])
    assert [x if isinstance(x, str) else x.name for x in table_and_profile(path, None)] == ["contacts", "fr-acd-export"]
    path = write_csv(tmp_path / "export.csv", [dict(response_id="r1", responded_at="2025-03-03 10:00:00")])
    table, profile = table_and_profile(path, None)
    assert (table, profile.name) == ("surveys", "canonical")      # the canonical header says it


def test_inb003_each_file_is_filed_with_its_rejects_and_why_it_was_refused(make_db, tmp_path):
    eng = make_db()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = write_csv(inbox / "contacts-a.csv", [CONTACT, dict(CONTACT, contact_id="c2", outcome="lost")])
    moved, [report] = load_one(eng, good, KEY, 0.6, None, now=datetime(2026, 12, 1, 3, 0))
    assert moved == inbox / "loaded" / "20261201-030000-contacts-a.csv" and moved.exists() and not good.exists()
    assert report.accepted == 1 and report.rejected == 1
    assert '"contacts-a.csv","contacts",3,"outcome \'lost\' is not one of' in (
        inbox / "loaded" / "20261201-030000-contacts-a.csv.rejects.csv").read_text()
    garbage = inbox / "contacts-b.csv"
    garbage.write_bytes(b"\x00\x01binary")
    moved, _ = load_one(eng, garbage, KEY, 0.05, None, now=datetime(2026, 12, 1, 3, 1))
    assert moved.parent.name == "refused"
    assert "not a CSV or text file" in moved.with_name(moved.name + ".error.txt").read_text()
