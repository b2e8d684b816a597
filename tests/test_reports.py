"""Reports by e-mail, sent to a real SMTP server the test starts on the loopback: the message
read back, its attachments opened and their numbers checked against the committee's."""
from __future__ import annotations

import email
import io
import os
import shutil
import socket
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from openpyxl import load_workbook

from reports.mail import MailError, Smtp, addresses
from tests.test_committee import CONTACTS, SURVEYS

ROOT = Path(__file__).resolve().parents[1]
# the committee tests' contract and targets (tests/test_committee.py CONFIG)
CONFIG = """min_answers = 3
[contracts]
ACME = ["service_level:phone", "nps", "aht"]
[targets.aht]
target = 300
"""


class Inbox:
    """What the SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    """A real SMTP server on the loopback (aiosmtpd), and what it receives."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def send(tmp_path, db, port, *extra, lang="fr"):
    config = tmp_path / "pilotage.toml"
    config.write_text(CONFIG, encoding="utf-8")
    env = dict(os.environ, PILOTAGE_CONFIG=str(config), PILOTAGE_LANG=lang, PILOTAGE_SMTP_HOST="127.0.0.1",
               PILOTAGE_SMTP_PORT=str(port), PILOTAGE_SMTP_FROM="pilotage@centre.example",
               PILOTAGE_KEY_FILE=str(tmp_path / "k.key"))
    return subprocess.run([sys.executable, "-m", "reports", "send", "--db", str(db), *extra], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (make test installs it)")
def test_rep001_the_committee_pack_arrives_with_the_committee_s_numbers(make_db, tmp_path, smtp):
    port, inbox = smtp
    eng = make_db(contacts=CONTACTS, surveys=SURVEYS)
    db = Path(eng.url.database)
    eng.dispose()
    out = send(tmp_path, db, port, "--committee", "ACME", "--month", "2025-03", "--to", "dg@client.example; cr@centre.example")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "envoyé\u00a0: Comité de pilotage – ACME – mars 2025, à dg@client.example, cr@centre.example"
    [(sender, recipients, mail)] = inbox.messages
    assert sender == "pilotage@centre.example" and recipients == ["dg@client.example", "cr@centre.example"]
    assert mail["Subject"] == "Comité de pilotage – ACME – mars 2025"
    files = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
    assert set(files) == {"comite-pilotage-ACME-2025-03.pdf", "comite-pilotage-ACME-2025-03.xlsx"}
    # the workbook's numbers, as the committee tests work them out: March's phone service level
    # 2 of 4 within 20 s = 50 % against 80 (tolerance 75): missed; NPS (2 − 1) ÷ 4 = +25
    sheet = load_workbook(io.BytesIO(files["comite-pilotage-ACME-2025-03.xlsx"]))["Indicateurs"]
    first = [c.value for c in sheet[5]]
    assert first[1:6] == ["service_level", "téléphone", 80, 75, 50]
    assert [c.value for c in sheet[6]][5] == 25
    text = pdf_text(files["comite-pilotage-ACME-2025-03.pdf"], tmp_path)
    assert "Comité de pilotage – ACME – mars 2025" in text and "50,0 %" in text and "+25" in text
    with eng.connect() as conn:
        sent = conn.execute(sa.text("SELECT what, recipients, subject, result FROM sendings")).all()
    assert sent == [("committee ACME 2025-03", "dg@client.example, cr@centre.example",
                     "Comité de pilotage – ACME – mars 2025", "sent")]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (make test installs it)")
def test_rep006_the_director_s_summary_holds_every_client_s_month(make_db, tmp_path, smtp):
    port, inbox = smtp
    eng = make_db(contacts=CONTACTS, surveys=SURVEYS)
    db = Path(eng.url.database)
    eng.dispose()
    out = send(tmp_path, db, port, "--summary", "--month", "2025-03", "--to", "direction@centre.example")
    assert out.returncode == 0, out.stderr
    [(_sender, recipients, mail)] = inbox.messages
    assert recipients == ["direction@centre.example"] and mail["Subject"] == "Synthèse mensuelle – mars 2025"
    files = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
    assert set(files) == {"synthese-mensuelle-2025-03.pdf", "synthese-mensuelle-2025-03.xlsx"}
    book = load_workbook(io.BytesIO(files["synthese-mensuelle-2025-03.xlsx"]))
    assert "Décisions" not in book.sheetnames        # no committee: nothing was decided
    rows = {(r[1], r[2]): r for r in book["Indicateurs"].iter_rows(min_row=5, values_only=True) if r[1]}
    # March, ACME and OTHER together (tests/test_committee.py): six contacts, all answered.
    # Service level, each channel against its own threshold: phone waits 10 and 20 within
    # 20 s, 25, 30 and 100 not; the e-mail's 3600 s within a day -> 3 / 6 = 50 % (target 80)
    assert rows[("service_level", "tous canaux")][3:6] == (80, 75, 50)
    assert rows[("answer_rate", "tous canaux")][5] == 100
    # per channel: phone ASA (10 + 20 + 25 + 30 + 100) / 5 = 37 s; AHT (200 + 300 + 400 + 500
    # + 900) / 5 = 460 s against the settings file's 300; the e-mail: 3600 s and 100 s
    assert rows[("asa", "téléphone")][5] == 37 and rows[("asa", "e-mail")][5] == 3600
    assert rows[("aht", "téléphone")][3] == 300 and rows[("aht", "téléphone")][5] == 460
    assert rows[("aht", "e-mail")][5] == 100
    # answers 3, 7, 9, 10, 0: promoters 2, detractors 2 -> NPS 0; satisfaction 1, 4, 5, 5, 1:
    # 3 of 5 at 4-5 -> 60 %; 5 of the 6 handled contacts answered -> 83.3 %
    assert rows[("nps", "tous canaux")][5] == 0 and rows[("csat", "tous canaux")][5] == 60
    assert round(rows[("response_rate", "tous canaux")][5], 1) == 83.3
    # nothing behind them in the twelve months: no customer known, no outbound, no effort score
    assert not {k for k, _c in rows} & {"fcr", "repeat_rate", "reach_rate", "ces"}
    text = pdf_text(files["synthese-mensuelle-2025-03.pdf"], tmp_path)
    assert "Synthèse mensuelle – mars 2025" in text and "Tous les clients, mars 2025" in text
    assert "60,0 %" in text and "83,3 %" in text and "Décisions" not in text
    out = send(tmp_path, db, port, "--summary", "--month", "2024-01", "--to", "direction@centre.example", lang="en")
    assert (out.returncode, out.stderr.strip()) == (1, "error: no data in January 2024")
    out = send(tmp_path, db, port, "--summary", "--committee", "ACME", "--month", "2025-03", "--to", "d@c.example")
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_rep002_a_refused_sending_is_one_clear_line_and_is_recorded(make_db, tmp_path, smtp):
    port, inbox = smtp
    eng = make_db(contacts=CONTACTS, surveys=SURVEYS)
    db = Path(eng.url.database)
    eng.dispose()
    out = send(tmp_path, db, 1, "--committee", "ACME", "--month", "2025-03", "--to", "dg@client.example", lang="en")
    assert out.returncode == 1 and out.stderr.startswith("error: the SMTP server 127.0.0.1:1 did not take the message")
    assert "Traceback" not in out.stderr and inbox.messages == []
    out = send(tmp_path, db, port, "--committee", "NOBODY", "--month", "2025-03", "--to", "dg@client.example", lang="en")
    assert (out.returncode, out.stderr.strip()) == (1, "error: no client 'NOBODY' in the data")
    out = send(tmp_path, db, port, "--committee", "ACME", "--month", "mars", "--to", "dg@client.example", lang="en")
    assert (out.returncode, out.stderr.strip()) == (1, "error: 'mars' is not a month (YYYY-MM)")
    # the refused sending is recorded; the two refused before sending had nothing to send
    with eng.connect() as conn:
        assert conn.execute(sa.text("SELECT result FROM sendings")).all() == [("failed",)]


def test_rep003_addresses_and_smtp_settings_are_checked():
    assert addresses("a@x.fr, b@y.com;c@z.org") == ["a@x.fr", "b@y.com", "c@z.org"]
    for bad in ("", "nobody", "a@x.fr, <script>@x.fr", "a@x"):
        with pytest.raises(MailError):
            addresses(bad)
    assert Smtp.from_env({"PILOTAGE_SMTP_HOST": "mail", "PILOTAGE_SMTP_SECURITY": "starttls"}).port == 587
    assert Smtp.from_env({"PILOTAGE_SMTP_HOST": "mail", "PILOTAGE_SMTP_SECURITY": "ssl"}).port == 465
    assert Smtp.from_env({}).host is None
    for env in ({"PILOTAGE_SMTP_PORT": "x"}, {"PILOTAGE_SMTP_SECURITY": "tls1"}, {"PILOTAGE_SMTP_FROM": "me"}):
        with pytest.raises(MailError):
            Smtp.from_env(env)


def test_rep004_reports_go_out_on_the_first_working_day_at_eight_in_paris():
    from datetime import date, datetime

    from reports.schedule import PARIS, easter, first_working_day, month_due, sending_time
    assert (easter(2025), easter(2026), easter(2027)) == (date(2025, 4, 20), date(2026, 4, 5), date(2027, 3, 28))
    # 1 Nov 2026 is a Sunday and All Saints' Day: Monday 2nd; 1 Jan 2027 a Friday and New
    # Year's Day: Monday 4th; 1 May 2026 a Friday and Labour Day: Monday 4th; 1 Dec 2026 a Tuesday
    assert first_working_day(2026, 11) == date(2026, 11, 2) and first_working_day(2027, 1) == date(2027, 1, 4)
    assert first_working_day(2026, 5) == date(2026, 5, 4) and first_working_day(2026, 12) == date(2026, 12, 1)
    # November's reports: Tuesday 1 December 2026, 8:00 in Paris (winter time, UTC+1)
    assert sending_time(date(2026, 11, 1)) == datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)
    assert sending_time(date(2026, 11, 1)).utcoffset().total_seconds() == 3600
    # at 7:59 October's are the latest due; at 8:00, November's
    assert month_due(datetime(2026, 12, 1, 7, 59, tzinfo=PARIS)) == date(2026, 10, 1)
    assert month_due(datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)) == date(2026, 11, 1)


