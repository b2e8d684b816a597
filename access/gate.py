"""The one gate every request to the server goes through, and sign-in.

- **Local mode**: while no user exists, the dashboard serves this machine only, as the local
  user (who may do everything), and says so in a banner.
- Once a user exists, a request that is not signed in is sent to ``/login`` (a page) or
  answered 401 with no data (a callback, ``/api/...``); a page the viewer's role may not open
  is answered 403 with a page that says so.
- ``GET /login`` is a form (``username``, ``password`` and a ``csrf_token``); ``POST /login``
  signs in with a session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS) signed with a
  key kept in a file beside the database's key (created on first use, mode 0600). A failed
  sign-in does not say which of the two was wrong; repeated failures wait longer and longer,
  per user name and per address. A sign-in lasts ``session_hours``; changing a password ends
  the sessions of that user.
"""
from __future__ import annotations

import hmac
import json
import ipaddress
import os
import secrets
import threading
import time
from urllib.parse import quote
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from flask import Flask, Response, g, redirect, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from markupsafe import escape

from access import http, language
from i18n import LANGUAGES, _, current, formats
from access.viewer import LOCAL, NOBODY, Viewer
from data.audit import Actor, record
from data.db import engine
from data.files import private_folder
from data.users import User, has_users, user, verify
from settings import Settings, active

OPEN_PATHS = ("/login", "/logout", "/lang", "/_favicon.ico")
STATIC = ("/assets/", "/_dash-component-suites/")      # code and styles: no data


