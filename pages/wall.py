"""The wallboard: a full-screen view for a screen on the contact-centre floor, readable from
5 m. Today (the latest day with data, or ``day=``) per queue (``by=client``: per client),
one after the other every ``every=`` seconds (default 15): the service level, the speed of
answer and the abandon rate so far against target, and the half-hours so far. It refreshes
itself and shows the data of each load as it commits (an extract dropped in the inbox); no
navigation bar, no controls: the page's root carries the ``wall-page`` class, which the
style sheet reads to leave the shell's bar and banners out."""
import dash
from dash import Input, Output, State, callback, dcc, html

from access.viewer import current
from components import inputs
from components import service as sv
from components import wall
from components.view import empty_state, open_view, page_title, state_store
from i18n import N_

# reached by its address (a screen's browser opens it once): not in the navigation bar
dash.register_page(__name__, path="/wall", name=N_("Wallboard"), title=page_title("Wallboard"), order=20,
                   nav=False)


def wall_query(query: dict) -> dict:
    """The daily service page's query (one channel, the phone unless another is chosen)."""
    from pages.service import service_query     # a page module: imported once Dash has loaded it
    return service_query(query)


def screen(query: dict):
    """The wall for a query, at a given tick of its interval."""
    view = open_view(wall_query(query))
    if not view.has_data:
        return view, None
    day = sv.chosen_day(view.state.extra, view.first, view.last)
    by = wall.wall_by(view.state.extra)
    return view, (wall.panels(view, day, by), day, by, view.state.filters.get("channel", (None,))[0])


def shown(parts, ticks: int):
    if parts is None:
        return empty_state()
    found, day, by, channel = parts
    return wall.render(found, wall.shown(len(found), ticks), by, day, channel)


def layout(**query):
    view, parts = screen(query)
    return html.Div([
        state_store("wall", view),
        dcc.Interval(id="wall-tick", interval=wall.wall_every(view.state.extra) * 1000),
        html.Div(shown(parts, 0), id="wall-body"),
    ], className="wall-page")


@callback(Output("wall-body", "children"), Input("wall-tick", "n_intervals"), State("wall-state", "data"),
          prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.query)
def update_wall(ticks, query):
    """The next member, from the data of the latest load (the figures are worked out again
    only when a load has committed since)."""
    if not current().may_open("/wall"):      # a forged request from a role the page is not for
        return None
    _view, parts = screen(query)
    return shown(parts, ticks)
