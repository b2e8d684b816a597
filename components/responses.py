"""The pages' content kept whole for a repeated view.

What a page's content function returns depends only on who is looking (their role and what
they may see), the language, the data and what the app has written (the data's generation
changes with every load and every saved target, focus, action, decision or campaign contract:
each is written through ``data.db.writing``), the settings, and the page's state (its URL).
The same view asked again is answered from memory: the query layer's cache already spares
the database, this also spares building the cards, figures and grids.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from functools import wraps

from access import viewer
from data.db import generation
from i18n import current as language
from settings import active

KEEP = 64   # responses, the least recently used forgotten first (each some tens of KB)
_kept: OrderedDict = OrderedDict()
_lock = threading.Lock()


def whole(func):
    """Keep a page's content per viewer, language, data, settings and arguments (a query
    built on the server, or checked by ``inputs.takes`` when a callback passes it on)."""
    @wraps(func)
    def kept(*args):
        who = viewer.current()
        key = (func.__module__, func.__qualname__, (who.name, who.role, who.clients, who.teams, who.local),
               language(), generation(), repr(active()), json.dumps(args, sort_keys=True, default=str))
        with _lock:
            if key in _kept:
                _kept.move_to_end(key)
                return _kept[key]
        out = func(*args)
        with _lock:
            _kept[key] = out
            while len(_kept) > KEEP:
                _kept.popitem(last=False)
        return out
    return kept


def forget() -> None:
    """Forget every response kept (the benchmark times views computed afresh)."""
    with _lock:
        _kept.clear()
