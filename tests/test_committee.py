"""Committee review: contractual indicators met or missed month by month, volumes, worst
comments, decisions, and the Excel and PDF exports read back."""
from __future__ import annotations

import base64
import io
import shutil
import subprocess
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from components import committee as cm
from components.committee_pdf import review_pdf
from components.committee_xlsx import HEADER_ROW, review_workbook
from data.decisions import Decisions, decisions_for, save_decisions
from metrics.committee import committee_review, month_start
from metrics.query import Scope
from tests.conftest import click
from settings import DEFAULT_CONTRACT, Settings, SettingsError, apply_config, contract_for

pytestmark = pytest.mark.engines       # every fixture read on DuckDB and on Spark SQL

CONFIG = {"contracts": {"ACME": ["service_level:phone", "nps", "aht"]},
          "targets": {"aht": {"target": 300}}, "min_answers": 3}
SETTINGS = apply_config(Settings(), CONFIG)


def call(cid, when, wait, talk, client="ACME", channel="phone"):
    return dict(contact_id=cid, arrived_at=when, channel=channel, client=client, queue="Q1",
                outcome="answered", wait_s=wait, talk_s=talk, agent_id="A1")


def answer(rid, cid, nps, csat=None, verbatim=None, when="2025-03-20 12:00:00"):
    return dict(response_id=rid, responded_at=when, contact_id=cid, survey="hot", nps=nps, csat=csat,
                verbatim=verbatim)


CONTACTS = [
    # February, ACME phone: waits 5, 5, 5, 5, 30 -> 4 of 5 within 20 s = 80 % (target 80: met);
    # handle time 400 each -> AHT 400 (target 300, lower is better: missed)
    *[call(f"f{i}", f"2025-02-1{i} 10:00:00", 30 if i == 4 else 5, 400) for i in range(5)],
    # March, ACME phone: waits 10, 20 (the threshold counts as within), 25, 30 -> 2 of 4 = 50 %
    # (under the 75 % tolerance: missed)
    call("m1", "2025-03-03 10:00:00", 10, 200), call("m2", "2025-03-04 10:00:00", 20, 300),
    call("m3", "2025-03-05 10:00:00", 25, 400), call("m4", "2025-03-06 10:00:00", 30, 500),
    # March, ACME e-mail: not in the phone service level; in AHT: (200+300+400+500+100) / 5 = 300, met
    call("e1", "2025-03-07 10:00:00", 3600, 100, channel="email"),
    # another client's contact: never in ACME's review
    call("x1", "2025-03-05 11:00:00", 100, 900, client="OTHER"),
]
SURVEYS = [
    # February: 10, 10 -> NPS +100, met
    answer("s1", "f0", 10, when="2025-02-20 12:00:00"), answer("s2", "f1", 10, when="2025-02-21 12:00:00"),
    # March: 3, 7, 9, 10 -> (2 promoters - 1 detractor) / 4 = +25: under 30, above the 20 tolerance
    answer("s3", "m1", 3, 1, "Très déçu <b>vraiment</b> & fâché"),
    answer("s4", "m2", 7, 4, "=1+1 rien à dire"),
    answer("s5", "m3", 9, 5),
    answer("s6", "m4", 10, 5, "Parfait"),
    answer("s7", "x1", 0, 1, "Client OTHER, jamais vu chez ACME"),
]


@pytest.fixture
def db(make_db):
    return make_db(contacts=CONTACTS, surveys=SURVEYS)


def review(db, month=date(2025, 3, 1), min_answers=SETTINGS.min_answers, first=None):
    return committee_review(db, Scope(date.min, date.max), "ACME", month, contract_for(SETTINGS, "ACME"),
                            SETTINGS.targets, SETTINGS.kpi, min_answers=min_answers, first=first)


def test_com001_contract_from_the_settings_file_and_its_default():
    assert contract_for(SETTINGS, "ACME") == (("service_level", "phone"), ("nps", None), ("aht", None))
    assert contract_for(SETTINGS, "someone else") == DEFAULT_CONTRACT
    with pytest.raises(SettingsError, match="unknown KPI 'nsp'"):
        apply_config(Settings(), {"contracts": {"ACME": ["nsp"]}})
    with pytest.raises(SettingsError, match="must be a list"):
        apply_config(Settings(), {"contracts": {"ACME": "nps"}})


