"""Import: upload extracts, check what each file gives through its profile, load them in the
background (the dashboard keeps answering), then the result and the load history."""
import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from access.viewer import require
from components import imports as im
from components import inputs
from data.db import engine
from data.jobs import JOBS
from data.exports import csv_bytes
from data.loader import rejects_frame
from data.profile import available
from settings import active
from i18n.labels import dropdown_texts, load_status_label, table_label
from components.view import page_title
from i18n import N_, _, formats, ngettext

dash.register_page(__name__, path="/import", name=N_("Import"), title=page_title("Import"), order=8, manage=True)

PREVIEW_ROWS = 5
PROBLEMS_SHOWN = 20


def layout(**_query):
    settings = active()
    im.prune(im.staging_dir(settings))   # the uploads abandoned over an hour ago
    profiles = ", ".join(available(settings.profiles))
    return html.Div([
        html.H4(_("Import extracts"), className="side-title"),
        html.P(_("Files exported by your ACD, dialler, CRM or survey tool. Each is read through an import "
                 "profile ({profiles}); the best match is chosen, and you can change it. A load is all or "
                 "nothing: a refused file changes nothing, and loading a file twice changes nothing.",
                 profiles=profiles),
               className="small text-muted"),
        dcc.Upload(id="import-upload", multiple=True, max_size=int(settings.max_upload_mb * 1024 * 1024),
                   className="upload-zone",
                   children=html.Div([_("Drop files here or "), html.A(_("choose files")),
                                      html.Span(_(" (CSV, text or .xlsx; up to {limit} MB each)",
                                                  limit=im.megabytes(settings.max_upload_mb)),
                                                className="text-muted")])),
        html.Div(id="import-error", className="text-danger small mt-1"),
        dcc.Store(id="import-files", data=[]),
        dcc.Loading(html.Div(id="import-file-list", className="mt-2"), type="dot", delay_show=300),
        dbc.Row([
            dbc.Col(dbc.InputGroup([dbc.InputGroupText(_("Source")),
                                    dbc.Input(id="import-source", placeholder=_("the profile's"), maxLength=60)],
                                   size="sm"), md=4),
            dbc.Col(dbc.Button(_("Load"), id="import-load", color="primary", size="sm", disabled=True), width="auto"),
        ], className="g-2 my-2 align-items-center"),
        dbc.Progress(id="import-progress", value=0, label="", style={"height": "1.2rem"}, className="mb-1"),
        html.Div(id="import-step", className="small text-muted"),
        dcc.Interval(id="import-poll", interval=400, disabled=True),
        dcc.Store(id="import-job"),
        html.Div(id="import-result", className="mt-2"),
        dcc.Download(id="import-rejects-file"),
        html.H4(_("Load history"), className="side-title mt-4"),
        html.Div(history_table(), id="import-history"),
    ])


def count(value) -> str:
    """A count of rows as a person reads it (none when the log has none)."""
    return "" if value is None or value != value else formats.number(value)


def history_table() -> dbc.Table:
    h = im.load_history(engine(active().db))
    head = (_("When"), _("Table"), _("File"), _("Source"), _("Profile"), _("Read"), _("Accepted"), _("Rejected"),
            _("Status"), _("Message"))
    rows = [html.Tr([html.Td(f"{formats.day(r['started_at'])} {r['started_at']:%H:%M}"),
                     html.Td(table_label(r["table_name"])), html.Td(r["file_name"]),
                     html.Td(r["source"]), html.Td(r["profile"]), html.Td(count(r["rows_read"]), className="num"),
                     html.Td(count(r["accepted"]), className="num"), html.Td(count(r["rejected"]), className="num"),
                     html.Td(load_status_label(r["status"])), html.Td(r["message"], className="small")])
            for r in h.to_dict("records")]
    return dbc.Table([html.Thead(html.Tr([html.Th(x) for x in head])), html.Tbody(rows)], size="sm",
                     className="bg-white committee-table", id="import-history-table")


@callback(Output("import-files", "data"), Output("import-error", "children"),
          Input("import-upload", "contents"), State("import-upload", "filename"), prevent_initial_call=True)
@inputs.takes(inputs.uploads, inputs.uploads)
def update_upload(contents, names):
    require("import")
    settings, files, errors = active(), [], []
    for content, name in zip(contents, names):
        if content is None or name is None:
            continue
        try:
            staged = im.stage(settings, content, name)
            files.append({"token": staged.token, "name": staged.name, "size": staged.size,
                          "profile": im.guess(settings, staged)})
        except im.UploadError as exc:
            errors.append(str(exc))
    return files, "; ".join(errors)


