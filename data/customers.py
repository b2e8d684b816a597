"""Customer ids are never stored: only a keyed hash (HMAC-SHA256) of them.

The key lives in a file outside the database, created on first use. The same id always
gives the same hash under one key, so first-contact resolution and repeat contacts work on
the hashes; without the key the hashes cannot be matched back to ids.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from data.files import private_folder


def load_key(path: Path) -> bytes:
    """The hashing key, created (readable by the owner only) if the file does not exist."""
    path = Path(path)
    if not path.exists():
        private_folder(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    key = path.read_text().strip()
    if len(key) < 32:
        raise ValueError(f"customer key file {path} is too short to be a key")
    return key.encode()


def hash_ids(ids: pd.Series, key: bytes) -> pd.Series:
    """Keyed hashes of customer ids (None stays None); each distinct id is hashed once."""
    codes, distinct = pd.factorize(ids)
    hashed = np.array([hmac.new(key, str(v).encode(), hashlib.sha256).hexdigest()[:32] for v in distinct]
                      + [None], dtype=object)
    return pd.Series(hashed[codes], index=ids.index, dtype=object)   # code -1 (no id) takes the None
