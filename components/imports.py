"""The import page's plain parts: uploads kept on the server, what each file will give,
the load as a background job, its result and the load history.

The browser only ever holds an upload's token and file name: the server rebuilds the path
from them (a hex token, a cleaned name), so no request can point a load at another file.
"""
from __future__ import annotations

import base64
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from data.db import frame
from data.inspect import Inspection, canonical_table, inspect_file, sniff
from data.loader import LoadError, LoadReport, load
from data.reading import read_sheet
from data.audit import Actor
from data.customers import load_key
from data.jobs import JOBS, Job
from data.profile import get_profile
from settings import Settings

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class UploadError(ValueError):
    """An upload refused before anything is read: too big, unnamed, or not base64."""


@dataclass(frozen=True)
class Staged:
    token: str
    name: str
    size: int

    def path(self, settings: Settings) -> Path:
        return staging_dir(settings) / self.token / self.name


def staging_dir(settings: Settings) -> Path:
    return settings.db.parent / "uploads"


def clean_name(name: str) -> str:
    """A file name safe to keep on the server: its last part, plain characters only."""
    base = Path(str(name).replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\- ]", "_", base).strip(" .")
    return cleaned[:120] or "upload"


def stage(settings: Settings, content: str, name: str) -> Staged:
    """Keep an uploaded file (a ``data:...;base64,`` URL from the browser) on the server."""
    if not name:
        raise UploadError("an uploaded file has no name")
    payload = content.split(",", 1)[1] if "," in (content or "") else ""
    limit = int(settings.max_upload_mb * 1024 * 1024)
    if len(payload) * 3 // 4 > limit:
        raise UploadError(f"{name}: over the {settings.max_upload_mb:g} MB limit of an upload")
    try:
        data = base64.b64decode(payload, validate=True)
    except ValueError:
        raise UploadError(f"{name}: the upload is damaged (not base64)") from None
    prune(staging_dir(settings))
    staged = Staged(secrets.token_hex(16), clean_name(name), len(data))
    path = staged.path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return staged


def prune(folder: Path, max_age_s: float = 86400) -> None:
    """Forget uploads older than a day (a load reads its files within seconds of the click)."""
    if not folder.is_dir():
        return
    limit = time.time() - max_age_s
    for upload in folder.iterdir():
        if _TOKEN.match(upload.name) and upload.stat().st_mtime < limit:
            shutil.rmtree(upload, ignore_errors=True)


def staged_from(data: dict) -> Staged:
    """A staged file named by the browser, checked: a token we made, a clean name."""
    token, name = str(data.get("token", "")), str(data.get("name", ""))
    if not _TOKEN.match(token) or clean_name(name) != name:
        raise UploadError("unknown upload")
    return Staged(token, name, int(data.get("size", 0)))


def guess(settings: Settings, staged: Staged) -> str:
    """The profile that fits a staged file best (canonical when none fits)."""
    return sniff(staged.path(settings), extra=settings.profiles).profile or "canonical"


def table_for(settings: Settings, staged: Staged, profile: str) -> str:
    """The table a staged file is loaded for: the profile's first, or the canonical file's."""
    chosen = get_profile(profile, settings.profiles)
    if not chosen.canonical:
        return next(iter(chosen.tables))
    return canonical_table(read_sheet(staged.path(settings)).headers)


def preview(settings: Settings, staged: Staged, profile: str) -> Inspection:
    return inspect_file(staged.path(settings), profile, extra=settings.profiles,
                        reject_budget=settings.reject_budget)


def start_load(settings: Settings, engine: Engine, files: list[tuple[Staged, str, str]],
               source: str | None, actor: Actor) -> Job:
    """Load staged files, each ``(staged, profile, table)``, as one load in the background, by
    ``actor`` (for the audit trail)."""
    items = {}
    for staged, profile, table in files:
        if table in items:
            raise UploadError(f"two files for {table} in one load: load them one after the other")
        items[table] = (staged.path(settings), get_profile(profile, settings.profiles))
    key = load_key(settings.key_path)

    def work(on_step):
        return load(engine, items, source=source or None, key=key, reject_budget=settings.reject_budget,
                    on_step=on_step, actor=actor)
    return JOBS.start(work, total=len(items) + 1)


def job_reports(job: Job) -> list[LoadReport]:
    if job.state == "done":
        return job.result
    if isinstance(job.error, LoadError):
        return job.error.reports
    return []


def load_history(engine: Engine, limit: int = 30) -> pd.DataFrame:
    with engine.connect() as conn:
        return frame(conn, "SELECT load_id, started_at, table_name, file_name, source, profile, rows_read, "
                           "accepted, rejected, status, message FROM load_log "
                           "ORDER BY started_at DESC, load_id DESC NULLS LAST LIMIT " + str(int(limit)))
