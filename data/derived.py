"""Columns derived at load time, kept exact by every load for the rows it touches: the gaps
between a customer's inbound contacts (first-contact resolution, repeat contacts) and whether
a contact has a survey answer (response rate). Reading them costs nothing at query time.

Only the rows whose value changes are written; a load passes ``days``, a table of ``day``
values, to note the days of those rows (their roll-ups are computed again).
"""
from __future__ import annotations

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


def refresh_surveyed(conn: Connection, contacts_sql: str, days: str | None = None) -> None:
    """Recompute, for the contacts the subquery names (source, contact_id), whether any
    survey answer is linked to them."""
    _update(conn, f"""
        SELECT c.source, c.contact_id, c.arrived_at, k.n > 0 AS surveyed
        FROM (SELECT k.source, k.contact_id, count(s.response_id) AS n
              FROM ({contacts_sql}) k LEFT JOIN surveys s
                ON s.contact_source = k.source AND s.contact_id = k.contact_id
              GROUP BY ALL) k
        JOIN contacts c ON c.source = k.source AND c.contact_id = k.contact_id
        WHERE c.surveyed IS DISTINCT FROM (k.n > 0)""", "surveyed = k.surveyed", days)


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
