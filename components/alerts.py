"""The alerts page's parts: the open alerts a viewer may see, as grid rows; the rules, in
words, and the form that adds one (through ``alerts.rules.add_rule``, as the command line)."""
from __future__ import annotations

from typing import Mapping, Sequence

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html
from sqlalchemy.engine import Engine

from access.viewer import Viewer
from alerts.check import open_alerts
from alerts.rules import CHOICES, LEGAL_RISK, Rule, add_rule, recipients, remove_rule, rules
from components.actions import kpi_options, scope_text
from components.state import FILTER_KEYS
from components.view import View
from data import actions
from i18n import _, formats
from metrics.comments import comment_list
from metrics.query import Scope

REMOVE = "alert-rule-remove"        # the role of a rule's remove button: {"role": REMOVE, "rule": id}


def fits(rule: Rule, viewer: Viewer) -> bool:
    """Whether a rule's scope lies inside what the viewer may see (deny by default: a viewer
    restricted to some clients or teams sees a rule only when it names only those)."""
    return actions.fits(rule.scope, viewer.restrictions)


def shown_rules(db: Engine, viewer: Viewer) -> list[Rule]:
    """The rules a viewer reads: those inside its scope, and the legal-risk ones (whose alerts
    it sees for the comments of its scope only)."""
    return [r for r in rules(db) if r.condition == LEGAL_RISK or fits(r, viewer)]


def visible(db: Engine, viewer: Viewer) -> pd.DataFrame:
    """The open alerts the viewer may see: those of the rules inside its scope; a legal-risk
    alert when its comment is inside its scope."""
    found, by_id = open_alerts(db), {r.id: r for r in rules(db)}
    if found.empty:
        return found
    legal = found[found["kind"] == LEGAL_RISK]
    seen = None        # the legal-risk comments the viewer may read: one query, for a restricted viewer only
    if viewer.restrictions and not legal.empty:
        days = [pd.Timestamp(d).date() for d in legal["day"]]
        scope = Scope(min(days), max(days)).restricted(**viewer.restrictions)
        seen = {f"{r.source}|{r.response_id}" for r in
                comment_list(db, scope, category=LEGAL_RISK, limit=None, risks_first=False).itertuples()}
    keep = []
    for a in found.itertuples():
        rule = by_id.get(a.rule_id)
        if rule is None:
            keep.append(False)
        elif rule.condition == LEGAL_RISK:
            keep.append(seen is None or a.ref in seen)
        else:
            keep.append(fits(rule, viewer))
    return found[keep]


def alert_rows(found: pd.DataFrame) -> list[dict]:
    return [{"id": str(a.id), "raised": f"{formats.day(a.raised_at)} {pd.Timestamp(a.raised_at):%H:%M}",
             "day": formats.day(a.day), "message": a.message,
             "told": _("by e-mail") if pd.notna(a.notified_at) else "–"} for a in found.itertuples()]


def alert_columns() -> list[dict]:
    return [{"field": "raised", "headerName": _("Raised"), "maxWidth": 150},
            {"field": "day", "headerName": _("Day"), "maxWidth": 120},
            {"field": "message", "headerName": _("Alert"), "flex": 4, "wrapText": True, "autoHeight": True},
            {"field": "told", "headerName": _("Told"), "maxWidth": 120}]


def rule_words(rule: Rule) -> str:
    """What a rule watches and whom it tells: "Service level (phone) below its target, judged
    from 50 contacts or answers → lead@centre.example"."""
    words = rule.text()
    if rule.min_volume:
        words += _(", judged from {n} contacts or answers", n=formats.number(rule.min_volume))
    return words + (f" → {', '.join(rule.to)}" if rule.to else _(" (in the app only)"))


