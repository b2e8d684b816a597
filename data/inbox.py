"""The inbox: a folder the running dashboard watches and loads itself, for the extracts that
arrive at night while it serves (DuckDB lets one process write to a database file, and the
dashboard holds it).

Drop a file in the folder (``PILOTAGE_INBOX``, default ``inbox`` beside the database). Once
its size has stayed the same for one look (a file still being copied waits), it is loaded
like any other load (same rules, all or nothing, the load log), each file on its own:
references first (agents, campaigns), then contacts, then surveys and evaluations, so that
answers find their contacts. Its table is the one its name starts with (``contacts-2026-11-30.csv``), else the
one its profile makes; its profile is the one that fits it best, or the one its name gives
after a double dash (``contacts--fr-acd-export.csv``). Then the file moves to ``loaded/`` or
``refused/``, stamped with the time, beside a ``.rejects.csv`` of its rejected rows (file,
line, reason) and, when refused, a ``.error.txt`` that says why. Names starting with a dot
or ending in ``.part`` or ``.tmp`` are left alone: copy as ``x.part``, then rename.

No one asks for these loads: their messages (the load log's, the ``.error.txt``) are in the
language of the setting ``PILOTAGE_LANG``, the watcher's thread having no request.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import Engine

from data.audit import INBOX
from data.customers import load_key
from alerts.check import after_load
from data.db import engine as engine_of
from data.inspect import canonical_table, sniff
from data.jobs import JOBS
from data.loader import LoadError, LoadReport, load, write_rejects
from data.profile import Profile, ProfileError, get_profile
from data.reading import LIMITS, Limits, ReadError, read_sheet
from i18n import _
from settings import Settings

ORDER = ("agents", "campaigns", "contacts", "surveys", "evaluations", "intervals", "costs")
SKIPPED_SUFFIXES = (".part", ".tmp")


@dataclass
class Inbox:
    folder: Path
    profiles: Path | None = None          # the user's own profiles
    sizes: dict = field(default_factory=dict)   # file -> size at the last look

    def waiting(self) -> list[Path]:
        """The files to load: in the folder itself, not hidden, not being written."""
        if not self.folder.is_dir():
            return []
        files = [p for p in self.folder.iterdir() if p.is_file() and not p.name.startswith(".")
                 and not p.name.lower().endswith(SKIPPED_SUFFIXES)]
        return sorted(files, key=lambda p: (_rank(p.name), p.name))

    def ready(self) -> list[Path]:
        """The waiting files whose size has not changed since the last look."""
        now = {p: p.stat().st_size for p in self.waiting()}
        ready = [p for p, size in now.items() if self.sizes.get(p) == size]
        self.sizes = {p: s for p, s in now.items() if p not in ready}
        return ready


def _rank(name: str) -> int:
    table = next((t for t in ORDER if name.lower().startswith(t)), "contacts")
    return ORDER.index(table)


def table_and_profile(path: Path, profiles: Path | None, limits: Limits = LIMITS) -> tuple[str, Profile]:
    """The table a dropped file is for and the profile that reads it (see the module)."""
    named = path.stem.split("--", 1)[1] if "--" in path.stem else None
    profile = get_profile(named or sniff(path, extra=profiles, limits=limits).profile or "canonical", profiles)
    prefix = next((t for t in ORDER if path.name.lower().startswith(t)), None)
    if prefix:
        return prefix, profile
    if not profile.canonical:
        return next(iter(profile.tables)), profile
    return canonical_table(read_sheet(path, limits=limits).headers), profile


def load_one(engine: Engine, path: Path, key: bytes, reject_budget: float, profiles: Path | None,
             now: datetime | None = None, limits: Limits = LIMITS) -> tuple[Path, list[LoadReport]]:
    """Load one dropped file and file it away: where it went, and the load's reports."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    reports: list[LoadReport] = []
    error = None
    try:
        table, profile = table_and_profile(path, profiles, limits)
        reports = load(engine, {table: (path, profile)}, key=key, reject_budget=reject_budget, actor=INBOX,
                       limits=limits)
    except LoadError as exc:
        error, reports = str(exc), exc.reports
    except (ProfileError, ReadError, OSError) as exc:
        error = _("{name}: {text}", name=path.name, text=exc)
    except Exception as exc:   # noqa: BLE001 - filed as refused rather than tried again every look
        logging.getLogger(__name__).exception("inbox: %s could not be loaded", path.name)
        error = _("{file}: could not be loaded ({error}); the dashboard's log has the details", file=path.name,
                  error=type(exc).__name__)
    target = path.parent / ("refused" if error else "loaded")
    target.mkdir(exist_ok=True)
    moved = target / f"{stamp}-{path.name}"
    path.replace(moved)
    if any(len(r.rejects) for r in reports):
        write_rejects(moved.with_name(moved.name + ".rejects.csv"), reports)
    if error:
        moved.with_name(moved.name + ".error.txt").write_text(error + "\n", encoding="utf-8")
    return moved, reports


class Watcher:
    """Looks at the inbox every ``every`` seconds, in a thread of the dashboard's process,
    and hands each file that is ready to ``work``."""

    def __init__(self, inbox: Inbox, work: Callable[[Path], object], every: float = 30.0):
        self.inbox, self.work, self.every = inbox, work, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="pilotage-inbox", daemon=True)

    def start(self) -> "Watcher":
        self.inbox.folder.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def look(self) -> None:
        for path in self.inbox.ready():
            self.work(path)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.look()
            except Exception:   # noqa: BLE001 - a bad night must not stop the next ones
                logging.getLogger(__name__).exception("the inbox could not be read")


def watch(settings: Settings) -> Watcher:
    """The running dashboard's watcher of its inbox: each file ready is loaded in the lane of
    the import page's loads, one at a time."""
    def work(path: Path) -> None:
        with JOBS.exclusive():
            moved, reports = load_one(engine_of(settings.db), path, load_key(settings.key_path),
                                      settings.reject_budget, settings.profiles, limits=Limits.of(settings))
            if any(r.status == "loaded" for r in reports):
                after_load(engine_of(settings.db), settings)   # the alerts the new data raise
        logging.getLogger(__name__).info("inbox: %s -> %s", path.name, moved.parent.name)
    return Watcher(Inbox(settings.inbox_path, settings.profiles), work, settings.inbox_every).start()
