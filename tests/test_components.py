"""Plain functions behind the page widgets."""
from __future__ import annotations

import pandas as pd
import pytest

from components.kpi import change_text, help_text, settings_text
from components.overview import compared_pair, correlation_text
from metrics.stats import pearson
from i18n import using
from settings import KpiSettings


def test_cmp001_change_against_previous_period_in_words_and_direction():
    assert change_text("service_level", 82.0, 80.0) == ("▲ +2.0 pts vs previous period", "better")
    assert change_text("abandon_rate", 6.0, 4.5) == ("▲ +1.5 pts vs previous period", "worse")
    assert change_text("aht", 300.0, 320.0) == ("▼ -20 s vs previous period", "better")
    assert change_text("offered", 120, 100) == ("+20 (+20.0 %) vs previous period", "")
    assert change_text("abandon_rate", 10.31, 10.33) == ("no change vs previous period", "")
    assert change_text("nps", None, 10) == ("– vs previous period", "")
    # scores change in points, and the period compared with is named
    assert change_text("nps", 25.0, 20.0, "Oct 2026") == ("▲ +5 pts vs Oct 2026", "better")
    assert change_text("revenue_per_sale", 90.0, 100.0, "Nov 2025") == ("▼ -€10.00 vs Nov 2025", "worse")


def test_cmp002_help_names_formula_and_settings_in_force():
    text = help_text("service_level", KpiSettings(sl_thresholds={"phone": 30}))
    assert text.startswith("Service level\n= answered with wait ≤ threshold(channel) ÷ net offered")
    assert "Threshold per channel: phone 30 s; other channels 20 s" in text
    assert "Abandons in service level: counted as missed" in text
    with using("fr"):
        text = help_text("service_level", KpiSettings(sl_thresholds={"phone": 30}))
    assert text.startswith("Qualité de service (décroché en X s)\n")
    assert "Seuil par canal\u00a0: téléphone 30\u00a0s\u202f; autres canaux 20\u00a0s" in text
    assert settings_text("fcr", KpiSettings(repeat_window_h=72)) == ["Repeat window: 72 h"]
    assert settings_text("nps", KpiSettings()) == []


def test_cmp003_correlation_over_points_with_both_values():
    # y = 2x exactly on the 3 complete points -> r = 1; the point with a missing value is left out
    a = pd.Series([1.0, 2.0, 3.0, 4.0])
    b = pd.Series([2.0, 4.0, None, 8.0])
    r, n = pearson(a, b)
    assert n == 3 and r == pytest.approx(1.0)
    assert pearson(pd.Series([1.0, 2.0]), pd.Series([2.0, 1.0])) == (None, 2)
    series = pd.DataFrame({"service_level": [1.0, 2.0, 3.0], "nps": [3.0, 2.0, 1.0]})
    assert correlation_text(series, "service_level", "nps", "week") == "Correlation over 3 weeks: -1.00"


def test_cmp004_compared_pair_only_takes_known_ratio_kpis():
    assert compared_pair({"dkpi": "aht", "pkpi": "csat"}) == ("aht", "csat")
    assert compared_pair({"dkpi": "nps", "pkpi": "offered"}) == ("service_level", "nps")


def test_cmp005_overview_data_current_previous_and_series(make_db):
    from dataclasses import replace
    from datetime import date
    from pathlib import Path

    from components.overview import overview_data
    from components.state import ViewState
    from access.viewer import LOCAL
    from components.view import View
    from settings import Settings

    contacts = [dict(contact_id=f"c{i}", arrived_at=f"2025-03-{d:02d} 10:00:00", channel="phone",
                     outcome="answered", wait_s=w) for i, (d, w) in enumerate(
        [(1, 10), (2, 30), (8, 10), (9, 10), (10, 50)])]
    eng = make_db(contacts=contacts)
    state = ViewState.from_query({"from": "2025-03-08", "to": "2025-03-10"}, (date(2025, 3, 1), date(2025, 3, 10)))
    settings = replace(Settings(), db=Path(eng.url.database))
    data = overview_data(View(settings, eng, date(2025, 3, 1), date(2025, 3, 10), state, settings.targets, LOCAL))
    # 8-10 March: 2 of 3 within 20 s; the 3 days before (5-7 March) hold no contact;
    assert data.current.total["service_level"] == pytest.approx(200 / 3)
    assert (data.previous.start, data.previous.end) == (date(2025, 3, 5), date(2025, 3, 7))
    assert data.previous.total["service_level"] is None and data.previous.total["offered"] == 0
    assert data.last_year is None                    # the data start on 1 March 2025
    assert data.grain == "day"
    assert data.series["group"].tolist() == ["2025-03-08", "2025-03-09", "2025-03-10"]
    assert data.series["service_level"].tolist() == [100.0, 100.0, 0.0]


def _spark_lines(uri: str) -> list[list[tuple[float, float]]]:
    """The polylines of a sparkline's SVG, as (x, y) points."""
    import re
    from urllib.parse import unquote
    assert uri.startswith("data:image/svg+xml;utf8,")
    svg = unquote(uri.split(",", 1)[1])
    assert "<script" not in svg and "viewBox=\"0 0 100 40\"" in svg
    return [[tuple(float(n) for n in pt.split(",")) for pt in pts.split()]
            for pts in re.findall(r'points="([^"]*)"', svg)]


def test_cmp_sparkline_draws_a_steady_value_flat():
    from components.charts import sparkline
    # a cost spread evenly over the days differs only in its last bits: drawn flat, mid-height
    [line] = _spark_lines(sparkline([1886.576, 1886.5760000000002, None], "#000"))
    assert line == [(0.0, 20.0), (50.0, 20.0)]


def test_cmp_sparkline_spans_its_box_and_breaks_at_missing_values():
    from components.charts import sparkline
    # 5 values over a width of 100: x every 25; the lowest (10) at the bottom (40 - 2 of stroke),
    # the highest (30) at the top (2); 20 half-way (20); the missing fourth value breaks the line,
    # and the lone last point is drawn as a short dash around x = 100
    uri = sparkline([10.0, 30.0, 20.0, None, 10.0], "#18bc9c")
    assert "%2318bc9c" in uri
    assert _spark_lines(uri) == [[(0.0, 38.0), (25.0, 2.0), (50.0, 20.0)], [(99.0, 38.0), (101.0, 38.0)]]
    assert _spark_lines(sparkline([None, None], "#000")) == []




def test_cmp006_a_grid_says_it_has_no_rows_in_the_viewers_language():
    from components.grids import fitted, grid
    for lang, empty in (("fr", "Aucune ligne à afficher"), ("en", "No rows to show")):
        with using(lang):
            assert grid("g").dashGridOptions["localeText"]["noRowsToShow"] == empty
            assert fitted([])[0]["localeText"]["noRowsToShow"] == empty
