"""Targets set by users on the settings page, stored over those of the settings file."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.audit import Actor, record
from data.db import frame, writing
from data.limits import NAME_LIMIT, bounded_text, finite
from i18n import N_, _
from metrics.registry import kpi as known_kpi


def set_target(engine: Engine, kpi: str, target: float | None, amber: float | None = None,
               channel: str | None = None, client: str | None = None, actor: Actor | None = None) -> None:
    """Store a target (None removes the user's target: the settings file's applies again),
    noted in the audit trail as ``actor``'s."""
    known_kpi(kpi)
    if channel and client:
        raise ValueError(_("a target is for every contact, one channel or one client, not both"))
    target, amber = finite(N_("the target"), target), finite(N_("“close from”"), amber)
    channel = bounded_text(N_("the channel"), channel, NAME_LIMIT)
    client = bounded_text(N_("the client"), client, NAME_LIMIT)
    with writing(engine) as conn:
        conn.execute(sa.text("INSERT INTO targets VALUES (:at, :kpi, :channel, :client, :target, :amber)"),
                     {"at": datetime.now(), "kpi": kpi, "channel": channel or None,
                      "client": client or None, "target": target, "amber": amber})
        record(conn, actor or Actor(None), "target", kpi=kpi, channel=channel or None, client=client or None,
               target=target, amber=amber)


def stored_targets(engine: Engine) -> list[dict]:
    """The targets in force from users: the latest row of each (kpi, channel, client)."""
    with engine.connect() as conn:
        rows = frame(conn, """
            SELECT kpi, channel, client, target, amber FROM targets
            QUALIFY row_number() OVER (PARTITION BY kpi, channel, client ORDER BY set_at DESC) = 1""")
    rows = rows[rows["target"].notna()]
    return [{k: (None if v != v else v) for k, v in r.items()} for r in rows.to_dict("records")]
