"""The contacts behind a number: a page of them, and one in detail, always within a scope.

A page is read in two steps, over the contacts table only (a team becomes the ids of its
agents): how many contacts the scope holds, per day for a sort by time, read from the daily
roll-up that keeps the agent (counted over the contacts while there is none); then the page's
rows. For a sort by time they are read within the days that hold the page (the scan skips
the other days by their zone maps), so a page's time does not grow with the data; for a sort
by wait or handle time, as the scope's top values (DuckDB reads the scope's sort keys, then
the page's other columns only). Answers are looked up only for the page's contacts that have
any, among the answers kept with those contacts' arrival times."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from metrics import rollups
from metrics.query import Scope, _bound, _columns, _dims_used, _group_sql, _run, rows_sql, scope_where
from metrics.rollups import Rollup

# sort keys (URL values) -> SQL; the allow-list of what a person may sort by
# (output column names, valid both inside and outside the page's query; the source last, so
# that the order is total and a contact is on one page only)
SORTS = {
    "recent": "arrived_at DESC, contact_id, source",
    "oldest": "arrived_at, contact_id, source",
    "longest_wait": "wait_s DESC NULLS LAST, arrived_at DESC, contact_id, source",
    "longest_handle": "handle_s DESC NULLS LAST, arrived_at DESC, contact_id, source",
}
_HANDLE = ("CASE WHEN c.talk_s IS NULL AND c.hold_s IS NULL AND c.acw_s IS NULL THEN NULL "
           "ELSE coalesce(c.talk_s, 0) + coalesce(c.hold_s, 0) + coalesce(c.acw_s, 0) END")
_BY_TIME = ("recent", "oldest")   # sorts whose page lies in a window of days
_COLUMNS = f"""c.source, c.contact_id, c.arrived_at, c.channel, c.direction, c.outcome, c.queue,
    c.campaign, c.client, c.site, c.agent_id AS agent, c.reason, c.wait_s,
    c.talk_s, c.hold_s, c.acw_s, {_HANDLE} AS handle_s, c.transferred, c.escalated, c.sale,
    c.revenue, left(c.customer_key, 8) AS customer_ref, c.surveyed"""
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
    _check(sort)
    page_size = max(1, min(int(page_size), 500))
    counts = _counts(db, scope, sort in _BY_TIME)
    total = int(counts["n"].sum())
    page = max(0, min(int(page), max(0, -(-total // page_size) - 1)))
    params: dict = {"limit": page_size}
    where = contacts_where(db, scope, params)
    params["offset"], window = _window(counts, page * page_size, page_size, sort, params)
    chosen = f"SELECT {_COLUMNS} FROM contacts c WHERE {where}{window} ORDER BY {SORTS[sort]} LIMIT :limit OFFSET :offset"
    rows = _run(db, _bound(_with_answers(chosen, sort), params), params)
    return ContactPage(rows, total, page, page_size)


def _counts(db: Engine | Connection, scope: Scope, per_day: bool) -> pd.DataFrame:
    """The scope's contacts (``n``), per day (``bucket``) or in all: from the daily roll-up
    that keeps the agent when one covers the scope, else over the contacts themselves."""
    params: dict = {}
    rollup = rollups.covering(db, "contacts", _dims_used(scope), None)
    base = rollup or "contacts"
    relation, n = (f"{rollup.table} r", "coalesce(sum(r.contacts), 0)") if rollup else ("contacts c", "count(*)")
    bucket, group = (f"{_group_sql(base, 'day')} AS bucket, ", " GROUP BY ALL") if per_day else ("", "")
    where = contacts_where(db, scope, params, base)
    return _run(db, _bound(f"SELECT {bucket}{n} AS n FROM {relation} WHERE {where}{group}", params), params)


def contact_export(db: Engine | Connection, scope: Scope, limit: int = 100_000,
                   sort: str = "recent") -> pd.DataFrame:
    """The scope's contacts (at most ``limit``) with their latest survey answer, for a file."""
    _check(sort)
    params: dict = {"limit": int(limit)}
    chosen = (f"SELECT {_COLUMNS} FROM contacts c WHERE {contacts_where(db, scope, params)}"
              f" ORDER BY {SORTS[sort]} LIMIT :limit")
    return _run(db, _bound(_with_answers(chosen, sort), params), params)


