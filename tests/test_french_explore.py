"""Explore and the definitions in French, with French formats (decimal comma, a no-break space
before a unit, channels and outcomes as words), a drill-down to one contact; and the same pages
still English in English. The data are test_explore's: March 2025, phone and chat."""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest

from access.viewer import LOCAL
from components import explore as ex
from components.state import ViewState
from components.view import View
from i18n import _, using
from metrics.contacts import contact_detail
from metrics.registry import KPIS
from settings import Settings
from tests.test_explore import AGENTS, CONTACTS, SURVEYS

S = "\u00a0"   # French puts a no-break space before a unit, a colon or a semicolon
MARCH = "from=2025-03-01&to=2025-03-31"


def in_language(dash_duo, lang: str, path: str) -> None:
    """Open a page as a person who chose a language (the switch's cookie, then the page)."""
    dash_duo.wait_for_page(dash_duo.server_url + f"/lang?to={lang}&next=" + quote(path, safe="/"))


def until(check, timeout: float = 10) -> None:
    end = time.time() + timeout
    while not check():
        assert time.time() < end, "timed out"
        time.sleep(0.2)


def shown(dash_duo, selector: str) -> str:
    """An element's text, no-break spaces kept (Selenium's ``.text`` turns them into spaces)."""
    return dash_duo.driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", selector) or ""


def wait_shown(dash_duo, selector: str, *parts: str, timeout: float = 10) -> None:
    """Wait until an element's text holds every part; say what it holds when it does not."""
    try:
        until(lambda: all(p in shown(dash_duo, selector) for p in parts), timeout)
    except AssertionError:
        raise AssertionError(f"{selector} shows {shown(dash_duo, selector)!r}, not all of {parts}") from None


def plot_texts(dash_duo, graph: str) -> list[str]:
    return dash_duo.driver.execute_script(
        f"return [...document.querySelectorAll('#{graph} .main-svg text')].map(t => t.textContent)")


def kpi_head(dash_duo) -> str:
    """The header of the KPIs' table."""
    return dash_duo.driver.execute_script(
        "return document.querySelector('#def-answer_rate').closest('table').querySelector('thead').textContent")


def click_row(dash_duo, grid, row_id):
    dash_duo.wait_for_element(f"#{grid} .ag-center-cols-container .ag-row[row-id='{row_id}'] .ag-cell").click()


def screenshot(dash_duo, path: str, height: int = 1400) -> None:
    """The page at 1280 pixels wide, tall enough to show its tables and chart."""
    dash_duo.driver.set_window_size(1280, height)
    time.sleep(1)
    dash_duo.driver.save_screenshot(path)
    dash_duo.driver.set_window_size(1280, 1000)


@pytest.fixture
def served(dash_duo, make_db, app_for):
    dash_duo.start_server(app_for(make_db(contacts=CONTACTS, surveys=SURVEYS, agents=AGENTS)))
    dash_duo.driver.set_window_size(1280, 1000)
    return dash_duo


@pytest.fixture
def view(make_db):
    eng = make_db(contacts=CONTACTS, surveys=SURVEYS, agents=AGENTS)
    state = ViewState.from_query({"from": "2025-03-01", "to": "2025-03-31"}, (date(2025, 3, 3), date(2025, 3, 5)))
    settings = replace(Settings(), db=Path(eng.url.database))
    return View(settings, eng, date(2025, 3, 3), date(2025, 3, 5), state, dict(settings.targets), LOCAL)


