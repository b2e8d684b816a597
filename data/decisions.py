"""The decisions a committee records for a client and month: every save is kept, the latest
is the one in force."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.audit import Actor, record
from data.db import frame, writing
from i18n import _, formats

MAX_LENGTH = 20_000   # characters: minutes, not a document store


@dataclass(frozen=True)
class Decisions:
    text: str
    saved_at: datetime
    author: str | None = None


def save_decisions(engine: Engine, client: str, month: date, text: str, actor: Actor | None = None) -> Decisions:
    """Record the decisions of a client's month (an empty text clears them), by ``actor``."""
    if not client:
        raise ValueError(_("decisions belong to a client"))
    text = (text or "").strip()
    if len(text) > MAX_LENGTH:
        raise ValueError(_("decisions are limited to {limit} characters ({given} given)",
                           limit=formats.number(MAX_LENGTH), given=formats.number(len(text))))
    actor = actor or Actor(None)
    saved = Decisions(text, datetime.now(), actor.who)
    with writing(engine) as conn:
        conn.execute(sa.text("INSERT INTO decisions (saved_at, client, month, text, author)"
                             " VALUES (:saved_at, :client, :month, :text, :author)"),
                     {"saved_at": saved.saved_at, "client": client, "month": month.replace(day=1),
                      "text": saved.text, "author": saved.author})
        record(conn, actor, "decisions", client=client, month=month.replace(day=1), length=len(text))
    return saved


def decisions_for(engine: Engine, client: str, month: date) -> Decisions | None:
    """The decisions in force for a client's month, or None when none were recorded."""
    with engine.connect() as conn:
        rows = frame(conn, sa.text("""SELECT text, saved_at, author FROM decisions
                                      WHERE client = :client AND month = :month
                                      ORDER BY saved_at DESC LIMIT 1"""),
                     {"client": client, "month": month.replace(day=1)})
    if rows.empty or not rows.iloc[0]["text"]:
        return None
    author = rows.iloc[0]["author"]
    return Decisions(rows.iloc[0]["text"], rows.iloc[0]["saved_at"].to_pydatetime(),
                     author if isinstance(author, str) else None)
