"""Every report sent, or that failed to be: what, to whom, when, and how it went."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.db import frame


def record(db: Engine, what: str, to: list[str], subject: str, result: str, detail: str = "") -> None:
    """Note one sending (``result``: ``sent`` or ``failed``, with why in ``detail``)."""
    with db.begin() as conn:
        conn.execute(sa.text("INSERT INTO sendings VALUES (:at, :what, :to, :subject, :result, :detail)"),
                     {"at": datetime.now(), "what": what, "to": ", ".join(to), "subject": subject,
                      "result": result, "detail": detail[:2000]})


def sendings(db: Engine, limit: int = 200) -> pd.DataFrame:
    """The latest sendings first."""
    with db.connect() as conn:
        return frame(conn, "SELECT * FROM sendings ORDER BY sent_at DESC LIMIT :limit", {"limit": int(limit)})
