"""The committee review and the campaigns in French: the page, its Excel workbook and its PDF
in the reader's language (numbers kept numbers in Excel, with their formats), the campaigns'
purposes and kinds as words, French number formats; and the same pages still English in English."""
from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime

import pytest
from openpyxl import load_workbook

from components import campaigns as cp
from components.committee import filename
from components.committee_pdf import STYLES, fit_widths, review_pdf
from components.committee_xlsx import HEADER_ROW, review_workbook
from i18n import using
from reportlab.pdfbase.pdfmetrics import stringWidth
from tests.test_campaigns import CAMPAIGNS, CONTACTS as CAMPAIGN_CONTACTS
from tests.test_committee import CONTACTS, DECISIONS, SETTINGS, SURVEYS, review

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture
def db(make_db):
    """The committee tests' client ACME: March 2025 against February, its contract and targets."""
    return make_db(contacts=CONTACTS, surveys=SURVEYS)


def test_frc001_the_workbook_in_french_keeps_its_numbers_as_numbers(db):
    with using("fr"):
        r = review(db)
        book = load_workbook(io.BytesIO(review_workbook(r, DECISIONS, generated=datetime(2025, 4, 8, 9, 5))))
        assert filename(r, "xlsx") == "comite-pilotage-ACME-2025-03.xlsx"
    assert book.sheetnames == ["Indicateurs", "12 derniers mois", "Volumes", "Verbatims", "Décisions"]
    ws = book["Indicateurs"]
    assert ws["A1"].value == "Comité de pilotage – ACME – mars 2025"
    assert ws["A2"].value == "Indicateurs contractuels, mars 2025 – généré le 08/04/2025 09:05 par Pilotage"
    assert [c.value for c in ws[HEADER_ROW]][:8] == ["Indicateur", "Code indicateur", "Canal", "Objectif",
                                                     "Tolérance", "Réalisé", "Résultat", "Mois précédent"]
    first = HEADER_ROW + 1
    # the label and the result in French; the figures numbers, their format Excel's own (a
    # French Excel shows 50,0 %)
    row = [c.value for c in ws[first]]
    assert row[0] == "Qualité de service (décroché en X s) (téléphone)" and row[2] == "téléphone"
    assert row[3:9] == [80, 75, 50, "✗ Manqué", 80, None]
    assert ws.cell(first, 6).data_type == "n" and ws.cell(first, 6).number_format == '#,##0.0" %"'
    assert [c.value for c in ws[first + 1]][2:7] == ["tous canaux", 30, 20, 25, "! Manqué, dans la tolérance"]
    hist = book["12 derniers mois"]
    # the months are dates, named in French whatever the reader's Excel speaks
    assert hist.cell(HEADER_ROW, 14).value == datetime(2025, 3, 1)
    assert hist.cell(HEADER_ROW, 14).number_format == "[$-40C]mmm yyyy"
    vol = book["Volumes"]
    assert [c.value for c in vol[HEADER_ROW]][:2] == ["Canal", "Entrants reçus"]
    assert [c.value for c in vol[first + 1]][:6] == ["téléphone", 4, 4, 0, 4, 5]
    assert [c.value for c in vol[first + 2]][:6] == ["Total", 5, 5, 0, 4, 5]
    assert vol.cell(first + 1, 7).value == pytest.approx(-0.2) and vol.cell(first + 1, 7).data_type == "n"
    comments = book["Verbatims"]
    assert [comments.cell(first, c).value for c in (2, 4, 5)] == ["téléphone", "enquête à chaud", 3]
    assert book["Décisions"].cell(HEADER_ROW, 2).value == "Enregistrées le"
    with using("en"):
        english = load_workbook(io.BytesIO(review_workbook(review(db), DECISIONS)))
    assert english["Last 12 months"].cell(HEADER_ROW, 14).number_format == "[$-809]mmm yyyy"


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "review.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.replace(NBSP, " ").replace(NNBSP, " ").split())


def test_frc002_the_pdf_headers_keep_their_words_whole():
    """A column narrower than a header's longest word made a Paragraph cut the word
    ("Previou s month"): every column is at least as wide as its header's words, and the
    table keeps its width."""
    for lang in ("fr", "en"):
        with using(lang):
            from components.committee_pdf import INDICATOR_HEAD
            from i18n import _
            heads = [_(h) for h in INDICATOR_HEAD]
            widths = [113.4, 102.0, 62.4, 79.4, 56.7, 56.7, 39.7]
            fitted = fit_widths(heads, widths)
        assert sum(fitted) == pytest.approx(sum(widths))
        for head, width in zip(heads, fitted):
            longest = max(stringWidth(w, "VeraBd", STYLES["head"].fontSize) for w in head.split())
            assert longest + 12 <= width, (head, width)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (make test installs it)")
def test_frc003_the_pdf_in_french(db, tmp_path):
    with using("fr"):
        text = pdf_text(review_pdf(review(db), DECISIONS, generated=datetime(2025, 4, 8, 9, 5)), tmp_path)
    for expected in ("Comité de pilotage – ACME – mars 2025", "Indicateurs contractuels", "Mois précédent",
                     "Même mois N-1", "Mois atteints", "Qualité de service (décroché en X s) (téléphone)",
                     "50,0 %", "Manqué, dans la tolérance", "5 min 50 s", "1 sur 2", "Volumes par canal",
                     "Verbatims les moins bien notés", "Renfort midi", "Très déçu <b>vraiment</b> & fâché",
                     "généré le 08/04/2025 09:05 par Pilotage", "Période : avril 2024 – mars 2025"):
        assert expected in text, expected
    for english in ("Previous", "Missed", "generated", "Volumes by channel"):
        assert english not in text, english
    with using("en"):
        text = pdf_text(review_pdf(review(db), DECISIONS), tmp_path)
    assert "Previous month" in text and "Previou s" not in text and "Months met" in text


