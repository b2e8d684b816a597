"""The action log: validation, roles and scope, the measured effect of a done action (hand-worked
on fixtures with and without a step), the actions marked on the charts, and the page."""
from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from werkzeug.exceptions import Forbidden

from access.roles import may
from access.viewer import LOCAL, Viewer, acting_as
from data.actions import Action, create_action, edit_action, fits, get_action, list_actions, overlaps
from data.audit import Actor, trail
from metrics.effect import effect_text, measure, windows

START = date(2025, 3, 3)          # a Monday: the action's day
CLIENT = Viewer("c", "client", clients=("ACME",))
OTHER_CLIENT = Viewer("d", "client", clients=("BETA",))
TEAM_LEAD = Viewer("t", "team_lead", teams=("T1",))


def day_calls(day: date, queue: str, n: int, transferred: int, talk=60, client="ACME", tag=""):
    """``n`` answered phone calls of a queue on a day, the first ``transferred`` of them transferred."""
    return [dict(contact_id=f"{queue}{tag}{day}{i}", arrived_at=f"{day} 09:{i:02d}:00", channel="phone",
                 queue=queue, client=client, outcome="answered", wait_s=5, talk_s=talk,
                 transferred="yes" if i < transferred else "no") for i in range(n)]


def steps(q1_after: int, weeks: int = 4, extra_days: int = 0):
    """Q1 and Q2 (same channel): 10 calls a day, 2 transferred (20 %), over the ``weeks``
    before START, START itself and the weeks after; after START Q1 has ``q1_after`` transferred
    a day, Q2 stays at 2."""
    rows = []
    for d in range(-7 * weeks, 7 * weeks + 1 + extra_days):
        day = START + timedelta(days=d)
        rows += day_calls(day, "Q1", 10, q1_after if d > 0 else 2)
        rows += day_calls(day, "Q2", 10, 2, client="BETA")
    return rows


def action(**changes) -> Action:
    fields = dict(id=None, title="Voice-menu redesign", starts_on=START, kpis=("transfer_rate",),
                  scope={"queue": ("Q1",)}, status="done")
    fields.update(changes)
    return Action(**fields)


# -- validation, storage, audit -------------------------------------------------------------

def test_act001_an_action_is_checked_stored_and_audited(make_db):
    eng = make_db()
    for bad, says in [(dict(title="  "), "needs a title"),
                      (dict(ends_on=START - timedelta(days=1)), "before it starts"),
                      (dict(kpis=()), "one indicator or more"),
                      (dict(kpis=("bogus",)), "unknown or too many indicators"),
                      (dict(status="finished"), "unknown status"),
                      (dict(scope={"colour": ["red"]}), "unknown dimension"),
                      (dict(scope={"queue": ["x" * 201]}), "at most 100 names"),
                      (dict(starts_on="yesterday"), "must be a date"),
                      (dict(title="x" * 201), "limited to 200 characters"),
                      (dict(decision=("ACME", None)), "a client and a month")]:
        with pytest.raises(ValueError, match=says):
            create_action(eng, action(**bad))
    assert list_actions(eng) == []
    stored = create_action(eng, action(title="  Voice-menu redesign ", ends_on=date(2025, 3, 5),
                                       scope={"queue": ["Q1", "Q1"], "channel": []},
                                       decision=("ACME", date(2025, 2, 17))), Actor("ann", "10.0.0.1"))
    # stripped, the empty filter dropped, the duplicate value once, the month's first day
    assert stored.id == 1 and stored.title == "Voice-menu redesign" and stored.scope == {"queue": ("Q1",)}
    assert stored.decision == ("ACME", date(2025, 2, 1)) and stored.author == "ann"
    assert get_action(eng, 1) == stored
    entry = trail(eng, action="action").iloc[0]
    assert entry["who"] == "ann" and json.loads(entry["detail"])["change"] == "created"


def test_act002_an_edit_is_checked_and_audited(make_db):
    eng = make_db()
    a = create_action(eng, action(status="under_way"))
    edited = edit_action(eng, a.id, Actor("bob"), status="done", owner="Bob")
    assert (edited.status, edited.owner, edited.title) == ("done", "Bob", a.title)
    assert get_action(eng, a.id).status == "done"
    with pytest.raises(ValueError, match="unknown status"):
        edit_action(eng, a.id, status="nearly")
    with pytest.raises(ValueError, match="unknown field"):
        edit_action(eng, a.id, author="mallory")
    with pytest.raises(ValueError, match="no action 99"):
        edit_action(eng, 99, status="done")
    details = [json.loads(d) for d in trail(eng, action="action")["detail"]]
    assert [d["change"] for d in details] == ["edited", "created"] and details[0]["fields"] == ["owner", "status"]


