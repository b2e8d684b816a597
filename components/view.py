"""What every page shares: opening the view of a URL, the filter bar, and writing state back
to the URL.

A page's ``layout(**query)`` calls ``open_view(query)`` (settings, database, the period the
URL asks for), lays out ``filter_bar(view)`` (its options found in the view), its own controls
with ids from ``control_id(key)`` and a ``state_store(page, view)`` for the callbacks of its
buttons, clicks and downloads, and fills its content in (``filled``), so that the page shows
with the layout's own response. Any change of a control writes the URL (``nav`` location),
which lays the page out again: the URL is the state, and the back button walks back through
every step.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urlencode

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from sqlalchemy.engine import Engine

from components.state import FILTER_KEYS, PRESETS, ViewState, preset_period, which_preset
from data.db import engine
from data.targets import stored_targets
from access.viewer import Viewer, current
from metrics import maturity, rollups
from metrics.maturity import Maturity
from metrics.intervals import interval_note
from metrics.query import Scope, data_extent, dimension_values
from metrics.targets import merge_targets
from i18n.labels import channel_label
from i18n import N_, _
from settings import Settings, active
from components import errors, inputs

# The Location that callbacks write the URL to. Each page lays out its own (``nav_location``):
# Dash honours ``prevent_initial_call`` only when a callback's outputs arrive with its
# inputs, so a button's callback must not write to a Location of the app's shell, or laying
# out the page would call it as if the button had been clicked.
NAV_ID = "nav"
PAGES_LOCATION = "_pages_location"
# page keys that a change of a control makes meaningless (a new `by` starts a new drill path)
RESETS = {"by": ("path",)}
# the page controls' keys (``control_id``): explore's, focus's, the overview's, the campaigns'
CONTROL_KEYS = ("by", "cols", "kpi", "sort", "dim", "dkpi", "pkpi", "show", "category")
FILTER_LABELS = {"channel": N_("Channel"), "client": N_("Client"), "queue": N_("Queue"),
                 "campaign": N_("Campaign"), "team": N_("Team"), "agent": N_("Agent")}


def page_title(name: str):
    """A page's title in the browser's tab, in the language of each visit."""
    return lambda **_query: f"Pilotage – {_(name)}"


def control_id(key: str) -> dict:
    """Id of a page control whose ``value`` is written to the URL under ``key`` (one of
    ``CONTROL_KEYS``: the others are not read)."""
    return {"role": "control", "key": key}


def filter_id(key: str) -> dict:
    return {"role": "filter", "key": key}


@dataclass(frozen=True)
class View:
    """A page's view: settings, database, the data's extent and the URL's state."""

    settings: Settings
    db: Engine
    first: date | None  # the first and latest day with data the viewer may see
    last: date | None
    state: ViewState
    targets: dict       # the settings file's targets with the users' on top
    viewer: Viewer      # who is looking: their restrictions narrow every scope

    @property
    def has_data(self) -> bool:
        return self.last is not None

    @property
    def maturity(self) -> Maturity:
        """Which contacts count for FCR and repeats: the first and latest day of all the data."""
        return Maturity(*maturity.span(self.db), self.settings.kpi.repeat_window_h)

    def scope(self, survey: str | None = "hot", **changes) -> Scope:
        """The state's scope (``changes`` override filters), with the viewer's restrictions:
        the one way a page's queries are scoped. Its answers are the hot ones, about a contact,
        unless ``survey`` says otherwise (``cold``: the barometer's; None: both): a barometer's
        NPS is not the contacts'."""
        scope = self.state.scope().restricted(**self.viewer.restrictions).with_survey(survey)
        return scope.with_filters(**changes) if changes else scope


def open_view(query: dict | None) -> View:
    """The view of a page's query for the viewer of the request (``access.viewer.current``):
    the browser says what to show, the server's session what may be seen."""
    return view_for(active(), current(), query)


def view_for(settings: Settings, viewer: Viewer, query: dict | None) -> View:
    """The view of a query for a viewer: a page's (``open_view``), or a report's made without
    a request."""
    db = engine(settings.db)
    rollups.ensure(db, settings.kpi)    # built for these settings (at once when they are)
    first, last = data_extent(db, Scope(date.min, date.max).restricted(**viewer.restrictions))
    return View(settings, db, first, last, ViewState.from_query(query or {}, (first, last)),
                merge_targets(settings.targets, stored_targets(db)), viewer)


