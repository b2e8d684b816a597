"""The loader, the validator and the command lines in French, and in English as before: the
reasons a row is rejected, the refusals of a file, a load's report and steps, the command
line's errors and output. Every expected text is written out by hand."""
from __future__ import annotations

import base64
import os
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from components import imports as im
from data import db as database
from data.audit import Actor
from data.jobs import JOBS, Jobs
from data.loader import LoadError, load, prepare
from i18n import using
from settings import Settings
from tests.conftest import KEY

ROOT = Path(__file__).resolve().parents[1]
HEADER = "contact_id,arrived_at,channel,direction,outcome,wait_s"
# line 2 is good; 3: a bad number; 4: an empty required cell; 5: a wrong outcome; 6: two
# reasons in one row; 7: an outcome that does not fit the direction
MESSY = (HEADER + "\n"
         "c1,2025-03-03 09:00:00,phone,,answered,10\n"
         "c2,2025-03-03 09:05:00,phone,,answered,vite\n"
         "c3,2025-03-03 09:10:00,,,answered,12\n"
         "c4,2025-03-03 09:15:00,phone,,transfered,5\n"
         "c5,2025-03-03 09:20:00,,,abandoned,12s\n"
         "c6,2025-03-03 09:25:00,phone,outbound,answered,0\n")
FRENCH_REASONS = [
    (3, "wait_s 'vite' n'est pas un nombre"),
    (4, "channel est vide"),
    (5, "outcome 'transfered' n'est pas une valeur admise (answered, abandoned, self_service, reached, not_reached)"),
    (6, "channel est vide\u202f; wait_s '12s' n'est pas un nombre"),
    (7, "outcome 'answered' ne correspond pas à la direction 'outbound'"),
]
ENGLISH_REASONS = [
    (3, "wait_s 'vite' is not a number"),
    (4, "channel is empty"),
    (5, "outcome 'transfered' is not one of answered, abandoned, self_service, reached, not_reached"),
    (6, "channel is empty; wait_s '12s' is not a number"),
    (7, "outcome 'answered' does not fit direction 'outbound'"),
]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def good_rows(n: int, bad: tuple[int, ...] = ()) -> str:
    """``n`` contacts, those at the positions ``bad`` (0 = line 2) with a wait that is not a number."""
    return HEADER + "\n" + "".join(
        f"g{i},2025-03-04 10:{i:02d}:00,phone,,answered,{'vite' if i in bad else i}\n" for i in range(n))


def reasons(path: Path) -> list[tuple[int, str]]:
    [report] = prepare(path, "contacts", reject_budget=1.0)
    return [(int(r.line), r.reason) for r in report.rejects.itertuples()]


def test_frl001_rejected_rows_and_a_load_s_report_in_french(tmp_path, make_db):
    path = write(tmp_path, "contacts.csv", MESSY)
    with using("fr"):
        assert reasons(path) == FRENCH_REASONS
        eng, steps = make_db(), []
        [report] = load(eng, {"contacts": path}, key=KEY, reject_budget=0.9, on_step=steps.append)
        assert steps == ["lecture de contacts.csv", "enregistrement"]
        assert report.message == (
            "contacts.csv\u00a0: 1 ligne chargée, 5 rejetées\u00a0: ligne 3\u00a0: wait_s 'vite' n'est pas un nombre\u202f; "
            "ligne 4\u00a0: channel est vide\u202f; ligne 5\u00a0: outcome 'transfered' n'est pas une valeur admise (answered, "
            "abandoned, self_service, reached, not_reached)\u202f; ligne 6\u00a0: channel est vide\u202f; wait_s '12s' n'est pas "
            "un nombre\u202f; ligne 7\u00a0: outcome 'answered' ne correspond pas à la direction 'outbound'")
        [again] = load(eng, {"contacts": path}, key=KEY, reject_budget=0.9)
        assert again.message == "contacts.csv\u00a0: déjà chargé\u00a0: rien n'a changé"
        [plural] = load(eng, {"contacts": write(tmp_path, "plus.csv", good_rows(3, bad=(2,)))}, key=KEY,
                        reject_budget=0.5)
        assert plural.message == "plus.csv\u00a0: 2 lignes chargées, 1 rejetée\u00a0: ligne 4\u00a0: wait_s 'vite' n'est pas un nombre"


