"""The people who sign in: a name, a role, the clients or teams the role is limited to, and an
argon2id hash of the password (memory-hard; the password itself is never stored or logged).

Every change is written through ``writing`` (the data's generation moves, so the running
dashboard sees it at once) and noted in the audit trail.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from data.audit import Actor, record
from data.db import frame, generation, writing
from i18n import _

ROLES = ("admin", "director", "team_lead", "client")
MIN_PASSWORD = 10            # characters
_HASHER = PasswordHasher()   # argon2id, 64 MiB, 3 passes
_DUMMY = _HASHER.hash("a password nobody has")   # checked for unknown names, so both take as long


class UserError(ValueError):
    """A user that cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    clients: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    changed_at: datetime | None = None     # when the password or role last changed


def _checked(name: str, role: str, clients, teams, password: str | None) -> tuple:
    name = (name or "").strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise UserError(_("a user name is 1 to 64 characters, without spaces"))
    if role not in ROLES:
        raise UserError(_("unknown role {role!r}; roles: {roles}", role=role, roles=", ".join(ROLES)))
    clients = tuple(sorted({c.strip() for c in clients or () if c.strip()}))
    teams = tuple(sorted({t.strip() for t in teams or () if t.strip()}))
    if role == "client" and not clients:
        raise UserError(_("a client user needs the client(s) it may see: --client NAME"))
    if role != "client" and clients:
        raise UserError(_("only a client user is limited to clients"))
    if role != "team_lead" and teams:
        raise UserError(_("only a team lead is limited to teams"))
    if password is not None and len(password) < MIN_PASSWORD:
        raise UserError(_("a password has at least {n} characters", n=MIN_PASSWORD))
    return name, clients, teams


def add_user(engine: Engine, name: str, role: str, password: str, clients=(), teams=(),
             actor: Actor | None = None) -> User:
    name, clients, teams = _checked(name, role, clients, teams, password)
    now = datetime.now()
    with writing(engine) as conn:
        if conn.execute(sa.text("SELECT count(*) FROM users WHERE name = :n"), {"n": name}).scalar():
            raise UserError(_("user {name} exists already", name=name))
        conn.execute(sa.text("INSERT INTO users VALUES (:n, :r, :c, :t, :h, :at, :at)"),
                     {"n": name, "r": role, "c": json.dumps(clients), "t": json.dumps(teams),
                      "h": _HASHER.hash(password), "at": now})
        record(conn, actor or Actor(None), "user_added", user=name, role=role, clients=clients, teams=teams)
    return User(name, role, clients, teams, now)


def remove_user(engine: Engine, name: str, actor: Actor | None = None) -> None:
    with writing(engine) as conn:
        conn.execute(sa.text("DELETE FROM user_languages WHERE name = :n"), {"n": name})
        if not conn.execute(sa.text("DELETE FROM users WHERE name = :n RETURNING name"), {"n": name}).fetchall():
            raise UserError(_("no user {name}", name=name))
        record(conn, actor or Actor(None), "user_removed", user=name)


def set_password(engine: Engine, name: str, password: str, actor: Actor | None = None) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise UserError(_("a password has at least {n} characters", n=MIN_PASSWORD))
    with writing(engine) as conn:
        done = conn.execute(sa.text("UPDATE users SET password_hash = :h, changed_at = :at WHERE name = :n RETURNING name"),
                            {"h": _HASHER.hash(password), "at": datetime.now(), "n": name}).fetchall()
        if not done:
            raise UserError(_("no user {name}", name=name))
        record(conn, actor or Actor(None), "password_changed", user=name)


_read: dict = {}


def users(engine: Engine) -> list[User]:
    """Every user, by name (read once per data generation: every request asks who signs in)."""
    key = (str(engine.url), generation())
    if key not in _read:
        with engine.connect() as conn:
            rows = frame(conn, "SELECT name, role, clients, teams, changed_at FROM users ORDER BY name")
        _read.clear()
        _read[key] = [User(r.name, r.role, tuple(json.loads(r.clients)), tuple(json.loads(r.teams)),
                           r.changed_at.to_pydatetime()) for r in rows.itertuples(index=False)]
    return list(_read[key])


def user(engine: Engine, name: str) -> User | None:
    return next((u for u in users(engine) if u.name == name), None)


def language_of(engine: Engine, name: str) -> str | None:
    """The language a user chose, None before they choose one."""
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT lang FROM user_languages WHERE name = :n"), {"n": name}).scalar()


def set_language(engine: Engine, name: str, lang: str) -> None:
    with writing(engine) as conn:
        conn.execute(sa.text("INSERT OR REPLACE INTO user_languages VALUES (:n, :lang)"), {"n": name, "lang": lang})


def has_users(engine: Engine) -> bool:
    """Whether anyone can sign in."""
    return bool(users(engine))


def verify(engine: Engine, name: str, password: str) -> User | None:
    """The user whose name and password these are, else None; an unknown name costs as much
    time as a wrong password, so the answer tells neither."""
    with engine.connect() as conn:
        found = frame(conn, sa.text("SELECT password_hash FROM users WHERE name = :n"), {"n": (name or "").strip()})
    stored = found["password_hash"].iloc[0] if len(found) else _DUMMY
    try:
        _HASHER.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return None
    return user(engine, name.strip()) if len(found) else None
