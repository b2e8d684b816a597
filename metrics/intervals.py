"""What a reader must know when a figure mixes contact records and interval reports (KPIS.md,
interval reports): how many of the contacts offered interval reports count, and which KPIs
they take part in."""
from __future__ import annotations

from sqlalchemy.engine import Connection, Engine

from data.intervals import uncovered_present
from i18n import _, formats
from metrics.query import Scope, compute_measures
from settings import KpiSettings


def interval_note(db: Engine | Connection, scope: Scope, settings: KpiSettings = KpiSettings()) -> str | None:
    """The sentence to show beside a scope's figures when interval reports count in them,
    else None."""
    if not uncovered_present(db):
        return None
    found = compute_measures(db, scope, ["offered", "interval_offered"], settings=settings).iloc[0]
    counted, offered = int(found["interval_offered"]), int(found["offered"])
    if not counted:
        return None
    head = (_("All {total} contacts offered are counted from interval reports", total=formats.number(offered))
            if counted == offered else
            _("{n} of the {total} contacts offered are counted from interval reports",
              n=formats.number(counted), total=formats.number(offered)))
    return _("{head} (queues with no contact records that day): waits, service level, handle time and "
             "transfers include them; FCR, repeats, escalations, sales and surveys come from contact records only.",
             head=head)
