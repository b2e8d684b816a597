"""Files and folders that hold the data (the database, its keys, staged uploads with raw
customer ids) are readable by their owner only: folders 0700, files 0600.

The modes are set explicitly rather than left to the umask. Only what is created here is
changed: a folder that already exists (a home folder, /tmp) keeps its mode.
"""
from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE, FILE_MODE = 0o700, 0o600


def private_folder(path: Path) -> Path:
    """A folder, created with its missing parents, each made readable by its owner only."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:   # made meanwhile by another thread or process
            continue
        os.chmod(folder, FOLDER_MODE)   # mkdir's mode goes through the umask
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write a new file readable by its owner only (an existing one is an error)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), FILE_MODE)
        fh.write(data)


def make_private(path: Path) -> None:
    """Make an existing file of ours readable by its owner only (one another program made,
    such as the database file DuckDB creates); a file of another user is left as it is."""
    path = Path(path)
    if path.is_file() and path.stat().st_uid == os.getuid():
        os.chmod(path, FILE_MODE)
