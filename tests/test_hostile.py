"""Hostile and broken input, sent as an attacker sends it: through the server's own routes.

No input, however hostile, gives an HTTP 500, a traceback or a blank page; each is answered by
the callbacks' own checks (a message or an empty state), never by the last-resort handler."""
from __future__ import annotations

import json
import logging
import math
from datetime import date

import pytest

from forging import dependencies, forged, page_callback

CONTACTS = [dict(contact_id=f"c{i}", arrived_at=f"2025-03-{1 + i % 28:02d} 10:{i % 60:02d}:00",
                 channel=("phone", "chat", "email")[i % 3],
                 outcome=("reached" if i % 8 else "not_reached") if i % 4 == 0 else "answered" if i % 5 else "abandoned",
                 client=("ACME", "Bolt")[i % 2], queue=f"Q{i % 3}", agent_id=f"A{i % 4}", wait_s=5 + i,
                 talk_s=100 + i, customer_id=f"K{i % 7}", campaign="CAMP1" if i % 4 == 0 else "",
                 direction="outbound" if i % 4 == 0 else "inbound")
            for i in range(60)]
AGENTS = [dict(agent_id=f"A{i}", agent_name=f"Agent {i}", team=f"T{i % 2}") for i in range(4)]
SURVEYS = [dict(response_id=f"s{i}", responded_at=f"2025-03-{1 + i % 28:02d} 12:00:00", contact_id=f"c{i}",
                nps=i % 11, csat=1 + i % 5, verbatim=f"comment {i}") for i in range(0, 60, 2)]
CAMPAIGNS = [dict(campaign="CAMP1", campaign_name="Spring offer", kind="one_off")]
EVALUATIONS = [dict(evaluation_id=f"e{i}", evaluated_at=f"2025-03-{1 + i % 28:02d} 15:00:00", agent_id=f"A{i % 4}",
                    evaluator_role=("self", "manager", "quality")[i % 3], score=50 + i % 50,
                    contact_id=f"c{i}" if i % 3 == 2 else "") for i in range(80)]

# what a person could pick, the baseline every hostile value is put into one slot of
STATE = {"from": "2025-03-01", "to": "2025-03-31", "client": "ACME", "channel": "phone", "by": "client",
         "kpi": "nps", "dim": "client", "month": "2025-03", "day": "2025-03-04", "show": "CAMP1"}
PLAUSIBLE = {
    "data": STATE, "value": "ACME", "n_clicks": 1, "n_intervals": 1, "is_open": True,
    "cellClicked": {"rowId": "ACME", "colId": "label", "value": "ACME"},
    "clickData": {"points": [{"customdata": "ACME", "y": "ACME"}]},
    "start_date": "2025-03-01", "end_date": "2025-03-31", "date": "2025-03-04",
    "search": "?from=2025-03-01&to=2025-03-31", "href": "/?from=2025-03-01&to=2025-03-31",
    "contents": [], "filename": [],
}
CALENDAR_EDGES = {"from": "0001-01-01", "to": "9999-12-31", "day": "9999-12-31", "month": "9999-12",
                  "page": "99999999999999999999", "start": "0001-01-01"}
