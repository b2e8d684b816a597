"""The KPI registry as data, and the Scope that every query goes through."""
from __future__ import annotations

from datetime import date

import pytest

from metrics import registry
from metrics.query import Scope, compute
from metrics.registry import KPIS, Kpi, Measure, format_value

pytestmark = pytest.mark.engines       # every fixture read on DuckDB and on Spark SQL

KPI_DICTIONARY_IDS = [
    "offered", "handled", "answer_rate", "service_level", "asa", "aht", "abandon_rate",
    "transfer_rate", "escalation_rate", "fcr", "repeat_rate", "self_service_rate", "attempts",
    "reach_rate", "conversion_rate", "revenue_per_sale",
    "cost", "cost_per_contact", "campaign_cost", "response_rate_campaign", "efficiency_rate", "acquisition_cost",
    "return_on_cost",
    "responses", "nps", "csat", "ces", "perceived_resolution", "response_rate"]


def test_reg001_every_kpi_of_the_dictionary_is_declared_with_labels_and_formula():
    assert list(KPIS) == KPI_DICTIONARY_IDS
    for k in KPIS.values():
        assert k.label_en and k.label_fr and k.formula and k.unit and k.better
    assert KPIS["asa"].label_fr == "Durée moyenne d'attente (DMA)"
    assert KPIS["service_level"].better == "higher" and KPIS["aht"].better == "lower"
    assert KPIS["service_level"].denominator == "sl_counted"
    assert (KPIS["cost_per_contact"].label_fr, KPIS["return_on_cost"].label_fr) == (
        "Coût par contact traité", "CA par euro investi")
    # a cost no cost row covers is unknown, said in words; any other KPI without a value: a dash
    assert format_value(KPIS["cost"], None) == "no cost data" and format_value(KPIS["acquisition_cost"], None) == "–"


def test_reg002_registry_is_validated():
    good = Measure("m", "contacts", "count_if", "is_handled")
    kpi = Kpi("x", "X", "X", "delivered", "percent", ".1f", "higher", "f", "ratio", "m", "nope")
    with pytest.raises(ValueError, match="unknown measure nope"):
        registry._validate((good,), (kpi,))
    with pytest.raises(ValueError, match="duplicate KPI ids"):
        registry._validate((good,), (kpi.__class__(**{**kpi.__dict__, "denominator": "m"}),) * 2)
    with pytest.raises(ValueError, match="different bases"):
        registry._validate((good, Measure("n", "surveys", "count", "nps")),
                           (kpi.__class__(**{**kpi.__dict__, "denominator": "n"}),))


def test_reg003_display_format_has_unit_and_dash_for_none():
    assert format_value(KPIS["service_level"], 80.04) == "80.0 %"
    assert format_value(KPIS["asa"], 42.4) == "42 s"
    assert format_value(KPIS["aht"], 312.4) == "5 min 12 s"
    assert format_value(KPIS["asa"], 13392) == "3 h 43 min"
    assert format_value(KPIS["asa"], 190000) == "2 d 4 h"
    assert format_value(KPIS["nps"], 12.2) == "+12"
    assert format_value(KPIS["offered"], 12345) == "12,345"
    assert format_value(KPIS["nps"], None) == "–"


def test_scp001_scope_normalises_and_refuses_unknown_dimensions():
    s = Scope.of("2025-03-01", "2025-03-31", channel=["phone", "chat", "phone"], queue=[])
    assert s.filters == (("channel", ("chat", "phone")),)
    with pytest.raises(ValueError, match="unknown dimension 'colour'"):
        Scope.of("2025-03-01", "2025-03-31", colour=["red"])
    with pytest.raises(ValueError, match="ends"):
        Scope.of("2025-03-02", "2025-03-01")


def test_scp002_restrictions_narrow_and_never_widen():
    s = Scope.of(date(2025, 3, 1), date(2025, 3, 31), client=["A", "B"])
    r = s.restricted(client=["B", "C"])
    assert r.filters == (("client", ("A", "B")),) and r.restrictions == (("client", ("B", "C")),)
    assert r.restricted(client=["C", "D"]).restrictions == (("client", ("C",)),)
    # restricting to disjoint values leaves nothing, never everything
    assert r.restricted(client=["A"]).restrictions == (("client", ()),)


CONTACTS = [
    dict(contact_id="1", arrived_at="2025-03-03 09:00:00", channel="phone", outcome="answered",
         client="A", wait_s=10),
    dict(contact_id="2", arrived_at="2025-03-03 09:00:00", channel="phone", outcome="answered",
         client="B", wait_s=10),
    dict(contact_id="3", arrived_at="2025-03-03 09:00:00", channel="phone", outcome="answered",
         client="x' OR '1'='1", wait_s=10),
]


