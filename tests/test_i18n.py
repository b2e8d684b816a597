"""The catalogue: every text of the code has its French, and every text shown to users is
looked up (never a literal left in a component, a chart or a grid's header)."""
from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

import i18n
from i18n import _, formats, ngettext, using

ROOT = Path(__file__).resolve().parents[1]
CODE = ("app.py", "access", "components", "pages", "metrics", "data", "i18n", "comments", "reports", "alerts", "staffing")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# what a person reads: a component's children and these properties, a figure's texts
SHOWN = {"children", "label", "placeholder", "title", "headerName", "name", "text", "tooltip", "headerTooltip"}
COMPONENTS = {"html", "dbc", "dcc", "dag"}
FIGURES = {"update_layout", "update_xaxes", "update_yaxes", "add_annotation", "add_hline", "add_vline",
           "Bar", "Scatter", "Heatmap", "Histogram", "Pie", "Box"}


def code_messages() -> dict[str, list[str]]:
    """Every text the code looks up, with where (Babel's extractor, as ``make messages``)."""
    from babel.messages.extract import extract_from_file
    found: dict[str, list[str]] = {}
    for part in CODE:
        paths = [ROOT / part] if part.endswith(".py") else sorted((ROOT / part).rglob("*.py"))
        for path in paths:
            for line, message, _comments, _context in extract_from_file("python", path, keywords=KEYWORDS):
                for text in (message if isinstance(message, tuple) else (message,)):
                    found.setdefault(text, []).append(f"{path.relative_to(ROOT)}:{line}")
    return found


def fields(text: str) -> set[str]:
    return set(re.findall(r"\{(\w*)[^{}]*\}", text))


def test_i18n001_every_text_of_the_code_has_its_french_with_the_same_fields():
    catalogue = i18n.catalogue("fr")
    messages = code_messages()
    assert len(messages) > 20
    missing = [f"{text!r} ({where[0]})" for text, where in messages.items()
               if not (catalogue.get(text) and (catalogue.get(text).string or "") and not catalogue.get(text).fuzzy)
               and not any(isinstance(m.id, tuple) and text in m.id for m in catalogue)]
    assert not missing, f"{len(missing)} texts without French:\n" + "\n".join(missing[:60])
    wrong = [m.id for m in catalogue if m.id and not isinstance(m.id, tuple) and fields(m.id) != fields(m.string)]
    assert not wrong, f"translations whose {{fields}} differ from the text's: {wrong}"
    unused = [m.id for m in catalogue if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id) not in messages]
    assert not unused, f"catalogue entries the code no longer asks for: {unused}"


def test_i18n007_a_text_in_several_catalogue_files_has_one_french():
    """The files are read as one: a text translated twice must read the same in both."""
    from babel.messages.pofile import read_po
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in sorted((ROOT / "i18n" / "fr").glob("*.po")):
        with open(path, "rb") as fh:
            for message in read_po(fh):
                if message.id and not isinstance(message.id, tuple):
                    before = seen.setdefault(message.id, (message.string, path.name))
                    if before[0] != message.string:
                        clashes.append(f"{message.id!r}: {before[0]!r} ({before[1]}) / {message.string!r} ({path.name})")
    assert not clashes, "\n".join(clashes)


