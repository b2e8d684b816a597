"""Targets and the status of a value against them (met, close, missed)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from metrics.registry import KPIS


@dataclass(frozen=True)
class Target:
    value: float
    amber: float | None = None   # still "close" up to this value, on the worse side


# status -> (word, icon, Bootstrap colour): colour never stands alone
STATUS = {
    "met": ("On target", "✓", "success"),
    "close": ("Close", "!", "warning"),
    "missed": ("Off target", "✗", "danger"),
}


def target_for(kpi_id: str, targets: Mapping[str, Mapping]) -> Target | None:
    spec = targets.get(kpi_id)
    if not spec or spec.get("target") is None:
        return None
    return Target(float(spec["target"]), None if spec.get("amber") is None else float(spec["amber"]))


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