# a bounded set of hostile values of every JSON type
HOSTILE = [
    None, True, False, 0, -1, 2**63, -2**63, 1e308, -0.5, "", " ", "abc", "x" * 20_000,
    "<b>x</b><a href='javascript:alert(1)'>y</a>", "../../../../etc/passwd", "/dev/zero", "0001-01-01",
    "9999-12-31", "2025-02-30", "NaN", "Infinity", "-Infinity", "'; DROP TABLE contacts; --", "=HYPERLINK(\"x\")",
    "a|b", "client:ACME:x", [], [None], ["a", 1, {}, []], [[["deep"]]], ["x"] * 2_000, {}, {"a": 1},
    {"points": "x"}, {"points": [None, 1, "x"]}, {"points": [{"customdata": ["x"], "y": {}}]},
    {"rowId": ["x"], "colId": {}, "value": None}, {"id": "../../etc", "files": "x"},
    CALENDAR_EDGES, {k: ["x", 1] for k in STATE}, {k: 10**30 for k in STATE}, {k: "bogus" for k in STATE},
    {**STATE, "kpi": "bogus", "by": "bogus", "path": "bogus:x:y", "cols": "bogus,nps", "contact": "|",
     "sort": "bogus", "preset": "bogus", "dim": "bogus", "page": "-3"},
    {**STATE, "from": "2025-03-31", "to": "2025-03-01"}, {"": "", "\x00": "\x00"},
]
SEARCHES = ["?from=0001-01-01&to=9999-12-31", "?day=9999-12-31", "?day=0001-01-01", "?from=2025-13-45&to=x",
            "?month=9999-12", "?month=0000-00", "?kpi=<b>x</b>&by=bogus&path=a:b:c&cols=x,y",
            "?page=-5", "?page=99999999999999999999", "?client=" + "x" * 3000, "?%ff%fe=%00",
            "?contact=|&sort=bogus&dim=bogus&show=<script>", "?channel=phone,chat,phone&agent=,,,",
            "?from=2025-03-01&to=2025-03-31&client=ACME&queue=Q9"]
PAGES = ("/", "/explore", "/focus", "/actions", "/service", "/wall", "/alerts", "/campaigns", "/sponsors", "/needs", "/alignment", "/staffing", "/committee", "/import",
         "/settings", "/definitions", "/admin", "/nowhere")


@pytest.fixture
def served(make_db, app_for):
    """The app in local mode on a small database, and a client on this machine."""
    eng = make_db(contacts=CONTACTS, surveys=SURVEYS, agents=AGENTS, campaigns=CAMPAIGNS, evaluations=EVALUATIONS)
    app = app_for(eng)
    return eng, app.server.test_client()


def slots(cb: dict) -> list[tuple[str, str]]:
    """Every input and state of a callback, as (id text, property)."""
    return [(item["id"], item["property"].split("@")[0]) for item in cb["inputs"] + cb.get("state", [])]


def plausible(component, prop):
    if prop in ("pathname",):
        return "/explore"
    return PLAUSIBLE.get(prop, "ACME")


def answer_problem(response) -> str | None:
    """What is wrong with an answer: a server error, or a traceback shown."""
    text = response.get_data(as_text=True)
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    if "Traceback" in text or 'File "' in text:
        return "a traceback"
    return None


def test_hos001_every_callback_answers_every_hostile_value_without_a_500(served, caplog):
    """Each hostile value in each input and state of every server callback, one slot at a
    time, then in all slots at once: no 500, no traceback, and no error left to the
    last-resort handler (the callback's own checks answer)."""
    _eng, client = served
    callbacks = dependencies(client)
    assert len(callbacks) >= 25
    failures, tried = [], 0
    caplog.set_level(logging.ERROR, logger="pilotage.errors")
    for cb in callbacks:
        for slot in slots(cb) + [("*", "*")]:
            for hostile in HOSTILE:
                def value(component, prop, slot=slot, hostile=hostile):
                    id_text = component if isinstance(component, str) else json.dumps(component)
                    hit = slot == ("*", "*") or (slot[1] == prop and (slot[0] == id_text or (
                        slot[0].startswith("{") and not isinstance(component, str))))
                    return hostile if hit else plausible(component, prop)
                tried += 1
                response = forged(client, cb, value)
                problem = answer_problem(response)
                if problem:
                    failures.append(f"{cb['output'][:60]} {slot} = {str(hostile)[:50]!r}: {problem}")
    for record in caplog.records:
        failures.append(f"left to the last-resort handler: {record.getMessage()[:200]}")
    print(f"\nhostile callback values: {tried} cases tried, {tried - len(failures)} passed")
    assert not failures, f"{len(failures)} of {tried} failed:\n" + "\n".join(failures[:40])


