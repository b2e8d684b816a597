"""Definitions: every KPI with its labels, formula, unit, direction and target, and the
settings in force."""
import dash
import dash_bootstrap_components as dbc
from dash import html

from components.kpi import settings_text, value_text
from metrics.registry import GROUPS, KPIS
from data.db import engine
from data.targets import stored_targets
from metrics.targets import merge_targets, target_for
from settings import Settings, active

dash.register_page(__name__, path="/definitions", name="Definitions",
                   title="Pilotage – Definitions", order=9)

GROUP_TITLES = {"delivered": "Delivered quality", "outbound": "Outbound and commercial",
                "perceived": "Perceived quality"}
UNIT_WORDS = {"count": "count", "percent": "% (0-100)", "seconds": "seconds", "score": "score",
              "currency": "currency"}
BETTER_WORDS = {"higher": "↑ higher", "lower": "↓ lower", "none": "–"}


def kpi_table(group: str, settings: Settings, targets: dict) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th(h) for h in
                               ("Id", "Indicator", "Indicateur", "Formula", "Unit", "Better", "Target")]))
    rows = []
    for k in (k for k in KPIS.values() if k.group == group):
        target = target_for(k.id, targets)
        notes = settings_text(k.id, settings.kpi)
        per_channel = {ch: t for ch, t in (targets.get(k.id, {}).get("channel") or {}).items() if t.get("target")}
        rows.append(html.Tr([
            html.Td(html.Code(k.id)),
            html.Td(k.label_en),
            html.Td(k.label_fr),
            html.Td([k.formula] + [html.Div(n, className="small text-muted") for n in notes]),
            html.Td(UNIT_WORDS[k.unit]),
            html.Td(BETTER_WORDS[k.better]),
            html.Td(["–" if target is None else
                     f"{value_text(k.id, target.value)}"
                     + ("" if target.amber is None else f" (close from {value_text(k.id, target.amber)})")]
                    + [html.Div(f"{ch}: {value_text(k.id, t['target'])}", className="small text-muted")
                       for ch, t in sorted(per_channel.items())]),
        ], id=f"def-{k.id}"))
    return dbc.Table([head, html.Tbody(rows)], bordered=False, hover=True, size="sm",
                     responsive=True, className="bg-white")


def settings_table(settings: Settings) -> dbc.Table:
    """Every setting in force and where it comes from: the settings file or the defaults (the
    words the settings page uses for the targets too)."""
    k = settings.kpi
    thresholds = ", ".join(f"{ch} {s:g} s" for ch, s in k.sl_thresholds)
    rows = [
        ("Service-level threshold per channel", f"{thresholds}; any other channel {k.sl_default_threshold:g} s",
         settings.source("service_level_thresholds")),
        ("Short abandon", f"an abandoned contact with a wait under {k.short_abandon_s:g} s",
         settings.source("short_abandon_s")),
        ("Abandons in service level", {
            "negative": "negative: abandons after the short threshold count in the denominator, never as met",
            "ignored": "ignored: abandons within the threshold leave the denominator",
            "positive": "positive: abandons within the threshold count as met"}[k.abandon_mode],
         settings.source("abandon_mode")),
        ("Repeat window", f"{k.repeat_window_h:g} hours: FCR counts a contact once the window after it has "
                          "passed, repeats once the window before it is in the data",
         settings.source("repeat_window_h")),
        ("Fewest answers to judge a score", f"{settings.min_answers} answers", settings.source("min_answers")),
        ("Reject budget of a load", f"{settings.reject_budget:.0%} of a file's rows", settings.source("reject_budget")),
    ]
    head = html.Thead(html.Tr([html.Th("Setting"), html.Th("In force"), html.Th("From")]))
    body = [html.Tr([html.Th(a, className="w-25"), html.Td(b), html.Td(c)]) for a, b, c in rows]
    file_row = html.Tr([html.Th("Settings file"), html.Td(str(settings.config) if settings.config else
                                                          "none: every setting is Pilotage's default"), html.Td("")])
    return dbc.Table([head, html.Tbody(body + [file_row])], size="sm", className="bg-white", id="settings-table")


def layout(**_query):
    settings = active()
    targets = merge_targets(settings.targets, stored_targets(engine(settings.db)))
    return html.Div([
        html.H2("Definitions"),
        html.P("Every number in Pilotage is computed with these formulas and settings. Rates are "
               "percentages, durations seconds; a KPI whose denominator is zero has no value "
               "and shows \u201c\u2013\u201d.", className="text-muted"),
        html.H4("Settings in force", className="side-title mt-3"),
        settings_table(settings),
    ] + [html.Div([html.H4(GROUP_TITLES[g], className="side-title mt-4"), kpi_table(g, settings, targets)])
         for g in GROUPS])
