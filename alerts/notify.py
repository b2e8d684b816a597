"""New alerts sent to the addresses of their rules, one message per rule; every sending
recorded; an alert whose rule names no address is only listed in the dashboard."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from alerts.rules import rules
from data.db import frame
from i18n import _, ngettext
from reports.deliver import deliver
from reports.mail import MailError, Smtp
from reports.packs import Pack


def notify(db: Engine, smtp: Smtp) -> list[str]:
    """Send the alerts not told yet; what was sent or failed (a failure is tried again)."""
    with db.connect() as conn:
        waiting = frame(conn, "SELECT * FROM alerts WHERE notified_at IS NULL ORDER BY id")
    done = []
    for rule in rules(db):
        mine = waiting[waiting["rule_id"] == rule.id]
        if mine.empty:
            continue
        if rule.to:
            subject = ngettext("Pilotage alert: {rule}", "Pilotage alerts ({n}): {rule}", len(mine), rule=rule.text())
            pack = Pack(f"alerts {rule.id}", subject, "\n".join(mine["message"]) + "\n\nPilotage", [])
            try:
                deliver(db, smtp, pack, list(rule.to))
            except MailError as exc:
                done.append(_("not sent: {what} ({error})", what=pack.what, error=exc))
                continue
            done.append(_("sent: {what}", what=pack.what))
        with db.begin() as conn:
            conn.execute(sa.text("UPDATE alerts SET notified_at = :at WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)), {"at": datetime.now(), "ids": [int(i) for i in mine["id"]]})
    return done
