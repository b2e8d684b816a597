"""Administration (admins only): the people who sign in, and the audit trail of every change
and sign-in, with filters."""
from datetime import date

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from access.viewer import require
from components.grids import grid
from data.audit import ACTIONS, trail
from data.db import engine
from data.users import MIN_PASSWORD, ROLES, UserError, add_user, remove_user, set_password, users
from settings import active
from components import inputs
from access.roles import ROLE_NAMES
from i18n.labels import audit_action_label, audit_detail_text, dropdown_texts
from components.view import page_title
from i18n import N_, _, formats

dash.register_page(__name__, path="/admin", name=N_("Administration"), title=page_title("Administration"), order=11, manage=True)


def role_name(role) -> str:
    """A role as a person reads it: "directeur" for ``director``; an unknown one as it is."""
    return _(ROLE_NAMES[role]) if role in ROLE_NAMES else str(role)


def users_table() -> dbc.Table:
    rows = [html.Tr([html.Td(u.name), html.Td(role_name(u.role)), html.Td(", ".join(u.clients or u.teams) or _("all")),
                     html.Td(f"{formats.day(u.changed_at)} {u.changed_at:%H:%M}")]) for u in users(engine(active().db))]
    head = html.Thead(html.Tr([html.Th(h) for h in (_("User"), _("Role"), _("Limited to"), _("Changed"))]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", className="bg-white", id="admin-users")


def layout(**_query):
    today = date.today()
    field = lambda label, control, md: dbc.Col([dbc.Label(label, className="small"), control], md=md)  # noqa: E731
    return html.Div([
        html.H2(_("Administration")),
        html.H4(_("Users"), className="side-title mt-3"),
        html.Div(users_table(), id="admin-users-slot"),
        dbc.Card(dbc.CardBody([
            dbc.Row([
                field(_("User name"), dbc.Input(id="admin-name", maxLength=64), 2),
                field(_("Role"), dcc.Dropdown(id="admin-role", value="director", clearable=False,
                                              options=[{"label": role_name(r), "value": r} for r in ROLES],
                                              labels=dropdown_texts()), 2),
                field(_("Clients (a client user)"), dbc.Input(id="admin-clients", placeholder=_("comma-separated")), 2),
                field(_("Teams (a team lead; none: all)"), dbc.Input(id="admin-teams", placeholder=_("comma-separated")),
                      3),
                field(_("Password ({n} characters or more)", n=MIN_PASSWORD),
                      dbc.Input(id="admin-password", type="password"), 3),
            ], className="g-2"),
            # the buttons on their own line: each on one line, whatever the language
            html.Div([dbc.Button(_("Add"), id="admin-add", color="primary", size="sm", className="me-1"),
                      dbc.Button(_("New password"), id="admin-passwd", color="secondary", outline=True, size="sm",
                                 className="me-1"),
                      dbc.Button(_("Remove"), id="admin-remove", color="danger", outline=True, size="sm")],
                     className="mt-2 text-nowrap"),
            html.Div(id="admin-message", className="small mt-2"),
        ]), className="my-2"),
        html.H4(_("Audit trail"), className="side-title mt-4"),
        dbc.Row([
            dbc.Col(dcc.DatePickerRange(id="audit-period", start_date=today.replace(day=1), end_date=today,
                                        display_format="DD/MM/YYYY", first_day_of_week=1), width="auto"),
            dbc.Col(dcc.Dropdown(id="audit-who", placeholder=_("Anyone"), labels=dropdown_texts(),
                                 options=[u.name for u in users(engine(active().db))]), md=2),
            dbc.Col(dcc.Dropdown(id="audit-action", placeholder=_("Any change"), labels=dropdown_texts(),
                                 options=[{"label": audit_action_label(a), "value": a} for a in ACTIONS]), md=2),
        ], className="g-2 mb-2"),
        grid("audit-grid"),
    ])


@callback(Output("admin-users-slot", "children"), Output("admin-message", "children"),
          Input("admin-add", "n_clicks"), Input("admin-passwd", "n_clicks"), Input("admin-remove", "n_clicks"),
          State("admin-name", "value"), State("admin-role", "value"), State("admin-clients", "value"),
          State("admin-teams", "value"), State("admin-password", "value"), prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.count, inputs.count, inputs.text, inputs.text, inputs.text, inputs.text, inputs.text)
def update_users(_add, _passwd, _remove, name, role, clients, teams, password):
    viewer = require("users")
    db = engine(active().db)
    split = lambda text: [v.strip() for v in str(text or "").split(",") if v.strip()]  # noqa: E731
    try:
        if dash.ctx.triggered_id == "admin-add":
            add_user(db, str(name or ""), str(role or ""), str(password or ""), split(clients), split(teams),
                     actor=viewer.actor)
            message = _("User {name} added.", name=name)
        elif dash.ctx.triggered_id == "admin-passwd":
            set_password(db, str(name or ""), str(password or ""), actor=viewer.actor)
            message = _("Password of {name} changed: their sessions end.", name=name)
        else:
            if name == viewer.name:
                raise UserError(_("you cannot remove yourself"))
            remove_user(db, str(name or ""), actor=viewer.actor)
            message = _("User {name} removed.", name=name)
    except UserError as exc:
        return users_table(), _("Not done: {problem}.", problem=exc)
    return users_table(), message


@callback(Output("audit-grid", "rowData"), Output("audit-grid", "columnDefs"),
          Input("audit-period", "start_date"), Input("audit-period", "end_date"), Input("audit-who", "value"),
          Input("audit-action", "value"), Input("admin-message", "children"))
@inputs.takes(inputs.day, inputs.day, inputs.text, inputs.text, inputs.ignored)
def update_audit(start, end, who, action, _changed):
    require("audit")
    rows = trail(engine(active().db), start, end, who, action if action in ACTIONS else None)
    known = lambda v: v if isinstance(v, str) and v else "–"  # noqa: E731  (none, or a NaN from the database)
    data = [{"when": f"{formats.day(r.happened_at)} {r.happened_at:%H:%M:%S}", "who": known(r.who),
             "address": known(r.address), "what": audit_action_label(r.action), "action": r.action,
             "detail": audit_detail_text(r.detail)} for r in rows.itertuples(index=False)]
    # what happened in words, and its code (the one the audit table and the command line use)
    columns = [{"field": "when", "headerName": _("When"), "minWidth": 190, "maxWidth": 200},
               {"field": "who", "headerName": _("Who"), "maxWidth": 160},
               {"field": "address", "headerName": _("From"), "maxWidth": 140},
               {"field": "what", "headerName": _("What"), "maxWidth": 220},
               {"field": "action", "headerName": _("Code"), "maxWidth": 170},
               {"field": "detail", "headerName": _("Detail"), "flex": 3, "wrapText": True, "autoHeight": True}]
    return data, columns
