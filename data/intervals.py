"""Interval reports beside contact records (KPIS.md, interval reports): a day, channel and
queue that has contacts is counted from its contacts only, and its intervals stand aside.

Each interval row carries ``covered``, kept by every load of contacts or intervals inside
its transaction: true when contacts of the same day, channel and queue exist. The queries
(``metrics.query``) add the measures of the intervals not covered to the contacts'.
"""
from __future__ import annotations

from sqlalchemy.engine import Connection, Engine

from data.db import generation, scalar


def refresh_covered(conn: Connection) -> None:
    """Mark the interval rows whose day, channel and queue have contacts (inside a load's
    transaction; reads the contacts of the intervals' days only)."""
    conn.exec_driver_sql("UPDATE intervals SET covered = FALSE")
    conn.exec_driver_sql("""
        UPDATE intervals i SET covered = TRUE
        FROM (SELECT DISTINCT CAST(c.arrived_at AS DATE) AS day, c.channel, c.queue FROM contacts c,
                (SELECT CAST(min(interval_start) AS DATE) AS lo, CAST(max(interval_start) AS DATE) + 1 AS hi
                 FROM intervals) x
              WHERE c.arrived_at >= x.lo AND c.arrived_at < x.hi) d
        WHERE d.day = CAST(i.interval_start AS DATE) AND d.channel = i.channel AND d.queue = i.queue""")


_present: dict = {}


def uncovered_present(db: Engine | Connection) -> bool:
    """Whether any interval row counts (its day, channel and queue has no contacts): the
    queries add intervals only then. Read once per database and data generation."""
    sql = "SELECT EXISTS (SELECT 1 FROM intervals WHERE NOT coalesce(covered, FALSE))"
    if not isinstance(db, Engine):
        return bool(scalar(db, sql))
    key = (str(db.url), generation())
    if key not in _present:
        with db.connect() as conn:
            found = bool(scalar(conn, sql))
        _present.clear()        # only the latest data counts
        _present[key] = found
    return _present[key]