def rule_list(db: Engine, viewer: Viewer) -> list:
    """The rules a viewer reads, each with a button to remove it when it lies inside its scope."""
    items = [html.Li([html.Span(rule_words(r)),
                      dbc.Button(_("Remove"), id={"role": REMOVE, "rule": r.id}, color="link", size="sm",
                                 className="py-0 alert-rule-remove") if fits(r, viewer) else None],
                     id=f"alert-rule-{r.id}") for r in shown_rules(db, viewer)]
    return items or [html.Li(_("No rule yet."))]


def condition_options() -> list[dict]:
    return [{"label": _(words), "value": code} for code, words in CHOICES.items()]


def form(view: View) -> dbc.Card:
    """The form to add a rule; its scope is the filter bar's."""
    field = lambda label, control, md: dbc.Col([dbc.Label(label, className="small"), control], md=md)  # noqa: E731
    own = view.viewer.restrictions
    return dbc.Card(dbc.CardBody([
        dbc.Row([
            field(_("Indicator"), dcc.Dropdown(id="alerts-kpi", options=kpi_options(),
                                               placeholder=_("None for a legal risk")), 4),
            field(_("Alert when"), dcc.Dropdown(id="alerts-condition", options=condition_options(),
                                                value="below_target", clearable=False), 3),
            field(html.Span(_("Threshold"), title=_("For below or above a threshold, in the indicator's unit")),
                  dbc.Input(id="alerts-threshold", type="number", placeholder=_("e.g. 80")), 2),
            field(_("Minimum volume (contacts or answers)"),
                  dbc.Input(id="alerts-min-volume", type="number", min=0, step=1, value=0), 3),
            field(_("Addresses to tell (comma-separated; empty: in the app only)"),
                  dbc.Input(id="alerts-to", maxLength=2000, placeholder=_("lead@example.com")), 6),
            dbc.Col(html.Div([_("Scope (the filter bar above): {scope}", scope=scope_text(scope_of(view.state.filters))),
                              html.Div(_("Your rules name only your own teams or clients."), className="text-muted")
                              if own else None], className="small", id="alerts-scope"),
                    md=6, className="align-self-end"),
        ], className="g-2"),
        dbc.Button(_("Add the rule"), id="alerts-add", color="primary", size="sm", className="mt-2"),
        html.Span(id="alerts-rule-message", className="small ms-2"),
    ]), className="mb-3", id="alerts-form")


def scope_of(filters: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """A new rule's scope: the filter bar's."""
    return {k: list(v) for k, v in filters.items() if k in FILTER_KEYS and v}


def whole(value: float | None):
    """A form's number as a whole count when it is one (the rule says what else is wrong)."""
    return 0 if value is None else int(value) if float(value).is_integer() else value


def add_from_form(db: Engine, viewer: Viewer, kpi: str | None, condition: str | None, threshold: float | None,
                  min_volume: float | None, to: str | None, filters: Mapping[str, Sequence[str]]) -> str:
    """Add the rule a viewer filled in, inside its scope, as the command line does; what to
    tell the viewer (the rule added, or what is wrong with it)."""
    if not viewer.may("alerts"):
        return _("Not added: {problem}.", problem=_("your role does not manage alert rules"))
    try:
        legal = condition == LEGAL_RISK
        rule = Rule(None if legal else kpi, condition or "", scope_of(filters), threshold,
                    whole(min_volume), recipients(to))
        rule_id = add_rule(db, rule, viewer.actor, viewer.restrictions)
    except ValueError as exc:
        return _("Not added: {problem}.", problem=exc)
    return _("Rule {id} added: {rule}.", id=rule_id, rule=rule.text())


def remove_from_page(db: Engine, viewer: Viewer, rule_id: int) -> str:
    """Remove a rule inside the viewer's scope; what to tell the viewer."""
    if viewer.may("alerts") and remove_rule(db, rule_id, viewer.actor, viewer.restrictions):
        return _("Rule {id} removed.", id=rule_id)
    return _("No rule {id} of yours to remove.", id=rule_id)