class _Sessions(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return request.is_secure


class _SignedIn(UserMixin):
    def __init__(self, found: User):
        self.user, self.id = found, found.name


def _stamp(found: User) -> str:
    return found.changed_at.isoformat() if found.changed_at else ""


def secret_key(path: Path) -> bytes:
    """The key that signs sessions: read, or made on first use, readable by its owner only."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        private_folder(path.parent)
        key = secrets.token_hex(32).encode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:   # another process made it first
            return path.read_bytes()
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        return key


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return address == "localhost"


class Throttle:
    """Failed sign-ins per key (a user name, an address): after ``free`` failures within
    ``window`` seconds, each next attempt waits twice as long as the one before (capped)."""

    def __init__(self, free: int = 5, window: float = 900, cap: float = 300):
        self.free, self.window, self.cap = free, window, cap
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def wait(self, *keys: str) -> float:
        """Seconds before another attempt is taken for these keys (0: now)."""
        now = time.monotonic()
        with self._lock:
            waits = []
            for key in keys:
                recent = [t for t in self._failures.get(key, []) if now - t < self.window]
                self._failures[key] = recent
                if len(recent) >= self.free:
                    waits.append(max(0.0, recent[-1] + min(self.cap, 2.0 ** (len(recent) - self.free)) - now))
            return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, []).append(time.monotonic())

    def succeeded(self, name_key: str) -> None:
        with self._lock:
            self._failures.pop(name_key, None)


THROTTLE = Throttle()


def _address() -> str | None:
    return request.remote_addr


def _viewer() -> Viewer:
    """The request's viewer (see the module)."""
    db = engine(active().db)
    if not has_users(db):
        return replace(LOCAL, address=_address()) if is_loopback(_address()) else NOBODY
    if not current_user.is_authenticated:
        return NOBODY
    u = current_user.user
    return Viewer(u.name, u.role, u.clients, u.teams, _address())


def _page(path: str) -> str:
    return path.rstrip("/") or "/"


def gate():
    """Before every request: who is asking, and whether they may (see the module)."""
    path = request.path
    g.viewer = viewer = _viewer()
    if path.startswith(STATIC) or path in OPEN_PATHS:
        return None
    if viewer is NOBODY:
        if not has_users(engine(active().db)):
            return _message(_("Local mode"), _("Pilotage has no user yet, so it serves this machine only. Add a "
                                               "user to share it: python -m data users add NAME --role admin"), 403)
        if path.startswith(("/_dash-", "/api/")):
            return Response(json.dumps({"error": _("sign in first")}, ensure_ascii=False), status=401,
                            mimetype="application/json")
        return redirect(f"/login?next={path}")
    if not path.startswith(("/_dash-", "/api/")) and not viewer.may_open(_page(path)):
        return _message(_("Not for your role"), _("This page is not open to your role. Ask an administrator if "
                                                   "you need it."), 403)
    return None


def _message(title: str, text: str, status: int) -> Response:
    body = (f"<!doctype html><html lang='{current()}'><head><meta charset='utf-8'><title>Pilotage – {escape(title)}</title>"
            "<link rel='stylesheet' href='/assets/vendor/bootstrap-flatly.min.css'></head>"
            f"<body class='p-4'><h2>{escape(title)}</h2><p>{escape(text)}</p><p><a href='/'>Pilotage</a></p>"
            "</body></html>")
    return Response(body, status=status, mimetype="text/html")


def _safe_next(target: str | None) -> str:
    """Where to go once signed in: a path of this site only."""
    target = target or "/"
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _form(next_path: str, message: str = "", status: int = 200) -> Response:
    session["csrf"] = session.get("csrf") or secrets.token_urlsafe(32)
    note = f"<div class='alert alert-danger py-2' id='login-error'>{escape(message)}</div>" if message else ""
    other = next(lang for lang in LANGUAGES if lang != current())
    sign_in, user_name, password = _("Sign in"), _("User name"), _("Password")   # looked up outside the template
    body = f"""<!doctype html><html lang="{current()}"><head><meta charset="utf-8"><title>Pilotage – {sign_in}</title>
<link rel="stylesheet" href="/assets/vendor/bootstrap-flatly.min.css"></head>
<body class="bg-light"><main class="container" style="max-width: 24rem; margin-top: 12vh">
<h1 class="h3 mb-3">Pilotage <a class="small float-end fs-6 mt-2" id="login-language" lang="{other}"
href="/lang?to={other}&amp;next={escape(quote("/login?next=" + next_path))}">{other.upper()}</a></h1>{note}
<form method="post" action="/login" id="login-form">
<input type="hidden" name="csrf_token" value="{escape(session['csrf'])}">
<input type="hidden" name="next" value="{escape(next_path)}">
<div class="mb-2"><label class="form-label" for="username">{user_name}</label>
<input class="form-control" id="username" name="username" autocomplete="username" required autofocus></div>
<div class="mb-3"><label class="form-label" for="password">{password}</label>
<input class="form-control" id="password" name="password" type="password" autocomplete="current-password" required></div>
<button class="btn btn-primary w-100" type="submit" id="login-submit">{sign_in}</button></form></main></body></html>"""
    return Response(body, status=status, mimetype="text/html")


def login():
    next_path = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return _form(next_path)
    expected = session.get("csrf")
    if not expected or not hmac.compare_digest(str(expected), str(request.form.get("csrf_token", ""))):
        return _form(next_path, _("The form had expired: sign in again."), 400)
    name = request.form.get("username", "").strip()[:64]
    keys = (f"user:{name.lower()}", f"address:{_address()}")
    db = engine(active().db)
    wait = THROTTLE.wait(*keys)
    if wait:
        return _form(next_path, _("Too many failed attempts: wait {wait} and try again.", wait=formats.duration(wait)),
                     429)
    found = verify(db, name, request.form.get("password", ""))
    if found is None:
        THROTTLE.failed(*keys)
        record(db, Actor(name or None, _address()), "sign_in_failed")
        return _form(next_path, _("Wrong user name or password."), 401)
    THROTTLE.succeeded(keys[0])
    session.clear()                       # a new session for a new sign-in
    session.permanent = True
    session["stamp"] = _stamp(found)
    login_user(_SignedIn(found))
    record(db, Actor(found.name, _address()), "sign_in")
    return language.signed_in(redirect(next_path), found.name)


def logout():
    if current_user.is_authenticated:
        record(engine(active().db), Actor(current_user.id, _address()), "sign_out")
    logout_user()
    session.clear()
    return redirect("/login")


def configure(server: Flask, settings: Settings) -> None:
    """The server's session settings for these settings: the signing key (beside the database's
    key), how long a sign-in lasts, the reverse proxies trusted."""
    server.secret_key = secret_key(settings.secret_path)
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                         PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours))
    wsgi = getattr(server, "_pilotage_wsgi", server.wsgi_app)
    server._pilotage_wsgi = wsgi
    if settings.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix
        server.wsgi_app = ProxyFix(wsgi, x_for=settings.proxies, x_proto=settings.proxies, x_host=settings.proxies)
    else:
        server.wsgi_app = wsgi


def install(server: Flask) -> None:
    """The host check and headers (``access.http``), sessions, sign-in and the gate on the
    app's server (once)."""
    http.install(server)
    server.session_interface = _Sessions()
    manager = LoginManager()
    manager.init_app(server)

    @manager.user_loader
    def _load(name: str):
        found = user(engine(active().db), name)
        return _SignedIn(found) if found and session.get("stamp") == _stamp(found) else None

    server.before_request(gate)
    server.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", logout, methods=["GET", "POST"])
    server.add_url_rule("/lang", "lang", language.switch)