def test_hos002_every_page_lays_out_for_any_url(served, caplog):
    """Every page with every hostile query string: a page (never blank, never a 500), laid
    out by the page's own checks."""
    _eng, client = served
    cb = page_callback(client)
    caplog.set_level(logging.ERROR, logger="pilotage.errors")
    failures, tried = [], 0
    for path in PAGES:
        for search in SEARCHES:
            def value(component, prop, path=path, search=search):
                return {"pathname": path, "search": search, "href": path + search}.get(prop, "x")
            tried += 1
            response = forged(client, cb, value)
            problem = answer_problem(response) or (None if response.status_code == 200 else f"HTTP {response.status_code}")
            if problem is None and '"children"' not in response.get_data(as_text=True):
                problem = "a blank page"
            if problem:
                failures.append(f"{path}{search[:60]}: {problem}")
            direct = client.get(path + search)
            if direct.status_code >= 500:
                failures.append(f"GET {path}{search[:60]}: HTTP {direct.status_code}")
    for record in caplog.records:
        failures.append(f"left to the last-resort handler: {record.getMessage()[:200]}")
    print(f"\nhostile page URLs: {tried} cases tried, {tried - len(failures)} passed")
    assert not failures, f"{len(failures)} of {tried} failed:\n" + "\n".join(failures[:40])


def callback_for(client, output_part: str) -> dict:
    return next(cb for cb in dependencies(client) if output_part in cb["output"])


def test_hos003_a_request_of_the_wrong_shape_is_a_400_that_says_why(served):
    """What Dash itself answers with a 500 (a path that is no text, inputs that are no list,
    too few of them, an output nobody declared) is refused before Dash reads it."""
    _eng, client = served
    page = page_callback(client)
    good = lambda component, prop: {"pathname": "/explore", "search": ""}.get(prop, "x")  # noqa: E731
    assert forged(client, page, good).status_code == 200
    for bad, reason in ((5, "path must be a text"), ("", "path must be a text"), (["/"], "path must be a text"),
                        (None, "path must be a text")):
        response = forged(client, page, lambda c, p, bad=bad: bad if p == "pathname" else good(c, p))
        assert response.status_code == 400 and reason in response.get_data(as_text=True), bad
    response = forged(client, page, lambda c, p: {"a": 1} if p == "search" else good(c, p))
    assert response.status_code == 400 and "query must be a text" in response.get_data(as_text=True)
    contracts = callback_for(client, "campaigns-contracts.rowData")     # its inputs: the page's state, a save
    body = {"output": contracts["output"], "outputs": [], "inputs": [], "changedPropIds": []}
    for change, reason in (({"inputs": "x"}, "list of 2"), ({"inputs": []}, "list of 2"),
                           ({"inputs": [{"id": 3, "property": "data"}, {"id": "x", "property": "children"}]},
                            "an id and a property"),
                           ({"output": "nobody.children"}, "no callback has this output"),
                           ({"changedPropIds": [1]}, "list of texts"), ({"outputs": 1}, "names its outputs")):
        response = client.post("/_dash-update-component", json={**body, **change})
        assert response.status_code == 400 and reason in response.get_data(as_text=True), change
    for raw in (b"not json", b"[1, 2]", b"null"):
        response = client.post("/_dash-update-component", data=raw, content_type="application/json")
        assert response.status_code == 400, raw


