"""How much a person may store: every text and number a user writes into the database is
checked here first, whatever page or command it comes from (a form's ``maxLength`` binds the
browser only)."""
from __future__ import annotations

import math

from i18n import _, formats

NOTE_LIMIT = 200          # a focus note: a line, as the form says
NAME_LIMIT = 200          # a channel, client or queue name a target is set for


def bounded_text(what: str, value: str | None, limit: int) -> str | None:
    """The text stripped (None when empty), or a ValueError saying the limit (``what`` is a
    text marked with ``N_``, looked up here)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(_("{what} must be a text", what=_(what)))
    value = value.strip()
    if len(value) > limit:
        raise ValueError(_("{what} is limited to {limit} characters ({given} given)", what=_(what),
                           limit=formats.number(limit), given=formats.number(len(value))))
    return value or None


def finite(what: str, value) -> float | None:
    """A finite number as a float (None stays None), or a ValueError."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(_("{what} must be a finite number ({value} given)", what=_(what), value=repr(value)))
    return float(value)
