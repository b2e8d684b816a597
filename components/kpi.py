"""How a KPI value is shown: unit, formula and settings on hover, status against target in
words and icon as well as colour, '–' for no value, "pending" for FCR and repeats whose
window has not passed, and a score from too few answers shown with its count, not judged."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping

import dash_bootstrap_components as dbc
from dash import html

from metrics.maturity import Maturity
from metrics.periods import whole_months
from metrics.registry import KPIS, duration_text, format_value
from metrics.targets import STATUS, Target, status
from settings import KpiSettings


def _seconds(s: float) -> str:
    if s >= 3600 and s % 3600 == 0:
        return f"{s / 86400:g} d" if s % 86400 == 0 else f"{s / 3600:g} h"
    return f"{s:g} s"


def settings_text(kpi_id: str, settings: KpiSettings) -> list[str]:
    """The settings in force that the KPI's value depends on, in words."""
    lines = []
    for name in KPIS[kpi_id].settings:
        if name == "sl_thresholds":
            pairs = ", ".join(f"{ch} {_seconds(s)}" for ch, s in settings.sl_thresholds)
            lines.append(f"Threshold per channel: {pairs}; other channels "
                         f"{_seconds(settings.sl_default_threshold)}")
        elif name == "short_abandon_s":
            lines.append(f"Short abandons (wait under {settings.short_abandon_s:g} s) are left out")
        elif name == "abandon_mode":
            lines.append(f"Abandons in service level: {settings.abandon_mode}")
        elif name == "repeat_window_h":
            lines.append(f"Repeat window: {settings.repeat_window_h:g} h")
    if KPIS[kpi_id].per_channel:
        lines.append("Shown per channel, each against its own target: a mean over several channels says nothing")
    return lines


def help_text(kpi_id: str, settings: KpiSettings) -> str:
    k = KPIS[kpi_id]
    return "\n".join([f"{k.label_en} / {k.label_fr}", f"= {k.formula}"] + settings_text(kpi_id, settings))


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
            return "pending"
        return format_value(KPIS[self.kpi], self.value)

    @property
    def cell(self) -> str:
        """The text of a table cell: the count beside a score from too few answers."""
        if self.too_few:
            return f"{self.text} ({answers_text(self.n)})"
        return self.text


def answers_text(n: int) -> str:
    return f"{n:,} answer" + ("" if n == 1 else "s")


def reading(kpi_id: str, row: Mapping, min_answers: int = 0) -> Reading:
    """The reading of a KPI in a result row of ``compute(..., counts=True)``."""
    value = row.get(kpi_id)
    value = None if value is None or value != value else float(value)
    return Reading(kpi_id, value, int(row.get(f"{kpi_id}__n") or 0), int(row.get(f"{kpi_id}__pending") or 0),
                   min_answers)


def caveat(r: Reading, maturity: Maturity, start: date) -> str | None:
    """What a person must know to read the value: contacts pending, or too few answers."""
    if r.too_few:
        return f"{answers_text(r.n)}: too few to judge (fewer than {r.min_answers})"
    return maturity.note(r.kpi, r.pending, start) if r.pending else None


def status_badge(kpi_id: str, value, target: Target | None, **kwargs) -> html.Span | None:
    """'✓ On target' / '! Close' / '✗ Off target', coloured; None without a status."""
    s = status(kpi_id, value, target)
    if s is None:
        return None
    word, icon, colour = STATUS[s]
    return dbc.Badge(f"{icon} {word}", color=colour, className="status-badge", **kwargs)


def period_label(start: date, end: date) -> str:
    """A period in a few words: 'Oct 2026', 'Jul–Sep 2026', '16/11–22/11/2026', '30/11/2026'."""
    months = whole_months(start, end)
    if months == 1:
        return f"{start:%b %Y}"
    if months:
        return f"{start:%b}–{end:%b %Y}" if start.year == end.year else f"{start:%b %Y}–{end:%b %Y}"
    if start == end:
        return f"{start:%d/%m/%Y}"
    return f"{start:%d/%m}–{end:%d/%m/%Y}" if start.year == end.year else f"{start:%d/%m/%Y}–{end:%d/%m/%Y}"


def change_text(kpi_id: str, value, previous, against: str = "previous") -> tuple[str, str]:
    """The change against another period (``against`` names it; "" leaves it unnamed), and
    'better' / 'worse' / '' for its colour: points for rates and scores, the unit for
    durations and amounts, % for counts."""
    k = KPIS[kpi_id]
    vs = f" vs {against}" if against else ""
    if value is None or previous is None:
        return f"–{vs}", ""
    delta = value - previous
    if k.unit == "count":
        text = f"{delta:+,.0f}" + (f" ({100 * delta / previous:+.1f} %)" if previous else "")
    elif k.unit == "seconds":
        text = ("+" if delta > 0 else "-") + duration_text(abs(delta))
    else:
        unit = {"percent": " pts", "score": " pts", "currency": " €"}[k.unit]
        text = format(delta, "+" + k.fmt.lstrip("+")) + unit
    if abs(delta) < 0.5 * 10 ** -_decimals(k.fmt):  # no change at the precision shown
        return f"no change{vs}", ""
    if k.better == "none":
        return f"{text}{vs}", ""
    better = (delta > 0) == (k.better == "higher")
    arrow = "▲" if delta > 0 else "▼"
    return f"{arrow} {text}{vs}", "better" if better else "worse"


def _decimals(fmt: str) -> int:
    """Decimals a format spec shows ('.1f' -> 1, ',.0f' -> 0)."""
    return int(fmt.split(".")[1][0]) if "." in fmt else 0


def value_text(kpi_id: str, value) -> str:
    return format_value(KPIS[kpi_id], value)