def test_frc004_committee_page_in_french_then_in_english(dash_duo, db, app_for):
    dash_duo.start_server(app_for(db, targets=SETTINGS.targets, contracts=SETTINGS.contracts, min_answers=3))
    dash_duo.wait_for_page(dash_duo.server_url + "/lang?to=fr&next=/committee?client=ACME%26month=2025-03")
    dash_duo.wait_for_text_to_equal("#committee-title", "Comité de pilotage – ACME – mars 2025")
    rows = dash_duo.wait_for_element("#committee-indicators tbody").find_elements("css selector", "tr")
    head = dash_duo.find_element("#committee-indicators thead").text
    assert "Indicateur contractuel" in head and "Même mois N-1" in head
    assert rows[0].find_element("css selector", "td").text == "Qualité de service (décroché en X s) (téléphone)"
    assert "50,0 %" in rows[0].text and "✗ Manqué" in rows[0].text and "1 sur 2" in rows[0].text
    assert "Manqué, dans la tolérance" in rows[1].text
    assert "5 min 50 s" in rows[2].text.replace(NBSP, " ")
    volumes = dash_duo.find_element("#committee-volumes").text
    assert "Entrants reçus" in volumes and "téléphone" in volumes and "Total" in volumes
    assert "Notes" in dash_duo.find_element("#committee-verbatims").text
    assert dash_duo.find_element("#committee-saved").text == "Pas encore enregistrées"
    dash_duo.wait_for_element("#committee-history .main-svg")
    dash_duo.driver.set_window_size(1280, 1000)
    dash_duo.driver.save_screenshot("/tmp/committee-fr.png")
    dash_duo.driver.execute_script("document.getElementById('committee-history').scrollIntoView({behavior: 'instant'})")
    dash_duo.driver.save_screenshot("/tmp/committee-fr-2.png")
    dash_duo.driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    # another month, chosen by its French name
    dash_duo.select_dcc_dropdown("#committee-month", "février 2025")
    dash_duo.wait_for_text_to_equal("#committee-title", "Comité de pilotage – ACME – février 2025")
    assert dash_duo.get_logs() == []
    dash_duo.wait_for_page(dash_duo.server_url + "/lang?to=en&next=/committee?client=ACME%26month=2025-03")
    dash_duo.wait_for_text_to_equal("#committee-title", "Committee review – ACME – March 2025")
    assert "50.0 %" in dash_duo.find_element("#committee-indicators").text
    dash_duo.wait_for_element("#committee-history .main-svg")
    dash_duo.driver.save_screenshot("/tmp/committee-en.png")
    assert dash_duo.get_logs() == []


def test_frc005_campaigns_labels_in_each_language(make_db):
    with using("fr"):
        assert [cp.attribute_text("purpose", c) for c in ("quote_follow_up", "renewal", "development", "other")] == [
            "Relance de devis", "Renouvellement", "Développement commercial", "other"]
        assert [cp.attribute_text("kind", c) for c in ("recurring", "one_off", None)] == [
            "Récurrente", "Ponctuelle", "(non renseigné)"]
    with using("en"):
        assert [cp.attribute_text("kind", c) for c in ("one_off", None)] == ["One-off", "(not set)"]


def test_frc006_campaigns_page_in_french_then_in_english(dash_duo, make_db, app_for):
    dash_duo.start_server(app_for(make_db(contacts=CAMPAIGN_CONTACTS, campaigns=CAMPAIGNS)))
    dash_duo.driver.set_window_size(1280, 1000)
    dash_duo.wait_for_page(dash_duo.server_url + "/lang?to=fr&next=/campaigns?from=2025-03-01%26to=2025-03-31")
    row = dash_duo.wait_for_element("#campaigns-grid .ag-center-cols-container .ag-row[row-id='REN']")
    assert "50,0 %" in row.text and "100,00 €" in row.text.replace(NBSP, " ")
    purposes = dash_duo.wait_for_element("#campaigns-purpose .ag-pinned-left-cols-container").text
    assert "Développement commercial" in purposes and "Renouvellement" in purposes
    dash_duo.wait_for_contains_text("#campaigns-kind .ag-pinned-left-cols-container", "Ponctuelle")
    dash_duo.wait_for_contains_text("#campaigns-progress", "fichier cible appelé à 75")
    page = dash_duo.find_element("#_pages_content").text.upper()      # the headings are shown in capitals
    assert "PAR FINALITÉ" in page and "AVANCEMENT DANS LE FICHIER CIBLE" in page
    dash_duo.driver.save_screenshot("/tmp/campaigns-fr.png")
    dash_duo.driver.execute_script("document.getElementById('campaigns-kind').scrollIntoView({behavior: 'instant'})")
    dash_duo.driver.save_screenshot("/tmp/campaigns-fr-2.png")
    dash_duo.driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    row.find_element("css selector", ".ag-cell").click()
    dash_duo.wait_for_element("#explore-grid .ag-row[row-id='A1']")
    assert "path=campaign%3AREN" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []
    dash_duo.wait_for_page(dash_duo.server_url + "/lang?to=en&next=/campaigns?from=2025-03-01%26to=2025-03-31")
    row = dash_duo.wait_for_element("#campaigns-grid .ag-center-cols-container .ag-row[row-id='REN']")
    assert "50.0 %" in row.text and "€100.00" in row.text
    dash_duo.wait_for_contains_text("#campaigns-purpose .ag-pinned-left-cols-container", "Business development")
    dash_duo.wait_for_contains_text("#campaigns-progress", "75 % of the target file tried")
    dash_duo.driver.save_screenshot("/tmp/campaigns-en.png")
    assert dash_duo.get_logs() == []
