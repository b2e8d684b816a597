"""The alerts page's parts: the open alerts a viewer may see, as grid rows."""
from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from access.viewer import Viewer
from alerts.check import open_alerts
from alerts.rules import LEGAL_RISK, Rule, rules
from i18n import _, formats
from metrics.comments import comment_list
from metrics.query import Scope


def fits(rule: Rule, viewer: Viewer) -> bool:
    """Whether a rule's scope lies inside what the viewer may see (deny by default: a viewer
    restricted to some clients or teams sees a rule only when it names only those)."""
    for dim, allowed in viewer.restrictions.items():
        named = rule.scope.get(dim)
        if not named or not set(named) <= set(allowed):
            return False
    return True


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
