"""Hot answers (about a contact) and cold ones (a barometer) kept apart: the pages' scores are
the contacts', the barometer is read per wave on its own."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from access.viewer import LOCAL
from components.overview import barometer_waves
from components.state import ViewState
from components.view import View
from metrics.query import Scope, compute
from settings import Settings

pytestmark = pytest.mark.engines       # every fixture read on DuckDB and on Spark SQL

CONTACTS = [dict(contact_id=c, arrived_at="2025-03-03 10:00:00", channel="phone", queue="Q1", outcome="answered",
                 agent_id="A1", wait_s=5, talk_s=60) for c in ("c1", "c2")]
SURVEYS = [
    dict(response_id="r1", responded_at="2025-03-04 10:00:00", contact_id="c1", nps=10),            # hot
    dict(response_id="r2", responded_at="2025-03-04 11:00:00", contact_id="c2", nps=0),             # hot
    dict(response_id="r3", responded_at="2025-03-10 09:00:00", survey="cold", channel="phone", nps=0),
    dict(response_id="r4", responded_at="2025-03-11 09:00:00", survey="cold", channel="phone", nps=6),
    dict(response_id="r5", responded_at="2025-02-12 09:00:00", survey="cold", channel="phone", nps=9),
]
MARCH = Scope.of("2025-03-01", "2025-03-31")


@pytest.mark.parametrize("from_rollups", [True, False])
def test_hc001_the_answers_kind_selects_answers_not_contacts(make_db, from_rollups):
    eng = make_db(contacts=CONTACTS, surveys=SURVEYS)
    kpis = ["nps", "responses", "handled", "response_rate"]
    every = compute(eng, MARCH, kpis, from_rollups=from_rollups).iloc[0]
    hot = compute(eng, MARCH.with_survey("hot"), kpis, from_rollups=from_rollups).iloc[0]
    cold = compute(eng, MARCH.with_survey("cold"), kpis, from_rollups=from_rollups).iloc[0]
    # every March answer: r1 promoter; r2, r3 (0) and r4 (6) detractors -> 100 × (1 − 3) ÷ 4 = −50
    assert (every["responses"], every["nps"]) == (4, -50)
    # hot: r1 promoter, r2 detractor -> 0; cold: r3, r4 detractors -> −100
    assert (hot["responses"], hot["nps"]) == (2, 0)
    assert (cold["responses"], cold["nps"]) == (2, -100)
    # the contacts are the same whatever the answers' kind: 2 handled, both surveyed -> 100 %
    assert every["handled"] == hot["handled"] == cold["handled"] == 2
    assert hot["response_rate"] == cold["response_rate"] == 100


def test_hc002_a_page_reads_the_hot_answers_and_the_barometer_per_wave(make_db):
    eng = make_db(contacts=CONTACTS, surveys=SURVEYS)
    state = ViewState.from_query({"from": "2025-03-01", "to": "2025-03-31"}, (date(2025, 2, 12), date(2025, 3, 11)))
    settings = replace(Settings(), db=Path(eng.url.database))
    view = View(settings, eng, date(2025, 2, 12), date(2025, 3, 11), state, dict(settings.targets), LOCAL)
    assert view.scope().survey == "hot" and view.scope(survey=None).survey is None
    assert compute(eng, view.scope(), ["nps"]).iloc[0]["nps"] == 0
    waves = barometer_waves(view)
    # two waves, the latest first: March r3, r4 -> −100 from 2 answers; February r5 (9) -> +100
    assert [str(g)[:7] for g in waves["group"]] == ["2025-03", "2025-02"]
    assert waves["responses"].tolist() == [2, 1] and waves["nps"].tolist() == [-100, 100]
