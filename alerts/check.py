"""A day's figures held against the alert rules; each alert raised once (per rule and day, or
per comment for a legal risk), kept until someone acknowledges it."""
from __future__ import annotations

import logging
import statistics
from datetime import date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from alerts.rules import LEGAL_RISK, Rule, rules
from data.db import frame
from i18n import _, formats
from metrics.comments import comment_list
from metrics.query import Scope, compute, data_extent
from metrics.registry import KPIS, format_value
from data.targets import stored_targets
from metrics.targets import merge_targets, scope_target
from settings import Settings

HISTORY_WEEKS = 6        # the same weekday's recent weeks an anomaly is read against
LEAST_HISTORY = 4        # ... at least this many of them with a value
SPREAD = 2.0             # unusual: further from their mean than this many standard deviations
LEGAL_DAYS = 7           # a comment with a legal risk answered in the data's last week


def _reading(db: Engine, scope: Scope, kpi: str, settings: Settings) -> tuple[float | None, int]:
    row = compute(db, scope, [kpi], settings=settings.kpi, counts=True).iloc[0]
    value = row[kpi]
    return (None if value is None or value != value else float(value)), int(row.get(f"{kpi}__n") or 0)


def _weekdays(db: Engine, rule: Rule, day: date, settings: Settings) -> list[tuple[float | None, int]]:
    """The rule's KPI and its base on the same weekday of each of the recent weeks."""
    first = day - timedelta(weeks=HISTORY_WEEKS)
    scope = Scope.of(first, day - timedelta(days=1), **rule.scope).with_survey("hot")
    rows = compute(db, scope, [rule.kpi], by="day", settings=settings.kpi, counts=True)
    by_day = {str(r["group"])[:10]: r for r in rows.to_dict("records")}
    out = []
    for weeks in range(1, HISTORY_WEEKS + 1):
        r = by_day.get((day - timedelta(weeks=weeks)).isoformat())
        value = None if r is None or r[rule.kpi] is None or r[rule.kpi] != r[rule.kpi] else float(r[rule.kpi])
        out.append((value, int(r.get(f"{rule.kpi}__n") or 0) if r else 0))
    return out


def breach(db: Engine, settings: Settings, targets, rule: Rule, day: date) -> tuple[float, str] | None:
    """The value of a rule's KPI on a day and the reference it breaks, if it breaks it."""
    scope = Scope.of(day, day, **rule.scope).with_survey("hot")
    value, n = _reading(db, scope, rule.kpi, settings)
    if value is None or n < rule.min_volume:
        return None
    k = KPIS[rule.kpi]
    if rule.condition in ("below_target", "above_target"):
        target = scope_target(rule.kpi, targets, scope)
        if target is None or (value >= target.value if rule.condition == "below_target" else value <= target.value):
            return None
        return value, _("target {value}", value=format_value(k, target.value))
    if rule.condition in ("below", "above"):
        if value >= rule.threshold if rule.condition == "below" else value <= rule.threshold:
            return None
        return value, _("threshold {value}", value=format_value(k, rule.threshold))
    # anomaly: against the same weekday of the recent weeks (one query over them), in the worse direction
    history = [v for v, m in _weekdays(db, rule, day, settings) if v is not None and m >= rule.min_volume]
    if len(history) < LEAST_HISTORY:
        return None
    mean, sd = statistics.mean(history), statistics.stdev(history)
    worse = {"higher": mean - value, "lower": value - mean}.get(k.better, abs(value - mean))
    if worse <= SPREAD * sd or worse <= 0:
        return None
    return value, _("usually {value} on this weekday", value=format_value(k, mean))


def _raise(conn, rule: Rule, kind: str, day: date, ref: str, value: float | None, message: str) -> bool:
    """Store an alert unless it was raised already; whether it is new."""
    found = conn.execute(sa.text("SELECT count(*) FROM alerts WHERE rule_id = :rule AND day = :day AND ref = :ref"),
                         {"rule": rule.id, "day": day, "ref": ref}).scalar()
    if found:
        return False
    conn.execute(sa.text("INSERT INTO alerts VALUES (nextval('alert_ids'), :at, :rule, :kind, :day, :ref, :value,"
                         " :message, NULL, NULL, NULL)"),
                 {"at": datetime.now(), "rule": rule.id, "kind": kind, "day": day, "ref": ref, "value": value,
                  "message": message})
    return True


def check(db: Engine, settings: Settings, day: date | None = None) -> int:
    """Hold the latest day with data (or ``day``) against every rule, with the targets in
    force (the settings' and those set on the settings page); how many alerts are new."""
    targets = merge_targets(settings.targets, stored_targets(db))
    first, last = data_extent(db, Scope(date.min, date.max))
    if last is None:
        return 0
    day = day or last
    new = 0
    for rule in rules(db):
        if rule.condition == LEGAL_RISK:
            found = comment_list(db, Scope.of(max(first, day - timedelta(days=LEGAL_DAYS - 1)), day, **rule.scope),
                                 category=LEGAL_RISK, limit=None, risks_first=False)
            for r in found.itertuples():
                with db.begin() as conn:
                    new += _raise(conn, rule, LEGAL_RISK, pd.Timestamp(r.responded_at).date(),
                                  f"{r.source}|{r.response_id}", None,
                                  _("legal risk in a comment of {day}: {text}",
                                    day=formats.day(pd.Timestamp(r.responded_at).date()), text=r.verbatim[:300]))
            continue
        found = breach(db, settings, targets, rule, day)
        if found:
            value, reference = found
            with db.begin() as conn:
                new += _raise(conn, rule, "kpi", day, "", value,
                              _("{rule}: {value} on {day} ({reference})", rule=rule.text(),
                                value=format_value(KPIS[rule.kpi], value), day=formats.day(day), reference=reference))
    return new


def after_load(db: Engine, settings: Settings) -> None:
    """Check the rules after a load has committed; a failure is logged, never the load's."""
    try:
        check(db, settings)
    except Exception:       # the load is done: an alert check that fails must not say otherwise
        logging.getLogger("pilotage.alerts").exception("alert check after a load failed")


def open_alerts(db: Engine) -> pd.DataFrame:
    """The alerts not acknowledged yet, the latest first."""
    with db.connect() as conn:
        return frame(conn, "SELECT * FROM alerts WHERE acknowledged_at IS NULL ORDER BY raised_at DESC, id DESC")


def acknowledge(db: Engine, alert_id: int, who: str | None) -> bool:
    """Mark an alert seen by someone; whether it was open."""
    with db.begin() as conn:
        done = conn.execute(sa.text("UPDATE alerts SET acknowledged_at = :at, acknowledged_by = :who"
                                    " WHERE id = :id AND acknowledged_at IS NULL"),
                            {"at": datetime.now(), "who": who, "id": int(alert_id)})
        return done.rowcount > 0
