"""What every HTTP answer of the server carries, and which ``Host`` it answers to.

- **Hosts.** A request whose ``Host`` header is not one of the allowed names is answered 400
  before anything else is done: a web page elsewhere cannot make a browser reach the
  dashboard under the page's own name (DNS rebinding). The names are the address the server
  listens on, this machine's own names (``localhost``, ``127.0.0.1``, ``::1``: a browser
  only sends them to this machine, and the command line's ``--server`` uses them) and those
  of the ``allowed_hosts`` setting (``PILOTAGE_ALLOWED_HOSTS``, the names users type when a
  reverse proxy stands in front). A name without a port allows every port; ``name:port``
  allows that port only.
- **Headers.** Every answer says: never show me in a frame (``X-Frame-Options`` and the
  policy's ``frame-ancestors``), take my content types as given (``X-Content-Type-Options``),
  send other sites no address of mine (``Referrer-Policy``), and a Content-Security-Policy:
  scripts, styles, images, fonts and requests from this server only. The inline scripts Dash
  writes into its page (its renderer, the clientside callbacks) are allowed by their hashes,
  no other inline script; inline styles are allowed (Dash's components and Plotly set them);
  images may also be ``data:`` URLs (Bootstrap draws its icons so).
"""
from __future__ import annotations

from flask import Flask, Response, request

from settings import Settings, active

LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
POLICY = ("default-src 'self'; script-src 'self' {scripts}; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
          "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def allowed_hosts(settings: Settings) -> tuple[str, ...]:
    """The ``Host`` names the server answers to (see the module), lower case."""
    names = (settings.host, *LOCAL_NAMES, *settings.allowed_hosts)
    return tuple(h.strip().lower() for h in names if h.strip())


def split_host(host: str) -> tuple[str, str | None]:
    """A ``Host`` header as its name and its port (None without one): ``[::1]:8050`` gives
    ``("::1", "8050")``."""
    host = host.strip().lower()
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        return name, rest[1:] if rest.startswith(":") else None
    if host.count(":") == 1:
        name, port = host.split(":")
        return name, port
    return host, None


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    name, port = split_host(host)
    name = name.rstrip(".")
    for entry in allowed:
        want_name, want_port = split_host(entry)
        if name == want_name.rstrip(".") and (want_port is None or want_port == port):
            return True
    return False


def check_host():
    """Before every request: a foreign ``Host`` gets a short 400."""
    if not host_allowed(request.host, allowed_hosts(active())):
        return Response("Unknown host: this server answers to its own names only (PILOTAGE_ALLOWED_HOSTS).",
                        status=400, mimetype="text/plain")
    return None


def policy() -> str:
    """The Content-Security-Policy, with the hashes of the app's inline scripts."""
    import dash
    from dash.exceptions import AppNotFoundError

    try:
        scripts = " ".join(dash.get_app().csp_hashes())
    except AppNotFoundError:   # a bare server: no inline script is allowed
        scripts = ""
    return POLICY.format(scripts=scripts).replace("'self' ;", "'self';")


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy", policy())
    return response


def install(server: Flask) -> None:
    """The host check (before any other check) and the headers, on the app's server."""
    server.before_request(check_host)
    server.after_request(add_headers)
