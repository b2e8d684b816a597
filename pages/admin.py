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
from data.users import ROLES, UserError, add_user, remove_user, set_password, users
from settings import active
from components import inputs

dash.register_page(__name__, path="/admin", name="Administration", title="Pilotage – Administration", order=11)


def users_table() -> dbc.Table:
    rows = [html.Tr([html.Td(u.name), html.Td(u.role), html.Td(", ".join(u.clients or u.teams) or "all"),
                     html.Td(f"{u.changed_at:%d/%m/%Y %H:%M}")]) for u in users(engine(active().db))]
    head = html.Thead(html.Tr([html.Th(h) for h in ("User", "Role", "Limited to", "Changed")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", className="bg-white", id="admin-users")


def layout(**_query):
    today = date.today()
    field = lambda label, control, md: dbc.Col([dbc.Label(label, className="small"), control], md=md)  # noqa: E731
    return html.Div([
        html.H2("Administration"),
        html.H4("Users", className="side-title mt-3"),
        html.Div(users_table(), id="admin-users-slot"),
        dbc.Card(dbc.CardBody([
            dbc.Row([
                field("User name", dbc.Input(id="admin-name", maxLength=64), 2),
                field("Role", dcc.Dropdown(id="admin-role", options=list(ROLES), value="director",
                                           clearable=False), 2),
                field("Clients (a client user)", dbc.Input(id="admin-clients", placeholder="comma-separated"), 2),
                field("Teams (a team lead; none: all)", dbc.Input(id="admin-teams", placeholder="comma-separated"), 2),
                field("Password (10 characters or more)", dbc.Input(id="admin-password", type="password"), 2),
                dbc.Col([dbc.Button("Add", id="admin-add", color="primary", size="sm", className="me-1"),
                         dbc.Button("New password", id="admin-passwd", color="secondary", outline=True, size="sm",
                                    className="me-1"),
                         dbc.Button("Remove", id="admin-remove", color="danger", outline=True, size="sm")],
                        md=2, className="align-self-end"),
            ], className="g-2"),
            html.Div(id="admin-message", className="small mt-2"),
        ]), className="my-2"),
        html.H4("Audit trail", className="side-title mt-4"),
        dbc.Row([
            dbc.Col(dcc.DatePickerRange(id="audit-period", start_date=today.replace(day=1), end_date=today,
                                        display_format="DD/MM/YYYY", first_day_of_week=1), width="auto"),
            dbc.Col(dcc.Dropdown(id="audit-who", placeholder="Anyone",
                                 options=[u.name for u in users(engine(active().db))]), md=2),
            dbc.Col(dcc.Dropdown(id="audit-action", placeholder="Any change", options=list(ACTIONS)), md=2),
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
            message = f"User {name} added."
        elif dash.ctx.triggered_id == "admin-passwd":
            set_password(db, str(name or ""), str(password or ""), actor=viewer.actor)
            message = f"Password of {name} changed: their sessions end."
        else:
            if name == viewer.name:
                raise UserError("you cannot remove yourself")
            remove_user(db, str(name or ""), actor=viewer.actor)
            message = f"User {name} removed."
    except UserError as exc:
        return users_table(), f"Not done: {exc}."
    return users_table(), message


@callback(Output("audit-grid", "rowData"), Output("audit-grid", "columnDefs"),
          Input("audit-period", "start_date"), Input("audit-period", "end_date"), Input("audit-who", "value"),
          Input("audit-action", "value"), Input("admin-message", "children"))
@inputs.takes(inputs.day, inputs.day, inputs.text, inputs.text, inputs.ignored)
def update_audit(start, end, who, action, _changed):
    require("audit")
    rows = trail(engine(active().db), start, end, who, action if action in ACTIONS else None)
    data = [{"when": f"{r.happened_at:%d/%m/%Y %H:%M:%S}", "who": r.who or "–", "address": r.address or "–",
             "action": r.action, "detail": r.detail} for r in rows.itertuples(index=False)]
    columns = [{"field": "when", "headerName": "When", "maxWidth": 170}, {"field": "who", "headerName": "Who", "maxWidth": 160},
               {"field": "address", "headerName": "From", "maxWidth": 140},
               {"field": "action", "headerName": "What", "maxWidth": 160},
               {"field": "detail", "headerName": "Detail", "flex": 3, "wrapText": True, "autoHeight": True}]
    return data, columns
