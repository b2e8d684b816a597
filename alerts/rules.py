"""Alert rules: what is watched (a KPI in a scope, or the comments' legal risk), the condition,
the least volume that makes the figure worth judging, and who is told."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.db import frame
from i18n import N_, _
from i18n.labels import channel_label
from metrics.query import DIMENSIONS
from metrics.registry import KPIS
from reports.mail import addresses

CONDITIONS = {"below_target": N_("below its target"), "above_target": N_("above its target"),
              "below": N_("below {threshold}"), "above": N_("above {threshold}"),
              "anomaly": N_("unusual for the weekday"), "legal_risk": N_("a new comment with a legal risk")}
LEGAL_RISK = "legal_risk"


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
        elif self.kpi not in KPIS:
            raise ValueError(_("unknown KPI {value!r}", value=self.kpi))
        if self.condition in ("below", "above") and self.threshold is None:
            raise ValueError(_("a threshold is needed for {condition}", condition=self.condition))
        unknown = set(self.scope) - set(DIMENSIONS)
        if unknown:
            raise ValueError(_("unknown dimension(s): {names}", names=", ".join(sorted(unknown))))
        if self.min_volume < 0:
            raise ValueError(_("the minimum volume is a count, 0 or more"))
        if self.to:             # none: the alert is only listed in the dashboard
            addresses(",".join(self.to))

    def text(self) -> str:
        """The rule in words: "Service level (phone) below its target, from 50"."""
        what = _(CONDITIONS[self.condition], threshold=self.threshold) if self.threshold is not None \
            else _(CONDITIONS[self.condition])
        if self.kpi is None:
            return what[:1].upper() + what[1:]
        scope = ", ".join(channel_label(v) if dim == "channel" else str(v)
                          for dim, values in self.scope.items() for v in values)
        label = KPIS[self.kpi].label() + (f" ({scope})" if scope else "")
        return _("{kpi} {condition}", kpi=label, condition=what)


def add_rule(db: Engine, rule: Rule) -> int:
    with db.begin() as conn:
        rule_id = conn.execute(sa.text("SELECT nextval('alert_rule_ids')")).scalar()
        conn.execute(sa.text("INSERT INTO alert_rules VALUES (:id, :kpi, :condition, :scope, :threshold, :min_volume,"
                             " :to, :at)"),
                     {"id": rule_id, "kpi": rule.kpi, "condition": rule.condition,
                      "scope": json.dumps(rule.scope, sort_keys=True), "threshold": rule.threshold,
                      "min_volume": rule.min_volume, "to": ",".join(rule.to), "at": datetime.now()})
    return int(rule_id)


def rules(db: Engine) -> list[Rule]:
    with db.connect() as conn:
        rows = frame(conn, "SELECT * FROM alert_rules ORDER BY id")
    return [Rule(r.kpi if isinstance(r.kpi, str) else None, r.condition, json.loads(r.scope),
                 None if pd.isna(r.threshold) else float(r.threshold), int(r.min_volume),
                 tuple(a for a in r.recipients.split(",") if a), int(r.id)) for r in rows.itertuples()]
