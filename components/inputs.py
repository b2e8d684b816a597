"""What the browser sends, checked before a callback reads it.

Everything a callback receives comes from the browser and may be forged: a store holding a
list, a dropdown a dict, a click without points, a date in year 9999. Each callback says
what each of its arguments is with ``@takes(kind, ...)`` under its ``@callback``; the kinds
below turn any JSON value into a value of the expected type, or into "nothing" (``None``, an
empty list or dict) that the callback answers with its empty state or a message. Bounds on
what is stored (a note's length, a target's range) are the data layer's; the kinds only
bound what could tie up the server.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from functools import wraps

TEXT_LIMIT = 100_000        # longer than any form field accepts: the data layer says how long
VALUE_LIMIT = 4_000         # a URL value (a filter's values, a drill path)
KEY_LIMIT = 40
ITEMS_LIMIT = 500           # values in a multi-select, files in an upload, ids in a pattern
# the dates a person may ask for: far enough for any contact, near enough for date arithmetic
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


def text(raw) -> str | None:
    """A string, or None; one longer than any field is cut just past the limit, so that
    the data layer refuses it with its own limit rather than store it."""
    return raw[:TEXT_LIMIT + 1] if isinstance(raw, str) else None


def texts(raw) -> list[str]:
    """A list of strings (one string is a list of one); anything else is dropped."""
    items = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return [v for v in items[:ITEMS_LIMIT] if isinstance(v, str) and len(v) <= VALUE_LIMIT]


def choice(raw) -> str | list[str] | None:
    """A dropdown's value: one string, or a list of strings (a multi-select)."""
    if isinstance(raw, list):
        return texts(raw)
    return raw if isinstance(raw, str) and len(raw) <= VALUE_LIMIT else None


def query(raw) -> dict[str, str]:
    """A page's state (a store, the URL's query): string keys to string values."""
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items()
            if isinstance(k, str) and 0 < len(k) <= KEY_LIMIT and isinstance(v, str) and len(v) <= VALUE_LIMIT}


def number(raw) -> float | None:
    """A finite number (a form's numeric field), or None."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        return None
    value = float(raw) if abs(raw) < 1e300 else math.inf
    return value if math.isfinite(value) else None


def count(raw) -> int:
    """A click count or an interval's ticks."""
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0 else 0


def flag(raw) -> bool:
    return raw is True


def day(raw) -> date | None:
    """A date (``YYYY-MM-DD``, a time after it ignored) a person could ask for, or None."""
    if not isinstance(raw, str):
        return None
    try:
        found = date.fromisoformat(raw[:10])
    except ValueError:
        return None
    return found if FIRST_DAY <= found <= LAST_DAY else None


def cell(raw) -> str | None:
    """The row id of a grid's clicked cell."""
    return text(raw.get("rowId")) if isinstance(raw, dict) else None


def point(raw) -> str | None:
    """The ``customdata`` of a chart's first clicked point (a member's key)."""
    points = raw.get("points") if isinstance(raw, dict) else None
    first = points[0] if isinstance(points, list) and points and isinstance(points[0], dict) else {}
    return text(first.get("customdata"))


def records(raw) -> list[dict]:
    """A list of small dicts (the import page's staged files)."""
    rows = raw[:ITEMS_LIMIT] if isinstance(raw, list) else []
    return [{**query(r), "size": count(r.get("size"))} for r in rows if isinstance(r, dict)]


def job(raw) -> str | None:
    """The id of a background job, from the store that keeps it."""
    return text(raw.get("id")) if isinstance(raw, dict) else None


def ignored(_raw) -> None:
    """An input that only triggers the callback; its value is not read."""
    return None


def takes(*kinds: Callable) -> Callable:
    """Declare the kind of each argument of a callback; the body sees only checked values.

    Under ``@callback``: ``@takes(inputs.count, inputs.query)`` for ``def cb(n_clicks, state)``.
    """
    def decorate(func):
        @wraps(func)
        def checked(*args, **kwargs):
            if len(args) != len(kinds):
                raise TypeError(f"{func.__name__} takes {len(kinds)} inputs, got {len(args)}")
            return func(*(kind(arg) for kind, arg in zip(kinds, args)), **kwargs)
        checked.kinds = kinds
        return checked
    return decorate


def each(kind: Callable) -> Callable:
    """The kind of a pattern-matching input: a list of ``kind``."""
    def checked(raw):
        return [kind(v) for v in raw[:ITEMS_LIMIT]] if isinstance(raw, list) else []
    checked.__name__ = f"each_{getattr(kind, '__name__', 'value')}"
    return checked


def _is_item(item) -> bool:
    return isinstance(item, dict) and isinstance(item.get("id"), (str, dict)) and isinstance(item.get("property"), str)


def _router_problem(item: dict) -> str | None:
    """The pages router reads its two values before any page's checks run."""
    value = item.get("value")
    if item["property"] == "pathname" and not (isinstance(value, str) and value.startswith("/")):
        return "the page's path must be a text starting with /"
    if item["property"] == "search" and not (value is None or isinstance(value, str)):
        return "the page's query must be a text"
    return None


def malformed(body, callbacks: dict, router_id: str) -> str | None:
    """What is wrong with the shape of a callback request, before Dash reads it (Dash
    itself answers a request of the wrong shape with an HTTP 500), or None. ``callbacks``
    is the app's callback map (output -> its inputs and state)."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return "a callback request is a JSON object naming its output"
    declared = callbacks.get(body["output"])
    if declared is None:
        return "no callback has this output"
    if not isinstance(body.get("outputs"), (dict, list)):
        return "a callback request names its outputs"
    if not isinstance(body.get("changedPropIds", []), list) or not all(
            isinstance(p, str) for p in body.get("changedPropIds", [])):
        return "the changed properties are a list of texts"
    for part in ("inputs", "state"):
        items = body.get(part, [])
        if not isinstance(items, list) or len(items) != len(declared[part]):
            return f"the {part} of a callback request are a list of {len(declared[part])}"
        for item in items:
            group = item if isinstance(item, list) else [item]
            if not all(_is_item(i) for i in group):
                return f"each of the {part} has an id and a property"
            problem = next((p for i in group if i["id"] == router_id and (p := _router_problem(i))), None)
            if problem:
                return problem
    return None


def uploads(raw) -> list[str | None]:
    """An upload's contents (``data:`` URLs) or its file names, one per file and in order: a
    string of any length (the server bounds a request's size), None for anything else."""
    items = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return [v if isinstance(v, str) else None for v in items[:ITEMS_LIMIT]]