# -- roles and scope ------------------------------------------------------------------------

def test_act003_staff_write_clients_read_only_their_own_scope(make_db):
    assert all(may(r, "actions") for r in ("admin", "director", "team_lead")) and not may("client", "actions")
    eng = make_db()
    mine = create_action(eng, action(title="ACME only", scope={"client": ["ACME"], "queue": ["Q1"]}))
    create_action(eng, action(title="everyone", scope={"queue": ["Q1"]}))            # all clients: not a client's
    create_action(eng, action(title="two clients", scope={"client": ["ACME", "BETA"]}))
    create_action(eng, action(title="BETA only", scope={"client": ["BETA"]}, kpis=("aht",)))
    assert [a.title for a in list_actions(eng, CLIENT.restrictions)] == ["ACME only"]
    assert [a.title for a in list_actions(eng, OTHER_CLIENT.restrictions)] == ["BETA only"]
    assert len(list_actions(eng, LOCAL.restrictions)) == 4
    assert [a.title for a in list_actions(eng, {}, kpi="aht")] == ["BETA only"]
    assert list_actions(eng, Viewer("x", "client").restrictions) == []               # a client without clients
    assert get_action(eng, mine.id + 1, CLIENT.restrictions) is None                 # not its own: not found
    # a team lead writes within its teams only
    assert fits({"team": ("T1",)}, TEAM_LEAD.restrictions) and not fits({}, TEAM_LEAD.restrictions)
    with pytest.raises(ValueError, match="beyond what you may see"):
        create_action(eng, action(scope={"team": ["T2"]}), restrictions=TEAM_LEAD.restrictions)
    with pytest.raises(ValueError, match="no action"):    # another's action is not found to be edited
        edit_action(eng, mine.id, restrictions=TEAM_LEAD.restrictions, status="abandoned")


def test_act004_a_client_cannot_save_an_action_through_the_page(make_db, app_for):
    eng = make_db(contacts=steps(1, weeks=1))
    app_for(eng)
    from pages.actions import update_save_action
    with acting_as(CLIENT), pytest.raises(Forbidden):
        update_save_action(1, "x", None, None, "2025-03-03", None, ["transfer_rate"], "planned", None, None,
                           {"client": "ACME"})
    assert list_actions(eng) == []
    with acting_as(LOCAL):   # staff: saved, with the filter bar's scope
        href, message = update_save_action(1, "Script", None, "Zoé", "2025-03-03", None, ["transfer_rate"],
                                           "planned", "ACME", "2025-02", {"client": "ACME", "edit": "1"})
    assert message == "" and href.startswith("/actions?")
    saved = list_actions(eng)[0]
    assert (saved.title, saved.owner, saved.scope, saved.decision) == (
        "Script", "Zoé", {"client": ("ACME",)}, ("ACME", date(2025, 2, 1)))
    with acting_as(LOCAL):   # a bad month is said, nothing stored
        _href, message = update_save_action(1, "Other", None, None, "2025-03-03", None, ["aht"], "planned",
                                            "ACME", "2025-13", {})
    assert "a client and a month" in message and len(list_actions(eng)) == 1
    # the page's list: ACME's client reads the ACME action, BETA's does not
    from pages.actions import update_actions_list
    with acting_as(CLIENT):
        assert "Script" in str(update_actions_list({}, None, None))
    with acting_as(OTHER_CLIENT):
        assert "Script" not in str(update_actions_list({}, None, None))


# -- measured effect ------------------------------------------------------------------------

def test_act005_windows_are_whole_weeks_around_the_action():
    # a one-day action on Monday 3 March: 4 weeks before = Mon 3 Feb to Sun 2 March (28 days),
    # after = Tue 4 March to Mon 31 March (28 days); each weekday 4 times in each
    assert windows(action(), 4) == ((date(2025, 2, 3), date(2025, 3, 2)), (date(2025, 3, 4), date(2025, 3, 31)))
    # a span 3 to 7 March, 1 week: 24 Feb - 2 March, and 8 - 14 March
    assert windows(action(ends_on=date(2025, 3, 7)), 1) == ((date(2025, 2, 24), date(2025, 3, 2)),
                                                            (date(2025, 3, 8), date(2025, 3, 14)))


