"""Pilotage: the Dash application shell. Pages live in ``pages/``; nothing is read at import.

    python app.py        serves on PILOTAGE_HOST:PILOTAGE_PORT (default 127.0.0.1:8050)
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import sqlalchemy as sa
from dash import Dash, Input, Output, State, html

import settings as settings_module
from access import gate
from access.viewer import Viewer, current
import i18n
from access.roles import ROLE_NAMES
from components import errors, inputs
from components.alerts import visible as visible_alerts
from components.view import PAGES_LOCATION
from i18n import _, formats
from data.db import engine
from comments import store as comment_reads
from metrics import rollups
import warehouse
from settings import Settings

TITLE = "Pilotage"


def navbar(viewer: Viewer) -> dbc.Navbar:
    """The pages the viewer's role may open, who is signed in, and the language switch."""
    pages = [p for p in dash.page_registry.values() if p.get("nav", True) and viewer.may_open(p["path"])]
    links = [dbc.NavItem(dbc.NavLink(_(page["name"]), href=page["relative_path"], active="exact"))
             for page in pages if not page.get("manage")]
    managed = [dbc.DropdownMenuItem(_(page["name"]), href=page["relative_path"]) for page in pages if page.get("manage")]
    if managed:     # definitions, loading data, settings, users: one menu, so that the bar holds on one line
        links.append(dbc.DropdownMenu(managed, label=_("More"), nav=True, in_navbar=True, id="nav-manage"))
    if viewer.may_open("/alerts"):
        links.append(alerts_link(viewer))
    who = [] if viewer.local or viewer.name is None else [dbc.DropdownMenu([
        dbc.DropdownMenuItem(_(ROLE_NAMES[viewer.role]), header=True),
        dbc.DropdownMenuItem(_("Sign out"), href="/logout", external_link=True, id="nav-sign-out"),
    ], label=viewer.name, nav=True, in_navbar=True, align_end=True, id="nav-user", className="ms-2")]
    return dbc.Navbar(
        dbc.Container([dbc.NavbarBrand(TITLE, href="/"), dbc.Nav(links + who + [language_switch()], navbar=True)],
                      fluid=True),
        color="primary", dark=True, className="mb-3")


def alerts_link(viewer: Viewer) -> dbc.NavItem:
    """The open alerts the viewer may see, counted, as a link to their page."""
    try:
        count = len(visible_alerts(engine(settings_module.active().db), viewer))
    except sa.exc.DBAPIError:       # a database not made yet: no alert
        count = 0
    return dbc.NavItem(html.A(_("Alerts ({count})", count=formats.number(count)), href="/alerts", id="nav-alerts",
                              title=_("Open alerts"),
                              className="nav-link ms-2" + (" text-warning" if count else "")))


def language_switch() -> dbc.NavItem:
    """The other language, as a link to ``/lang`` (the page comes back in it: see
    ``access.language``); where to come back to is filled in by the browser."""
    other = next(lang for lang in i18n.LANGUAGES if lang != i18n.current())
    return dbc.NavItem(html.A(other.upper(), href=f"/lang?to={other}", id="nav-language", lang=other,
                              title=i18n.NAMES[other], className="nav-link small ms-3 language-switch"))


def shell():
    """The page around every view, made for the viewer of each page load."""
    viewer = current()
    banner = [dbc.Alert(_("Local mode: anyone on this machine can use Pilotage. To share it, add a user: "
                          "python -m data users add NAME --role admin (the password on standard input), "
                          "then sign in."), color="warning", className="py-1 px-3 small mb-0 rounded-0",
                        id="local-mode")] if viewer.local else []
    return html.Div(banner + [navbar(viewer), errors.banner(),
                              dbc.Container(dash.page_container, fluid=True, className="pb-4")])


def _guarded(layout, path: str):
    """A page's layout, or the reason the viewer may not open it (a page reached inside the
    app, without the server seeing its address)."""
    def guarded(**query):
        if not current().may_open(path):
            return dbc.Alert(_("This page is not open to your role. Ask an administrator if you need it."),
                             color="warning", className="mt-3", id="forbidden")
        return layout(**query) if callable(layout) else layout
    return guarded


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
    gate.configure(_app.server, settings_module.active())
    return _app


