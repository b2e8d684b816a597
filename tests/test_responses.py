"""A page's content kept whole for a repeated view: only for the same viewer, language, data,
settings and state."""
from __future__ import annotations

from access.viewer import LOCAL, Viewer, acting_as
from components import responses
from data import db as database
from i18n import using


def counted():
    calls = []

    @responses.whole
    def content(query):
        calls.append(query)
        return {"shown": dict(query), "call": len(calls)}
    return content, calls


def test_rsp001_the_same_view_again_is_answered_from_memory():
    responses.forget()
    content, calls = counted()
    with acting_as(LOCAL), using("fr"):
        first = content({"from": "2025-03-01", "to": "2025-03-31"})
        again = content({"to": "2025-03-31", "from": "2025-03-01"})     # the same state, keys in another order
    assert again is first and len(calls) == 1


def test_rsp002_another_viewer_language_state_or_generation_is_computed_anew():
    responses.forget()
    content, calls = counted()
    client_a = Viewer("ann", "client", clients=("A",))
    client_b = Viewer("bob", "client", clients=("B",))
    query = {"from": "2025-03-01", "to": "2025-03-31"}
    with using("fr"):
        with acting_as(client_a):
            a = content(query)
        with acting_as(client_b):
            b = content(query)      # another client's view is never another's response
        with acting_as(client_a):
            other_state = content({**query, "channel": "phone"})
    with using("en"), acting_as(client_a):
        english = content(query)
    database._new_generation()      # a load, or a saved target, action or decision
    with using("fr"), acting_as(client_a):
        after_write = content(query)
        assert content(query) is after_write
    assert [r["call"] for r in (a, b, other_state, english, after_write)] == [1, 2, 3, 4, 5]
    assert len(calls) == 5


def test_rsp003_only_the_latest_responses_are_kept():
    responses.forget()
    content, calls = counted()
    with acting_as(LOCAL), using("fr"):
        for day in range(responses.KEEP + 1):
            content({"day": day})
        content({"day": responses.KEEP})        # the latest: kept
        content({"day": 0})                     # the oldest: forgotten
    assert len(calls) == responses.KEEP + 2


def test_rsp004_what_the_app_writes_moves_the_generation_a_kept_response_depends_on(tmp_path):
    """A saved target, focus or committee decision is shown at once: each write moves the
    data's generation, which every kept response is keyed on."""
    from datetime import date

    from data.decisions import save_decisions
    from data.focus import set_focus
    from data.targets import set_target
    eng = database.engine(tmp_path / "w.duckdb")
    try:
        for write in (lambda: set_target(eng, "service_level", 85.0),
                      lambda: set_focus(eng, "service_level", 80.0, date(2025, 3, 1)),
                      lambda: save_decisions(eng, "X", date(2025, 3, 1), "Renfort le lundi")):
            before = database.generation()
            write()
            assert database.generation() > before
    finally:
        database.dispose(tmp_path / "w.duckdb")