def test_act006_a_known_step_is_measured_with_its_interval_and_the_other_queues(make_db):
    eng = make_db(contacts=steps(q1_after=1))
    e = measure(eng, action(), "transfer_rate", 4)
    assert e.known and e.method == "proportions" and e.other_queues == ("Q2",)
    # Q1 before: 28 days × 10 = 280 handled, 56 transferred: p0 = 0.2; after: 28 transferred of 280: p1 = 0.1
    assert (e.own.before, e.own.after) == pytest.approx((20.0, 10.0))
    assert e.own.change == pytest.approx(-10.0)
    # se = √(0.2 × 0.8 / 280 + 0.1 × 0.9 / 280) = √(0.25 / 280) = 0.029881 -> 2.9881 pts; × 1.96 = 5.8566
    assert e.own.se == pytest.approx(2.98807, abs=1e-4)
    assert (e.own.low, e.own.high) == pytest.approx((-15.8566, -4.1434), abs=1e-3)
    # Q2 (the same channel, untouched): 20 % -> 20 %, se = √(2 × 0.16 / 280) = 3.38062 pts
    assert e.other.change == pytest.approx(0.0) and e.other.se == pytest.approx(3.38062, abs=1e-4)
    # difference in differences: -10 - 0 = -10, se = √(2.98807² + 3.38062²) = √20.35714 = 4.51189; ± 8.8433
    assert e.did.change == pytest.approx(-10.0)
    assert (e.did.low, e.did.high) == pytest.approx((-18.8433, -1.1567), abs=1e-3)
    assert effect_text(e, "Voice-menu redesign") == (
        "Transfer rate -10.0 pts (95 % CI -15.9 pts to -4.1 pts) after “Voice-menu redesign”; other queues of "
        "the channel 0.0 pts; difference -10.0 pts (95 % CI -18.8 pts to -1.2 pts)")
    # the interval of the step holds no 0, the untouched queues' does
    assert e.own.high < 0 < e.other.high and e.other.low < 0


def test_act007_no_step_gives_an_interval_that_holds_zero(make_db):
    eng = make_db(contacts=steps(q1_after=2))
    e = measure(eng, action(), "transfer_rate", 4)
    # 56 / 280 = 20 % both times: change 0, se = √(2 × 0.2 × 0.8 / 280) = 3.38062 pts, ± 6.6260
    assert e.own.change == pytest.approx(0.0)
    assert (e.own.low, e.own.high) == pytest.approx((-6.6260, 6.6260), abs=1e-3)
    assert e.did.change == pytest.approx(0.0) and e.did.low < 0 < e.did.high
    # a client sees its own part: Q2 belongs to BETA, so no untouched queue is seen by ACME
    seen = measure(eng, action(), "transfer_rate", 4, restrictions=CLIENT.restrictions)
    assert seen.own.change == pytest.approx(0.0) and seen.other is None


def test_act008_a_mean_is_measured_over_daily_values(make_db):
    # 1 week each side; Q1's one call a day: talk 90/110 alternating before (mean 100), 70/90 after (mean 80)
    rows = []
    before = [90, 110, 90, 110, 90, 110, 100]
    after = [70, 90, 70, 90, 70, 90, 80]
    for i, talk in enumerate(before):
        rows += day_calls(date(2025, 2, 24) + timedelta(days=i), "Q1", 1, 0, talk=talk)
    rows += day_calls(START, "Q1", 1, 0, talk=500)                      # the action's day: in neither window
    for i, talk in enumerate(after):
        rows += day_calls(date(2025, 3, 4) + timedelta(days=i), "Q1", 1, 0, talk=talk)
    eng = make_db(contacts=rows)
    e = measure(eng, action(kpis=("aht",)), "aht", 1)
    assert e.method == "daily means" and e.other is None     # no other queue in the data
    # daily deviations ±10 six times and 0 once: variance 600 / 6 = 100 each side;
    # se = √(100 / 7 + 100 / 7) = 5.34522; 1.96 × se = 10.4766
    assert (e.own.before, e.own.after, e.own.change) == pytest.approx((100.0, 80.0, -20.0))
    assert (e.own.low, e.own.high) == pytest.approx((-30.4766, -9.5234), abs=1e-3)
    assert effect_text(e, "Coaching").startswith("Average handle time -20 s (95 % CI -30 s to -10 s)")


