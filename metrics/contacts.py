"""The contacts behind a number: a page of them, and one in detail, always within a scope."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from metrics.query import Scope, _bound, _run, rows_sql, scope_where

# sort keys (URL values) -> SQL; the allow-list of what a person may sort by
# (output column names, valid both inside and outside the page's query)
SORTS = {
    "recent": "arrived_at DESC, contact_id",
    "oldest": "arrived_at, contact_id",
    "longest_wait": "wait_s DESC NULLS LAST, arrived_at DESC, contact_id",
    "longest_handle": "handle_s DESC NULLS LAST, arrived_at DESC, contact_id",
}
_HANDLE = ("CASE WHEN c.talk_s IS NULL AND c.hold_s IS NULL AND c.acw_s IS NULL THEN NULL "
           "ELSE coalesce(c.talk_s, 0) + coalesce(c.hold_s, 0) + coalesce(c.acw_s, 0) END")
_COLUMNS = f"""c.source, c.contact_id, c.arrived_at, c.channel, c.direction, c.outcome, c.queue,
    c.campaign, c.client, c.site, c.agent_id AS agent, c.reason, c.wait_s,
    c.talk_s, c.hold_s, c.acw_s, {_HANDLE} AS handle_s, c.transferred, c.escalated, c.sale,
    c.revenue, left(c.customer_key, 8) AS customer_ref"""
_AGENT = "a.agent_name, a.team"   # from the agents table ``a``


@dataclass(frozen=True)
class ContactPage:
    rows: pd.DataFrame
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def contact_list(db: Engine | Connection, scope: Scope, page: int = 0, page_size: int = 50,
                 sort: str = "recent") -> ContactPage:
    """One page of the scope's contacts with their latest survey answer (and the count of
    answers), and how many contacts the scope holds."""
    page_size = max(1, min(int(page_size), 500))
    params: dict = {}
    where = scope_where("contacts", scope, params)
    total = int(_run(db, _bound(f"SELECT count(*) AS n FROM {rows_sql('contacts', scope)} WHERE {where}",
                                params), params)["n"][0])
    page = max(0, min(int(page), max(0, -(-total // page_size) - 1)))
    return ContactPage(_rows(db, scope, page * page_size, page_size, sort), total, page, page_size)


def contact_export(db: Engine | Connection, scope: Scope, limit: int = 100_000,
                   sort: str = "recent") -> pd.DataFrame:
    """The scope's contacts (at most ``limit``) with their latest survey answer, for a file."""
    return _rows(db, scope, 0, limit, sort)


def _rows(db, scope: Scope, offset: int, limit: int, sort: str) -> pd.DataFrame:
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; known: {', '.join(SORTS)}")
    params: dict = {"limit": int(limit), "offset": int(offset)}
    where = scope_where("contacts", scope, params)
    # the agent's name and team are joined to the page, not to the scope: a sort over the
    # contacts alone reads the other columns of the page's rows only
    sql = f"""
        WITH page AS (
            SELECT {_COLUMNS} FROM {rows_sql('contacts', scope)}
            WHERE {where} ORDER BY {SORTS[sort]} LIMIT :limit OFFSET :offset),
        answers AS (
            SELECT s.contact_source, s.contact_id, count(*) AS answers,
                   arg_max(s.nps, s.responded_at) AS nps, arg_max(s.csat, s.responded_at) AS csat,
                   arg_max(s.ces, s.responded_at) AS ces,
                   arg_max(s.resolved, s.responded_at) AS resolved,
                   arg_max(s.verbatim, s.responded_at) AS verbatim
            FROM surveys s JOIN page p ON p.source = s.contact_source AND p.contact_id = s.contact_id
            GROUP BY ALL)
        SELECT page.*, {_AGENT}, answers.answers, answers.nps, answers.csat, answers.ces,
               answers.resolved, answers.verbatim
        FROM page LEFT JOIN agents a ON a.agent_id = page.agent LEFT JOIN answers
          ON answers.contact_source = page.source AND answers.contact_id = page.contact_id
        ORDER BY {SORTS[sort]}"""
    return _run(db, _bound(sql, params), params)


def contact_detail(db: Engine | Connection, scope: Scope, source: str, contact_id: str
                   ) -> tuple[dict, pd.DataFrame] | None:
    """Every field of one contact and all its survey answers; None when the contact is not
    in the scope (a viewer cannot open a contact outside it)."""
    params: dict = {"source": source, "contact_id": contact_id}
    where = scope_where("contacts", scope, params)
    contact = _run(db, _bound(
        f"SELECT {_COLUMNS}, {_AGENT} FROM {rows_sql('contacts')} WHERE {where}"
        " AND c.source = :source AND c.contact_id = :contact_id", params), params)
    if contact.empty:
        return None
    answers = _run(db, _bound(
        "SELECT response_id, responded_at, survey, nps, csat, ces, resolved, verbatim FROM surveys"
        " WHERE contact_source = :source AND contact_id = :contact_id ORDER BY responded_at",
        {"source": source, "contact_id": contact_id}), {"source": source, "contact_id": contact_id})
    return contact.iloc[0].to_dict(), answers