def test_frx001_explore_in_french_drills_down_to_a_contact(served):
    # by queue: the waits are split per channel (phone, chat), each channel's name in French
    in_language(served, "fr", f"/explore?{MARCH}&by=queue")
    served.wait_for_element("#explore-grid .ag-center-cols-container .ag-row[row-id='Q1']")
    assert served.driver.execute_script("return document.documentElement.lang") == "fr"
    wait_shown(served, "#explore-grid .ag-header", "File", "Contacts reçus", "Durée moyenne d'attente (DMA)",
               "téléphone", "Qualité de service (décroché en X s)")
    # Q1's phone ASA (10 + 30 + 15) / 3 = 18.3 s against the phone's 30 s target; the total
    # channel by channel: phone (10 + 30 + 15 + 5) / 4 = 15 s, chat 100 s against its 60 s
    wait_shown(served, "#explore-grid .ag-center-cols-container .ag-row[row-id='Q1']", f"18{S}s ✓")
    wait_shown(served, "#explore-grid .ag-floating-bottom", "Total", f"15{S}s ✓", f"1{S}min{S}40{S}s ✗")
    wait_shown(served, "#explore-notes", "affichés canal par canal", "moins de 10 réponses sont grisés")
    page = shown(served, "#react-entry-point")
    for text in ("Par", "Colonnes", "Télécharger en CSV", "Télécharger en Excel",
                 "Cliquez sur une ligne ou une barre pour descendre dans le détail."):
        assert text in page
    screenshot(served, "/tmp/explore-fr.png")
    # by channel: phone's service level 3 of 5 within 20 s = 60 %, off the 80 % target
    in_language(served, "fr", f"/explore?{MARCH}")
    wait_shown(served, "#explore-grid .ag-center-cols-container .ag-row[row-id='phone']", f"60,0{S}% ✗")
    wait_shown(served, "#explore-grid .ag-pinned-left-cols-container", "téléphone", "chat")
    until(lambda: "Qualité de service (décroché en X s) par canal" in plot_texts(served, "explore-bars"))
    assert f"60,0{S}% ✗" in plot_texts(served, "explore-bars")
    # drill: phone, then its queue Q1, then the agent A1 (Léa Martin): her two contacts
    click_row(served, "explore-grid", "phone")
    wait_shown(served, "#explore-path", f"Canal{S}: téléphone", "par file")
    click_row(served, "explore-grid", "Q1")
    click_row(served, "explore-grid", "A1")
    wait_shown(served, "#explore-contacts-count", "2 contacts (1 à 2 affichés)")
    wait_shown(served, "#explore-path", f"Conseiller{S}: Léa Martin", "contacts")
    assert shown(served, "#explore-page") == "page 1 sur 1"
    wait_shown(served, "#explore-contact-grid .ag-header", "Arrivée", "Canal", "Conseiller", "Résultat",
               "Attente", "Verbatim")
    wait_shown(served, "#explore-contact-grid", "décroché", "téléphone", "Très bien <b>merci</b>")
    # p1's detail: its fields in French, its durations with French units, the verbatim as written
    click_row(served, "explore-contact-grid", "test|p1")
    wait_shown(served, "#explore-detail-body", "Canal / sens", "téléphone / entrant", "Léa Martin (A1)",
               f"1{S}min{S}40{S}s", "Réponses aux enquêtes", "NPS 10", "NPS 4", "Très bien <b>merci</b>")
    assert "Client final" in shown(served, "#explore-detail-body")
    screenshot(served, "/tmp/explore-contact-fr.png", 1000)
    assert served.get_logs() == []


