"""A report sent and recorded, now (``python -m reports send``) or when it is due (the
scheduler), never twice for the same month."""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.sendings import record
from i18n import _
from reports.mail import MailError, Smtp, send
from reports.packs import Pack
from reports.schedule import Committee, Summary, month_due
from settings import Settings


def deliver(db: Engine, smtp: Smtp, pack: Pack, to: list[str]) -> None:
    """Send a report and record the sending, refused ones too (then raise MailError)."""
    try:
        send(smtp, to, pack.subject, pack.body, pack.attachments)
    except MailError as exc:
        record(db, pack.what, to, pack.subject, "failed", str(exc))
        raise
    record(db, pack.what, to, pack.subject, "sent")


def already_sent(db: Engine, what: str) -> bool:
    with db.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM sendings WHERE what = :what AND result = 'sent'"),
                            {"what": what}).scalar() > 0


def run_due(settings: Settings, db: Engine, smtp: Smtp, schedule: list[Committee | Summary], now: datetime) -> list[str]:
    """Send every report of the schedule that is due at ``now`` and not sent yet; what was
    sent, and what failed (each tried again at the next run)."""
    month, done = month_due(now), []
    for entry in schedule:
        what = entry.what(month)
        if already_sent(db, what):
            continue
        try:
            deliver(db, smtp, entry.pack(settings, month), list(entry.to))
            done.append(_("sent: {what}", what=what))
        except ValueError as exc:      # MailError included: recorded, tried again next time
            done.append(_("not sent: {what} ({error})", what=what, error=exc))
    return done


@contextmanager
def only_scheduler(lock_path: Path):
    """Hold the scheduler's lock file for as long as it runs: a second scheduler is refused."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            raise ValueError(_("another scheduler already runs (PID {pid}, lock {path})",
                               pid=fh.read().strip() or "?", path=lock_path)) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