@callback(Output("import-file-list", "children"), Output("import-load", "disabled"), Input("import-files", "data"))
@inputs.takes(inputs.records)
def update_file_list(files):
    require("import")
    settings = active()
    options = list(available(settings.profiles))
    cards = [dbc.Card(dbc.CardBody([
        dbc.Row([
            dbc.Col(html.Strong(f.get("name", "")), width="auto"),
            dbc.Col(html.Span(_("{size} KB", size=formats.number(f["size"] / 1024)), className="text-muted small"),
                    width="auto"),
            dbc.Col(dcc.Dropdown(id={"role": "import-profile", "index": i}, options=options, clearable=False,
                                 labels=dropdown_texts(), placeholder=_("Choose a profile"),
                                 value=f.get("profile") if f.get("profile") in options else None), md=3),
        ], className="g-2 align-items-center"),
        dcc.Loading(html.Div(id={"role": "import-preview", "index": i}), type="dot"),
    ]), className="mb-2") for i, f in enumerate(files)]
    return cards, not files


@callback(Output({"role": "import-preview", "index": ALL}, "children"),
          Input({"role": "import-profile", "index": ALL}, "value"), State("import-files", "data"))
@inputs.takes(inputs.each(inputs.choice), inputs.records)
def update_previews(profiles, files):
    require("import")
    settings = active()
    # one preview per card shown: the i-th file through the i-th profile (a forged request
    # may name more previews than files or profiles: those are unknown uploads)
    return [preview_of(settings, files[i] if i < len(files) else None, profiles[i] if i < len(profiles) else None)
            for i in range(len(ctx.outputs_list))]


