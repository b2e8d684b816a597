"""How a KPI value is shown: unit, formula and settings on hover, status against target in
words and icon as well as colour, '–' for no value, "pending" for FCR and repeats whose
window has not passed, and a score from too few answers shown with its count, not judged."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping

import dash_bootstrap_components as dbc
from dash import html

from i18n import _, formats, ngettext
from metrics.maturity import Maturity
from metrics.periods import whole_months
from metrics.registry import KPIS, format_value
from metrics.targets import STATUS, Target, status
from settings import KpiSettings
from i18n.labels import channel_label
from i18n import N_


ABANDON_MODES = {"negative": N_("counted as missed"), "ignored": N_("left out"), "positive": N_("counted as met")}


def settings_text(kpi_id: str, settings: KpiSettings) -> list[str]:
    """The settings in force that the KPI's value depends on, in words."""
    lines = []
    for name in KPIS[kpi_id].settings:
        if name == "sl_thresholds":
            pairs = ", ".join(f"{channel_label(ch)} {formats.duration(s)}" for ch, s in settings.sl_thresholds)
            lines.append(_("Threshold per channel: {pairs}; other channels {other}", pairs=pairs,
                           other=formats.duration(settings.sl_default_threshold)))
        elif name == "short_abandon_s":
            lines.append(_("Short abandons (wait under {wait}) are left out", wait=formats.duration(settings.short_abandon_s)))
        elif name == "abandon_mode":
            lines.append(_("Abandons in service level: {mode}", mode=_(ABANDON_MODES[settings.abandon_mode])))
        elif name == "repeat_window_h":
            lines.append(_("Repeat window: {hours} h", hours=formats.number(settings.repeat_window_h, 1).rstrip("0.,")
                           if settings.repeat_window_h % 1 else formats.number(settings.repeat_window_h)))
    if KPIS[kpi_id].per_channel:
        lines.append(_("Shown per channel, each against its own target: a mean over several channels says nothing"))
    return lines


def help_text(kpi_id: str, settings: KpiSettings) -> str:
    """A KPI's name, its formula and the settings in force, in the current language."""
    k = KPIS[kpi_id]
    return "\n".join([k.label(), f"= {_(k.formula)}"] + settings_text(kpi_id, settings))


def help_mark(kpi_id: str, settings: KpiSettings) -> html.Span:
    """The ⓘ beside a number: its formula and settings on hover."""
    return html.Span("i", className="kpi-help", title=help_text(kpi_id, settings))


@dataclass(frozen=True)
class Reading:
    """A KPI's value with what stands behind it (``compute(..., counts=True)``)."""

    kpi: str
    value: float | None
    n: int = 0                  # the contacts or answers the value is over
    pending: int = 0            # contacts not mature yet (FCR, repeats)
    min_answers: int = 0        # a perceived score over fewer answers is too few to judge

    @property
    def too_few(self) -> bool:
        k = KPIS[self.kpi]
        return k.group == "perceived" and k.kind == "ratio" and 0 < self.n < self.min_answers

    @property
    def judged(self) -> float | None:
        """The value to judge against a target: none for too few answers."""
        return None if self.too_few else self.value

    @property
    def text(self) -> str:
        if self.value is None and self.pending:
            return _("pending")
        return format_value(KPIS[self.kpi], self.value)

    @property
    def cell(self) -> str:
        """The text of a table cell: the count beside a score from too few answers."""
        if self.too_few:
            return f"{self.text} ({answers_text(self.n)})"
        return self.text


def answers_text(n: int) -> str:
    return ngettext("{n} answer", "{n} answers", n).replace(str(n), formats.number(n), 1)


def reading(kpi_id: str, row: Mapping, min_answers: int = 0) -> Reading:
    """The reading of a KPI in a result row of ``compute(..., counts=True)``."""
    value = row.get(kpi_id)
    value = None if value is None or value != value else float(value)
    return Reading(kpi_id, value, int(row.get(f"{kpi_id}__n") or 0), int(row.get(f"{kpi_id}__pending") or 0),
                   min_answers)


def caveat(r: Reading, maturity: Maturity, start: date) -> str | None:
    """What a person must know to read the value: contacts pending, or too few answers."""
    if r.too_few:
        return _("{answers}: too few to judge (fewer than {least})", answers=answers_text(r.n),
                 least=formats.number(r.min_answers))
    return maturity.note(r.kpi, r.pending, start) if r.pending else None


def status_badge(kpi_id: str, value, target: Target | None, **kwargs) -> html.Span | None:
    """'✓ On target' / '! Close' / '✗ Off target', coloured; None without a status."""
    s = status(kpi_id, value, target)
    if s is None:
        return None
    word, icon, colour = STATUS[s]
    return dbc.Badge(f"{icon} {_(word)}", color=colour, className="status-badge", **kwargs)


def period_label(start: date, end: date) -> str:
    """A period in a few words: 'Oct 2026' ('oct. 2026'), 'Jul–Sep 2026', '16/11–22/11/2026',
    '30/11/2026'."""
    months = whole_months(start, end)
    if months == 1:
        return formats.short_month(start)
    if months:
        return (f"{formats.short_month(start, year=False)}–{formats.short_month(end)}" if start.year == end.year
                else f"{formats.short_month(start)}–{formats.short_month(end)}")
    if start == end:
        return f"{start:%d/%m/%Y}"
    return f"{start:%d/%m}–{end:%d/%m/%Y}" if start.year == end.year else f"{start:%d/%m/%Y}–{end:%d/%m/%Y}"


def change_text(kpi_id: str, value, previous, against: str | None = None) -> tuple[str, str]:
    """The change against another period (``against`` names it; "" leaves it unnamed), and
    'better' / 'worse' / '' for its colour: points for rates and scores, the unit for
    durations and amounts, % for counts."""
    k = KPIS[kpi_id]
    against = _("previous period") if against is None else against
    vs = " " + _("vs {period}", period=against) if against else ""
    if value is None or previous is None:
        return f"–{vs}", ""
    delta = value - previous
    decimals = k.decimals
    if k.unit == "count":
        text = formats.signed(delta) + (f" ({formats.signed(100 * delta / previous, 1)} %)" if previous else "")
    elif k.unit == "seconds":
        text = ("+" if delta > 0 else "-") + formats.duration(abs(delta))
    elif k.unit == "currency":
        text = ("+" if delta > 0 else "-") + formats.money(abs(delta), decimals)
    else:
        text = formats.points(delta, decimals)
    if abs(delta) < 0.5 * 10 ** -decimals:  # no change at the precision shown
        return _("no change") + vs, ""
    if k.better == "none":
        return f"{text}{vs}", ""
    better = (delta > 0) == (k.better == "higher")
    arrow = "▲" if delta > 0 else "▼"
    return f"{arrow} {text}{vs}", "better" if better else "worse"


def value_text(kpi_id: str, value) -> str:
    return format_value(KPIS[kpi_id], value)