def test_rep005_the_scheduler_sends_what_is_due_once_and_runs_alone(make_db, tmp_path, smtp):
    from dataclasses import replace
    from datetime import datetime

    from reports.deliver import only_scheduler, run_due
    from reports.schedule import PARIS, Committee, Summary, read_schedule
    from settings import Settings, apply_config
    from tests.test_committee import CONFIG as COMMITTEE_CONFIG
    port, inbox = smtp
    eng = make_db(contacts=CONTACTS, surveys=SURVEYS)
    settings = replace(apply_config(Settings(), COMMITTEE_CONFIG), db=Path(eng.url.database))
    mail = Smtp("127.0.0.1", port, sender="pilotage@centre.example")
    schedule = [Committee("ACME", ("dg@client.example",))]
    # Tuesday 1 April 2025, 8:30 in Paris: March's pack is due
    done = run_due(settings, eng, mail, schedule, datetime(2025, 4, 1, 8, 30, tzinfo=PARIS))
    assert done == ["sent: committee ACME 2025-03"] and len(inbox.messages) == 1
    assert run_due(settings, eng, mail, schedule, datetime(2025, 4, 1, 9, 30, tzinfo=PARIS)) == []   # once
    assert len(inbox.messages) == 1
    # a client the data do not know is said, and tried again at the next run
    assert run_due(settings, eng, mail, [Committee("NOBODY", ("x@y.fr",))], datetime(2025, 4, 1, 9, tzinfo=PARIS)) == [
        "not sent: committee NOBODY 2025-03 (no client 'NOBODY' in the data)"]
    lock = tmp_path / "scheduler.lock"
    with only_scheduler(lock):
        with pytest.raises(ValueError, match="another scheduler already runs"):
            with only_scheduler(lock):
                pass
    path = tmp_path / "schedule.toml"
    path.write_text('[[committee]]\nclient = "ACME"\nto = ["dg@client.example"]\n', encoding="utf-8")
    assert read_schedule(path) == schedule
    path.write_text('[[committee]]\nclient = "ACME"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="committee 1 needs a client and a list of addresses"):
        read_schedule(path)
    # the director's summary goes out on the same day, once, beside the committee packs
    path.write_text('[[committee]]\nclient = "ACME"\nto = ["dg@client.example"]\n\n'
                    '[[summary]]\nto = ["direction@centre.example"]\n', encoding="utf-8")
    assert read_schedule(path) == schedule + [Summary(("direction@centre.example",))]
    assert run_due(settings, eng, mail, read_schedule(path), datetime(2025, 4, 1, 10, tzinfo=PARIS)) == [
        "sent: summary 2025-03"]
    assert inbox.messages[-1][1] == ["direction@centre.example"]
    path.write_text('[[summary]]\nto = "direction@centre.example"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="summary 1 needs a list of addresses"):
        read_schedule(path)