def detail_in_url(page: str, grid_id: str, modal_id: str, key: str) -> None:
    """The two callbacks of a page's detail window kept in the URL under ``key`` (a copied link
    opens it): a click on a row of ``grid_id`` writes the row's id there, closing ``modal_id``
    takes it away. The page's state store is ``<page>-state``."""
    state = State(f"{page.strip('/')}-state", "data")

    @callback(Output(NAV_ID, "href", allow_duplicate=True), Input(grid_id, "cellClicked"), state,
              prevent_initial_call=True)
    @inputs.takes(inputs.cell, inputs.query)
    def update_open_detail(row_id, query):
        if not row_id:
            return no_update
        return href(page, open_view(query).state.query(**{key: row_id}))

    @callback(Output(NAV_ID, "href", allow_duplicate=True), Input(modal_id, "is_open"), state,
              prevent_initial_call=True)
    @inputs.takes(inputs.flag, inputs.query)
    def update_close_detail(is_open, query):
        if is_open or not query.get(key):
            return no_update
        return href(page, open_view(query).state.query(**{key: None}))


def nav_location() -> dcc.Location:
    """The page's own Location, for its callbacks to write the URL to (see ``NAV_ID``)."""
    return dcc.Location(id=NAV_ID, refresh="callback-nav")


def filled(tree, outputs: list[tuple[str, str]], content, query: dict):
    """The page's layout with its content in it: each output (a component's id and property)
    set to what ``content(query)`` gives, in that order, so the page shows with the layout's
    own response, each graph drawn once with its data. An error no check foresaw leaves the
    content empty and is told in the page's banner, the page around it still there."""
    try:
        values = content(query)
    except Exception as error:     # noqa: BLE001 (the last resort: logged with an id, shown)
        errors.on_callback_error(error)
        return tree
    components = {c.id: c for c in [tree, *tree._traverse()] if isinstance(getattr(c, "id", None), str)}
    for (component_id, prop), value in zip(outputs, values, strict=True):
        if value is not no_update:
            setattr(components[component_id], prop, value)
    return tree


def state_store(page: str, view: View) -> dcc.Store:
    """The resolved query of the page, for its callbacks (clicks, downloads, forms)."""
    return dcc.Store(id=f"{page}-state", data=view.state.query())


def filter_bar(view: View, period: bool = True, single: tuple[str, ...] = ()) -> dbc.Card:
    """The period and the filters; a page about one day keeps the period hidden, and a page
    about one channel at a time makes its channel filter take one value (``single``)."""
    state = view.state
    preset = which_preset(state.start, state.end, view.last) if view.last else "custom"
    period = dbc.Col([
        dbc.Label(_("Period"), html_for="period-preset", className="small text-muted mb-0"),
        dbc.InputGroup([
            dcc.Dropdown(id="period-preset", options=[{"label": _(v), "value": k} for k, v in PRESETS.items()],
                         value=preset, clearable=False, searchable=False, style={"minWidth": "11rem"}),
            dcc.DatePickerRange(id="period-range", start_date=state.start, end_date=state.end,
                                min_date_allowed=view.first, max_date_allowed=view.last,
                                display_format="DD/MM/YYYY", first_day_of_week=1,
                                minimum_nights=0),
        ], size="sm", className="flex-nowrap"),
    ], width="auto", style=None if period else {"display": "none"})
    options = filter_options(view)
    filters = [
        dbc.Col([
            dbc.Label(_(FILTER_LABELS[key]), className="small text-muted mb-0"),
            dcc.Dropdown(id=filter_id(key), multi=key not in single, placeholder=_("All"),
                         clearable=key not in single,
                         value=(state.filters.get(key, (None,))[0] if key in single
                                else list(state.filters.get(key, ()))),
                         options=options[key]),
        ], xs=6, md=4, lg=True)
        for key in FILTER_KEYS
    ]
    mixed = interval_note(view.db, view.scope(), view.settings.kpi) if view.has_data else None
    return dbc.Card(dbc.CardBody([
        dbc.Row([period] + filters, className="g-2 align-items-end"),
        html.Div(mixed, id="interval-note", className="small text-muted mt-2") if mixed else None,
    ]), className="mb-3 filter-bar")


