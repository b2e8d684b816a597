"""The team's focus indicator, stored in the database: the latest row is the current one."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.audit import Actor, record
from data.db import frame, writing
from data.limits import NOTE_LIMIT, bounded_text, finite
from i18n import N_
from metrics.registry import kpi as known_kpi


@dataclass(frozen=True)
class Focus:
    kpi: str
    target: float | None
    starts_on: date
    note: str | None
    set_at: datetime


def set_focus(engine: Engine, kpi: str, target: float | None, starts_on: date,
              note: str | None = None, actor: Actor | None = None) -> Focus:
    known_kpi(kpi)  # refuses an unknown id
    focus = Focus(kpi, finite(N_("the target"), target), starts_on,
                  bounded_text(N_("the note"), note, NOTE_LIMIT), datetime.now())
    with writing(engine) as conn:
        conn.execute(sa.text("INSERT INTO focus VALUES (:set_at, :kpi, :target, :starts_on, :note)"),
                     focus.__dict__)
        record(conn, actor or Actor(None), "focus", kpi=kpi, target=focus.target, starts_on=starts_on,
               note=focus.note)
    return focus


def current_focus(engine: Engine) -> Focus | None:
    with engine.connect() as conn:
        rows = frame(conn, "SELECT * FROM focus ORDER BY set_at DESC LIMIT 1")
    if rows.empty:
        return None
    r = rows.iloc[0]
    target = None if r["target"] is None or r["target"] != r["target"] else float(r["target"])
    note = r["note"] if isinstance(r["note"], str) else None
    starts_on = r["starts_on"].date() if hasattr(r["starts_on"], "date") else r["starts_on"]
    return Focus(r["kpi"], target, starts_on, note, r["set_at"].to_pydatetime())