def test_act009_not_yet_known_while_the_after_window_has_not_passed(make_db):
    eng = make_db(contacts=steps(1, weeks=1))      # data to 10 March only
    e = measure(eng, action(), "transfer_rate", 4)
    assert not e.known and e.own is None
    assert effect_text(e, "x") == "Transfer rate: not yet known: the 4 weeks after it end on 31/03/2025"
    assert "not done" in measure(eng, action(status="under_way"), "transfer_rate", 1).reason
    # 1 week: the after window 4-10 March has passed, but not the 4 weeks before it
    assert measure(eng, action(), "transfer_rate", 1).known
    # an action on 1 March: its week after (2-8 March) has passed, its week before (22-28 Feb) is not all
    # in the data (from 24 Feb)
    assert "do not cover" in measure(eng, action(starts_on=date(2025, 3, 1)), "transfer_rate", 1).reason


def test_act013_the_effect_windows_are_a_setting():
    from settings import Settings, SettingsError, apply_config
    assert Settings().effect_weeks == 4 and apply_config(Settings(), {"effect_weeks": 2}).effect_weeks == 2
    for bad in (0, 53, 2.5, True, "4"):
        with pytest.raises(SettingsError, match="effect_weeks"):
            apply_config(Settings(), {"effect_weeks": bad})


# -- annotations ----------------------------------------------------------------------------

def test_act010_overlap_of_an_action_with_a_chart():
    a = action(ends_on=date(2025, 3, 7))
    assert overlaps(a, date(2025, 3, 1), date(2025, 3, 31), {})
    assert overlaps(a, date(2025, 3, 7), date(2025, 3, 7), {"queue": ("Q1", "Q2")})
    assert not overlaps(a, date(2025, 3, 8), date(2025, 3, 31), {})            # after it
    assert not overlaps(a, date(2025, 3, 1), date(2025, 3, 31), {"queue": ("Q2",)})   # another queue
    assert overlaps(a, date(2025, 3, 1), date(2025, 3, 31), {"channel": ("phone",)})  # it names no channel


def _marks(fig):
    fig = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig
    traces = [t for t in fig["data"] if t.get("meta") == "actions"]
    shapes = [s for s in fig["layout"].get("shapes", []) if str(s.get("name", "")).startswith("action-")]
    return traces, shapes


def test_act011_focus_overview_and_committee_charts_mark_the_overlapping_actions(make_db, app_for):
    eng = make_db(contacts=steps(1, weeks=1))
    app_for(eng)
    create_action(eng, action(title="<b>IVR</b> & menu", scope={"queue": ["Q1"]}))
    create_action(eng, action(title="Q2 coaching", scope={"queue": ["Q2"]}, starts_on=date(2025, 3, 4),
                              ends_on=date(2025, 3, 6)))
    create_action(eng, action(title="Long ago", starts_on=date(2024, 1, 1)))
    from components.committee import history_figures, review_of
    from components.overview import trend_figure
    from pages.focus import focus_view
    from pages.overview import overview_data
    from components.view import open_view
    query = {"from": "2025-02-24", "to": "2025-03-10", "kpi": "transfer_rate", "queue": "Q1"}
    with acting_as(LOCAL):
        out = focus_view(query)
    traces, shapes = _marks(out[2])
    # Q1's chart: the one-day action as a dotted line on 3 March, its title (markup as entities) on hover;
    # neither Q2's action nor the one of 2024
    assert [s["type"] for s in shapes] == ["line"] and shapes[0]["x0"] == "2025-03-03"
    assert traces[0]["hovertext"] == ["&lt;b&gt;IVR&lt;/b&gt; &amp; menu (03/03/2025)"]
    listed = str(out[-1])
    assert "IVR" in listed and "Q2 coaching" not in listed
    with acting_as(LOCAL):   # all queues: both, the span shaded from its start to its end
        _traces, shapes = _marks(focus_view({**query, "queue": ""})[2])
    assert sorted((s["type"], s["x0"], s["x1"]) for s in shapes) == [
        ("line", "2025-03-03", "2025-03-03"), ("rect", "2025-03-04", "2025-03-06")]
    with acting_as(LOCAL):   # the overview's trend figures
        view = open_view({"from": "2025-03-04", "to": "2025-03-10"})
        from components.actions import chart_actions
        fig = trend_figure(overview_data(view).series, "offered", ["service_level"], chart_actions(view))
    traces, shapes = _marks(fig)
    assert [s["x0"] for s in shapes] == ["2025-03-04"] and "Q2 coaching" in traces[0]["hovertext"][0]
    with acting_as(LOCAL):   # nothing overlaps the week before: no mark at all
        view = open_view({"from": "2025-02-24", "to": "2025-03-02"})
        assert _marks(trend_figure(overview_data(view).series, "offered", ["service_level"],
                                   chart_actions(view))) == ([], [])
    # the committee's 12-month charts of ACME: March shaded for the actions of ACME's scope
    # (Q1's is over all clients, so not ACME's to read as a client, but staff see it)
    acme = create_action(eng, action(title="ACME script", scope={"client": ["ACME"]}, starts_on=date(2025, 3, 5)))
    with acting_as(CLIENT):
        view = open_view({"client": "ACME", "month": "2025-03"})
        review = review_of(view, "ACME", date(2025, 3, 1))
        figs = history_figures(review, chart_actions(view, review.months[0], date(2025, 3, 31), {"client": ("ACME",)}))
    traces, shapes = _marks(figs[0])
    assert [t["hovertext"] for t in traces] == [[f"ACME script ({acme.starts_on:%d/%m/%Y})"]]
    assert shapes[0]["x0"] == len(review.months) - 1 - 0.5     # the last month, March
    assert _marks(history_figures(review)[0]) == ([], [])


