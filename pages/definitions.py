"""Definitions: every KPI with its labels, formula, unit, direction and target, and the
settings in force."""
import dash
import dash_bootstrap_components as dbc
from dash import html

import i18n
from components.kpi import settings_text, value_text
from i18n.labels import channel_label, source_label
from metrics.registry import GROUPS, KPIS
from data.db import engine
from data.targets import stored_targets
from metrics.targets import merge_targets, target_for
from settings import Settings, active
from components.view import page_title
from i18n import N_, _, formats, ngettext

dash.register_page(__name__, path="/definitions", name=N_("Definitions"), title=page_title("Definitions"), order=9,
                   manage=True)

# looked up with _() where shown
GROUP_TITLES = {"delivered": N_("Delivered quality"), "outbound": N_("Outbound and commercial"),
                "perceived": N_("Perceived quality"), "economics": N_("Costs and economics")}
UNIT_WORDS = {"count": N_("count"), "percent": N_("% (0-100)"), "seconds": N_("seconds"), "score": N_("score"),
              "currency": N_("currency")}
BETTER_WORDS = {"higher": N_("↑ higher"), "lower": N_("↓ lower"), "none": "–"}


def kpi_table(group: str, settings: Settings, targets: dict) -> dbc.Table:
    # the KPI's name in the reader's language, and in the other one (the words of the other
    # half of a bilingual team)
    other = "en" if i18n.current() == "fr" else "fr"
    head = html.Thead(html.Tr([html.Th(h) for h in
                               (_("Id"), _("Indicator"), _("In English") if other == "en" else _("In French"),
                                _("Formula"), _("Unit"), _("Better"), _("Target"))]))
    rows = []
    for k in (k for k in KPIS.values() if k.group == group):
        target = target_for(k.id, targets)
        notes = settings_text(k.id, settings.kpi)
        per_channel = {ch: t for ch, t in (targets.get(k.id, {}).get("channel") or {}).items() if t.get("target")}
        rows.append(html.Tr([
            html.Td(html.Code(k.id)),
            html.Td(k.label()),
            html.Td(k.label(other)),
            html.Td([_(k.formula)] + [html.Div(n, className="small text-muted") for n in notes]),
            html.Td(_(UNIT_WORDS[k.unit]), className="text-nowrap"),
            html.Td(_(BETTER_WORDS[k.better]), className="text-nowrap"),
            html.Td(["–" if target is None else value_text(k.id, target.value) if target.amber is None else
                     _("{target} (close from {amber})", target=value_text(k.id, target.value),
                       amber=value_text(k.id, target.amber))]
                    + [html.Div(_("{channel}: {target}", channel=channel_label(ch),
                                  target=value_text(k.id, t["target"])), className="small text-muted")
                       for ch, t in sorted(per_channel.items())]),
        ], id=f"def-{k.id}"))
    return dbc.Table([head, html.Tbody(rows)], bordered=False, hover=True, size="sm",
                     responsive=True, className="bg-white")


def settings_table(settings: Settings) -> dbc.Table:
    """Every setting in force and where it comes from: the settings file or the defaults (the
    words the settings page uses for the targets too)."""
    k = settings.kpi
    thresholds = ", ".join(f"{channel_label(ch)} {formats.duration(s)}" for ch, s in k.sl_thresholds)
    hours, whole = k.repeat_window_h, float(k.repeat_window_h).is_integer()
    rows = [
        (_("Service-level threshold per channel"),
         _("{thresholds}; any other channel {seconds}", thresholds=thresholds,
           seconds=formats.duration(k.sl_default_threshold)),
         settings.source("service_level_thresholds")),
        (_("Short abandon"), _("an abandoned contact with a wait under {seconds}",
                               seconds=formats.duration(k.short_abandon_s)),
         settings.source("short_abandon_s")),
        (_("Abandons in service level"), {
            "negative": _("negative: abandons after the short threshold count in the denominator, never as met"),
            "ignored": _("ignored: abandons within the threshold leave the denominator"),
            "positive": _("positive: abandons within the threshold count as met")}[k.abandon_mode],
         settings.source("abandon_mode")),
        (_("Repeat window"), ngettext(
            "{hours} hour: FCR counts a contact once the window after it has passed, repeats once the "
            "window before it is in the data",
            "{hours} hours: FCR counts a contact once the window after it has passed, repeats once the "
            "window before it is in the data",
            int(hours) if whole else 2, hours=formats.number(hours, 0 if whole else 1)),
         settings.source("repeat_window_h")),
        (_("Fewest answers to judge a score"),
         ngettext("{count} answer", "{count} answers", settings.min_answers,
                  count=formats.number(settings.min_answers)),
         settings.source("min_answers")),
        (_("Fewest values behind an agent's assessment view"),
         ngettext("{count} value", "{count} values", settings.alignment_min,
                  count=formats.number(settings.alignment_min)),
         settings.source("alignment_min")),
        (_("Misaligned agent"),
         _("the agent's views spread over {points} points", points=formats.number(settings.misaligned_points, 0)),
         settings.source("misaligned_points")),
        (_("Reject budget of a load"),
         _("{share} of a file's rows", share=formats.percent(100 * settings.reject_budget, 0)),
         settings.source("reject_budget")),
    ]
    head = html.Thead(html.Tr([html.Th(_("Setting")), html.Th(_("In force")), html.Th(_("Source"))]))
    body = [html.Tr([html.Th(a, className="w-25"), html.Td(b), html.Td(source_label(c), className="text-nowrap")])
            for a, b, c in rows]
    file_row = html.Tr([html.Th(_("Settings file")), html.Td(str(settings.config) if settings.config else
                                                             _("none: every setting is Pilotage's default")),
                        html.Td("")])
    return dbc.Table([head, html.Tbody(body + [file_row])], size="sm", className="bg-white", id="settings-table")


def layout(**_query):
    settings = active()
    targets = merge_targets(settings.targets, stored_targets(engine(settings.db)))
    return html.Div([
        html.H2(_("Definitions")),
        html.P(_("Every number in Pilotage is computed with these formulas and settings. Rates are "
                 "percentages, durations seconds; a KPI whose denominator is zero has no value "
                 "and shows \u201c\u2013\u201d."), className="text-muted"),
        html.H4(_("Settings in force"), className="side-title mt-3"),
        settings_table(settings),
    ] + [html.Div([html.H4(_(GROUP_TITLES[g]), className="side-title mt-4"), kpi_table(g, settings, targets)])
         for g in GROUPS])