def _build() -> Dash:
    # the Bootstrap theme is served from assets/vendor: no request leaves the machine
    # a page's layout depends on the data (no client, no data yet: a message instead of the
    # controls), so the callbacks' ids cannot all be checked against the layouts at start-up
    app = Dash(__name__, use_pages=True, title=TITLE, suppress_callback_exceptions=True,
               on_error=errors.on_callback_error)
    # the server refuses a request past the upload limit (an upload travels base64: 4/3 larger)
    app.server.config["MAX_CONTENT_LENGTH"] = int(settings_module.active().max_upload_mb * 1024 * 1024 * 4 / 3) + 2**20
    app.layout = shell
    app.interpolate_index = lambda **parts: Dash.interpolate_index(app, **parts).replace(
        "<html>", f'<html lang="{i18n.current()}">', 1)
    # the switch comes back to the page shown, wherever the person went inside the app
    app.clientside_callback(
        """function(href, lang) {
            const url = new URL(href);
            return "/lang?to=" + lang + "&next=" + encodeURIComponent(url.pathname + url.search);
        }""",
        Output("nav-language", "href"), Input(PAGES_LOCATION, "href"), State("nav-language", "lang"))
    for page in dash.page_registry.values():
        page["layout"] = _guarded(page["layout"], page["path"])
    gate.install(app.server)
    app.server.before_request(refuse_malformed)
    app.server.register_error_handler(500, server_error)
    app.server.add_url_rule("/api/summary", "summary", api_summary)
    return app


def refuse_malformed():
    """A callback request of the wrong shape is answered 400 with the reason, before Dash
    reads it."""
    from flask import Response, request

    if request.method == "POST" and request.path.endswith("/_dash-update-component"):
        problem = inputs.malformed(request.get_json(silent=True), dash.get_app().callback_map, PAGES_LOCATION)
        if problem:
            return Response(problem, status=400, mimetype="text/plain")
    return None


def server_error(error):
    """Outside the callbacks (which report in the page): a short page with the error's id."""
    from flask import Response

    ref = errors.report(getattr(error, "original_exception", None) or error)
    return Response(_("Something went wrong (error {ref}). Tell your administrator this error number.", ref=ref),
                    status=500, mimetype="text/plain")


def api_summary():
    """``metrics summary`` answered by the dashboard, for the command line while the
    dashboard holds the database: the same query keys as the command line's options
    (``from``, ``to``, a dimension's values repeated or comma-separated, ``by``, ``survey``), the same
    JSON, and the notes beside it."""
    import json

    from flask import Response, request

    from metrics.query import DIMENSIONS, GROUPINGS, SURVEY_KINDS, Scope
    from metrics.summary import summary

    settings = settings_module.active()
    try:
        filters = {d: [v for item in request.args.getlist(d) for v in item.split(",") if v] for d in DIMENSIONS}
        by = request.args.get("by") or None
        if by is not None and by not in GROUPINGS:
            raise ValueError(f"unknown grouping {by!r}; known: {', '.join(GROUPINGS)}")
        survey = request.args.get("survey") or None
        if survey not in SURVEY_KINDS:
            raise ValueError(f"unknown survey kind {survey!r}; known: hot, cold")
        scope = Scope.of(request.args.get("from", ""), request.args.get("to", ""), **filters).with_survey(survey)
        result, notes = summary(engine(settings.db), scope.restricted(**current().restrictions), by, settings.kpi)
        status, body = 200, {"result": result, "notes": notes}
    except ValueError as exc:
        status, body = 400, {"error": str(exc)}
    # the keys in the registry's order, as the command line prints them
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


def main() -> None:
    from waitress import serve

    from components.imports import prune, staging_dir
    from data.inbox import watch
    from data.users import has_users
    settings = settings_module.active()
    if not has_users(engine(settings.db)) and not gate.is_loopback(settings.host):
        raise SystemExit(f"error: Pilotage has no user yet, so it serves this machine only (PILOTAGE_HOST="
                         f"{settings.host} is not): add a user first: python -m data users add NAME --role admin")
    app = create_app(settings)
    rollups.ensure(engine(settings.db), settings.kpi)   # before the first page, not during it
    comment_reads.ensure(engine(settings.db))           # read again with rules that changed
    if settings.engine_url:                             # the KPIs read on a distributed engine
        try:
            warehouse.attach(engine(settings.db), settings.engine_url, settings.lake_path)
        except Exception as exc:     # the driver's own errors too (a server that does not answer)
            raise SystemExit(f"error: PILOTAGE_ENGINE_URL={settings.engine_url}: the engine cannot be used: "
                             f"{str(exc).splitlines()[0][:300]}") from None
    prune(staging_dir(settings))                        # uploads a stopped server left behind
    watch(settings)
    print(f"Pilotage on http://{settings.host}:{settings.port} (database {settings.db}; "
          f"extracts dropped in {settings.inbox_path} are loaded within {settings.inbox_every:g} s)")
    serve(app.server, host=settings.host, port=settings.port, threads=8)


if __name__ == "__main__":
    main()
