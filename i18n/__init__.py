"""Languages: every text a person reads is looked up here, in French or in English.

The texts are written in the code in English, inside ``_()`` (``ngettext()`` where a count
decides the form; ``N_()`` marks a text kept in a constant, looked up where it is shown).
French comes from the catalogue, gettext's ``.po`` files in ``i18n/fr/`` (one per part of the
product, read as one); English is the code's own text. ``tests/test_i18n.py`` fails when a
text of the code has no French, or a text shown to users is not looked up.

The language of a request, in this order: the person's choice (the switch in the navigation
bar, kept in the ``pilotage_lang`` cookie and, for a signed-in user, with their account),
the browser's preferred languages, then the setting ``PILOTAGE_LANG`` (default ``fr``).
Outside a request (the command line, a scheduled export) it is the setting, or the language
``using(lang)`` sets for a block.
"""
from __future__ import annotations

import contextvars
import gettext
import io
import os
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from flask import g, has_request_context, request

LANGUAGES = ("fr", "en")
NAMES = {"fr": "Français", "en": "English"}
COOKIE = "pilotage_lang"
HERE = Path(__file__).resolve().parent
_forced: contextvars.ContextVar[str | None] = contextvars.ContextVar("pilotage_lang", default=None)
_reading_settings: contextvars.ContextVar[bool] = contextvars.ContextVar("reading_settings", default=False)


def N_(message: str) -> str:
    """Mark a text for the catalogue without looking it up (a constant's text, looked up with
    ``_()`` where it is shown)."""
    return message


def catalogue(lang: str):
    """A language's catalogue (Babel's), its files read as one; the plural forms are those
    its files' headers state (French: one form for 0 and 1, another above)."""
    from babel.messages.pofile import read_po
    merged = None
    for path in sorted((HERE / lang).glob("*.po")):
        with open(path, "rb") as fh:
            found = read_po(fh, locale=lang)
        if merged is None:
            merged = found
            continue
        for message in found:
            if message.id:
                merged[message.id] = message
    return merged


@lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    """The translations of a language, handed to Python's gettext (plural forms included);
    English, the code's own language, has none."""
    if lang == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    found = catalogue(lang)
    if lang == "fr":
        for message in found:
            if message.id and message.string:
                message.string = (tuple(map(typeset, message.string)) if isinstance(message.string, tuple)
                                  else typeset(message.string))
    compiled = io.BytesIO()
    write_mo(compiled, found)     # untranslated and fuzzy entries left out
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def typeset(text: str) -> str:
    """French spacing: a no-break space before a colon and inside quotes (« ... »), a narrow
    one before ``;``, ``!`` and ``?``, so that a line never begins with one of them. The
    catalogue's files are written with plain spaces."""
    text = re.sub(r" ([:»])", "\u00a0\\1", text).replace("« ", "«\u00a0")
    return re.sub(r" ([;!?])", "\u202f\\1", text)


def chosen(value) -> str | None:
    """A language code if it is one of ours, else None."""
    return value if value in LANGUAGES else None


def current() -> str:
    """The language of the text being made (see the module)."""
    forced = _forced.get()
    if forced:
        return forced
    if has_request_context():
        if "lang" not in g:
            g.lang = _of_request()
        return g.lang
    return _setting()


def _of_request() -> str:
    return (chosen(request.cookies.get(COOKIE)) or request.accept_languages.best_match(LANGUAGES)
            or _setting())


def _setting() -> str:
    """The setting's language; while the settings are being read (a settings file's refusal
    is told in a language too), ``PILOTAGE_LANG`` if it names one, else French."""
    if _reading_settings.get():
        return chosen(os.environ.get("PILOTAGE_LANG")) or "fr"
    from settings import active
    token = _reading_settings.set(True)
    try:
        return active().lang
    finally:
        _reading_settings.reset(token)


@contextmanager
def using(lang: str):
    """Make the texts of a block in this language (an export, a test, the command line)."""
    token = _forced.set(chosen(lang) or _setting())
    try:
        yield
    finally:
        _forced.reset(token)


def _(message: str, **values) -> str:
    """A text in the current language; ``values`` fill its ``{name}`` fields."""
    text = translations(current()).gettext(message)
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, n: int, **values) -> str:
    """The form of a text for a count ``n`` (``{n}`` in it is the count)."""
    return translations(current()).ngettext(singular, plural, n).format(n=n, **values)