def test_hos004_a_period_is_kept_within_the_data_months_and_the_year_before():
    """Worked out by hand for data from 10 March to 20 May 2025: the months they touch are
    1 March to 31 May, and the longest preset reaches back 12 months, to 1 March 2024."""
    from components.state import ViewState, clamped_period
    first, last = date(2025, 3, 10), date(2025, 5, 20)
    assert clamped_period(date(2025, 4, 1), date(2025, 4, 30), first, last) == (date(2025, 4, 1), date(2025, 4, 30))
    assert clamped_period(date(1900, 1, 1), date(2199, 12, 31), first, last) == (date(2024, 3, 1), date(2025, 5, 31))
    assert clamped_period(date(2025, 5, 1), date(2030, 1, 1), first, last) == (date(2025, 5, 1), date(2025, 5, 31))
    # reversed, disjoint or missing: the default period, the last full month (April)
    for start, end in ((date(2025, 4, 30), date(2025, 4, 1)), (date(2019, 1, 1), date(2019, 2, 1)),
                       (date(2026, 1, 1), date(2026, 2, 1)), (None, date(2025, 4, 1))):
        assert clamped_period(start, end, first, last) == (date(2025, 4, 1), date(2025, 4, 30))
    # from the URL, at the calendar's edges and of any type
    for query in ({"from": "0001-01-01", "to": "9999-12-31"}, {"from": ["x"], "to": {}}, "garbage", None, 7):
        state = ViewState.from_query(query, (first, last))
        assert (state.start, state.end) == (date(2025, 4, 1), date(2025, 4, 30)), query
    state = ViewState.from_query({"from": "2025-01-01", "to": "2030-01-01", "client": ["a"], "kpi": 3}, (first, last))
    assert (state.start, state.end, state.filters, state.extra) == (date(2025, 1, 1), date(2025, 5, 31), {}, {})


def test_hos005_an_unforeseen_error_is_shown_in_the_page_and_logged_once_with_its_id(served, monkeypatch, caplog):
    """The last resort: a 200 whose side update opens the page's error banner with an id,
    the same id logged once with its traceback; a refusal on purpose keeps its status."""
    import sys

    from werkzeug.exceptions import Forbidden
    _eng, client = served
    campaign_parts = sys.modules[next(m for m in sys.modules if m.endswith("components.campaign_contracts"))]
    campaigns = callback_for(client, "campaigns-contracts.rowData")
    state = lambda c, p: STATE if p == "data" else plausible(c, p)  # noqa: E731
    caplog.set_level(logging.ERROR, logger="pilotage.errors")

    def broken(*_args):
        raise RuntimeError("the database went away")
    monkeypatch.setattr(campaign_parts, "year_campaigns", broken)
    response = forged(client, campaigns, state)
    assert response.status_code == 200
    banner = response.get_json()["sideUpdate"]["app-error"]
    assert banner["is_open"] is True
    ref = banner["children"].split("(error ")[1].split(")")[0]
    assert len(ref) == 8 and "database went away" not in banner["children"]   # no detail in the page
    logged = [r for r in caplog.records if r.name == "pilotage.errors"]
    assert len(logged) == 1 and ref in logged[0].getMessage() and logged[0].exc_info[0] is RuntimeError

    def refused(*_args):
        raise Forbidden("not for you")
    monkeypatch.setattr(campaign_parts, "year_campaigns", refused)
    assert forged(client, campaigns, state).status_code == 403
    assert len([r for r in caplog.records if r.name == "pilotage.errors"]) == 1


def test_hos006_every_callback_says_what_it_takes(served):
    """Each server callback of the pages checks its arguments (``inputs.takes``), one kind
    per input and state: a callback added without it fails here."""
    import dash
    _eng, client = served
    app = dash.get_app()
    unchecked = []
    for entry in app.callback_map.values():
        if "callback" not in entry:
            continue                     # a clientside callback: nothing reaches the server
        func = entry["callback"]
        while not hasattr(func, "kinds") and hasattr(func, "__wrapped__"):
            func = func.__wrapped__
        if func.__module__.startswith("dash"):
            continue                     # Dash's own router: the request's shape is checked
        if len(getattr(func, "kinds", ())) != len(entry["inputs"]) + len(entry["state"]):
            unchecked.append(f"{func.__module__}.{func.__name__}")
    assert len(app.callback_map) >= 25
    assert not unchecked, unchecked


