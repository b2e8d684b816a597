"""Numbers, durations and dates as a person reads them in the current language (Babel's
locale data): ``18 084``, ``96,9 %``, ``+4,2 pts``, ``663,31 €``, ``6 min 37 s``,
``novembre 2026``, ``lun. 30/11`` in French; ``18,084``, ``96.9 %``, ``+4.2 pts``, ``€663.31``,
``November 2026``, ``Mon 30/11`` in English. Pages, charts and exports all format here.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel import dates, numbers

from i18n import current

NBSP = "\u00a0"


def _space() -> str:
    """Between a number and its unit: French typography keeps them on one line."""
    return NBSP if current() == "fr" else " "


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


@lru_cache(maxsize=None)
def _separators(lang: str) -> dict[int, str]:
    """How to write Python's "," and "." in a language (Babel's symbols)."""
    return {ord(","): numbers.get_group_symbol(lang), ord("."): numbers.get_decimal_symbol(lang)}


def number(value: float, decimals: int = 0) -> str:
    """A number with the locale's separators, ``decimals`` digits after the point (rounded as
    Python rounds; written with Python's own formatting, fifty times faster than Babel's
    pattern, for grids of thousands of cells)."""
    return f"{value:,.{max(decimals, 0)}f}".translate(_separators(current()))


def signed(value: float, decimals: int = 0) -> str:
    """A change, its sign always written: ``+4,2``, ``-0,3`` (0 has none)."""
    if not round(value, decimals):
        return number(0, decimals)
    return ("+" if value > 0 else "-") + number(abs(value), decimals)


def percent(value: float, decimals: int = 1) -> str:
    """A rate already in percent (96.9 for 96.9 %)."""
    return f"{number(value, decimals)}{_space()}%"


def points(delta: float, decimals: int = 1) -> str:
    """A change of a rate, in percentage points."""
    return f"{signed(delta, decimals)}{_space()}pts"


def money(value: float, decimals: int = 2) -> str:
    """An amount in euros, as the locale writes it (``663,31 €``, ``€663.31``)."""
    pattern = numbers.Locale.parse(current()).currency_formats["standard"].pattern     # where the sign goes
    return numbers.format_currency(value, "EUR", format=pattern.replace("#,##0.00", _pattern(decimals)),
                                   locale=current(), currency_digits=False)


def duration(seconds: float) -> str:
    """``42 s``, ``6 min 37 s``, ``3 h 43 min``, ``2 j 4 h`` (``2 d 4 h``): readable at every scale."""
    s, sp = round(seconds), _space()
    day = "j" if current() == "fr" else "d"
    if abs(s) < 100:
        return f"{s}{sp}s"
    if abs(s) < 3600:
        return f"{s // 60}{sp}min{sp}{s % 60:02d}{sp}s"
    if abs(s) < 86400:
        minutes = (s % 3600) // 60
        return f"{s // 3600}{sp}h{sp}{minutes:02d}{sp}min" if minutes else f"{s // 3600}{sp}h"
    hours = (s % 86400) // 3600
    return f"{s // 86400}{sp}{day}{sp}{hours}{sp}h" if hours else f"{s // 86400}{sp}{day}"


def day(value: date) -> str:
    """A date: ``30/11/2026`` (both languages write the day first here)."""
    return dates.format_date(value, "dd/MM/yyyy", locale=current())


def month(value: date) -> str:
    """A month: ``novembre 2026``, ``November 2026``."""
    return dates.format_date(value, "LLLL y", locale=current())


def short_month(value: date, year: bool = True) -> str:
    """A month in short: ``oct. 2026``, ``Oct 2026`` (``oct.``, ``Oct`` without the year)."""
    return dates.format_date(value, "LLL y" if year else "LLL", locale=current())


def short_day(value: date) -> str:
    """A day with its weekday: ``lun. 30/11``, ``Mon 30/11``."""
    return dates.format_date(value, "EEE dd/MM", locale=current())


def plotly_config(config: dict | None = None) -> dict:
    """A figure's config in the current language: Plotly's locale given inline (month and
    day names, decimal and thousands separators on axes and hovers)."""
    lang = current()
    return {**(config or {}), "locale": lang, "locales": {lang: {"dictionary": {}, "format": _plotly_format(lang)}}}


@lru_cache(maxsize=None)
def _plotly_format(lang: str) -> dict:
    """Plotly's locale format for a language, from Babel's names and symbols (made once)."""
    symbols = numbers.get_decimal_symbol(lang), numbers.get_group_symbol(lang)
    names = lambda kind, width: [v for _k, v in sorted(dates.get_month_names(width, kind, lang).items())]  # noqa: E731
    days = lambda width: [dates.get_day_names(width, "format", lang)[(i + 6) % 7] for i in range(7)]  # noqa: E731
    fmt = {"months": names("stand-alone", "wide"), "shortMonths": names("stand-alone", "abbreviated"),
           "days": days("wide"), "shortDays": days("abbreviated"),
           "decimal": symbols[0], "thousands": symbols[1]}
    if lang == "fr":   # the day before the month on date axes ("2 mars 2025"), as French writes it
        fmt.update({"date": "%d/%m/%Y", "year": "%Y", "month": "%b %Y", "dayMonth": "%-d %b",
                    "dayMonthYear": "%-d %b %Y"})
    return fmt


def separators() -> str:
    """Plotly's ``layout.separators``: the decimal then the thousands separator."""
    symbols = _separators(current())
    return symbols[ord(".")] + symbols[ord(",")]
