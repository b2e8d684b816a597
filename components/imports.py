"""The import page's plain parts: uploads kept on the server, what each file will give,
the load as a background job, its result and the load history.

The browser only ever holds an upload's token and file name: the server rebuilds the path
from them (a hex token, a cleaned name), so no request can point a load at another file, and
a profile is chosen by its name among the known ones, never by a path. An upload is kept
(readable by the server's user only) until its load ends, whatever the outcome, or for an
hour when it is never loaded. In a request the page reads only the start of a file (its
first PREVIEW_BYTES, a workbook's first PREVIEW_SHEET_ROWS rows): the load, in the
background, reads all of it.
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
from data.files import private_folder, write_private
from data.inspect import Inspection, canonical_table, inspect_file, sniff
from data.loader import LoadError, LoadReport, load
from data.reading import Limits, is_workbook, read_sheet
from data.audit import Actor
from data.customers import load_key
from alerts.check import after_load
from data.jobs import JOBS, Job
from data.profile import ProfileError, named_profile
from i18n import N_, _, current, formats, using
from i18n.labels import table_label
from settings import Settings

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
UNKNOWN = N_("unknown upload")   # looked up where it is raised or shown
UPLOAD_AGE_S = 3600            # an upload not loaded within the hour is deleted
PREVIEW_BYTES = 512 * 1024     # what a request reads of a text file
PREVIEW_SHEET_ROWS = 2_000     # and of a workbook's sheet


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


def megabytes(value: float) -> str:
    """A size limit in MB as the settings give it: ``200``, ``12,5``, ``0,001``."""
    digits = f"{value:f}".rstrip("0").partition(".")[2]
    return formats.number(value, min(len(digits), 6))


def clean_name(name: str) -> str:
    """A file name safe to keep on the server: its last part, plain characters only."""
    base = Path(str(name).replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\- ]", "_", base).strip(" .")
    return cleaned[:120] or "upload"


def stage(settings: Settings, content: str, name: str) -> Staged:
    """Keep an uploaded file (a ``data:...;base64,`` URL from the browser) on the server."""
    if not name:
        raise UploadError(_("an uploaded file has no name"))
    payload = content.split(",", 1)[1] if "," in (content or "") else ""
    limit = int(settings.max_upload_mb * 1024 * 1024)
    if len(payload) * 3 // 4 > limit:
        raise UploadError(_("{name}: over the {limit} MB limit of an upload", name=name,
                             limit=megabytes(settings.max_upload_mb)))
    try:
        data = base64.b64decode(payload, validate=True)
    except ValueError:
        raise UploadError(_("{name}: the upload is damaged (not base64)", name=name)) from None
    prune(staging_dir(settings))
    staged = Staged(secrets.token_hex(16), clean_name(name), len(data))
    path = staged.path(settings)
    private_folder(path.parent)
    write_private(path, data)
    return staged


def prune(folder: Path, max_age_s: float = UPLOAD_AGE_S) -> None:
    """Delete the uploads older than ``max_age_s``: abandoned (a load reads its files within
    seconds of the click, and deletes them when it ends)."""
    if not folder.is_dir():
        return
    limit = time.time() - max_age_s
    for upload in folder.iterdir():
        try:
            old = _TOKEN.fullmatch(upload.name) and upload.stat().st_mtime < limit
        except FileNotFoundError:   # deleted meanwhile
            continue
        if old:
            shutil.rmtree(upload, ignore_errors=True)


def discard(settings: Settings, staged: Staged) -> None:
    """Delete a staged upload (its load has ended)."""
    shutil.rmtree(staging_dir(settings) / staged.token, ignore_errors=True)


def staged_from(data) -> Staged:
    """A staged file named by the browser, checked: a token we made, a clean name."""
    data = data if isinstance(data, dict) else {}
    token, name, size = data.get("token"), data.get("name"), data.get("size")
    if not (isinstance(token, str) and _TOKEN.fullmatch(token) and isinstance(name, str) and clean_name(name) == name):
        raise UploadError(_(UNKNOWN))
    return Staged(token, name, size if isinstance(size, int) and not isinstance(size, bool) else 0)


def head(settings: Settings, staged: Staged) -> tuple[bytes, Limits]:
    """What a request reads of a staged file, and within which limits: a text file's first
    PREVIEW_BYTES (cut after its last whole line), a workbook's first PREVIEW_SHEET_ROWS rows
    (a workbook cannot be cut: it is read, within its bound on the expanded size)."""
    try:
        with open(staged.path(settings), "rb") as fh:
            data = fh.read(PREVIEW_BYTES + 1)
            if is_workbook(data, staged.name):
                return data + fh.read(), Limits.of(settings, rows=PREVIEW_SHEET_ROWS)
    except OSError:   # gone (loaded, or abandoned), or never made
        raise UploadError(_(UNKNOWN)) from None
    if len(data) > PREVIEW_BYTES:
        data = data[:PREVIEW_BYTES]
        data = data[:data.rfind(b"\n") + 1] or data
    return data, Limits.of(settings)


def guess(settings: Settings, staged: Staged) -> str:
    """The profile that fits a staged file best (canonical when none fits, or when the file
    cannot be read: its preview says why)."""
    try:
        data, limits = head(settings, staged)
        found = sniff(staged.path(settings), extra=settings.profiles, data=data, name=staged.name, limits=limits)
    except (UploadError, ProfileError, OSError):
        return "canonical"
    return found.profile or "canonical"


def table_for(settings: Settings, staged: Staged, profile) -> str:
    """The table a staged file is loaded for: the profile's first, or the canonical file's."""
    chosen = named_profile(profile, settings.profiles)
    if not chosen.canonical:
        return next(iter(chosen.tables))
    data, limits = head(settings, staged)
    return canonical_table(read_sheet(staged.path(settings), data=data, name=staged.name, limits=limits).headers)


def preview(settings: Settings, staged: Staged, profile) -> Inspection:
    """What a staged file gives through a known profile (by its name), from its start only."""
    try:
        data, limits = head(settings, staged)
        chosen = named_profile(profile, settings.profiles)
    except (UploadError, ProfileError) as exc:
        return Inspection(staged.name, error=str(exc))
    return inspect_file(staged.path(settings), chosen, extra=settings.profiles, reject_budget=settings.reject_budget,
                        data=data, name=staged.name, limits=limits)


def start_load(settings: Settings, engine: Engine, files: list[tuple[Staged, str, str]],
               source: str | None, actor: Actor) -> Job:
    """Load staged files, each ``(staged, profile name, table)``, as one load in the background,
    by ``actor`` (for the audit trail); the files are deleted when it ends, whatever the outcome.
    Its steps and messages are in the requester's language (the thread has no request)."""
    if not files:
        raise UploadError(_("no file to load"))
    items = {}
    for staged, profile, table in files:
        if table in items:
            raise UploadError(_("two files for {table} in one load: load them one after the other",
                                table=table_label(table)))
        if not staged.path(settings).is_file():
            raise UploadError(_(UNKNOWN))
        items[table] = (staged.path(settings), named_profile(profile, settings.profiles))
    key, lang = load_key(settings.key_path), current()

    def work(on_step):
        try:
            with using(lang):
                reports = load(engine, items, source=source or None, key=key, reject_budget=settings.reject_budget,
                               on_step=on_step, actor=actor, limits=Limits.of(settings))
                after_load(engine, settings)        # the alerts the new data raise (told by the scheduler)
                return reports
        finally:
            for staged, _profile, _table in files:
                discard(settings, staged)
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
