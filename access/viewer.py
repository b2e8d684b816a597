"""The viewer: who is asking, taken from the server's session and never from the browser.

``current()`` is the one place a request's viewer comes from: the user signed in; in local
mode (no user exists yet, served on this machine only) the local user, who may do
everything; otherwise nobody, who sees nothing. A viewer's ``restrictions`` narrow every
scope (``Scope.restricted``), deny by default: a role it does not know, or a client user
without clients, sees no row at all.

Outside a request (the command line, the benchmark, tests calling a callback as a function)
there is no session: the viewer is the one ``acting_as`` names, nobody by default.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

from access import roles
from data.audit import Actor


@dataclass(frozen=True)
class Viewer:
    name: str | None
    role: str | None
    clients: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    address: str | None = None
    local: bool = False

    @property
    def restrictions(self) -> dict[str, list[str]]:
        """The dimension values this viewer may see (an empty list: none)."""
        if self.role in ("admin", "director") or (self.role == "team_lead" and not self.teams):
            return {}
        if self.role == "team_lead":
            return {"team": list(self.teams)}
        if self.role == "client":
            return {"client": list(self.clients)}
        return {"client": []}

    def may(self, right: str) -> bool:
        return roles.may(self.role, right)

    def may_open(self, path: str) -> bool:
        return roles.may_open(self.role, path)

    @property
    def actor(self) -> Actor:
        return Actor(self.name, self.address)


NOBODY = Viewer(None, None)
LOCAL = Viewer("local", "admin", local=True)

_acting = contextvars.ContextVar("pilotage_viewer", default=NOBODY)


@contextmanager
def acting_as(viewer: Viewer):
    """Run code outside a request as this viewer (the command line, the benchmark, tests)."""
    token = _acting.set(viewer)
    try:
        yield viewer
    finally:
        _acting.reset(token)


def require(right: str) -> Viewer:
    """The current viewer, when it may do this; else the request is answered 403 (a callback
    forged by a role without the right gets nothing)."""
    viewer = current()
    if not viewer.may(right):
        from werkzeug.exceptions import Forbidden
        raise Forbidden(f"{right} is not open to your role")
    return viewer


def current() -> Viewer:
    """The viewer of the request under way (set by ``access.gate``), else the one acted as."""
    from flask import g, has_request_context

    if has_request_context():
        return getattr(g, "viewer", NOBODY)
    return _acting.get()