def test_act014_the_service_heat_map_frames_the_days_of_the_actions(make_db, app_for):
    eng = make_db(contacts=steps(1, weeks=1))      # every day from 24 February to 10 March 2025
    app_for(eng)
    create_action(eng, action(title="<b>IVR</b>", scope={"queue": ["Q1"]}))
    create_action(eng, action(title="Q2 coaching", scope={"queue": ["Q2"]}, starts_on=date(2025, 3, 4),
                              ends_on=date(2025, 3, 6)))
    from components.service import weeks_heatmap
    from components.view import open_view
    with acting_as(LOCAL):
        every = weeks_heatmap(open_view({"channel": "phone", "day": "2025-03-10"}), date(2025, 3, 10))
        q1 = weeks_heatmap(open_view({"channel": "phone", "queue": "Q1", "day": "2025-03-10"}), date(2025, 3, 10))
    # rows are the days with data, 24 February first (row 0): 3 March is row 7, 4 to 6 March rows 8 to 10
    traces, shapes = _marks(every)
    assert [(s["y0"], s["y1"]) for s in shapes] == [(6.5, 7.5), (7.5, 10.5)]
    assert traces[0]["hovertext"] == ["&lt;b&gt;IVR&lt;/b&gt; (03/03/2025)", "Q2 coaching (04/03/2025 to 06/03/2025)"]
    assert traces[0]["y"] == [every["data"][0]["y"][7], every["data"][0]["y"][8]]
    traces, shapes = _marks(q1)              # Q1's page: Q2's action is not its own
    assert [(s["y0"], s["y1"]) for s in shapes] == [(6.5, 7.5)] and len(traces[0]["hovertext"]) == 1


# -- the page in a browser -----------------------------------------------------------------

def test_act012_record_an_action_in_french_and_see_it_on_the_focus_chart(dash_duo, make_db, app_for):
    from tests.conftest import click
    eng = make_db(contacts=steps(1, weeks=1))
    dash_duo.start_server(app_for(eng))
    dash_duo.wait_for_page(dash_duo.server_url + "/lang?to=fr&next=" + quote("/actions?queue=Q1&kpi=transfer_rate"))
    dash_duo.wait_for_text_to_equal("#actions-form h5", "Enregistrer une action")
    dash_duo.find_element("#actions-title").send_keys("Refonte du SVI")
    click(dash_duo, "#actions-save")
    dash_duo.wait_for_contains_text("#actions-list", "Refonte du SVI")
    saved = list_actions(eng)[0]
    assert saved.scope == {"queue": ("Q1",)} and saved.kpis == ("transfer_rate",) and saved.status == "planned"
    dash_duo.wait_for_page(dash_duo.server_url + "/focus?kpi=transfer_rate&queue=Q1&from=2025-02-24&to=2025-03-10")
    dash_duo.wait_for_contains_text("#focus-actions", "Refonte du SVI")
    dash_duo.wait_for_element("#focus-trend .shapelayer path")
    marks = dash_duo.driver.execute_script(
        "return document.getElementById('focus-trend').querySelector('.js-plotly-plot')"
        ".data.filter(t => t.meta === 'actions').map(t => t.hovertext)")
    assert marks == [["Refonte du SVI (10/03/2025)"]]
    assert dash_duo.get_logs() == []
