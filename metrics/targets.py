"""Targets and the status of a value against them (met, close, missed)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import math

from i18n import N_, _
from metrics.query import Scope
from metrics.registry import KPIS, bounds, format_value


@dataclass(frozen=True)
class Target:
    value: float
    amber: float | None = None   # still "close" up to this value, on the worse side


# status -> (word, icon, Bootstrap colour): colour never stands alone
STATUS = {   # the words are looked up where they are shown
    "met": (N_("On target"), "✓", "success"),
    "close": (N_("Close"), "!", "warning"),
    "missed": (N_("Off target"), "✗", "danger"),
}


def target_error(kpi_id: str, target, amber=None) -> str | None:
    """Why a target (and its "close from" value) cannot be set, or None when it can: rates
    0-100, NPS -100 to 100, effort 1-7, durations and amounts above 0, the tolerance on the
    worse side of the target."""
    k = KPIS.get(kpi_id)
    if k is None:
        return _("unknown indicator {kpi!r}", kpi=kpi_id)
    if k.better == "none":
        return _("{kpi} has no better direction: it takes no target", kpi=k.label())
    if target is None:
        return _("give a target value")
    low, high = bounds(k)
    for what, value in ((_("the target"), target), (_("“close from”"), amber)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return _("{what} must be a number", what=what)
        if k.unit in ("seconds", "currency") and value <= 0:
            return _("{what} of {kpi} must be above 0 ({value} given)", what=what, kpi=k.label(),
                     value=format_value(k, value))
        if (low is not None and value < low) or (high is not None and value > high):
            return _("{what} of {kpi} must be between {low} and {high} ({value} given)", what=what, kpi=k.label(),
                     low=format_value(k, low), high=format_value(k, high), value=format_value(k, value))
    if amber is not None and (amber - target) * (1 if k.better == "higher" else -1) > 0:
        if k.better == "higher":
            return _("“close from” must be below the target for {kpi} (higher is better): {amber} is not below "
                     "{target}", kpi=k.label(), amber=format_value(k, amber), target=format_value(k, target))
        return _("“close from” must be above the target for {kpi} (lower is better): {amber} is not above "
                 "{target}", kpi=k.label(), amber=format_value(k, amber), target=format_value(k, target))
    return None


def target_for(kpi_id: str, targets: Mapping[str, Mapping], channel: str | None = None,
               client: str | None = None) -> Target | None:
    """The target of a KPI, the most specific that is set: for the client, else for the
    channel, else for every contact.

    ``targets`` is shaped like the settings file: ``{kpi: {target, amber, channel: {name:
    {target, amber}}, client: {name: {target, amber}}}}``.
    """
    spec = targets.get(kpi_id) or {}
    for level, name in (("client", client), ("channel", channel)):
        specific = (spec.get(level) or {}).get(name) if name else None
        if specific and specific.get("target") is not None:
            return _target(specific)
    return _target(spec) if spec.get("target") is not None else None


def scope_target(kpi_id: str, targets: Mapping[str, Mapping], scope: Scope) -> Target | None:
    """The target for what a scope shows: a scope on one client or one channel (by the
    user's filter or the viewer's restriction) takes that one's target."""
    return target_for(kpi_id, targets, _single(scope, "channel"), _single(scope, "client"))


def _single(scope: Scope, dim: str) -> str | None:
    allowed = None
    for filters in (scope.filters, scope.restrictions):
        values = dict(filters).get(dim)
        if values is not None:
            allowed = set(values) if allowed is None else allowed & set(values)
    return next(iter(allowed)) if allowed and len(allowed) == 1 else None


def _target(spec: Mapping) -> Target:
    return Target(float(spec["target"]), None if spec.get("amber") is None else float(spec["amber"]))


def merge_targets(base: Mapping[str, Mapping], overrides: list[dict]) -> dict:
    """The settings' targets with overrides (rows of kpi, channel, client, target, amber)
    laid on top, each at its own level."""
    merged = {k: {**v, "channel": dict(v.get("channel") or {}), "client": dict(v.get("client") or {})}
              for k, v in base.items()}
    for row in overrides:
        spec = merged.setdefault(row["kpi"], {"channel": {}, "client": {}})
        value = {"target": row["target"], "amber": row.get("amber")}
        if row.get("client"):
            spec["client"][row["client"]] = value
        elif row.get("channel"):
            spec["channel"][row["channel"]] = value
        else:
            spec.update(value)
    return merged


def status(kpi_id: str, value: float | None, target: Target | None) -> str | None:
    """'met', 'close' or 'missed'; None when there is no value, no target or no direction."""
    better = KPIS[kpi_id].better
    if value is None or target is None or better == "none":
        return None
    sign = 1 if better == "higher" else -1
    if sign * (value - target.value) >= 0:
        return "met"
    if target.amber is not None and sign * (value - target.amber) >= 0:
        return "close"
    return "missed"
