"""Alert rules: what is watched (a KPI in a scope, or the comments' legal risk), the condition,
the least volume that makes the figure worth judging, and who is told."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.actions import clean_scope, fits
from data.audit import COMMAND_LINE, Actor, record
from data.db import frame
from i18n import N_, _, formats
from i18n.labels import channel_label
from metrics.registry import KPIS, bounds, format_value
from reports.mail import MailError, addresses

CONDITIONS = {"below_target": N_("below its target"), "above_target": N_("above its target"),
              "below": N_("below {threshold}"), "above": N_("above {threshold}"),
              "anomaly": N_("unusual for the weekday"), "legal_risk": N_("a new comment with a legal risk")}
LEGAL_RISK = "legal_risk"
# what a person picks (the form's choices, the messages): the condition itself, without its value
CHOICES = {"below_target": N_("below its target"), "above_target": N_("above its target"),
           "below": N_("below a threshold"), "above": N_("above a threshold"),
           "anomaly": N_("unusual for the weekday"), "legal_risk": N_("a new comment with a legal risk")}
MOST_VOLUME = 1_000_000_000


def recipients(text: str | None) -> tuple[str, ...]:
    """The addresses to tell, from a comma-separated text (empty: none, the alert is only
    listed in the dashboard), each checked."""
    if not (text or "").strip():
        return ()
    try:
        return tuple(addresses(text))
    except MailError as exc:
        raise ValueError(_("the addresses to tell: {problem}", problem=exc)) from None


def threshold_error(kpi_id: str, threshold) -> str | None:
    """Why a threshold cannot be held against a KPI, or None: a number within the values the
    KPI can take (0-100 for a rate, its scale for a score, 0 or more for a duration)."""
    k = KPIS[kpi_id]
    if threshold is None:
        return _("a threshold is needed: the value of {kpi} that raises the alert", kpi=k.label())
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not math.isfinite(threshold):
        return _("the threshold of {kpi} must be a number", kpi=k.label())
    low, high = bounds(k)
    if high is not None and not low <= threshold <= high:
        return _("the threshold of {kpi} must be between {low} and {high} ({value} given)", kpi=k.label(),
                 low=format_value(k, low), high=format_value(k, high), value=format_value(k, threshold))
    if low is not None and threshold < low:
        return _("the threshold of {kpi} must be {low} or more ({value} given)", kpi=k.label(),
                 low=format_value(k, low), value=format_value(k, threshold))
    return None


@dataclass(frozen=True)
class Rule:
    kpi: str | None                         # None for the comments' legal risk
    condition: str
    scope: dict = field(default_factory=dict)   # dimension -> values
    threshold: float | None = None
    min_volume: int = 0                     # the KPI's base (contacts or answers) under which it is not judged
    to: tuple[str, ...] = ()
    id: int | None = None

    def __post_init__(self):
        if self.condition not in CONDITIONS:
            raise ValueError(_("unknown condition {value!r}; known: {known}", value=self.condition,
                               known=", ".join(CONDITIONS)))
        if self.condition == LEGAL_RISK:
            if self.kpi is not None:
                raise ValueError(_("a legal-risk alert watches the comments, not a KPI"))
        elif self.kpi is None:
            raise ValueError(_("choose the indicator to watch"))
        elif self.kpi not in KPIS:
            raise ValueError(_("unknown KPI {value!r}", value=self.kpi))
        elif self.condition in ("below_target", "above_target") and KPIS[self.kpi].better == "none":
            raise ValueError(_("{kpi} has no better direction: it takes no target", kpi=KPIS[self.kpi].label()))
        if self.condition in ("below", "above") and (problem := threshold_error(self.kpi, self.threshold)):
            raise ValueError(problem)
        if self.condition not in ("below", "above"):        # a threshold only a threshold's condition reads
            object.__setattr__(self, "threshold", None)
        object.__setattr__(self, "scope", {d: list(v) for d, v in clean_scope(self.scope).items()})
        if isinstance(self.min_volume, bool) or not isinstance(self.min_volume, int) \
                or not 0 <= self.min_volume <= MOST_VOLUME:
            raise ValueError(_("the minimum volume is a whole count of contacts or answers, from 0 to {most}",
                               most=formats.number(MOST_VOLUME)))
        if self.to:             # none: the alert is only listed in the dashboard
            recipients(",".join(self.to))

    def text(self) -> str:
        """The rule in words: "Service level (phone) below its target, from 50"."""
        what = _(CONDITIONS[self.condition], threshold=format_value(KPIS[self.kpi], self.threshold)) \
            if self.threshold is not None else _(CONDITIONS[self.condition])
        if self.kpi is None:
            return what[:1].upper() + what[1:]
        scope = ", ".join(channel_label(v) if dim == "channel" else str(v)
                          for dim, values in self.scope.items() for v in values)
        label = KPIS[self.kpi].label() + (f" ({scope})" if scope else "")
        return _("{kpi} {condition}", kpi=label, condition=what)


def _detail(rule: Rule) -> dict:
    return {"id": rule.id, "kpi": rule.kpi, "condition": rule.condition, "scope": rule.scope,
            "threshold": rule.threshold, "min_volume": rule.min_volume, "to": list(rule.to)}


def add_rule(db: Engine, rule: Rule, actor: Actor = COMMAND_LINE, restrictions: dict | None = None) -> int:
    """Store a rule (checked when it was made), with its audit record: the one way rules are
    added, from the command line or the alerts page; a viewer with ``restrictions`` adds rules
    inside its own scope only. The new rule's id."""
    if restrictions is not None and not fits(rule.scope, restrictions):
        raise ValueError(_("the rule's scope goes beyond what you may see: choose your own teams or clients "
                           "in the filter bar"))
    with db.begin() as conn:
        rule_id = int(conn.execute(sa.text("SELECT nextval('alert_rule_ids')")).scalar())
        conn.execute(sa.text("INSERT INTO alert_rules VALUES (:id, :kpi, :condition, :scope, :threshold, :min_volume,"
                             " :to, :at)"),
                     {"id": rule_id, "kpi": rule.kpi, "condition": rule.condition,
                      "scope": json.dumps(rule.scope, sort_keys=True), "threshold": rule.threshold,
                      "min_volume": rule.min_volume, "to": ",".join(rule.to), "at": datetime.now()})
        record(conn, actor, "alert_rule", change="added", **_detail(replace(rule, id=rule_id)))
    return rule_id


def remove_rule(db: Engine, rule_id: int, actor: Actor = COMMAND_LINE, restrictions: dict | None = None) -> bool:
    """Remove a rule (its alerts are no longer listed), with its audit record; whether it was
    there (a rule outside ``restrictions`` is not found)."""
    rule = next((r for r in rules(db) if r.id == rule_id), None)
    if rule is None or (restrictions is not None and not fits(rule.scope, restrictions)):
        return False
    with db.begin() as conn:
        conn.execute(sa.text("DELETE FROM alert_rules WHERE id = :id"), {"id": rule_id})
        record(conn, actor, "alert_rule", change="removed", **_detail(rule))
    return True


def rules(db: Engine) -> list[Rule]:
    with db.connect() as conn:
        rows = frame(conn, "SELECT * FROM alert_rules ORDER BY id")
    return [Rule(r.kpi if isinstance(r.kpi, str) else None, r.condition, json.loads(r.scope),
                 None if pd.isna(r.threshold) else float(r.threshold), int(r.min_volume),
                 tuple(a for a in r.recipients.split(",") if a), int(r.id)) for r in rows.itertuples()]
