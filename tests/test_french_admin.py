"""The import, settings and administration pages in French, with French formats, and back in
English, in a real browser."""
from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

from conftest import click
from data.users import add_user
from i18n import _, using

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def in_french(dash_duo, path: str) -> None:
    """Open a page as a person who chose French (the switch's cookie, then the page)."""
    dash_duo.wait_for_page(dash_duo.server_url + "/lang?to=fr&next=" + quote(path, safe="/"))


def in_english(dash_duo, path: str) -> None:
    dash_duo.wait_for_page(dash_duo.server_url + "/lang?to=en&next=" + quote(path, safe="/"))


def shown(dash_duo, selector: str = "#react-entry-point") -> str:
    """An element's text, no-break spaces kept (Selenium's ``.text`` turns them into spaces)."""
    return dash_duo.driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", selector) or ""


def until(check, timeout: float = 15) -> None:
    end = time.time() + timeout
    while not check():
        assert time.time() < end, "timed out"
        time.sleep(0.2)


def wait_contains(dash_duo, selector: str, text: str) -> None:
    until(lambda: text in shown(dash_duo, selector))


def upload(dash_duo, *paths):
    field = dash_duo.find_element("#import-upload input[type=file]")
    dash_duo.driver.execute_script("arguments[0].value = '';", field)   # a new choice, not added to the last
    field.send_keys("\n".join(str(p) for p in paths))


def screenshot(dash_duo, name: str) -> None:
    dash_duo.driver.save_screenshot(f"/tmp/{name}.png")


def test_fra001_the_import_page_in_french_then_in_english(dash_duo, make_db, app_for):
    eng = make_db()
    dash_duo.start_server(app_for(eng, max_upload_mb=12.5))
    dash_duo.driver.set_window_size(1280, 1000)
    in_french(dash_duo, "/import")
    wait_contains(dash_duo, "#import-upload", "jusqu'à 12,5 Mo chacun")     # a decimal comma
    assert dash_duo.find_element("html").get_attribute("lang") == "fr"
    body = shown(dash_duo)
    for text in ("Importer des extractions", "Déposez des fichiers ici ou choisissez-les", "Charger",
                 "Historique des chargements", "celle du profil"):
        assert text in body or text in dash_duo.driver.page_source, (text, body)
    upload(dash_duo, SAMPLES / "fr_acd_export.csv", SAMPLES / "survey_export.csv")
    # the sample, read by hand: 10 calls kept, 1 left out by the profile; 5 survey answers
    wait_contains(dash_duo, "#import-file-list",
                  "contacts — lignes prêtes\u00a0: 10\u202f; écartées par le profil\u00a0: 1\u202f; rejetées\u00a0: 0")
    wait_contains(dash_duo, "#import-file-list", "enquêtes — lignes prêtes\u00a0: 5")
    assert "Lu en cp1252, séparateur «\u00a0;\u00a0», pour la table contacts." in shown(dash_duo, "#import-file-list")
    # the preview's values: yes/no in words, a number with a decimal comma (the first call waited 4.5 s)
    wait_contains(dash_duo, "#import-file-list", "oui")
    assert "4,5" in shown(dash_duo, "#import-file-list") and "4.5" not in shown(dash_duo, "#import-file-list")
    screenshot(dash_duo, "import-fr")
    click(dash_duo, "#import-load")
    dash_duo.wait_for_text_to_equal("#import-outcome", "Chargement effectué.")
    wait_contains(dash_duo, "#import-history-table", "fr-acd-export")
    history = shown(dash_duo, "#import-history-table")
    for text in ("Date", "Fichier", "Profil", "Lues", "Acceptées", "Statut", "chargé", "enquêtes"):
        assert text in history, (text, history)
    assert "Acceptées" in shown(dash_duo, "#import-result-table")
    dash_duo.driver.set_window_size(1280, 2400)      # the whole page: the result and the history
    screenshot(dash_duo, "import-fr-history")
    dash_duo.driver.set_window_size(1280, 1000)
    assert dash_duo.get_logs() == []

    in_english(dash_duo, "/import")
    wait_contains(dash_duo, "#import-upload", "up to 12.5 MB each")
    assert dash_duo.find_element("html").get_attribute("lang") == "en"
    assert "Import extracts" in shown(dash_duo) and "Load history" in shown(dash_duo)
    wait_contains(dash_duo, "#import-history-table", "loaded")
    assert "surveys" in shown(dash_duo, "#import-history-table")
    upload(dash_duo, SAMPLES / "fr_acd_export.csv")
    wait_contains(dash_duo, "#import-file-list", "contacts: 10 rows ready, 1 left out by the profile, 0 rejected")
    screenshot(dash_duo, "import-en")
    assert dash_duo.get_logs() == []


SETTINGS_CONTACTS = [dict(contact_id=f"c{i}", arrived_at="2025-03-03 10:00:00", channel=channel, client="ACME",
                          outcome="answered", wait_s=w)
                     for i, (w, channel) in enumerate([(5, "phone"), (10, "phone"), (30, "chat"), (40, "chat")])]