@pytest.mark.parametrize("name, text, expected", [
    ("seuil.csv", good_rows(10, bad=(1,)),
     "seuil.csv\u00a0: 1 ligne sur 10 rejetée, au-delà du seuil de rejet de 5 %\u00a0: ligne 3\u00a0: wait_s 'vite' n'est pas un "
     "nombre"),
    ("seuil.csv", good_rows(10, bad=(1, 3)),
     "seuil.csv\u00a0: 2 lignes sur 10 rejetées, au-delà du seuil de rejet de 5 %\u00a0: ligne 3\u00a0: wait_s 'vite' n'est pas un "
     "nombre\u202f; ligne 5\u00a0: wait_s 'vite' n'est pas un nombre"),
    ("manque.csv", "contact_id,arrived_at,channel\nc1,2025-03-03 09:00:00,phone\n",
     "manque.csv, ligne 1\u00a0: colonne(s) obligatoire(s) manquante(s) pour la table contacts\u00a0: outcome"),
    ("doublons.csv", HEADER + "\nc1,2025-03-03 09:00:00,phone,,answered,1\nc2,2025-03-03 09:01:00,phone,,answered,1\n"
                              "c1,2025-03-03 09:02:00,phone,,answered,1\n",
     "doublons.csv\u00a0: contact_id en double dans le fichier\u00a0: c1 (lignes 2, 4)"),
    ("tout.csv", HEADER + "\nc1,2025-03-03 09:00:00,,,answered,1\n",
     "tout.csv\u00a0: toutes les lignes ont été rejetées\u00a0: ligne 2\u00a0: channel est vide"),
    ("vide.csv", "\n", "vide.csv\u00a0: le fichier est vide"),
])
def test_frl002_a_refused_file_is_told_in_french(tmp_path, make_db, name, text, expected):
    """The budget's 5 % is 1 row of 10 too many (the count decides "ligne rejetée" or "lignes
    rejetées"); the file loaded beside a refused one is not loaded, and says why."""
    eng = make_db()
    agents = write(tmp_path, "agents.csv", "agent_id,agent_name\nA1,Zoé\n")
    with using("fr"), pytest.raises(LoadError) as refused:
        load(eng, {"agents": agents, "contacts": write(tmp_path, name, text)}, key=KEY)
    assert str(refused.value) == expected
    kept = next(r for r in refused.value.reports if r.table == "agents")
    assert kept.message == f"agents.csv\u00a0: non chargé, car le chargement a été refusé ({expected})"


def run(*args, tmp_path, lang: str):
    env = dict(os.environ, PILOTAGE_KEY_FILE=str(tmp_path / "test.key"), PILOTAGE_LANG=lang, COLUMNS="200")
    env.pop("PILOTAGE_CONFIG", None)
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_frl003_the_command_line_in_french(tmp_path):
    db = str(tmp_path / "cli.duckdb")
    bad = write(tmp_path, "bad.csv", "contact_id,arrived_at,channel\n1,2025-03-03 09:00:00,phone\n")
    out = run("data", "load", "--db", db, "--contacts", str(bad), tmp_path=tmp_path, lang="fr")
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.strip().splitlines() == [
        "erreur\u00a0: bad.csv, ligne 1\u00a0: colonne(s) obligatoire(s) manquante(s) pour la table contacts\u00a0: outcome"]
    out = run("data", "load", "--db", db, "--contacts", str(tmp_path / "none.csv"), tmp_path=tmp_path, lang="fr")
    assert out.stderr.strip() == f"erreur\u00a0: {tmp_path / 'none.csv'}\u00a0: fichier introuvable"
    good = write(tmp_path, "contacts.csv", good_rows(3))
    out = run("data", "load", "--db", db, "--contacts", str(good), tmp_path=tmp_path, lang="fr")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["contacts\u00a0: contacts.csv\u00a0: 3 lignes chargées"]
    out = run("metrics", "summary", "--db", db, "--from", "mars", "--to", "2025-03-31", tmp_path=tmp_path, lang="fr")
    assert out.returncode == 1 and out.stderr.strip() == "erreur\u00a0: 'mars' n'est pas une date (AAAA-MM-JJ)"
    # the help is French; argparse's own words stay Python's
    out = run("data", "load", "--help", tmp_path=tmp_path, lang="fr")
    assert out.returncode == 0 and out.stdout.startswith("usage: python -m data load")
    assert "lire les fichiers avec cet encodage (par défaut\u00a0: détecté)" in out.stdout
    assert "écrire ici les lignes rejetées (fichier, ligne, motif)" in out.stdout


