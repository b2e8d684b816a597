"""What the customers' comments say, within a scope: the answers with a comment and their
analysis (``comments.store``), their categories counted over time or per dimension, and the
risk list. Every query reads the surveys base through the scope."""
from __future__ import annotations

import json

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from comments.rules import categories
from metrics.query import TIME_GROUPINGS, Scope, _bound, _run, _group_sql, rows_sql, scope_where
from metrics.relations import DIM_SQL, DIMENSIONS

RISKS = ("legal_risk", "churn_risk")     # the categories a risk list begins with
GROUPS = DIMENSIONS + TIME_GROUPINGS     # what the counts may be split by
_READ = "JOIN comment_reads r ON r.source = s.source AND r.response_id = s.response_id"


def category_ids() -> list[str]:
    return [c.id for c in categories()]


def _where(scope: Scope, params: dict, category: str | None) -> str:
    where = scope_where("surveys", scope, params)
    if category == "extreme":
        where += " AND r.extreme"
    elif category is not None:
        if category not in category_ids():
            raise ValueError(f"unknown category {category!r}")
        params["category"] = category
        where += " AND list_contains(r.categories, :category)"
    return where


def counts(db: Engine | Connection, scope: Scope, by: str | None = None) -> pd.DataFrame:
    """Per group (a dimension, a day, week or month; one row without ``by``): the answers with
    a comment, those of each category, the extreme ones and each tone."""
    if by is not None and by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    params: dict = {}
    where = _where(scope, params, None)
    group = _group_sql("surveys", by) if by else "NULL"
    per = ", ".join(f"count(*) FILTER (WHERE list_contains(r.categories, '{c}')) AS \"{c}\"" for c in category_ids())
    sql = f"""
        SELECT {group} AS "group", count(*) AS comments, {per},
               count(*) FILTER (WHERE r.extreme) AS extreme,
               count(*) FILTER (WHERE r.tone = 'negative') AS negative,
               count(*) FILTER (WHERE r.tone = 'neutral') AS neutral,
               count(*) FILTER (WHERE r.tone = 'positive') AS positive
        FROM {rows_sql('surveys', scope, [by] if by in DIMENSIONS else [])} {_READ}
        WHERE {where} GROUP BY 1 ORDER BY 1 NULLS LAST"""
    return _run(db, _bound(sql, params), params)


def comment_list(db: Engine | Connection, scope: Scope, category: str | None = None, limit: int | None = 200,
                 risks_first: bool = True, only: tuple[str, str] | None = None) -> pd.DataFrame:
    """The answers with a comment (of one category, or ``extreme``): legal risk, then extreme
    dissatisfaction, then churn risk first when ``risks_first``, newest first within each;
    with their scores, the contact behind each and where it came from (every one when
    ``limit`` is None); ``only`` one answer (source, response_id), if the scope holds it."""
    params: dict = {"limit": None if limit is None else max(1, int(limit))}
    where = _where(scope, params, category)
    if only:
        params["only_source"], params["only_id"] = only
        where += " AND s.source = :only_source AND s.response_id = :only_id"
    order = ("CASE WHEN list_contains(r.categories, 'legal_risk') THEN 0 WHEN r.extreme THEN 1"
             " WHEN list_contains(r.categories, 'churn_risk') THEN 2 ELSE 3 END, " if risks_first else "")
    columns = DIM_SQL["surveys"]
    sql = f"""
        SELECT s.source, s.response_id, s.responded_at, s.survey, s.nps, s.csat, s.ces, s.verbatim,
               s.contact_source, s.contact_id, {columns['channel']} AS channel, {columns['client']} AS client,
               {columns['queue']} AS queue, {columns['agent']} AS agent,
               r.tone, r.score, r.extreme, r.categories, r.evidence
        FROM {rows_sql('surveys', scope)} {_READ}
        WHERE {where}
        ORDER BY {order}s.responded_at DESC, s.response_id LIMIT :limit"""
    rows = _run(db, _bound(sql, params), params)
    rows["evidence"] = [json.loads(e) if isinstance(e, str) else {} for e in rows["evidence"]]
    return rows


def disagrees(tone: str | None, nps, csat) -> bool:
    """Whether the text's tone and the answer's scores tell opposite things (a negative text
    with NPS 9-10 or satisfaction 4-5, a positive one with NPS 0-6 or satisfaction 1-2)."""
    def known(v) -> bool:
        return v is not None and v == v
    happy = (known(nps) and nps >= 9) or (known(csat) and csat >= 4)
    unhappy = (known(nps) and nps <= 6) or (known(csat) and csat <= 2)
    return (tone == "negative" and happy and not unhappy) or (tone == "positive" and unhappy and not happy)