def test_frx002_the_definitions_in_french(served):
    in_language(served, "fr", "/definitions")
    wait_shown(served, "h2", "Définitions")
    # the KPI's name in French, and in English beside it; its formula in French
    wait_shown(served, "#def-answer_rate", "Taux de décroché", "Answer rate",
               "décrochés ÷ offerts nets (offerts moins abandons courts)", f"%{S}(0-100)", "↑ plus élevé")
    # the default target of the service level, 80 % and close from 75 %, in French formats
    wait_shown(served, "#def-service_level", f"80,0{S}% (vigilance dès 75,0{S}%)")
    # ASA's own target per channel (the phone's is the main one)
    wait_shown(served, "#def-asa", "attente moyenne des contacts entrants décrochés", f"30{S}s (vigilance dès 45{S}s)",
               f"chat{S}: 60{S}s", f"e-mail{S}: 1{S}j")
    head = kpi_head(served)
    assert all(h in head for h in ("Indicateur", "En anglais", "Formule", "Unité", "Meilleur si", "Objectif"))
    wait_shown(served, "#settings-table", "Seuil de qualité de service par canal", f"téléphone 20{S}s",
               f"e-mail 1{S}j", f"168 heures{S}:", "10 réponses", f"5{S}% des lignes d'un fichier",
               f"aucun{S}: chaque paramètre a la valeur par défaut de Pilotage", "par défaut")
    page = shown(served, "#react-entry-point")
    for text in ("Paramètres en vigueur", "Qualité délivrée", "Activité sortante et commerciale", "Qualité perçue"):
        assert text in page
    screenshot(served, "/tmp/definitions-fr.png", 1600)
    assert served.get_logs() == []


def test_frx003_the_same_pages_in_english_stay_english(served):
    in_language(served, "en", f"/explore?{MARCH}")
    assert served.driver.execute_script("return document.documentElement.lang") == "en"
    wait_shown(served, "#explore-grid .ag-center-cols-container .ag-row[row-id='phone']", "60.0 % ✗")
    wait_shown(served, "#explore-grid .ag-pinned-left-cols-container", "phone", "chat")
    wait_shown(served, "#explore-grid .ag-header", "Channel", "Contacts offered", "Service level")
    until(lambda: "Service level by channel" in plot_texts(served, "explore-bars"))
    assert "Download CSV" in shown(served, "#react-entry-point")
    screenshot(served, "/tmp/explore-en.png")
    click_row(served, "explore-grid", "phone")
    wait_shown(served, "#explore-path", "Channel: phone", "by queue")
    in_language(served, "en", "/definitions")
    wait_shown(served, "#def-answer_rate", "Answer rate", "Taux de décroché",
               "answered ÷ net offered (offered minus short abandons)", "↑ higher")
    wait_shown(served, "#def-service_level", "80.0 % (close from 75.0 %)")
    assert "In French" in kpi_head(served)
    wait_shown(served, "#settings-table", "168 hours:", "10 answers", "none: every setting is Pilotage's default")
    screenshot(served, "/tmp/definitions-en.png", 1600)
    assert served.get_logs() == []


def test_frx004_explore_parts_and_every_formula_in_french(view):
    scope = view.scope()
    with using("fr"):
        table = ex.explore_table(view, scope, "queue")
        rows, [total] = ex.grid_rows(table, view, scope, "queue")
        assert rows[0]["service_level__text"] == f"50,0{S}% ✗" and total["label"] == "Total"
        assert total["asa__text"] == f"32{S}s (mixte)" and rows[2]["asa@chat__text"] == f"1{S}min{S}40{S}s ✗"
        columns = ex.grid_columns("queue", view, table, ["offered", "asa"])
        assert [c["headerName"] for c in columns[:2]] == ["File", "Contacts reçus"]
        assert [c["headerName"] for c in columns[2]["children"]] == ["téléphone", "chat"]
        fig = ex.bar_figure(table, "asa", "queue", view, scope)
        assert fig["layout"]["title"]["text"] == "Durée moyenne d'attente (DMA) par file, canal par canal"
        by_channel = ex.explore_table(view, scope, "channel")
        assert by_channel.rows["label"].tolist() == ["chat", "téléphone"]
        assert ex.column_options()[2] == {"label": "Taux de décroché", "value": "answer_rate"}
        fields = dict(ex.detail_fields(contact_detail(view.db, scope, "test", "p1")[0]))
        assert fields["Canal / sens"] == "téléphone / entrant" and fields["Résultat"] == "décroché"
        assert fields["Durée de traitement"] == f"1{S}min{S}40{S}s" and fields["Client final"] == "inconnu"
        # every formula of the registry has its own French
        french = {k.id: _(k.formula) for k in KPIS.values()}
        assert all(french[k] != KPIS[k].formula for k in KPIS)
        assert french["answer_rate"] == "décrochés ÷ offerts nets (offerts moins abandons courts)"
    with using("en"):
        assert ex.grid_rows(table, view, scope, "queue")[1][0]["asa__text"] == "32 s (mixed)"
        assert dict(ex.detail_fields(contact_detail(view.db, scope, "test", "p1")[0]))["Outcome"] == "answered"