def filter_options(view: View) -> dict[str, list[dict]]:
    """Each filter's options: the values found in the view's period and scope (the selected
    ones kept, found or not), laid out with the filter bar."""
    found = dimension_values(view.db, view.scope(), list(FILTER_KEYS)) if view.has_data else {}
    out = {}
    for key in FILTER_KEYS:
        pairs = found.get(key, [])
        pairs = pairs if key == "agent" else [(v, option_label(key, v)) for v in pairs]
        options = [{"label": label if label == value or key == "channel" else f"{label} ({value})", "value": value}
                   for value, label in pairs]
        known = {o["value"] for o in options}
        out[key] = options + [{"label": option_label(key, v), "value": v}
                              for v in view.state.filters.get(key, ()) if v not in known]
    return out


def option_label(key: str, value: str) -> str:
    """What a filter's option reads: a channel's name, any other value as the data has it."""
    return channel_label(value) if key == "channel" else value


def keys_of(items, known: tuple[str, ...] = FILTER_KEYS) -> list[str | None]:
    """The keys of a pattern's components (``filter_id``, ``control_id``), as Dash lists
    them in a request: None for an id of another shape or an unknown key."""
    items = items if isinstance(items, list) else []
    return [i["id"].get("key") if isinstance(i, dict) and isinstance(i.get("id"), dict)
            and i["id"].get("key") in known else None for i in items]


def query_from_controls(current: dict, trigger, preset: str | None, start: str | None,
                        end: str | None, filters: dict, controls: dict, last: date | None) -> dict:
    """The new query string of a page after a control changed (a plain function).

    ``trigger`` is the id of the period control that changed, or the key of the filter or
    page control."""
    query = dict(current)
    if trigger == "period-preset" and preset in PRESETS and preset != "custom" and last:
        start_d, end_d = preset_period(preset, last)
        start, end = start_d.isoformat(), end_d.isoformat()
    if start and end:
        query["from"], query["to"] = str(start)[:10], str(end)[:10]
    for key in FILTER_KEYS:
        values = filters.get(key)
        if values:
            query[key] = values if isinstance(values, str) else ",".join(values)   # one value, or several
        else:
            query.pop(key, None)
    for key, value in controls.items():
        if value in (None, "", []):
            query.pop(key, None)
        else:
            query[key] = ",".join(value) if isinstance(value, list) else str(value)
    if query != current:  # a new view: back to its first page, no contact open
        for key in ("page", "contact") + RESETS.get(trigger, ()):
            query.pop(key, None)
    return query


def href(pathname: str, query: dict) -> str:
    return f"{pathname}?{urlencode(query, safe=',')}"


@callback(
    Output(NAV_ID, "href", allow_duplicate=True),
    Input("period-preset", "value"),
    Input("period-range", "start_date"),
    Input("period-range", "end_date"),
    Input(filter_id(ALL), "value"),
    Input(control_id(ALL), "value"),
    State(PAGES_LOCATION, "pathname"),
    State(PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
@inputs.takes(inputs.text, inputs.day, inputs.day, inputs.each(inputs.choice), inputs.each(inputs.choice),
              inputs.text, inputs.text)
def update_url(preset, start, end, filter_values, control_values, pathname, search):
    """Write the controls to the URL; the page re-renders from it."""
    if len(ctx.triggered) > 1:  # a page being laid out, not a person changing a control
        return no_update
    current = inputs.query(dict(parse_qsl((search or "").lstrip("?"))))
    filters = {k: v for k, v in zip(keys_of(ctx.inputs_list[3]), filter_values) if k}
    controls = {k: v for k, v in zip(keys_of(ctx.inputs_list[4], CONTROL_KEYS), control_values) if k}
    trigger = ctx.triggered_id
    trigger = trigger.get("key") if isinstance(trigger, dict) else trigger if isinstance(trigger, str) else None
    last = open_view(current).last if trigger == "period-preset" else None
    query = query_from_controls(current, trigger, preset, start, end, filters, controls, last)
    if query == current:
        return no_update
    return href(pathname or "/", query)


def empty_state(message: str | None = None) -> dbc.Alert:
    """A page without data to show: the message, by default how to load some."""
    return dbc.Alert(message or _("No data yet: load extracts with `python -m data load`, "
                                  "or build a demo with `python -m data demo`."), color="info", className="mt-3")
