"""Staffing: the agents each half-hour of a day needs (Erlang C, and Erlang A with the
observed patience) for its offered contacts and handle time, or the mean of the same weekday
over several weeks, against the channel's service-level target; the agents to schedule with
shrinkage; the what-if of a volume +x % and a handle time −y s. Staff only, reached from the
daily service page or by its address (not in the navigation bar)."""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from access.viewer import current
from components import inputs
from components import service as sv
from components import staffing as st
from components.charts import graph_config
from components.grids import fitted, grid
from components.view import (NAV_ID, empty_state, filled, filter_bar, href, nav_location, open_view, page_title,
                             state_store)
from components.responses import whole
from i18n import N_, _, ngettext

dash.register_page(__name__, path="/staffing", name=N_("Staffing"), title=page_title("Staffing"), order=21,
                   nav=False)
PATH = "/staffing"


def staffing_query(query: dict) -> dict:
    """The daily service page's query: one channel, the phone unless another is chosen."""
    from pages.service import service_query     # a page module: imported once Dash has loaded it
    return service_query(query)


def weeks_options(setting: int, shown: int) -> list[dict]:
    choices = sorted({*st.WEEKS_CHOICES, setting, shown})
    return [{"label": _("this day only") if w == 0 else
             ngettext("the same weekday, last {n} week", "the same weekday, last {n} weeks", w), "value": w}
            for w in choices if w != 1]


def _number_input(key: str, label: str, value: float, unit: str, step: float, low: float, high: float):
    return dbc.Col(dbc.InputGroup([
        dbc.InputGroupText(label),
        dbc.Input(id=f"staffing-{key}", type="number", value=value, step=step, min=low, max=high, debounce=True,
                  style={"maxWidth": "6rem"}),
        dbc.InputGroupText(unit),
    ], size="sm", className="flex-nowrap"), width="auto")


def layout(**query):
    view = open_view(staffing_query(query))
    if not view.has_data:
        return empty_state()
    day = sv.chosen_day(view.state.extra, view.first, view.last)
    what = st.what_if(view.state.extra, view.settings.shrinkage)
    return filled(html.Div([
        nav_location(),
        filter_bar(view, period=False, single=("channel",)),
        state_store("staffing", view),
        dbc.Row([
            dbc.Col(dbc.InputGroup([
                dbc.InputGroupText(_("Day")),
                dcc.DatePickerSingle(id="staffing-day", date=day, min_date_allowed=view.first,
                                     max_date_allowed=view.last, display_format="DD/MM/YYYY", first_day_of_week=1),
            ], size="sm", className="flex-nowrap"), width="auto"),
            dbc.Col(dcc.Dropdown(id="staffing-weeks", options=weeks_options(view.settings.staffing_weeks, what.weeks),
                                 value=what.weeks if what.weeks != 1 else 0, clearable=False, searchable=False,
                                 style={"minWidth": "16rem"}), width="auto"),
            _number_input("volume", _("Volume"), what.volume, "%", 1, -90, 500),
            _number_input("aht", _("AHT shorter by"), what.aht, "s", 1, -3600, 3600),
            _number_input("shrinkage", _("Shrinkage"), what.shrinkage, "%", 1, 0, 99),
        ], className="g-2 mb-2 align-items-center"),
        html.Div(refused_text(what), id="staffing-refused"),
        html.Div(id="staffing-summary"),
        html.Div([
            grid("staffing-intervals"),
            dbc.Row([
                dbc.Col(dcc.Graph(id="staffing-chart", config=graph_config()), lg=8),
                dbc.Col(dbc.Card(dbc.CardBody(id="staffing-notes")), lg=4),
            ], className="g-3 mt-1"),
        ], id="staffing-body"),
    ]), CONTENT, staffing_content, view.state.query())


# what the page shows of its view, filled in its layout (``staffing_content``'s values)
CONTENT = [("staffing-summary", "children"), ("staffing-intervals", "rowData"),
           ("staffing-intervals", "columnDefs"), ("staffing-intervals", "dashGridOptions"),
           ("staffing-intervals", "style"), ("staffing-chart", "figure"), ("staffing-notes", "children"),
           ("staffing-body", "style")]


def refused_text(what: st.WhatIf):
    if not what.refused:
        return None
    return dbc.Alert(_("Set aside (not a number within its bounds), its default used: {keys}",
                       keys=", ".join(what.refused)), color="warning", className="py-1 small")


@whole
def staffing_content(query):
    """The plan of the day the URL asks for, in the viewer's scope."""
    hidden = {"display": "none"}
    if not current().may_open(PATH):      # a forged request from a role the page is not for
        return None, [], [], *fitted([]), {}, None, hidden
    view = open_view(staffing_query(query))
    if not view.has_data:
        return empty_state(), [], [], *fitted([]), {}, None, hidden
    day = sv.chosen_day(view.state.extra, view.first, view.last)
    what = st.what_if(view.state.extra, view.settings.shrinkage)
    try:
        planned = st.staffing_plan(view, day, what)
    except ValueError as exc:     # a what-if that leaves no handle time, a target out of reach
        return dbc.Alert(str(exc), color="warning", id="staffing-error"), [], [], *fitted([]), {}, None, hidden
    rows = st.rows(planned)
    return (st.summary(planned, day, what.weeks), rows, st.columns(view, planned), *fitted(rows), st.chart(planned),
            st.notes(view, planned), None)


@callback(Output(NAV_ID, "href", allow_duplicate=True), Input("staffing-day", "date"),
          Input("staffing-weeks", "value"), Input("staffing-volume", "value"), Input("staffing-aht", "value"),
          Input("staffing-shrinkage", "value"), State("staffing-state", "data"), prevent_initial_call=True)
@inputs.takes(inputs.day, inputs.number, inputs.number, inputs.number, inputs.number, inputs.query)
def update_what_if(day, weeks, volume, aht, shrinkage, query):
    """A control changed writes the URL (a value left empty: its default)."""
    view = open_view(staffing_query(query))
    if view.last is None:
        return no_update
    shown = sv.chosen_day(view.state.extra, view.first, view.last)
    changes = {"day": day.isoformat() if day and day != shown else view.state.extra.get("day"),
               "weeks": _key(weeks, 0), "volume": _key(volume, 0), "aht": _key(aht, 0),
               "shrinkage": _key(shrinkage, view.settings.shrinkage)}
    new = {k: v for k, v in {**view.state.query(), **changes}.items() if v not in (None, "")}
    if new == {k: v for k, v in view.state.query().items() if v not in (None, "")}:
        return no_update
    return href(PATH, new)


def _key(value: float | None, default: float) -> str | None:
    """A control's value for the URL: none when it is the default or empty."""
    if value is None or value == default:
        return None
    return formats_plain(value)


def formats_plain(value: float) -> str:
    """A number as the URL holds it: ``5``, ``2.5``."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