def test_frx005_downloads_for_a_french_spreadsheet(make_db, app_for):
    """Explore's files in French: French names and headers, ``;`` and a decimal comma with a
    byte-order mark, values rounded as shown with what each is counted on, and a workbook whose
    numbers are numbers in the page's format."""
    import io

    from openpyxl import load_workbook

    from tests.test_hostile_outputs import download
    client = app_for(make_db(contacts=CONTACTS, surveys=SURVEYS, agents=AGENTS)).server.test_client()
    client.set_cookie("pilotage_lang", "fr")
    phone = {"from": "2025-03-01", "to": "2025-03-31", "path": "channel:phone"}   # its queues, Q1 and Q2

    name, content = download(client, "explore-csv", phone)
    assert name == "pilotage-2025-03-01-2025-03-31-par-file.csv"
    assert content.startswith("\ufeff".encode())
    lines = content.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    sl, base = '"Qualité de service (décroché en X s) (%)"', '"Qualité de service (décroché en X s), base de calcul"'
    aht = '"Durée moyenne de traitement (DMT) (s)"'
    assert header[0] == '"File"' and sl in header and base in header and aht in header
    rows = {line.split(";")[0]: line.split(";") for line in lines[1:]}
    # (with a decimal comma pandas writes a number as text: quoted, which Excel reads as a number)
    # Q1: met 2 of 4 offered (waits 10, 30, 15, 40 s; 20 s threshold) -> 50,0 %, counted on 4;
    # Q2: 1 of 1 -> 100,0 %; all: 3 of 5 -> 60,0 %. Q1's AHT (100 + 200 + 300) / 3 = 200 s
    assert [rows[q][header.index(sl)] for q in ('"Q1"', '"Q2"', '"Total"')] == ['"50,0"', '"100,0"', '"60,0"']
    assert [rows[q][header.index(base)] for q in ('"Q1"', '"Q2"', '"Total"')] == ["4", "1", "5"]
    assert rows['"Q1"'][header.index(aht)] == "200"

    name, content = download(client, "explore-xlsx", phone)
    assert name == "pilotage-2025-03-01-2025-03-31-par-file.xlsx"
    ws = load_workbook(io.BytesIO(content))["par file"]
    head = [cell.value for cell in ws[1]]
    q1 = ws[2]
    cell = q1[head.index(sl.strip('"'))]
    assert (cell.value, cell.data_type, cell.number_format) == (50, "n", '#,##0.0" %"')
    assert q1[head.index(aht.strip('"'))].number_format == '#,##0" s"'

    name, content = download(client, "explore-contacts-csv", {**phone, "path": "channel:phone|queue:Q1"})
    assert name == "pilotage-2025-03-01-2025-03-31-contacts.csv"
    table = [line.split(";") for line in content.decode("utf-8-sig").splitlines()]
    head = table[0]
    assert head[:3] == ['"Contact"', '"Arrivée"', '"Canal"'] and '"Résultat"' in head and '"Attente"' in head
    by_id = {row[0]: row for row in table[1:]}
    assert set(by_id) == {'"p1"', '"p2"', '"p3"', '"p4"'}
    p4 = by_id['"p4"']
    assert (p4[head.index('"Canal"')], p4[head.index('"Résultat"')], p4[head.index('"Attente"')]) == (
        '"téléphone"', '"abandonné"', "40")
