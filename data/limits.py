"""How much a person may store: every text and number a user writes into the database is
checked here first, whatever page or command it comes from (a form's ``maxLength`` binds the
browser only)."""
from __future__ import annotations

import math

NOTE_LIMIT = 200          # a focus note: a line, as the form says
NAME_LIMIT = 200          # a channel, client or queue name a target is set for


def bounded_text(what: str, value: str | None, limit: int) -> str | None:
    """The text stripped (None when empty), or a ValueError saying the limit."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a text")
    value = value.strip()
    if len(value) > limit:
        raise ValueError(f"{what} is limited to {limit:,} characters ({len(value):,} given)")
    return value or None


def finite(what: str, value) -> float | None:
    """A finite number as a float (None stays None), or a ValueError."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number ({value!r} given)")
    return float(value)
