"""The page of an address that is none of Pilotage's."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.view import page_title
from i18n import N_, _

dash.register_page(__name__, path="/404", name=N_("Page not found"), title=page_title("Page not found"), nav=False)


def layout(**_query):
    return dbc.Alert([html.H4(_("Page not found"), className="alert-heading"),
                      html.P(_("This address is not a page of Pilotage.")),
                      dcc.Link(_("Back to the overview"), href="/")],
                     color="warning", className="mt-3", id="not-found")