def test_frl004_in_english_everything_reads_as_before(tmp_path, make_db):
    path = write(tmp_path, "contacts.csv", MESSY)
    with using("en"):
        assert reasons(path) == ENGLISH_REASONS
        [report] = load(make_db(), {"contacts": path}, key=KEY, reject_budget=0.9)
        assert report.message == (
            "contacts.csv: 1 row loaded, 5 rejected: line 3: wait_s 'vite' is not a number; line 4: channel is "
            "empty; line 5: outcome 'transfered' is not one of answered, abandoned, self_service, reached, "
            "not_reached; line 6: channel is empty; wait_s '12s' is not a number; line 7: outcome 'answered' does "
            "not fit direction 'outbound'")
        with pytest.raises(LoadError, match=r"^seuil.csv: 1 of 10 rows rejected, over the reject budget of 5%: "
                                             r"line 3: wait_s 'vite' is not a number$"):
            load(make_db(), {"contacts": write(tmp_path, "seuil.csv", good_rows(10, bad=(1,)))}, key=KEY)
    bad = write(tmp_path, "bad.csv", "contact_id,arrived_at,channel\n1,2025-03-03 09:00:00,phone\n")
    out = run("data", "load", "--db", str(tmp_path / "cli.duckdb"), "--contacts", str(bad), tmp_path=tmp_path,
              lang="en")
    assert out.returncode == 1 and out.stderr.strip().splitlines() == [
        "error: bad.csv, line 1: missing required column(s) for contacts: outcome"]


def test_frl005_a_background_load_speaks_the_language_of_the_one_who_started_it(tmp_path):
    """The load runs in a thread, which has no request and does not inherit ``using``: the
    import page's load takes the requester's language with it."""
    settings = replace(Settings(), db=tmp_path / "x.duckdb", key_file=tmp_path / "x.key", lang="en")
    eng = database.engine(settings.db)

    def staged(name: str, text: str):
        return im.stage(settings, "data:text/csv;base64," + base64.b64encode(text.encode()).decode(), name)
    try:
        with using("fr"):
            done = im.start_load(settings, eng, [(staged("c.csv", good_rows(2)), "canonical", "contacts")], "s",
                                 Actor("t"))
            JOBS.wait()
            refused = im.start_load(settings, eng, [(staged("manque.csv", "contact_id\nc1\n"), "canonical",
                                                     "contacts")], "s", Actor("t"))
            JOBS.wait()
        assert (done.state, done.step, done.result[0].message) == ("done", "enregistrement",
                                                                    "c.csv\u00a0: 2 lignes chargées")
        assert refused.state == "failed" and refused.step == "lecture de manque.csv"
        assert str(refused.error) == ("manque.csv, ligne 1\u00a0: colonne(s) obligatoire(s) manquante(s) pour la table "
                                      "contacts\u00a0: arrived_at, channel, outcome")
        # a job's first steps are made when it starts, in the caller's language
        jobs, gate = Jobs(), threading.Event()
        with using("fr"):
            first = jobs.start(lambda step: gate.wait(5), total=1)
            second = jobs.start(lambda step: None, total=1)
        while first.state != "running":
            pass
        assert (first.step, second.step) == ("démarrage", "en attente de la fin du chargement précédent")
        gate.set()
        jobs.wait()
    finally:
        database.dispose(settings.db)
