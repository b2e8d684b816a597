"""The language switch: ``/lang?to=fr&next=/explore?...`` keeps the person's choice in a
cookie (a year), with their account when they are signed in, and goes back to the page.
At sign-in, the language kept with the account comes back in the cookie."""
from __future__ import annotations

from flask import Response, redirect, request
from flask_login import current_user

from data.db import engine
from data.users import language_of, set_language
from i18n import COOKIE, chosen
from settings import active

YEAR = 365 * 24 * 3600


def remember(response: Response, lang: str) -> Response:
    """The response, carrying the language cookie."""
    response.set_cookie(COOKIE, lang, max_age=YEAR, samesite="Lax", secure=request.is_secure)
    return response


def switch():
    """Change the language, then back to the page it was asked from (this site's only)."""
    from access.gate import _safe_next
    lang = chosen(request.args.get("to"))
    back = redirect(_safe_next(request.args.get("next")))
    if lang is None:
        return back
    if current_user.is_authenticated:
        set_language(engine(active().db), current_user.id, lang)
    return remember(back, lang)


def signed_in(response: Response, name: str) -> Response:
    """The sign-in's redirect, with the language kept with the account, if any."""
    lang = language_of(engine(active().db), name)
    return remember(response, lang) if lang else response