def test_com002_month_by_month_met_and_missed(db):
    r = review(db)
    assert r.months[0] == date(2024, 4, 1) and r.months[-1] == date(2025, 3, 1) and len(r.months) == 12
    t = r.indicators.set_index("indicator")
    # the contract's "aht" (no channel) is reviewed per channel: the phone's seconds and the
    # e-mail's are not comparable
    assert list(t.index) == ["service_level:phone", "nps", "aht:phone", "aht:email"]
    assert (t.loc["service_level:phone", "actual"], t.loc["service_level:phone", "status"]) == (50.0, "missed")
    assert (t.loc["service_level:phone", "previous"], t.loc["service_level:phone", "target"]) == (80.0, 80.0)
    # NPS from 4 answers (min_answers 3): +25, close; February's 2 answers are too few: no previous
    assert (t.loc["nps", "actual"], t.loc["nps", "status"], t.loc["nps", "n"]) == (25.0, "close", 4)
    assert pd.isna(t.loc["nps", "previous"])
    # AHT on the phone in March (200 + 300 + 400 + 500) / 4 = 350 s against 300: missed;
    # February 400 s; by e-mail e1 alone, 100 s: met, and no February
    assert (t.loc["aht:phone", "actual"], t.loc["aht:phone", "status"], t.loc["aht:phone", "previous"]) == (
        350.0, "missed", 400.0)
    assert (t.loc["aht:email", "actual"], t.loc["aht:email", "status"]) == (100.0, "met")
    assert pd.isna(t.loc["aht:email", "previous"])
    # judged: service level and phone AHT in February and March; NPS in March only; e-mail AHT in March
    assert t["months_judged"].tolist() == [2, 1, 2, 1] and t["months_met"].tolist() == [1, 0, 0, 1]
    h = r.history.set_index(["indicator", "month"])
    assert h.loc[("service_level:phone", date(2025, 2, 1)), "status"] == "met"
    assert h.loc[("aht:phone", date(2025, 2, 1)), "status"] == "missed"
    assert h.loc[("nps", date(2025, 2, 1)), "too_few"] and pd.isna(h.loc[("nps", date(2025, 2, 1)), "status"])
    assert pd.isna(h.loc[("nps", date(2025, 1, 1)), "value"])          # no answer at all
    assert not t["covered_last_year"].any()                             # no first day given: not covered
    assert cm.result_text("close") == "! Missed, within tolerance" and cm.result_text("met") == "✓ Met"


def test_com003_volumes_and_worst_comments_of_the_client_only(db):
    r = review(db)
    v = r.volumes.set_index("channel")
    assert v.loc["phone", ["offered", "handled", "attempts", "responses", "handled_previous"]].tolist() == [4, 4, 0, 4, 5]
    assert v.loc["email", ["offered", "handled", "responses", "handled_previous"]].tolist() == [1, 1, 0, 0]
    # scores on 0-1: s3 (0.3 + 0) / 2 = 0.15, s4 (0.7 + 0.75) / 2 = 0.725, s6 (1 + 1) / 2 = 1
    assert r.verbatims["verbatim"].tolist() == ["Très déçu <b>vraiment</b> & fâché", "=1+1 rien à dire", "Parfait"]
    assert r.verbatims["score"].tolist() == pytest.approx([0.15, 0.725, 1.0])


def test_com011_the_worst_comments_of_a_client_behind_many_worse_of_others(make_db):
    """The period's worst answers are read a few at a time (20 per comment asked for): a
    client's worst comments behind 45 worse ones of another client are still found, in order,
    and a scope with fewer comments than asked for gets all of them."""
    from metrics.committee import worst_verbatims
    others = [call(f"o{i}", "2025-03-05 10:00:00", 5, 100, client="OTHER") for i in range(45)]
    mine = [call("a1", "2025-03-06 10:00:00", 5, 100), call("a2", "2025-03-07 10:00:00", 5, 100)]
    # OTHER's 45 answers score 0 (NPS 0); ACME's: NPS 5 -> 0.5, NPS 8 -> 0.8, then one without comment
    answers = ([answer(f"so{i:02d}", f"o{i}", 0, verbatim="Nul") for i in range(45)]
               + [answer("sa1", "a1", 8, verbatim="Correct"), answer("sa2", "a2", 5, verbatim="Bof"),
                  answer("sa3", "a2", 0)])
    eng = make_db(contacts=others + mine, surveys=answers)
    acme = Scope.of("2025-03-01", "2025-03-31", client="ACME")
    # one asked for: the first 20 answers are OTHER's, then 80 are read: "Bof" (0.5) first
    assert worst_verbatims(eng, acme, limit=1)["verbatim"].tolist() == ["Bof"]
    # three asked for, two exist: both, worst first
    found = worst_verbatims(eng, acme, limit=3)
    assert found["verbatim"].tolist() == ["Bof", "Correct"] and found["score"].tolist() == pytest.approx([0.5, 0.8])
    # the viewer's restrictions count as the filters do: a restriction to nothing leaves none
    nothing = Scope(date(2025, 3, 1), date(2025, 3, 31), restrictions=(("client", ()),))
    assert worst_verbatims(eng, nothing).empty
    assert len(worst_verbatims(eng, Scope.of("2025-03-01", "2025-03-31"), limit=50)) == 47


