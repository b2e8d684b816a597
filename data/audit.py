"""The audit trail: every change (targets, focus, decisions, loads, users) and every sign-in,
successful or not, with who, when, from which address and what changed."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from data.db import frame

ACTIONS = ("sign_in", "sign_in_failed", "sign_out", "target", "focus", "decisions", "load", "user_added",
           "user_removed", "password_changed", "action", "alert_rule",
           "campaign_contract")


@dataclass(frozen=True)
class Actor:
    """Who does something, and from where: a person signed in, the command line, the inbox."""

    who: str | None
    address: str | None = None


COMMAND_LINE = Actor("command line", "local")
INBOX = Actor("inbox", "local")


def record(db: Engine | Connection, actor: Actor, action: str, **detail) -> None:
    """Note a change or a sign-in (inside the caller's transaction when given a connection)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    row = {"happened_at": datetime.now(), "who": actor.who, "address": actor.address, "action": action,
           "detail": json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)}
    sql = sa.text("INSERT INTO audit VALUES (:happened_at, :who, :address, :action, :detail)")
    if isinstance(db, Connection):
        db.execute(sql, row)
        return
    with db.begin() as conn:
        conn.execute(sql, row)


def trail(db: Engine, start: date | None = None, end: date | None = None, who: str | None = None,
          action: str | None = None, limit: int = 500) -> pd.DataFrame:
    """The latest entries first, filtered by period (both days included), person and action."""
    clauses, params = ["TRUE"], {"limit": int(limit)}
    if start:
        clauses.append("happened_at >= :start")
        params["start"] = datetime.combine(start, datetime.min.time())
    if end:
        clauses.append("happened_at < :end")
        params["end"] = datetime.combine(end + timedelta(days=1), datetime.min.time())
    if who:
        clauses.append("who = :who")
        params["who"] = who
    if action:
        clauses.append("action = :action")
        params["action"] = action
    with db.connect() as conn:
        return frame(conn, sa.text("SELECT happened_at, who, address, action, detail FROM audit"
                                   f" WHERE {' AND '.join(clauses)} ORDER BY happened_at DESC LIMIT :limit"), params)