def test_hos007_stored_text_and_numbers_are_bounded_whatever_the_page(served):
    """A long note, a target that is no finite number, a client name no data holds: refused
    by the data layer (and so by every page), nothing stored."""
    from data.focus import current_focus, set_focus
    from data.limits import NAME_LIMIT, NOTE_LIMIT
    from data.targets import set_target, stored_targets
    eng, client = served
    with pytest.raises(ValueError, match="limited to 200 characters"):
        set_focus(eng, "nps", 30, date(2025, 3, 1), note="x" * (NOTE_LIMIT + 1))
    for bad in (math.inf, -math.inf, math.nan, "80", True):
        with pytest.raises(ValueError, match="finite number"):
            set_focus(eng, "nps", bad, date(2025, 3, 1))
        with pytest.raises(ValueError, match="finite number"):
            set_target(eng, "nps", bad)
    with pytest.raises(ValueError, match="limited to 200 characters"):
        set_target(eng, "nps", 30, client="x" * (NAME_LIMIT + 1))
    assert current_focus(eng) is None and stored_targets(eng) == []
    # through the pages: a message, nothing stored
    target = callback_for(client, "targets-slot")
    values = {"target-kpi": "nps", "target-value": 30, "target-client": "x" * 100_000}
    response = forged(client, target, lambda c, p: values.get(c), changed="target-save.n_clicks")
    assert response.status_code == 200 and "Not saved" in response.get_data(as_text=True)
    values = {"target-kpi": "nps", "target-value": 30, "target-client": "Zanzibar"}
    response = forged(client, target, lambda c, p: values.get(c), changed="target-save.n_clicks")
    assert "no client 'Zanzibar' in the data" in response.get_data(as_text=True)
    focus = callback_for(client, "focus-form-message")
    values = {"focus-form-kpi": "nps", "focus-form-target": 30, "focus-form-start": "2025-03-01",
              "focus-form-note": "x" * 1_000_000, "focus-state": STATE}
    response = forged(client, focus, lambda c, p: values.get(c, 1))
    assert response.status_code == 200 and "limited to 200 characters" in response.get_data(as_text=True)
    assert current_focus(eng) is None and stored_targets(eng) == []


def test_hos008_hostile_urls_and_an_unforeseen_error_in_the_browser(dash_duo, served, monkeypatch):
    """As a person opening a tampered link: each page shows its content (the period and the
    day brought back within the data), and an error no check foresaw shows its banner with
    an id, the rest of the page still there; the console stays clean."""
    import sys
    from dash import get_app
    dash_duo.start_server(get_app())
    for path, shown in (("/service?day=9999-12-31&channel=phone", "#service-headline .card"),
                        ("/explore?from=0001-01-01&to=9999-12-31&by=bogus&kpi=<b>x</b>", "#explore-grid .ag-row"),
                        ("/campaigns?client=ACME&queue=Q9&from=2025-13-45", "#campaigns-grid"),
                        ("/?from=2025-03-31&to=2025-03-01&dkpi=bogus", "#overview-delivered .card")):
        dash_duo.wait_for_page(dash_duo.server_url + path)
        dash_duo.wait_for_element(shown, timeout=10)
        assert "Something went wrong" not in dash_duo.find_element("body").text, path
    overview_page = sys.modules[next(m for m in sys.modules if m.endswith("pages.overview"))]
    monkeypatch.setattr(overview_page, "comparison_series", lambda *a: 1 / 0)
    dash_duo.wait_for_page(dash_duo.server_url + "/?from=2025-03-01&to=2025-03-31")
    dash_duo.wait_for_contains_text("#app-error", "Something went wrong while showing this view (error ")
    assert dash_duo.find_element("#period-preset")                   # the page around it is still there
    assert dash_duo.get_logs() == []
