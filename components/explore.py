"""Explore's parts: the drill path, the KPI table per member of a dimension, the bar chart,
the contact list, all as plain functions."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd
from dash import html

from components.charts import AXIS, COLOURS, base_layout, empty_figure, plot_text, title_layout
from components.grids import kpi_column
from components.kpi import Reading, caveat, help_text, reading
from i18n.labels import channel_label, direction_label, outcome_label
from components.view import View
from data.exports import number_format
from i18n import N_, _, formats, ngettext
from metrics.contacts import ContactPage, contact_export, contact_list
from metrics.query import Scope, compute, dimension_values, values
from metrics.registry import KPIS, format_value
from metrics.targets import STATUS, Target, scope_target, status

TABLE_KPIS = ("offered", "handled", "answer_rate", "service_level", "asa", "aht", "abandon_rate",
              "transfer_rate", "fcr", "repeat_rate", "attempts", "reach_rate", "conversion_rate",
              "responses", "nps", "csat", "ces", "perceived_resolution", "response_rate",
              "cost", "cost_per_contact")
# the columns shown until the user chooses others (URL key ``cols``): the ones a director
# reads first, which fit a 1280-pixel screen
DEFAULT_COLUMNS = ("offered", "answer_rate", "service_level", "asa", "aht", "abandon_rate", "fcr",
                   "repeat_rate", "nps", "csat")
PER_CHANNEL = tuple(k for k in TABLE_KPIS if KPIS[k].per_channel)
CHART_KPIS = tuple(k for k in TABLE_KPIS if KPIS[k].kind == "ratio")
# where a click on a member leads; None: the member's contacts
NEXT = {"channel": "queue", "queue": "agent", "campaign": "agent", "client": "channel",
        "team": "agent", "site": "team", "reason": "channel", "agent": None}
DIMENSION_LABELS = {"channel": N_("Channel"), "queue": N_("Queue"), "campaign": N_("Campaign"),
                    "client": N_("Client"), "site": N_("Site"), "agent": N_("Agent"), "team": N_("Team"),
                    "reason": N_("Reason")}   # looked up with _() where shown
UNKNOWN = N_("(unknown)")
TOTAL_ROW = "__total__"   # the row id of the total row, which does not drill
PAGE_SIZE = 50
STATUS_COLOURS = {"met": "#18bc9c", "close": "#f39c12", "missed": "#e74c3c", None: COLOURS["accent"]}
FEW_COLOUR = "#c8d0d6"


def parse_path(text: str | None) -> list[tuple[str, str]]:
    """Drill steps from the URL (``channel:phone|queue:Q1``); steps that do not follow the
    hierarchy, or name an unknown dimension, end the path there."""
    steps = []
    for part in (text or "").split("|"):
        dim, sep, value = part.partition(":")
        if not sep or dim not in NEXT or not value:
            break
        if steps and NEXT[steps[-1][0]] != dim:
            break
        steps.append((dim, value))
    return steps


def format_path(steps: list[tuple[str, str]]) -> str:
    return "|".join(f"{d}:{v}" for d, v in steps)


def level_of(by: str, steps: list[tuple[str, str]]) -> str | None:
    """The dimension shown at the end of the path; None when it ends on contacts."""
    return NEXT[steps[-1][0]] if steps else by


def chosen_by(extra: dict) -> str:
    return extra.get("by") if extra.get("by") in NEXT else "channel"


def chosen_kpi(extra: dict) -> str:
    return extra.get("kpi") if extra.get("kpi") in CHART_KPIS else "service_level"


def chosen_columns(extra: dict) -> list[str]:
    """The KPI columns of the table (URL key ``cols``), in the table's order."""
    asked = set((extra.get("cols") or "").split(",")) & set(TABLE_KPIS)
    return [k for k in TABLE_KPIS if k in (asked or DEFAULT_COLUMNS)]


def drill_scope(scope: Scope, steps: list[tuple[str, str]]) -> Scope:
    """The scope narrowed to the members the path went through."""
    return scope.with_filters(**{dim: [value] for dim, value in steps}) if steps else scope