def test_com004_decisions_are_kept_per_client_and_month(db):
    assert decisions_for(db, "ACME", date(2025, 3, 1)) is None
    save_decisions(db, "ACME", date(2025, 3, 14), "Recruter deux conseillers")
    save_decisions(db, "ACME", date(2025, 3, 1), "Recruter trois conseillers")
    save_decisions(db, "OTHER", date(2025, 3, 1), "Autre client")
    assert decisions_for(db, "ACME", date(2025, 3, 1)).text == "Recruter trois conseillers"
    assert decisions_for(db, "ACME", date(2025, 2, 1)) is None
    with pytest.raises(ValueError, match="limited to 20,000 characters"):
        save_decisions(db, "ACME", date(2025, 3, 1), "x" * 20_001)
    assert month_start("2025-13", date(2025, 3, 9)) == date(2025, 3, 1)


DECISIONS = Decisions("1. Renfort midi\n2. Revoir le SVI", datetime(2025, 4, 8, 15, 30))


def test_com005_workbook_holds_the_review_as_numbers(db):
    book = load_workbook(io.BytesIO(review_workbook(review(db), DECISIONS)))
    assert book.sheetnames == ["Indicators", "Last 12 months", "Volumes", "Comments", "Decisions"]
    ws = book["Indicators"]
    assert ws["A1"].value == "Committee review – ACME – March 2025"
    first = HEADER_ROW + 1
    # service level: 4 net offered phone contacts in March, none pending; not covered last year
    assert [c.value for c in ws[first]] == ["Service level (phone)", "service_level", "phone", 80, 75, 50,
                                            "✗ Missed", 80, None, 1, 2, 4, 0]
    assert ws.cell(first, 6).number_format == '#,##0.0" %"'
    assert [c.value for c in ws[first + 1]][3:8] == [30, 20, 25, "! Missed, within tolerance", None]
    assert ws.cell(first + 1, 6).number_format == "+#,##0;-#,##0;#,##0"
    assert [c.value for c in ws[first + 2]][:8] == ["Average handle time (phone)", "aht", "phone", 300, None, 350,
                                                    "✗ Missed", 400]
    assert ws.cell(first + 2, 6).number_format == '#,##0" s"'
    assert [c.value for c in ws[first + 3]][2:7] == ["e-mail", 300, None, 100, "✓ Met"]
    hist = book["Last 12 months"]
    assert hist.cell(HEADER_ROW, 3).value == datetime(2024, 4, 1) and hist.cell(HEADER_ROW, 14).value == datetime(2025, 3, 1)
    assert [hist.cell(first, c).value for c in (12, 13, 14)] == [None, 80, 50]
    assert hist.cell(first, 14).fill.fgColor.rgb.endswith("FADBD8")      # missed
    vol = book["Volumes"]
    assert [c.value for c in vol[first]][:6] == ["e-mail", 1, 1, 0, 0, 0]
    assert [c.value for c in vol[first + 1]][:7] == ["phone", 4, 4, 0, 4, 5, pytest.approx(-0.2)]
    assert [c.value for c in vol[first + 2]][:6] == ["Total", 5, 5, 0, 4, 5]
    comments = book["Comments"]
    assert comments.cell(first, 1).value == datetime(2025, 3, 20, 12, 0)
    # what each says, from the comments' analysis: "très déçu" is a tone, no category
    assert [comments.cell(first, c).value for c in (5, 6, 8, 9)] == [3, 1, "–", "Très déçu <b>vraiment</b> & fâché"]
    assert comments.cell(first + 1, 9).data_type == "s" and comments.cell(first + 1, 9).value == "=1+1 rien à dire"
    assert book["Decisions"].cell(first, 1).value == "1. Renfort midi\n2. Revoir le SVI"


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils (make test installs it)")
def test_com006_pdf_renders_with_its_text_and_charts(db, tmp_path):
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(review_pdf(review(db), DECISIONS))
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())   # a cell's text may wrap
    assert "Committee review – ACME – March 2025" in text
    for expected in ("Service level (phone)", "50.0 %", "Missed", "Missed, within tolerance", "+25",
                     "5 min 50 s", "1 min 40 s", "Renfort midi", "Très déçu <b>vraiment</b> & fâché",
                     "=1+1 rien à dire"):
        assert expected in text, expected
    assert "OTHER" not in text
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    from PIL import Image
    colours = set()
    for page in pages:
        colours |= {c for _, c in Image.open(page).convert("RGB").getcolors(1 << 20)}
    # the result colours are drawn: the missed red and the met green of the bars and the table
    assert (0xE7, 0x4C, 0x3C) in colours and (0x18, 0xBC, 0x9C) in colours