def test_fra002_the_settings_page_in_french_then_in_english(dash_duo, make_db, app_for):
    dash_duo.start_server(app_for(make_db(contacts=SETTINGS_CONTACTS)))
    dash_duo.driver.set_window_size(1280, 1000)
    in_french(dash_duo, "/settings")
    wait_contains(dash_duo, "#targets-table", "par défaut")       # no settings file: the defaults
    table = shown(dash_duo, "#targets-table")
    for text in ("Indicateur", "S'applique à", "Objectif", "Proche dès", "Défini dans",
                 "Qualité de service (décroché en X s)", "tous les contacts", "80,0\u00a0%"):
        assert text in table, (text, table)
    body = shown(dash_duo)
    with using("fr"):       # the page's name, shared with the navigation bar's catalogue
        assert _("Settings") != "Settings" and _("Settings") in body
    for text in ("Fixer un objectif", "Pour un canal (facultatif)", "ou un client (facultatif)",
                 "Objectifs en vigueur", "Enregistrer", "Supprimer", "«\u00a0Proche dès\u00a0» marque la zone orange"):
        assert text in body, (text, body)
    # a target for the phone channel alone, the channel chosen by its French name
    dash_duo.select_dcc_dropdown("#target-channel", value="téléphone")
    dash_duo.find_element("#target-value").send_keys("45.5")
    click(dash_duo, "#target-save")
    dash_duo.wait_for_text_to_equal("#target-message", "Enregistré.")
    wait_contains(dash_duo, "#targets-table", "canal téléphone")
    assert "45,5\u00a0%" in shown(dash_duo, "#targets-table") and "cette page" in shown(dash_duo, "#targets-table")
    # both a channel and a client: refused, in French
    dash_duo.select_dcc_dropdown("#target-client", index=0)
    click(dash_duo, "#target-save")
    dash_duo.wait_for_text_to_equal("#target-message", "Choisissez un canal ou un client, pas les deux.")
    screenshot(dash_duo, "settings-fr")
    assert dash_duo.get_logs() == []

    in_english(dash_duo, "/settings")
    wait_contains(dash_duo, "#targets-table", "channel phone")
    table = shown(dash_duo, "#targets-table")
    for text in ("Indicator", "Applies to", "Close from", "Set in", "Service level", "every contact", "45.5 %",
                 "set here", "default"):
        assert text in table, (text, table)
    assert "Targets in force" in shown(dash_duo)
    screenshot(dash_duo, "settings-en")
    assert dash_duo.get_logs() == []


def test_fra003_the_administration_page_in_french_then_in_english(dash_duo, make_db, app_for):
    eng = make_db(contacts=SETTINGS_CONTACTS)
    add_user(eng, "ada", "admin", "ada-password-1")
    dash_duo.start_server(app_for(eng), navigate=False)
    dash_duo._url = dash_duo.server.url
    dash_duo.driver.set_window_size(1280, 1000)
    dash_duo.driver.get(dash_duo.server_url + "/login")
    dash_duo.find_element("#username").send_keys("ada")
    dash_duo.find_element("#password").send_keys("ada-password-1")
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_element("#nav-user")
    in_french(dash_duo, "/admin")
    wait_contains(dash_duo, "#admin-users", "administrateur")
    users = shown(dash_duo, "#admin-users")
    for text in ("Utilisateur", "Rôle", "Limité à", "Modifié le", "tout le périmètre"):
        assert text in users, (text, users)
    body = shown(dash_duo)
    for text in ("Administration", "Utilisateurs", "Nom d'utilisateur", "Mot de passe (10 caractères ou plus)",
                 "Nouveau mot de passe", "Journal d'audit", "Tous les utilisateurs", "Toutes les actions",
                 "directeur"):
        assert text in body, (text, body)
    dash_duo.find_element("#admin-name").send_keys("bea")
    dash_duo.select_dcc_dropdown("#admin-role", value="superviseur")
    dash_duo.find_element("#admin-teams").send_keys("T1")
    dash_duo.find_element("#admin-password").send_keys("bea-password-1")
    click(dash_duo, "#admin-add")
    dash_duo.wait_for_text_to_equal("#admin-message", "Utilisateur bea ajouté.")
    wait_contains(dash_duo, "#admin-users", "superviseur")
    wait_contains(dash_duo, "#audit-grid", "utilisateur ajouté")
    grid = shown(dash_duo, "#audit-grid")
    for text in ("Date", "Qui", "Adresse", "Action", "Code", "Détail", "connexion", "user_added", "ada",
                 "utilisateur\u00a0: bea · rôle\u00a0: superviseur · équipes\u00a0: T1"):   # the detail in words
        assert text in grid, (text, grid)
    # the audit trail filtered on one action, chosen by its French name
    dash_duo.select_dcc_dropdown("#audit-action", value="connexion")
    until(lambda: "utilisateur ajouté" not in shown(dash_duo, "#audit-grid"))
    assert "sign_in" in shown(dash_duo, "#audit-grid")
    assert "bea-password-1" not in dash_duo.driver.page_source
    screenshot(dash_duo, "admin-fr")
    assert dash_duo.get_logs() == []

    in_english(dash_duo, "/admin")
    wait_contains(dash_duo, "#admin-users", "team lead")
    assert "administrator" in shown(dash_duo, "#admin-users") and "Limited to" in shown(dash_duo, "#admin-users")
    wait_contains(dash_duo, "#audit-grid", "user added")
    body = shown(dash_duo)
    for text in ("Users", "Audit trail", "Password (10 characters or more)", "Anyone", "Any change"):
        assert text in body, (text, body)
    screenshot(dash_duo, "admin-en")
    assert dash_duo.get_logs() == []