def first_path(by: str, steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A path whose first step is not the chosen dimension is dropped."""
    return steps if steps and steps[0][0] == by else []


@dataclass(frozen=True)
class ExploreTable:
    rows: pd.DataFrame       # one row per member: member, label, every TABLE_KPI with its counts
    total: dict
    # the scope's channels, busiest first, when it holds several: the KPIs not comparable
    # across channels are then shown per channel (``per_channel``: member -> channel -> row)
    channels: tuple[str, ...] = ()
    per_channel: dict = field(default_factory=dict)
    total_per_channel: dict = field(default_factory=dict)


def explore_table(view: View, scope: Scope, level: str) -> ExploreTable:
    """Every table KPI per member of ``level`` in the scope, with the scope's total; per
    channel too for the KPIs not comparable across channels, when the scope holds several."""
    settings = view.settings.kpi
    rows = compute(view.db, scope, TABLE_KPIS, by=level, settings=settings, counts=True)
    rows = rows.rename(columns={"group": "member"})
    names = dict(dimension_values(view.db, scope, ["agent"])["agent"]) if level == "agent" else {}
    rows["member"] = rows["member"].astype(object).where(rows["member"].notna(), None)
    rows.insert(1, "label", [_(UNKNOWN) if m is None else
                             (f"{names[m]} ({m})" if m in names else
                              channel_label(m) if level == "channel" else str(m)) for m in rows["member"]])
    total = values(compute(view.db, scope, TABLE_KPIS, settings=settings, counts=True).iloc[0])
    if level == "channel":
        return ExploreTable(rows, total)
    by_channel = [values(r) for _i, r in compute(view.db, scope, PER_CHANNEL, by="channel", settings=settings,
                                                counts=True).iterrows()]
    busy = sorted((r for r in by_channel if r["group"] is not None and any(r[f"{k}__n"] for k in PER_CHANNEL)),
                  key=lambda r: (-max(r[f"{k}__n"] for k in PER_CHANNEL), r["group"]))
    if len(busy) < 2:
        return ExploreTable(rows, total)
    cells = compute(view.db, scope, PER_CHANNEL, by=[level, "channel"], settings=settings, counts=True)
    per_channel: dict = {}
    for r in (values(r) for _i, r in cells.iterrows()):
        per_channel.setdefault(r[level], {})[r["channel"]] = r
    return ExploreTable(rows, total, tuple(r["group"] for r in busy), per_channel,
                        {r["group"]: r for r in busy})


def split(table: ExploreTable, kpi_id: str) -> bool:
    """Whether a KPI is shown per channel in this table."""
    return bool(table.channels) and KPIS[kpi_id].per_channel


def agent_names(view: View, steps: list[tuple[str, str]]) -> dict[str, str]:
    """Names of the agents a drill path goes through (none looked up when it names none)."""
    if not any(dim == "agent" for dim, _v in steps):
        return {}
    return dict(dimension_values(view.db, view.scope(), ["agent"])["agent"])


def member_target(kpi_id: str, view: View, scope: Scope, level: str, member, channel: str | None = None
                  ) -> Target | None:
    """A member's target: a channel's or client's own when the rows are channels or clients,
    or when the cell is one channel's."""
    own = {}
    if level in ("channel", "client") and member not in (None, TOTAL_ROW):
        own[level] = [member]
    if channel:
        own["channel"] = [channel]
    return scope_target(kpi_id, view.targets, scope.with_filters(**own) if own else scope)


def _cell(out: dict, key: str, r: Reading, target: Target | None, mixed: bool = False) -> None:
    """A grid cell: the raw number (for sorting), its text with the status icon against its
    target (colour never stands alone), its status, and whether it is too few to judge."""
    state = None if mixed else status(r.kpi, r.judged, target)
    out[key] = r.value
    text = r.cell + (f" {STATUS[state][1]}" if state else "")
    out[f"{key}__text"] = _("{value} (mixed)", value=text) if mixed else text
    out[f"{key}__status"] = "few" if r.too_few else state


def grid_rows(table: ExploreTable, view: View, scope: Scope, level: str) -> tuple[list[dict], list[dict]]:
    """Rows for the grid and the total row."""
    few = view.settings.min_answers

    def row(label, member, values, channels) -> dict:
        out = {"label": label, "member": member, "rid": member or ""}
        for k in TABLE_KPIS:
            r = reading(k, values, few)
            mixed = KPIS[k].per_channel and member == TOTAL_ROW and (level == "channel" or bool(table.channels))
            _cell(out, k, r, member_target(k, view, scope, level, member), mixed)
            if split(table, k):
                for ch in table.channels:
                    _cell(out, f"{k}@{ch}", reading(k, channels.get(ch, {}), few),
                          member_target(k, view, scope, level, member, ch))
        return out
    rows = [row(r["label"], r["member"], r, table.per_channel.get(r["member"], {}))
            for r in table.rows.to_dict("records")]
    return rows, [row(_("Total"), TOTAL_ROW, table.total, table.total_per_channel)]


def grid_columns(level: str, view: View, table: ExploreTable, columns: list[str]) -> list[dict]:
    # flex columns share the grid's width (a table of ten columns fits a 1280-pixel screen)
    cols = [{"field": "label", "headerName": _(DIMENSION_LABELS[level]), "pinned": "left",
             "minWidth": 170, "flex": 1.6, "sort": None}]
    for k in columns:
        tip = help_text(k, view.settings.kpi)
        # wide enough for the longest text of its unit (``100,0 % ✓``, ``1 min 40 s ✗``)
        width = {"minWidth": {"seconds": 122, "percent": 100, "count": 96}.get(KPIS[k].unit, 84)}
        if split(table, k):
            cols.append({"headerName": KPIS[k].label(), "headerTooltip": tip, "marryChildren": True,
                         "wrapHeaderText": True, "autoHeaderHeight": True,
                         "children": [{**kpi_column(k, view.settings.kpi, f"{k}@{ch}", channel_label(ch)), **width}
                                      for ch in table.channels]})
        else:
            cols.append({**kpi_column(k, view.settings.kpi), **width})
    return cols


def column_options() -> list[dict]:
    return [{"label": KPIS[k].label(), "value": k} for k in TABLE_KPIS]


def bar_figure(table: ExploreTable, kpi_id: str, level: str, view: View, scope: Scope) -> dict:
    """The chosen KPI per member, worst first, coloured and labelled by status; one panel per
    channel for a KPI not comparable across channels."""
    k = KPIS[kpi_id]
    panels = ([(ch, {m: chans.get(ch, {}) for m, chans in table.per_channel.items()}) for ch in table.channels]
              if split(table, kpi_id) else [(None, {r["member"]: r for r in table.rows.to_dict("records")})])
    labels = dict(zip(table.rows["member"], table.rows["label"]))
    few = view.settings.min_answers
    order = None
    data, layout = [], base_layout(hovermode="closest", margin=dict(l=10, r=20, t=60, b=30))
    layout["showlegend"] = False
    n = len(panels)
    for i, (channel, rows) in enumerate(panels):
        readings = {m: reading(kpi_id, r, few) for m, r in rows.items() if reading(kpi_id, r, few).value is not None}
        if order is None:   # worst first, on the first (busiest) panel; the others follow it
            order = sorted(readings, key=lambda m: (readings[m].value * (1 if k.better == "higher" else -1),
                                                    str(m)))[:40]
        members = [m for m in order if m in readings] if n > 1 else order
        states = [None if readings[m].too_few else status(kpi_id, readings[m].value,
                                                          member_target(kpi_id, view, scope, level, m, channel))
                  for m in members]
        axis = "" if i == 0 else str(i + 1)
        width = 1 / n
        layout[f"xaxis{axis}"] = dict(AXIS, domain=[i * width + (0.02 if i else 0), (i + 1) * width - 0.02],
                                      anchor=f"y{axis}", rangemode="tozero",
                                      showticklabels=k.unit != "seconds")   # the bars say the durations
        if channel:
            layout.setdefault("annotations", []).append(dict(
                text=plot_text(channel_label(channel)), xref=f"x{axis} domain", x=0.5, yref="paper", y=1,
                yanchor="bottom", showarrow=False, font=dict(size=13)))
        if i:
            layout[f"yaxis{axis}"] = dict(AXIS, anchor=f"x{axis}", matches="y", showticklabels=False)
        data.append(dict(
            type="bar", orientation="h", xaxis=f"x{axis}", yaxis=f"y{axis}",
            y=[plot_text(labels.get(m, _(UNKNOWN))) for m in members], x=[readings[m].value for m in members],
            customdata=[m or "" for m in members],
            marker=dict(color=[FEW_COLOUR if readings[m].too_few else STATUS_COLOURS[s]
                               for m, s in zip(members, states)]),
            text=[readings[m].cell + ("" if s is None else f" {STATUS[s][1]}") for m, s in zip(members, states)],
            textposition="outside", cliponaxis=False, hovertemplate="%{y}: %{text}<extra></extra>"))
    if not order:
        return empty_figure(_("{kpi}: no value in this scope", kpi=k.label()), height=300)
    layout["yaxis"] = dict(AXIS, autorange="reversed", automargin=True, type="category")
    layout["height"] = max(260, 24 * len(order) + 110)
    target = scope_target(kpi_id, view.targets, scope)
    if target is not None and n == 1 and level not in ("channel", "client"):  # else each has its own
        layout["shapes"] = [dict(type="line", xref="x", x0=target.value, x1=target.value, yref="paper", y0=0, y1=1,
                                 line=dict(color=COLOURS["target"], dash="dash"))]
        layout["annotations"] = [dict(text=_("target {value}", value=format_value(k, target.value)),
                                      x=target.value, xref="x",
                                      y=1, yref="paper", yanchor="bottom", showarrow=False,
                                      font=dict(color=COLOURS["target"], size=11))]
    for i in range(n):   # room for the labels beyond the longest bars, on both sides
        axis = "" if i == 0 else str(i + 1)
        known = [v for v in data[i]["x"] if v is not None] or [0]
        low, high = min(0, min(known)), max(0, max(known))
        span = (high - low) or 1
        layout[f"xaxis{axis}"]["range"] = [low - 0.35 * span if low < 0 else 0, high + 0.35 * span if high > 0 else 0]
        if k.unit == "percent":   # no tick past 100 % in the labels' room
            layout[f"xaxis{axis}"]["tickvals"] = [0, 20, 40, 60, 80, 100]
    by = dict(kpi=k.label(), dimension=_(DIMENSION_LABELS[level]).lower())
    title = _("{kpi} by {dimension}, per channel", **by) if n > 1 else _("{kpi} by {dimension}", **by)
    return dict(data=data, layout=title_layout(layout, title))


def notes(table: ExploreTable, view: View, scope: Scope) -> list:
    """What a reader of the table must know: contacts pending for FCR and repeats, the KPIs
    shown per channel, scores from too few answers."""
    out = []
    for k in TABLE_KPIS:
        note = caveat(reading(k, table.total), view.maturity, scope.start)
        if note and KPIS[k].pending:
            out.append(html.Div(_("{kpi}: {note}.", kpi=KPIS[k].label(), note=note)))
    if table.channels:
        out.append(html.Div(_("Waits and handle times are shown per channel, each against its own target: "
                              "the total over channels is mixed and not judged.")))
    few = view.settings.min_answers
    if any(reading(k, r, few).too_few for r in table.rows.to_dict("records") for k in TABLE_KPIS):
        out.append(html.Div(ngettext(
            "Scores from fewer than {count} answer are shown greyed with their count, and not judged "
            "against the target.",
            "Scores from fewer than {count} answers are shown greyed with their count, and not judged "
            "against the target.", few, count=formats.number(few))))
    return out


UNIT_MARKS = {"percent": "%", "seconds": "s", "currency": "€"}   # after a column's name


class Download(NamedTuple):
    frame: pd.DataFrame
    number_formats: dict[str, str]      # column -> its Excel number format


def download_frame(table: ExploreTable, level: str) -> Download:
    """The table as a person downloads it: headers in their language, each KPI's value rounded
    as the page shows it and, for a rate, an average or a score, what it was counted on (the
    contacts or answers, from which a spreadsheet weights its own totals); the KPIs not
    comparable across channels per channel when the table splits them."""
    records = table.rows.to_dict("records") + [{"label": _("Total"), "member": TOTAL_ROW, **table.total}]
    out = {_(DIMENSION_LABELS[level]): [r["label"] for r in records]}
    number_formats = {}

    def column(k, cells, channel=None, mixed=False, base=False):
        name = k.label()
        if channel:
            name = _("{kpi}, {channel}", kpi=name, channel=channel_label(channel))
        elif mixed:
            name = _("{kpi}, all channels mixed", kpi=name)
        readings = [reading(k.id, c) for c in cells]
        mark = UNIT_MARKS.get(k.unit)
        title = f"{name} ({mark})" if mark else name
        out[title] = pd.array([shown(k, r.value) for r in readings], dtype="Int64" if digits(k) == 0 else "Float64")
        number_formats[title] = number_format(k.id)
        if base:
            counted = _("{kpi}, counted on", kpi=name)
            out[counted] = [r.n for r in readings]
            number_formats[counted] = "#,##0"

    for kpi_id in TABLE_KPIS:
        k = KPIS[kpi_id]
        if split(table, kpi_id):
            for ch in table.channels:
                column(k, [(table.total_per_channel if r["member"] == TOTAL_ROW else
                            table.per_channel.get(r["member"], {})).get(ch, {}) for r in records], channel=ch)
        column(k, records, mixed=split(table, kpi_id), base=k.kind == "ratio")
    return Download(pd.DataFrame(out), number_formats)


def digits(k) -> int:
    """The decimals a KPI's value is shown with (a duration: whole seconds)."""
    return 0 if k.unit == "seconds" else k.decimals


def shown(k, value: float | None) -> float | None:
    """A value rounded as the page shows it."""
    return None if value is None else round(value, digits(k))


def download_name(view: View, what: str) -> str:
    """A downloaded file's name without its extension: ``pilotage-2026-11-01-2026-11-30-par-file``,
    the words in the reader's language, in letters any file system takes."""
    words = unicodedata.normalize("NFKD", what).encode("ascii", "ignore").decode().lower()
    return f"pilotage-{view.state.start}-{view.state.end}-" + re.sub(r"[^a-z0-9]+", "-", words).strip("-")


def by_text(level: str) -> str:
    """``by queue`` / ``par file``: a level's table, as a sheet or a file names it."""
    return _("by {dimension}", dimension=_(DIMENSION_LABELS[level]).lower())


# every column of a contact in the downloaded file; the grid shows the ones a person reads
# first (the rest is in the contact's detail), so that they fit the screen
CONTACT_COLUMNS = (
    ("arrived_at", N_("Arrived")), ("channel", N_("Channel")), ("direction", N_("Direction")),
    ("queue", N_("Queue")), ("campaign", N_("Campaign")), ("agent_name", N_("Agent")), ("outcome", N_("Outcome")),
    ("wait_s", N_("Wait")), ("handle_s", N_("Handle time")), ("transferred", N_("Transferred")),
    ("sale", N_("Sale")), ("nps", N_("NPS")), ("csat", N_("CSAT")), ("ces", N_("Effort")),
    ("resolved", N_("Resolved (said)")), ("verbatim", N_("Comment")))
GRID_CONTACT_COLUMNS = tuple((f, t) for f, t in CONTACT_COLUMNS if f in (
    "arrived_at", "channel", "queue", "agent_name", "outcome", "wait_s", "handle_s", "nps", "csat", "ces",
    "verbatim"))


def contacts_file(view: View, scope: Scope) -> pd.DataFrame:
    """The scope's contacts as a person downloads them: headers and labels in their language,
    durations in whole seconds, no hashed ids."""
    rows = contact_export(view.db, scope)
    out = pd.DataFrame({_("Contact"): rows["contact_id"]})
    labels = {"channel": channel_label, "outcome": outcome_label, "direction": direction_label}
    for name, title in CONTACT_COLUMNS:
        values = rows[name]
        if name in labels:
            values = values.map({v: labels[name](v) for v in values.dropna().unique()})
        elif name in ("wait_s", "handle_s", "nps", "csat", "ces"):
            values = values.astype("Float64").round().astype("Int64")
        elif name in ("transferred", "sale", "resolved"):
            values = values.map({True: _("yes"), False: _("no")})
        out[_(title)] = values
    return out


def contacts_page(view: View, scope: Scope, page: int, sort: str) -> ContactPage:
    return contact_list(view.db, scope, page=page, page_size=PAGE_SIZE, sort=sort)


def contact_rows(page: ContactPage) -> list[dict]:
    """Rows for the contacts grid, every value as plain text or number (none as HTML)."""
    out = []
    for r in page.rows.to_dict("records"):
        row = {"key": f"{r['source']}|{r['contact_id']}"}
        for name, _title in GRID_CONTACT_COLUMNS:
            row[name] = _text(name, r.get(name))
        out.append(row)
    return out


def _text(name: str, value):
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return "–"
    if name == "arrived_at":
        at = pd.Timestamp(value)
        return f"{formats.day(at.date())} {at:%H:%M:%S}"
    if name in ("wait_s", "handle_s"):
        return format_value(KPIS["asa"], float(value))
    if isinstance(value, bool) or hasattr(value, "dtype") and str(value) in ("True", "False"):
        return _("yes") if bool(value) else _("no")
    labels = {"channel": channel_label, "outcome": outcome_label, "direction": direction_label}
    if name in labels:
        return labels[name](value)
    if name in ("nps", "csat", "ces"):
        return int(value)
    return str(value)


CONTACT_WIDTHS = {"arrived_at": 165, "channel": 100, "queue": 130, "agent_name": 130, "outcome": 100,
                  "wait_s": 110, "handle_s": 105, "nps": 62, "csat": 70, "ces": 68}


def contact_columns() -> list[dict]:
    """The contact list's columns at their width; the comment takes the rest of the line."""
    # every cell is shown as its text: the grid must not infer a number column from a first
    # score and show the "–" of a contact without one as "Invalid Number"
    # (a value too long for its column is whole on hover)
    cols = [{"field": f, "headerName": _(t), "width": CONTACT_WIDTHS.get(f), "minWidth": CONTACT_WIDTHS.get(f), "flex": 0,
             "cellDataType": False, "tooltipField": f} for f, t in GRID_CONTACT_COLUMNS]
    cols[0].update(pinned="left")
    cols[-1].update(minWidth=180, flex=1, wrapText=True, autoHeight=True)
    return cols


def detail_fields(contact: dict) -> list[tuple[str, str]]:
    """The contact's fields in reading order, as label and text."""
    fields = [(_("Contact"), _("{contact} (source {source})", contact=contact["contact_id"],
                                source=contact["source"])),
              (_("Arrived"), _text("arrived_at", contact["arrived_at"])),
              (_("Channel / direction"),
               f"{_text('channel', contact['channel'])} / {_text('direction', contact['direction'])}"),
              (_("Outcome"), _text("outcome", contact["outcome"]))]
    for key, label in (("queue", N_("Queue")), ("campaign", N_("Campaign")), ("client", N_("Client")),
                       ("site", N_("Site")), ("agent_name", N_("Agent")), ("team", N_("Team")),
                       ("reason", N_("Reason"))):
        fields.append((_(label), _text(key, contact.get(key))))
    if contact.get("agent") and contact.get("agent_name"):
        fields[-3] = (_("Agent"), f"{contact['agent_name']} ({contact['agent']})")
    for key, label in (("wait_s", N_("Wait")), ("talk_s", N_("Talk")), ("hold_s", N_("Hold")),
                       ("acw_s", N_("After-contact work")), ("handle_s", N_("Handle time"))):
        fields.append((_(label), _text("wait_s", contact.get(key))))
    for key, label in (("transferred", N_("Transferred")), ("escalated", N_("Escalated")), ("sale", N_("Sale"))):
        fields.append((_(label), _text(key, contact.get(key))))
    if contact.get("revenue") is not None and contact["revenue"] == contact["revenue"]:
        fields.append((_("Revenue"), format_value(KPIS["revenue_per_sale"], contact["revenue"])))
    fields.append((_("Customer"), _("#{ref} (hashed id)", ref=contact["customer_ref"])
                   if contact.get("customer_ref") else _("unknown")))
    return fields