def test_com007_committee_page_in_the_browser(dash_duo, db, app_for):
    dash_duo.start_server(app_for(db, targets=SETTINGS.targets, contracts=SETTINGS.contracts, min_answers=3))
    dash_duo.wait_for_page(dash_duo.server_url + "/committee?client=ACME&month=2025-03")
    dash_duo.wait_for_text_to_equal("#committee-title", "Committee review – ACME – March 2025")
    rows = dash_duo.wait_for_element("#committee-indicators tbody").find_elements("css selector", "tr")
    labels = [r.find_element("css selector", "td").text for r in rows]
    assert labels == ["Service level (phone)", "Net Promoter Score", "Average handle time (phone)",
                      "Average handle time (e-mail)"]
    assert "50.0 %" in rows[0].text and "✗ Missed" in rows[0].text and "1 of 2" in rows[0].text
    assert "+25" in rows[1].text and "Missed, within tolerance" in rows[1].text
    assert "5 min 50 s" in rows[2].text and "✗ Missed" in rows[2].text
    assert "1 min 40 s" in rows[3].text and "✓ Met" in rows[3].text
    verbatims = dash_duo.find_element("#committee-verbatims").text
    assert "Très déçu <b>vraiment</b> & fâché" in verbatims and "OTHER" not in verbatims
    # the decisions are saved and come back with the page
    dash_duo.wait_for_element("#committee-history .main-svg")   # the page has its final height
    box = dash_duo.find_element("#committee-decisions")
    box.send_keys("Renfort midi")
    click(dash_duo, "#committee-save")
    dash_duo.wait_for_contains_text("#committee-saved", "Saved")
    dash_duo.wait_for_page(dash_duo.server_url + "/committee?client=ACME&month=2025-03")
    dash_duo.wait_for_text_to_equal("#committee-decisions", "Renfort midi")
    # another month through the control: the URL follows
    dash_duo.select_dcc_dropdown("#committee-month", "February 2025")
    dash_duo.wait_for_text_to_equal("#committee-title", "Committee review – ACME – February 2025")
    assert "month=2025-02" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_com008_export_files_for_download(db, app_for):
    app_for(db, targets=SETTINGS.targets, contracts=SETTINGS.contracts)
    from access.viewer import LOCAL, acting_as
    from pages.committee import export_file

    for kind, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        with acting_as(LOCAL):
            sent = export_file({"client": "ACME", "month": "2025-03"}, kind)
        assert sent["filename"] == f"committee-ACME-2025-03.{kind}"
        assert base64.b64decode(sent["content"]).startswith(magic)



def test_com009_too_few_answers_and_last_year(db):
    # with the default 10 answers, March's 4 NPS answers are too few: shown with their count, not judged
    t = review(db, min_answers=10).indicators.set_index("indicator")
    assert t.loc["nps", "too_few"] and pd.isna(t.loc["nps", "status"]) and t.loc["nps", "months_judged"] == 0
    r = t.loc["nps"].to_dict()
    assert cm.actual_text(r) == "+25 (4 answers)" and cm.unjudged_text(r) == "too few answers"
    # data from 1 March 2024 cover March 2024: compared, though it holds no contact of ACME
    t = review(db, first=date(2024, 3, 1)).indicators.set_index("indicator")
    assert t["covered_last_year"].all() and pd.isna(t.loc["service_level:phone", "last_year"])
    assert cm.change_cell(t.loc["service_level:phone"].to_dict(), "last_year") == "–"
    assert cm.change_cell(t.loc["service_level:phone"].to_dict(), "previous") == "▼ -30.0 pts"


def test_com010_the_printed_page_keeps_every_twelve_month_chart(dash_duo, db, app_for):
    """Printed from the browser (A4), the review keeps all its charts."""
    dash_duo.start_server(app_for(db, targets=SETTINGS.targets, contracts=SETTINGS.contracts))
    dash_duo.wait_for_page(dash_duo.server_url + "/committee?client=ACME&month=2025-03")
    dash_duo.wait_for_element("#committee-history .main-svg")
    driver = dash_duo.driver
    assert len(driver.find_elements("css selector", "#committee-history .js-plotly-plot")) == 4
    # laid out for print on A4's width (about 720 px inside the margins), every chart is
    # shown whole, within the page (one wide figure of four charts a row lost the right half)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    driver.set_window_size(720, 1000)
    boxes = driver.execute_script("""
        return [...document.querySelectorAll('#committee-history .main-svg:first-child')].map(svg => {
            const r = svg.getBoundingClientRect();
            return [r.left, r.right, r.width, document.documentElement.clientWidth];});""")
    assert len(boxes) == 4
    for left, right, width, page in boxes:
        assert width > 200 and left >= 0 and right <= page, (left, right, page)
    pdf = base64.b64decode(driver.print_page())
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Average handle time (e-mail)" in text and "Navigation" not in text
    assert dash_duo.get_logs() == []