def test_scp003_restriction_applies_to_every_query(make_db):
    eng = make_db(contacts=CONTACTS)
    scope = Scope.of("2025-03-01", "2025-03-31")
    assert compute(eng, scope, ["offered"]).iloc[0]["offered"] == 3
    assert compute(eng, scope.restricted(client=["A"]), ["offered"]).iloc[0]["offered"] == 1
    by = compute(eng, scope.restricted(client=["A"]), ["offered"], by="client")
    assert by["group"].tolist() == ["A"]
    assert compute(eng, scope.restricted(client=["A"]).restricted(client=["B"]),
                   ["offered"]).iloc[0]["offered"] == 0
    # a filter cannot reach outside the restriction
    assert compute(eng, scope.with_filters(client=["B"]).restricted(client=["A"]),
                   ["offered"]).iloc[0]["offered"] == 0


def test_scp004_values_are_bound_never_spliced(make_db):
    eng = make_db(contacts=CONTACTS)
    scope = Scope.of("2025-03-01", "2025-03-31", client=["x' OR '1'='1"])
    assert compute(eng, scope, ["offered"]).iloc[0]["offered"] == 1
    with pytest.raises(ValueError, match="unknown grouping"):
        compute(eng, scope, ["offered"], by="client; DROP TABLE contacts")


def test_tgt001_status_respects_direction_and_amber_band():
    from metrics.targets import Target, status
    sl = Target(80, 75)
    assert [status("service_level", v, sl) for v in (80, 79.9, 75, 74.9)] == [
        "met", "close", "close", "missed"]
    ab = Target(5, 8)  # abandon rate: lower is better
    assert [status("abandon_rate", v, ab) for v in (5, 6, 8, 8.1)] == ["met", "close", "close", "missed"]
    assert status("service_level", None, sl) is None and status("offered", 10, Target(5)) is None
    assert status("nps", 10, Target(20)) == "missed"


def test_scp005_several_groupings_and_half_hours(make_db):
    rows = [dict(contact_id=str(i), arrived_at=t, channel="phone", outcome="answered", queue=q, wait_s=w)
            for i, (t, q, w) in enumerate([("2025-03-03 09:10:00", "Q1", 5), ("2025-03-03 09:29:59", "Q1", 50),
                                            ("2025-03-03 09:30:00", "Q1", 5), ("2025-03-04 09:15:00", "Q2", 5)])]
    eng = make_db(contacts=rows)
    out = compute(eng, Scope.of("2025-03-01", "2025-03-31"), ["offered", "service_level"],
                  by=("day", "half_hour"))
    assert out[["day", "half_hour", "offered", "service_level"]].values.tolist() == [
        ["2025-03-03", "09:00", 2, 50.0], ["2025-03-03", "09:30", 1, 100.0], ["2025-03-04", "09:00", 1, 100.0]]
    by_queue = compute(eng, Scope.of("2025-03-01", "2025-03-31"), ["offered"], by=["queue", "half_hour"])
    assert list(by_queue.columns) == ["queue", "half_hour", "offered"] and len(by_queue) == 3
    empty = compute(eng, Scope.of("2024-01-01", "2024-01-31"), ["offered", "nps"], by=("queue", "half_hour"))
    assert empty.empty and list(empty.columns) == ["queue", "half_hour", "offered", "nps"]
    with pytest.raises(ValueError, match="named twice"):
        compute(eng, Scope.of("2025-03-01", "2025-03-31"), ["offered"], by=("day", "day"))


def test_reg020_cached_results_never_outlive_a_load(make_db, tmp_path):
    from data.loader import load
    from metrics import query
    from tests.conftest import KEY, write_csv

    def calls(ids):
        return [dict(contact_id=i, arrived_at="2025-03-04 09:00:00", channel="phone", outcome="answered",
                     wait_s=5, talk_s=60) for i in ids]
    eng = make_db(contacts=calls(["a", "b"]))
    scope = Scope.of("2025-03-01", "2025-03-31")
    first = query.compute(eng, scope, ["offered"])
    first.loc[0, "offered"] = 999                      # a caller's change stays its own
    assert query.compute(eng, scope, ["offered"]).loc[0, "offered"] == 2
    assert len(query._CACHE) > 0                       # answered from memory
    load(eng, {"contacts": write_csv(tmp_path / "more.csv", calls(["c"]))}, source="acd", key=KEY)
    assert query.compute(eng, scope, ["offered"]).loc[0, "offered"] == 3
