"""Columns derived at load time, kept exact by every load for the rows it touches: the gaps
between a customer's inbound contacts (first-contact resolution, repeat contacts) and whether
a contact has a survey answer (response rate). Reading them costs nothing at query time."""
from __future__ import annotations

from sqlalchemy.engine import Connection


def refresh_surveyed(conn: Connection, contacts_sql: str) -> None:
    """Recompute, for the contacts the subquery names (source, contact_id), whether any
    survey answer is linked to them."""
    conn.exec_driver_sql(f"""
        UPDATE contacts SET surveyed = k.n > 0
        FROM (SELECT k.source, k.contact_id, count(s.response_id) AS n
              FROM ({contacts_sql}) k LEFT JOIN surveys s
                ON s.contact_source = k.source AND s.contact_id = k.contact_id
              GROUP BY ALL) k
        WHERE contacts.source = k.source AND contacts.contact_id = k.contact_id""")


def refresh_gaps(conn: Connection, customers_sql: str) -> None:
    """Recompute, for the customers the subquery names, the seconds between each inbound
    contact and the customer's next and previous inbound contact over all the data."""
    conn.exec_driver_sql(f"""
        UPDATE contacts SET next_gap_s = g.next_gap, prev_gap_s = g.prev_gap
        FROM (SELECT source, contact_id,
                     epoch(lead(arrived_at) OVER w - arrived_at) AS next_gap,
                     epoch(arrived_at - lag(arrived_at) OVER w) AS prev_gap
              FROM contacts
              WHERE direction = 'inbound' AND customer_key IN ({customers_sql})
              WINDOW w AS (PARTITION BY customer_key ORDER BY arrived_at, source, contact_id)) g
        WHERE contacts.source = g.source AND contacts.contact_id = g.contact_id""")
