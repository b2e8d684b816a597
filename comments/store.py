"""The analyses of the survey answers' comments, kept beside them (table ``comment_reads``) so
that pages read them instead of reading every comment again.

A load reads the comments it brings, inside its own transaction; ``ensure`` reads again every
comment whose analysis was made with other rules (a rule file changed) or is missing, before
the dashboard's first page. A comment's text is read once however many answers share it.
"""
from __future__ import annotations

import json
import threading

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from comments.analysis import analyse
from comments.rules import fingerprint
from data.db import frame, generation, raw, scalar, writing

TABLE = "comment_reads"
_LOCK = threading.Lock()
_ready: set = set()


def read(conn: Connection, answers_sql: str, params: dict | None = None) -> int:
    """Analyse the comments of the survey answers the query names (``source, response_id``),
    replacing their earlier analyses; returns how many answers with a comment were read."""
    rules = fingerprint()
    conn.execute(sa.text(f"CREATE OR REPLACE TEMP TABLE to_read AS {answers_sql}"), {"rules": rules, **(params or {})})
    try:
        conn.exec_driver_sql(f"DELETE FROM {TABLE} r USING to_read t"
                             " WHERE r.source = t.source AND r.response_id = t.response_id")
        texts = [t for (t,) in conn.exec_driver_sql(
            "SELECT DISTINCT s.verbatim FROM surveys s JOIN to_read t USING (source, response_id)"
            " WHERE trim(coalesce(s.verbatim, '')) <> ''").fetchall()]
        if not texts:
            return 0
        found = [analyse(t) for t in texts]
        table = pa.table({
            "verbatim": texts, "lang": [a.lang for a in found], "tone": [a.tone for a in found],
            "score": [float(a.score) for a in found], "extreme": [a.extreme for a in found],
            "categories": [list(a.categories) for a in found],
            "evidence": [json.dumps(a.evidence, ensure_ascii=False) for a in found]})
        duck = raw(conn)
        duck.register("read_texts", table)
        try:
            conn.execute(sa.text(
                f"INSERT INTO {TABLE} SELECT s.source, s.response_id, :rules, r.lang, r.tone, r.score, r.extreme,"
                " r.categories, r.evidence FROM surveys s JOIN to_read t USING (source, response_id)"
                " JOIN read_texts r ON r.verbatim = s.verbatim"), {"rules": rules})
        finally:
            duck.unregister("read_texts")
        return scalar(conn, f"SELECT count(*) FROM {TABLE} r JOIN to_read t USING (source, response_id)")
    finally:
        conn.exec_driver_sql("DROP TABLE IF EXISTS to_read")


# the answers with a comment whose analysis is missing or made with other rules (``:rules``)
STALE = (f"SELECT s.source, s.response_id FROM surveys s LEFT JOIN {TABLE} r USING (source, response_id)"
         " WHERE trim(coalesce(s.verbatim, '')) <> '' AND r.rules IS DISTINCT FROM :rules")


def ensure(eng: Engine) -> None:
    """Bring every analysis up to date with the rules (quick when nothing is to be done)."""
    key = (str(eng.url), generation(), fingerprint())
    with _LOCK:
        if key in _ready:
            return
        with eng.connect() as conn:
            stale = scalar(conn, f"SELECT count(*) FROM ({STALE})", {"rules": fingerprint()})
        if stale:
            with writing(eng) as conn:
                read(conn, STALE)
        _ready.clear()
        _ready.add((str(eng.url), generation(), fingerprint()))


def reads(conn: Connection, answers_sql: str, params: dict | None = None) -> pd.DataFrame:
    """The analyses of the answers a query names, as a table."""
    return frame(conn, f"SELECT r.* FROM {TABLE} r JOIN ({answers_sql}) a USING (source, response_id)", params)
