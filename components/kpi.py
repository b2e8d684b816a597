"""How a KPI value is shown: unit, formula and settings on hover, status against target in
words and icon as well as colour, '–' for no value."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

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
    return lines


def help_text(kpi_id: str, settings: KpiSettings) -> str:
    k = KPIS[kpi_id]
    return "\n".join([f"{k.label_en} / {k.label_fr}", f"= {k.formula}"] + settings_text(kpi_id, settings))


def status_badge(kpi_id: str, value, target: Target | None, **kwargs) -> html.Span | None:
    """'✓ On target' / '! Close' / '✗ Off target', coloured; None without a status."""
    s = status(kpi_id, value, target)
    if s is None:
        return None
    word, icon, colour = STATUS[s]
    return dbc.Badge(f"{icon} {word}", color=colour, className="status-badge", **kwargs)


def change_text(kpi_id: str, value, previous) -> tuple[str, str]:
    """The change against the previous period, and 'better' / 'worse' / '' for its colour."""
    k = KPIS[kpi_id]
    if value is None or previous is None:
        return "– vs previous", ""
    delta = value - previous
    unit = {"percent": " pts", "currency": " €"}.get(k.unit, "")
    if k.unit == "count":
        text = f"{delta:+,.0f}" + (f" ({100 * delta / previous:+.1f} %)" if previous else "")
    elif k.unit == "seconds":
        text = ("+" if delta > 0 else "-") + duration_text(abs(delta))
    else:
        text = format(delta, "+" + k.fmt.lstrip("+")) + unit
    if abs(delta) < 0.5 * 10 ** -_decimals(k.fmt):  # no change at the precision shown
        return "no change vs previous", ""
    if k.better == "none":
        return f"{text} vs previous", ""
    better = (delta > 0) == (k.better == "higher")
    arrow = "▲" if delta > 0 else "▼"
    return f"{arrow} {text} vs previous", "better" if better else "worse"


def _decimals(fmt: str) -> int:
    """Decimals a format spec shows ('.1f' -> 1, ',.0f' -> 0)."""
    return int(fmt.split(".")[1][0]) if "." in fmt else 0


def value_text(kpi_id: str, value) -> str:
    return format_value(KPIS[kpi_id], value)
