"""Pilotage: the Dash application shell. Pages live in ``pages/``; nothing is read at import.

    python app.py        serves on PILOTAGE_HOST:PILOTAGE_PORT (default 127.0.0.1:8050)
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Dash, html

import settings as settings_module
from data.db import engine
from metrics import rollups
from settings import Settings

TITLE = "Pilotage"


def navbar() -> dbc.Navbar:
    links = [dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="exact"))
             for page in dash.page_registry.values() if page.get("nav", True)]
    return dbc.Navbar(
        dbc.Container([dbc.NavbarBrand(TITLE, href="/"), dbc.Nav(links, navbar=True)], fluid=True),
        color="primary", dark=True, className="mb-3")


_app: Dash | None = None


def create_app(settings: Settings | None = None) -> Dash:
    """The app, with these settings (default: the environment's).

    There is one app per process: the pages' callbacks are declared once, with
    ``dash.callback``, and attach to the first app built.
    """
    global _app
    if settings is not None:
        settings_module.activate(settings)
    if _app is None:
        _app = _build()
    return _app


def _build() -> Dash:
    # the Bootstrap theme is served from assets/vendor: no request leaves the machine
    # a page's layout depends on the data (no client, no data yet: a message instead of the
    # controls), so the callbacks' ids cannot all be checked against the layouts at start-up
    app = Dash(__name__, use_pages=True, title=TITLE, suppress_callback_exceptions=True)
    # the server refuses a request past the upload limit (an upload travels base64: 4/3 larger)
    app.server.config["MAX_CONTENT_LENGTH"] = int(settings_module.active().max_upload_mb * 1024 * 1024 * 4 / 3) + 2**20
    app.layout = html.Div([
        navbar(),
        dbc.Container(dash.page_container, fluid=True, className="pb-4"),
    ])
    app.server.add_url_rule("/api/summary", "summary", api_summary)
    return app


def api_summary():
    """``metrics summary`` answered by the dashboard, for the command line while the
    dashboard holds the database: the same query keys as the command line's options
    (``from``, ``to``, a dimension's values repeated or comma-separated, ``by``), the same
    JSON, and the notes beside it."""
    import json

    from flask import Response, request

    from metrics.query import DIMENSIONS, GROUPINGS, Scope
    from metrics.summary import summary

    settings = settings_module.active()
    try:
        filters = {d: [v for item in request.args.getlist(d) for v in item.split(",") if v] for d in DIMENSIONS}
        by = request.args.get("by") or None
        if by is not None and by not in GROUPINGS:
            raise ValueError(f"unknown grouping {by!r}; known: {', '.join(GROUPINGS)}")
        scope = Scope.of(request.args.get("from", ""), request.args.get("to", ""), **filters)
        result, notes = summary(engine(settings.db), scope, by, settings.kpi)
        status, body = 200, {"result": result, "notes": notes}
    except ValueError as exc:
        status, body = 400, {"error": str(exc)}
    # the keys in the registry's order, as the command line prints them
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


def main() -> None:
    from waitress import serve

    from data.inbox import watch
    settings = settings_module.active()
    app = create_app(settings)
    rollups.ensure(engine(settings.db), settings.kpi)   # before the first page, not during it
    watch(settings)
    print(f"Pilotage on http://{settings.host}:{settings.port} (database {settings.db}; "
          f"extracts dropped in {settings.inbox_path} are loaded within {settings.inbox_every:g} s)")
    serve(app.server, host=settings.host, port=settings.port, threads=8)


if __name__ == "__main__":
    main()