def contacts_where(db: Engine | Connection, scope: Scope, params: dict, base: str | Rollup = "contacts") -> str:
    """``scope_where`` over the contacts table alone (``c``), or a roll-up of them (one that
    keeps the agent when the scope names a team): a team, filter or restriction, becomes the
    ids of its agents, read first from the agents table (a contact whose agent has no row
    there has no team, as with the join)."""
    plain = Scope(scope.start, scope.end, _without_team(scope.filters), _without_team(scope.restrictions),
                  scope.survey)
    clauses = [scope_where(base, plain, params)]
    for prefix, filters in (("f", scope.filters), ("r", scope.restrictions)):
        for dim, teams in filters:
            if dim != "team":
                continue
            ids = _team_agents(db, teams) if teams else []
            if not ids:     # no such team, or a restriction to nothing
                clauses.append("FALSE")
                continue
            names = [f"{prefix}_team_agent{i}" for i in range(len(ids))]
            params.update(zip(names, ids))
            # a list the scan tests itself: an IN list of many values becomes a join
            clauses.append(f"list_contains([{', '.join(':' + n for n in names)}], {_columns(base)['agent']})")
    return " AND ".join(clauses)


def _without_team(filters):
    return tuple((dim, values) for dim, values in filters if dim != "team")


def _team_agents(db: Engine | Connection, teams) -> list[str]:
    params = {"teams": list(teams)}
    found = _run(db, _bound("SELECT DISTINCT agent_id FROM agents WHERE team IN :teams"
                            " AND agent_id IS NOT NULL ORDER BY agent_id", params), params)
    return found["agent_id"].tolist()


def _check(sort: str) -> None:
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; known: {', '.join(SORTS)}")


def _window(counts: pd.DataFrame, offset: int, limit: int, sort: str, params: dict) -> tuple[int, str]:
    """For a sort by time, the days (``counts``: contacts per day, ``bucket``) that hold the
    page's positions, as a filter the scan applies itself (zone maps skip the other days), and
    the page's offset within them; no window for a sort by value."""
    if sort not in _BY_TIME:
        return int(offset), ""
    ordered = counts.sort_values("bucket", ascending=sort == "oldest").reset_index(drop=True)
    before = ordered["n"].cumsum() - ordered["n"]      # rows of the days ahead of each one
    inside = ordered[(before + ordered["n"] > offset) & (before < offset + limit)]
    if inside.empty:
        return int(offset), ""
    first, last = min(inside["bucket"]), max(inside["bucket"])
    params["w_start"] = datetime.combine(first, time.min)
    params["w_end"] = datetime.combine(last + timedelta(days=1), time.min)
    return int(offset - before[inside.index[0]]), " AND c.arrived_at >= :w_start AND c.arrived_at < :w_end"


def _with_answers(chosen: str, sort: str) -> str:
    """The chosen contacts (a query over ``contacts c`` selecting ``_COLUMNS``) with their
    agent's name and team and their latest survey answer (looked up for those that have any,
    among the answers kept with their arrival time; the agents are joined to the chosen rows,
    not to the scope)."""
    return f"""
        WITH page AS ({chosen}),
        answers AS (
            SELECT s.contact_source, s.contact_id, count(*) AS answers,
                   arg_max(s.nps, s.responded_at) AS nps, arg_max(s.csat, s.responded_at) AS csat,
                   arg_max(s.ces, s.responded_at) AS ces,
                   arg_max(s.resolved, s.responded_at) AS resolved,
                   arg_max(s.verbatim, s.responded_at) AS verbatim
            FROM surveys s JOIN page p ON p.surveyed AND p.source = s.contact_source
              AND p.contact_id = s.contact_id AND p.arrived_at = s.contact_arrived_at
            GROUP BY ALL)
        SELECT page.*, {_AGENT}, answers.answers, answers.nps, answers.csat, answers.ces,
               answers.resolved, answers.verbatim
        FROM page LEFT JOIN agents a ON a.agent_id = page.agent LEFT JOIN answers
          ON answers.contact_source = page.source AND answers.contact_id = page.contact_id
        ORDER BY {SORTS[sort]}"""


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