def shown_literals(path: Path) -> list[str]:
    """The literal texts with a letter that a module puts where a person reads them."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []

    def literal(node) -> bool:
        text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else (
            "".join(v.value for v in node.values if isinstance(v, ast.Constant)) if isinstance(node, ast.JoinedStr)
            else "")
        return bool(re.search(r"[A-Za-zÀ-ÿ]{2}", text))

    def check(node, where):
        items = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
        for item in items:
            if literal(item):
                out.append(f"{path.relative_to(ROOT)}:{item.lineno} {where}: {ast.unparse(item)[:70]}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value.id if isinstance(node.func.value, ast.Name) else None
            if owner in COMPONENTS:
                for arg in node.args[:1]:
                    check(arg, f"{owner}.{node.func.attr}")
            if owner in COMPONENTS or node.func.attr in FIGURES:
                for kw in node.keywords:
                    if kw.arg in SHOWN:
                        check(kw.value, f"{node.func.attr}({kw.arg}=)")
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value in ("label", "headerName", "title", "text"):
                    check(value, f"{{{key.value!r}: ...}}")
    return out


def ui_modules() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for part in ("pages", "components", "access")
                  for p in (ROOT / part).glob("*.py")) + ["app.py"]


def test_i18n002_no_text_shown_to_users_is_a_literal_left_out_of_the_catalogue():
    found = [line for module in ui_modules() for line in shown_literals(ROOT / module)]
    assert not found, f"{len(found)} texts shown without _():\n" + "\n".join(found[:60])


def test_i18n003_lookups_and_plurals_in_each_language():
    with using("fr"):
        assert _("Sign out") == "Se déconnecter"
        assert i18n.current() == "fr"
    with using("en"):
        assert _("Sign out") == "Sign out"
        assert ngettext("{n} contact", "{n} contacts", 1) == "1 contact"
        assert ngettext("{n} contact", "{n} contacts", 2) == "2 contacts"
    assert _("a text no catalogue has") == "a text no catalogue has"


@pytest.mark.parametrize("lang, expected", [
    ("fr", ["18\u202f084", "96,9\u00a0%", "+4,2\u00a0pts", "-0,3\u00a0pts", "663,31\u00a0€", "6\u00a0min\u00a037\u00a0s",
            "2\u00a0j\u00a04\u00a0h", "30/11/2026", "novembre 2026", "lun. 30/11"]),
    ("en", ["18,084", "96.9 %", "+4.2 pts", "-0.3 pts", "€663.31", "6 min 37 s", "2 d 4 h", "30/11/2026",
            "November 2026", "Mon 30/11"]),
])
def test_i18n004_numbers_durations_and_dates_in_each_locale(lang, expected):
    """Worked out by hand from the locales' rules: French groups thousands with a narrow
    no-break space and writes a decimal comma, keeps a unit on the number's line (and a
    duration on one line); 187,200 s is 2 days and 4 hours; 30 November 2026 is a Monday."""
    with using(lang):
        assert [formats.number(18084), formats.percent(96.94), formats.points(4.2), formats.points(-0.31),
                formats.money(663.31), formats.duration(397), formats.duration(187200),
                formats.day(date(2026, 11, 30)), formats.month(date(2026, 11, 1)),
                formats.short_day(date(2026, 11, 30))] == expected


def test_i18n005_plotly_is_given_the_locale_inline():
    with using("fr"):
        config = formats.plotly_config({"displaylogo": False})
        assert config["displaylogo"] is False and config["locale"] == "fr"
        fmt = config["locales"]["fr"]["format"]
        assert fmt["months"][10] == "novembre" and fmt["shortDays"][1] == "lun." and fmt["decimal"] == ","
        assert formats.separators() == ",\u202f"
    with using("en"):
        assert formats.separators() == ".,"


def test_i18n006_a_csv_for_the_reader_s_spreadsheet():
    """French Excel splits on ";", reads a decimal comma and needs the byte-order mark to take
    UTF-8; English keeps "," and the decimal point. Texts stay quoted and inert in both."""
    import pandas as pd

    from data.exports import csv_bytes
    table = pd.DataFrame({"Conseiller": ["=x", "Zoé"], "Taux": [57.14, 3.5], "n": [1200, 3]})
    with using("fr"):
        assert csv_bytes(table) == ('\ufeff"Conseiller";"Taux";"n"\n"\'=x";"57,14";1200\n"Zoé";"3,5";3\n'
                                    ).encode("utf-8")
    with using("en"):
        assert csv_bytes(table) == '"Conseiller","Taux","n"\n"\'=x",57.14,1200\n"Zoé",3.5,3\n'.encode("utf-8")


def test_i18n008_the_rules_of_a_target_are_told_in_the_reader_s_language():
    """A rate's target lies within 0-100 %: 120 is refused in words and formats of each
    language; a "close from" above a higher-is-better target is refused too."""
    from metrics.targets import target_error
    with using("fr"):
        assert target_error("service_level", 120) == (
            "l'objectif de Qualité de service (décroché en X s) doit être compris entre 0,0\u00a0% et "
            "100,0\u00a0% (120,0\u00a0% donné)")
        assert target_error("nps", 20, 30) == ("«\u00a0proche dès\u00a0» doit être sous l'objectif pour Net Promoter Score "
                                               "(plus haut est meilleur)\u00a0: +30 n'est pas sous +20")
    with using("en"):
        assert target_error("service_level", 120) == (
            "the target of Service level must be between 0.0 % and 100.0 % (120.0 % given)")


def test_i18n009_what_the_data_layer_refuses_is_said_in_the_reader_s_language(make_db):
    from data.focus import set_focus
    from data.users import UserError, add_user
    eng = make_db()
    with using("fr"), pytest.raises(ValueError) as refused:
        set_focus(eng, "nps", 30, date(2025, 3, 1), note="x" * 1201)
    assert str(refused.value) == "la note\u00a0: 200 caractères au plus (1\u202f201 donnés)"
    with using("fr"), pytest.raises(UserError) as refused:
        add_user(eng, "ada", "admin", "court")
    assert str(refused.value) == "un mot de passe compte au moins 10 caractères"


def test_i18n010_the_maturity_rule_s_notes_in_both_languages():
    """Data of 1-31 March with the default 7-day window: FCR waits for contacts from 25 March,
    repeats do not count contacts before 8 March (the window before them is not in the data);
    a 36.5-hour window is told in hours."""
    from metrics.maturity import Maturity
    week = Maturity(date(2025, 3, 1), date(2025, 3, 31), 168.0)
    with using("fr"):
        assert week.note("fcr", 2072, date(2025, 3, 1)) == (
            "2\u202f072 contacts à partir du 25/03/2025 en attente\u00a0: chacun compte une fois sa fenêtre de "
            "7 jours écoulée")
        assert week.note("repeat_rate", 1, date(2025, 3, 1)) == (
            "1 contact avant le 08/03/2025 non compté\u00a0: la fenêtre de 7 jours qui le précède n'est pas dans "
            "les données")
        assert "fenêtre de 36,5 heures" in Maturity(date(2025, 3, 1), date(2025, 3, 31), 36.5).note(
            "fcr", 3, date(2025, 3, 1))
    with using("en"):
        assert week.note("fcr", 2072, date(2025, 3, 1)) == (
            "2,072 contacts from 25/03/2025 pending: each counts once its 7-day window has passed")
        assert week.note("fcr", 1, date(2025, 3, 1)) == (
            "1 contact from 25/03/2025 pending: it counts once its 7-day window has passed")


def test_i18n011_an_audit_entry_s_detail_in_words():
    from i18n.labels import audit_detail_text
    load = ('{"accepted": 29225, "file": "=demo.csv", "profile": "demo", "rejected": 0, "source": "demo",'
            ' "status": "loaded", "table": "surveys"}')
    with using("fr"):
        assert audit_detail_text(load) == ("fichier\u00a0: =demo.csv · table\u00a0: enquêtes · source\u00a0: demo · profil\u00a0: demo"
                                           " · statut\u00a0: chargé · acceptées\u00a0: 29\u202f225 · rejetées\u00a0: 0")
        assert audit_detail_text('{"kpi": "nps", "target": 30, "amber": 20, "starts_on": "2026-12-01", "note": null}'
                                 ) == "indicateur\u00a0: Net Promoter Score · objectif\u00a0: +30 · proche dès\u00a0: +20 · début\u00a0: 01/12/2026"
        assert audit_detail_text('{"user": "ada", "role": "team_lead", "teams": ["T1", "T2"], "clients": []}'
                                 ) == "utilisateur\u00a0: ada · rôle\u00a0: superviseur · équipes\u00a0: T1, T2"
    with using("en"):
        assert audit_detail_text('{"client": "X", "month": "2026-11-01", "length": 1200, "odd": "y"}') == (
            "client: X · month: November 2026 · characters: 1,200 · odd: y")
        assert audit_detail_text("not json") == "not json" and audit_detail_text("[1]") == "[1]"