def preview_of(settings, file, profile):
    """What a file of the page's store gives through a profile, or why it cannot be read."""
    try:
        staged = im.staged_from(file)
    except im.UploadError:
        return [dbc.Alert(_(im.UNKNOWN), color="danger", className="small py-1 my-1")]
    result = im.preview(settings, staged, profile)
    parts = []
    if staged.size > im.PREVIEW_BYTES:
        parts.append(html.Div(_("A preview of the start of the file (its first {size} KB, or a workbook's first "
                                "{rows} rows): the load reads all of it.",
                                size=formats.number(im.PREVIEW_BYTES // 1024),
                                rows=formats.number(im.PREVIEW_SHEET_ROWS)),
                              className="small text-muted"))
    if result.encoding or result.separator:
        parts.append(html.Div(read_as(result), className="small text-muted"))
    for report in result.reports:
        parts.append(html.Div(ngettext("{table}: {accepted} row ready, {dropped} left out by the profile, {rejected} rejected",
                                       "{table}: {accepted} rows ready, {dropped} left out by the profile, {rejected} rejected",
                                       report.accepted, table=table_label(report.table),
                                       accepted=formats.number(report.accepted), dropped=formats.number(report.dropped),
                                       rejected=formats.number(report.rejected)),
                              className="fw-semibold small mt-1"))
        if report.rows is not None and len(report.rows):
            shown = preview_cells(report.rows.head(PREVIEW_ROWS).dropna(axis=1, how="all"))
            parts.append(dag.AgGrid(rowData=shown.to_dict("records"), className="ag-theme-alpine import-grid",
                                    columnDefs=[{"field": c, "headerName": c} for c in shown.columns], columnSize="autoSize",
                                    style={"height": None}, dashGridOptions={"domLayout": "autoHeight"}))
        if len(report.rejects):
            lines = [html.Li(_("line {line}: {reason}", line=r.line, reason=r.reason))
                     for r in report.rejects.head(PROBLEMS_SHOWN).itertuples()]
            more = len(report.rejects) - len(lines)
            parts.append(html.Ul(lines + ([html.Li(ngettext("and {count} more", "and {count} more", more,
                                                            count=formats.number(more)))] if more > 0 else []),
                                 className="small text-danger mb-0 import-problems"))
    if result.error:
        parts.append(dbc.Alert(result.error, color="danger", className="small py-1 my-1"))
    return parts


def preview_cells(rows: pd.DataFrame) -> pd.DataFrame:
    """A preview's rows as texts: the values as they will be loaded, numbers with the locale's
    decimal sign and yes/no in words (ids, times and codes as they are)."""
    out = rows.astype(str)
    for column in rows.columns:
        values = rows[column]
        if pd.api.types.is_bool_dtype(values):
            out[column] = [None if pd.isna(v) else _("yes") if v else _("no") for v in values]
        elif pd.api.types.is_float_dtype(values):
            out[column] = [None if pd.isna(v) else formats.number(v, decimals(v)) for v in values]
    return out


def decimals(value: float) -> int:
    """The digits after the point a number needs (4.5: 1; 275.0: 0), at most 6."""
    return len(f"{value:.6f}".rstrip("0").partition(".")[2])


def read_as(result) -> str:
    """How a file was read: its encoding and separator (a workbook has neither), for which table."""
    table = table_label(result.table)
    sep = _("tab") if result.separator == "\t" else result.separator
    if not result.encoding:
        return (_("Read as a workbook, separator '{separator}', for {table}.", separator=sep, table=table) if sep
                else _("Read as a workbook, for {table}.", table=table))
    return (_("Read as {encoding}, separator '{separator}', for {table}.", encoding=result.encoding, separator=sep,
              table=table) if sep else _("Read as {encoding}, for {table}.", encoding=result.encoding, table=table))


@callback(Output("import-job", "data"), Output("import-poll", "disabled", allow_duplicate=True),
          Output("import-error", "children", allow_duplicate=True),
          Input("import-load", "n_clicks"), State("import-files", "data"),
          State({"role": "import-profile", "index": ALL}, "value"), State("import-source", "value"),
          prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.records, inputs.each(inputs.choice), inputs.text)
def update_start(_clicks, files, profiles, source):
    viewer = require("import")
    settings = active()
    try:
        chosen = [(im.staged_from(f), p) for f, p in zip(files, profiles)]
        items = [(s, p, im.table_for(settings, s, p)) for s, p in chosen]
        job = im.start_load(settings, engine(settings.db), items, (source or "").strip() or None, viewer.actor)
    except (ValueError, OSError) as exc:   # an UploadError, a LoadError, a file gone
        return no_update, True, str(exc)
    return {"id": job.id}, False, ""


@callback(Output("import-progress", "value"), Output("import-progress", "label"), Output("import-step", "children"),
          Output("import-result", "children"), Output("import-poll", "disabled"), Output("import-history", "children"),
          Input("import-poll", "n_intervals"), State("import-job", "data"), prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.job)
def update_poll(_n, job_id):
    require("import")
    job = JOBS.get(job_id)
    if job is None:
        return 0, "", "", no_update, True, no_update
    pct = round(100 * job.progress)
    if job.state in ("queued", "running"):
        return pct, formats.percent(pct, 0), job.step, no_update, False, no_update
    return 100, _("done") if job.state == "done" else _("refused"), "", result_of(job), True, history_table()


def result_of(job):
    reports = im.job_reports(job)
    rows = [html.Tr([html.Td(table_label(r.table)), html.Td(r.file_name), html.Td(load_status_label(r.status)),
                     html.Td(count(r.accepted), className="num"), html.Td(count(r.rejected), className="num"),
                     html.Td(count(r.dropped), className="num"), html.Td(r.message, className="small")])
            for r in reports]
    colour = "success" if job.state == "done" else "danger"
    title = _("Loaded.") if job.state == "done" else _("Refused: nothing was changed. {error}", error=job.error)
    rejected = sum(r.rejected for r in reports)
    return html.Div([
        dbc.Alert(title, color=colour, className="py-2 mb-2", id="import-outcome"),
        dbc.Table([html.Thead(html.Tr([html.Th(h) for h in (_("Table"), _("File"), _("Status"), _("Accepted"),
                                                              _("Rejected"), _("Left out"), _("Message"))])),
                   html.Tbody(rows)],
                  size="sm", className="bg-white committee-table", id="import-result-table"),
        dbc.Button(ngettext("Download the {count} rejected row (CSV)", "Download the {count} rejected rows (CSV)",
                            rejected, count=formats.number(rejected)), id="import-rejects", size="sm",
                   color="secondary", outline=True) if rejected else None,
    ])


@callback(Output("import-rejects-file", "data"), Input("import-rejects", "n_clicks"), State("import-job", "data"),
          prevent_initial_call=True)
@inputs.takes(inputs.count, inputs.job)
def update_rejects_download(_n, job_id):
    require("import")
    job = JOBS.get(job_id)
    if job is None:
        return no_update
    return dcc.send_bytes(csv_bytes(rejects_frame(im.job_reports(job))), _("rejected-rows.csv"))
