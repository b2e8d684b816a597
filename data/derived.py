"""Columns derived at load time, kept exact by every load for the rows it touches: the gaps
between a customer's inbound contacts (first-contact resolution, repeat contacts), whether
a contact has a survey answer (response rate) or an evaluation (the assessments' join), and
on each answer and evaluation, its contact's arrival (the join to the contacts then reads only
those of the period's answers, skipping the others' blocks). Reading them costs nothing at
query time.

Only the rows whose value changes are written; a load passes ``days``, a table of ``day``
values, to note the days of those rows (their roll-ups are computed again).
"""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy.engine import Connection


def _update(conn: Connection, changed_sql: str, sets: str, days: str | None) -> None:
    """Write the changed values (rows keyed by source and contact_id, with arrived_at) and
    note their days."""
    conn.exec_driver_sql(f"CREATE OR REPLACE TEMP TABLE derived_changes AS {changed_sql}")
    conn.exec_driver_sql(f"""
        UPDATE contacts SET {sets} FROM derived_changes k
        WHERE contacts.source = k.source AND contacts.contact_id = k.contact_id""")
    if days:
        conn.exec_driver_sql(f"INSERT INTO {days} SELECT DISTINCT CAST(arrived_at AS DATE) FROM derived_changes")
    conn.exec_driver_sql("DROP TABLE derived_changes")


class Link(NamedTuple):
    table: str      # whose rows name a contact
    source: str     # its column holding the contact's source
    counted: bool   # whether a KPI counts the flag (then its contacts' days are noted)


LINKED = {"surveyed": Link("surveys", "contact_source", counted=True),          # response rate
          "evaluated": Link("evaluations", "source", counted=False)}           # the assessments' join


def refresh_linked(conn: Connection, flag: str, contacts_sql: str, days: str | None = None) -> None:
    """Recompute, for the contacts the subquery names (source, contact_id), whether any row
    of the flag's table (a survey answer, an evaluation) is linked to them, and the arrival
    of the contact those rows keep."""
    table, source, counted = LINKED[flag]
    days = days if counted else None
    _update(conn, f"""
        SELECT c.source, c.contact_id, c.arrived_at, k.n > 0 AS linked
        FROM (SELECT k.source, k.contact_id, count(l.contact_id) AS n
              FROM ({contacts_sql}) k LEFT JOIN {table} l
                ON l.{source} = k.source AND l.contact_id = k.contact_id
              GROUP BY ALL) k
        JOIN contacts c ON c.source = k.source AND c.contact_id = k.contact_id
        WHERE c.{flag} IS DISTINCT FROM (k.n > 0)""", f"{flag} = k.linked", days)
    copy_arrival(conn, flag, contacts_sql)


def copy_arrival(conn: Connection, flag: str, contacts_sql: str) -> None:
    """Copy the arrival of the contacts the subquery names onto the rows of the flag's table
    linked to them (``contact_arrived_at``; None when the contact is not, or no longer, in
    the data)."""
    table, source, _counted = LINKED[flag]
    conn.exec_driver_sql(f"""
        UPDATE {table} SET contact_arrived_at = k.arrived_at
        FROM (SELECT DISTINCT l.rowid AS row_id, c.arrived_at
              FROM {table} l JOIN ({contacts_sql}) k ON l.{source} = k.source AND l.contact_id = k.contact_id
              LEFT JOIN contacts c ON c.source = k.source AND c.contact_id = k.contact_id
              WHERE l.contact_arrived_at IS DISTINCT FROM c.arrived_at) k
        WHERE {table}.rowid = k.row_id""")


def refresh_gaps(conn: Connection, customers_sql: str, days: str | None = None) -> None:
    """Recompute, for the customers the subquery names, the seconds between each inbound
    contact and the customer's next and previous inbound contact over all the data."""
    _update(conn, f"""
        SELECT * FROM (
            SELECT source, contact_id, arrived_at, next_gap_s, prev_gap_s,
                   epoch(lead(arrived_at) OVER w - arrived_at) AS next_gap,
                   epoch(arrived_at - lag(arrived_at) OVER w) AS prev_gap
            FROM contacts
            WHERE direction = 'inbound' AND customer_key IN ({customers_sql})
            WINDOW w AS (PARTITION BY customer_key ORDER BY arrived_at, source, contact_id))
        WHERE next_gap_s IS DISTINCT FROM next_gap OR prev_gap_s IS DISTINCT FROM prev_gap""",
            "next_gap_s = k.next_gap, prev_gap_s = k.prev_gap", days)
