"""The last resort: an error no check foresaw becomes a message in the page, logged once.

Every callback checks what it receives (``components.inputs``) and answers bad input with a
message or an empty state. Whatever still goes wrong (a bug, a database gone) must not leave
a blank page or an HTTP 500: the app's ``on_error`` logs the error once on the logger
``pilotage.errors`` with a short id, shows the id in the page's error banner, and leaves the
callback's outputs as they were. A refusal on purpose (a 403 from ``access.viewer.require``)
is not an error and keeps its status.
"""
from __future__ import annotations

import logging
import secrets

import dash_bootstrap_components as dbc
from dash import set_props
from werkzeug.exceptions import HTTPException

from i18n import _

BANNER_ID = "app-error"
log = logging.getLogger("pilotage.errors")


def banner() -> dbc.Alert:
    """Where an unexpected error is told; hidden until one happens."""
    return dbc.Alert(id=BANNER_ID, color="danger", is_open=False, dismissable=True, className="mb-0 rounded-0")


def report(error: Exception) -> str:
    """Log an error with a new id (its traceback, once) and return the id."""
    ref = secrets.token_hex(4)
    log.error("error %s", ref, exc_info=error)
    return ref


def on_callback_error(error: Exception) -> None:
    """Dash's ``on_error``: refusals pass through; anything else is reported in the page."""
    if isinstance(error, HTTPException):
        raise error
    ref = report(error)
    set_props(BANNER_ID, {"is_open": True, "children": _(
        "Something went wrong while showing this view (error {ref}). The rest of the page still works; "
        "if it happens again, tell your administrator this error number.", ref=ref)})
