"""Every KPI of a scope as plain values, with what a reader must know beside them: the
command line's ``summary`` (and the dashboard's ``/api/summary``, which answers it while the
dashboard holds the database)."""
from __future__ import annotations

from sqlalchemy.engine import Connection, Engine

from metrics import maturity
from metrics.intervals import interval_note
from metrics.query import By, Scope, compute, values
from metrics.registry import KPI_IDS, KPIS
from i18n import _
from settings import KpiSettings


def summary(db: Engine | Connection, scope: Scope, by: By = None,
            settings: KpiSettings = KpiSettings()) -> tuple[dict | list[dict], list[str]]:
    """``{kpi_id: value}`` (a list of them, each with its ``group``, when ``by`` is given),
    unrounded, null where a KPI has no value; and the notes on the scope as a whole: contacts
    pending for FCR and repeats, the means over channels that are not comparable, and the
    share counted from interval reports."""
    table = compute(db, scope, by=by, settings=settings)
    rows = [values(row) for _, row in table.iterrows()]
    total = values(compute(db, scope, [k for k in KPI_IDS if KPIS[k].pending or KPIS[k].per_channel],
                           settings=settings, counts=True).iloc[0])
    notes = []
    span = maturity.Maturity(*maturity.span(db), settings.repeat_window_h)
    for kpi_id in (k for k in KPI_IDS if KPIS[k].pending and total[f"{k}__pending"]):
        notes.append(_("{kpi}: {note}", kpi=KPIS[kpi_id].label(),
                       note=span.note(kpi_id, total[f"{kpi_id}__pending"], scope.start)))
    channels = compute(db, scope, [k for k in KPI_IDS if KPIS[k].per_channel], by="channel", settings=settings)
    for kpi_id in (k for k in KPI_IDS if KPIS[k].per_channel):
        if channels[kpi_id].notna().sum() > 1 and by != "channel":
            notes.append(_("{kpi}: all channels, mixed (not comparable); read it per channel with --by channel",
                           kpi=KPIS[kpi_id].label()))
    mixed = interval_note(db, scope, settings)
    return (rows if by else rows[0]), notes + ([mixed] if mixed else [])
