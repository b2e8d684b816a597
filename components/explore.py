"""Explore's parts: the drill path, the KPI table per member of a dimension, the bar chart,
the contact list, all as plain functions."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from components.charts import COLOURS, base_figure, empty_figure, titled
from components.kpi import help_text
from components.view import View
from metrics.contacts import ContactPage, contact_export, contact_list
from metrics.query import Scope, compute, dimension_values
from metrics.registry import KPIS, format_value
from metrics.targets import STATUS, Target, scope_target, status

TABLE_KPIS = ("offered", "handled", "answer_rate", "service_level", "asa", "aht", "abandon_rate",
              "transfer_rate", "fcr", "repeat_rate", "attempts", "reach_rate", "conversion_rate",
              "responses", "nps", "csat", "ces", "perceived_resolution", "response_rate")
CHART_KPIS = tuple(k for k in TABLE_KPIS if KPIS[k].kind == "ratio")
# where a click on a member leads; None: the member's contacts
NEXT = {"channel": "queue", "queue": "agent", "campaign": "agent", "client": "channel",
        "team": "agent", "site": "team", "reason": "channel", "agent": None}
DIMENSION_LABELS = {"channel": "Channel", "queue": "Queue", "campaign": "Campaign",
                    "client": "Client", "site": "Site", "agent": "Agent", "team": "Team",
                    "reason": "Reason"}
UNKNOWN = "(unknown)"
TOTAL_ROW = "__total__"   # the row id of the total row, which does not drill
PAGE_SIZE = 50


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


def drill_scope(scope: Scope, steps: list[tuple[str, str]]) -> Scope:
    """The scope narrowed to the members the path went through."""
    return scope.with_filters(**{dim: [value] for dim, value in steps}) if steps else scope


def first_path(by: str, steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A path whose first step is not the chosen dimension is dropped."""
    return steps if steps and steps[0][0] == by else []


@dataclass(frozen=True)
class ExploreTable:
    rows: pd.DataFrame       # one row per member: member, label, every TABLE_KPI
    total: dict


def explore_table(view: View, scope: Scope, level: str) -> ExploreTable:
    """Every table KPI per member of ``level`` in the scope, with the scope's total."""
    settings = view.settings.kpi
    rows = compute(view.db, scope, TABLE_KPIS, by=level, settings=settings)
    rows = rows.rename(columns={"group": "member"})
    names = dict(dimension_values(view.db, scope, ["agent"])["agent"]) if level == "agent" else {}
    rows["member"] = rows["member"].astype(object).where(rows["member"].notna(), None)
    rows.insert(1, "label", [UNKNOWN if m is None else
                             (f"{names[m]} ({m})" if m in names else str(m)) for m in rows["member"]])
    total = compute(view.db, scope, TABLE_KPIS, settings=settings).iloc[0].to_dict()
    return ExploreTable(rows, total)


def agent_names(view: View, steps: list[tuple[str, str]]) -> dict[str, str]:
    """Names of the agents a drill path goes through (none looked up when it names none)."""
    if not any(dim == "agent" for dim, _v in steps):
        return {}
    return dict(dimension_values(view.db, view.scope(), ["agent"])["agent"])


def _cell(kpi_id: str, value) -> tuple:
    none = value is None or (isinstance(value, float) and value != value)
    return (None if none else float(value)), format_value(KPIS[kpi_id], None if none else value)


def member_target(kpi_id: str, view: View, scope: Scope, level: str, member) -> Target | None:
    """A member's target: a channel's or client's own when the rows are channels or clients."""
    if level in ("channel", "client") and member not in (None, TOTAL_ROW):
        own = scope.with_filters(**{level: [member]})
        return scope_target(kpi_id, view.targets, own)
    return scope_target(kpi_id, view.targets, scope)


def grid_rows(table: ExploreTable, view: View, scope: Scope, level: str) -> tuple[list[dict], list[dict]]:
    """Rows for the grid: raw numbers (for sorting) and display text per KPI, with the
    status icon against the member's target (colour never stands alone); the total row."""
    def row(label, member, values) -> dict:
        member = None if member is None or (isinstance(member, float) and member != member) else member
        out = {"label": label, "member": member, "rid": member or ""}
        for k in TABLE_KPIS:
            out[k], out[f"{k}__text"] = _cell(k, values[k])
            state = status(k, out[k], member_target(k, view, scope, level, member))
            out[f"{k}__status"] = state
            if state:
                out[f"{k}__text"] += f" {STATUS[state][1]}"
        return out
    rows = [row(r["label"], r["member"], r) for r in table.rows.to_dict("records")]
    return rows, [row("Total", TOTAL_ROW, table.total)]


def grid_columns(level: str, view: View) -> list[dict]:
    cols = [{"field": "label", "headerName": DIMENSION_LABELS[level], "pinned": "left",
             "minWidth": 180, "sort": None}]
    for k in TABLE_KPIS:
        kpi = KPIS[k]
        cols.append({"field": k, "headerName": kpi.label_en, "headerTooltip": help_text(k, view.settings.kpi),
                     "type": "rightAligned", "minWidth": 110,
                     "valueFormatter": {"function": f"params.data['{k}__text']"},
                     "cellClassRules": _status_rules(k)})
    return cols


def _status_rules(kpi_id: str) -> dict:
    """Cell classes from the status computed with the row (the icon says it too)."""
    field = f"params.data['{kpi_id}__status']"
    return {f"cell-{state}": f"{field} == '{state}'" for state in STATUS}


def bar_figure(table: ExploreTable, kpi_id: str, level: str, view: View, scope: Scope) -> go.Figure:
    """The chosen KPI per member, worst first, coloured and labelled by status."""
    k = KPIS[kpi_id]
    data = table.rows[["member", "label", kpi_id]].dropna(subset=[kpi_id])
    if data.empty:
        return empty_figure(f"No {k.label_en.lower()} in this scope", height=300)
    data = data.sort_values(kpi_id, ascending=k.better == "higher").head(40)
    states = [status(kpi_id, v, member_target(kpi_id, view, scope, level, m))
              for m, v in zip(data["member"], data[kpi_id])]
    target = scope_target(kpi_id, view.targets, scope)
    colours = {"met": "#18bc9c", "close": "#f39c12", "missed": "#e74c3c", None: COLOURS["accent"]}
    words = ["" if s is None else f" {STATUS[s][1]}" for s in states]
    fig = base_figure(height=max(260, 24 * len(data) + 90), hovermode="closest",
                      margin=dict(l=10, r=30, t=30, b=30))
    fig.add_bar(y=data["label"], x=data[kpi_id], orientation="h",
                customdata=data["member"].fillna(""),
                marker_color=[colours[s] for s in states],
                text=[format_value(k, v) + w for v, w in zip(data[kpi_id], words)],
                textposition="auto", hovertemplate="%{y}: %{text}<extra></extra>")
    if target is not None and level not in ("channel", "client"):  # else each has its own
        fig.add_vline(x=target.value, line=dict(color=COLOURS["target"], dash="dash"),
                      annotation_text=f"target {format_value(k, target.value)}",
                      annotation_position="top")
    fig.update_yaxes(autorange="reversed", automargin=True)
    titled(fig, f"{k.label_en} by {DIMENSION_LABELS[level].lower()}")
    return fig


def download_frame(table: ExploreTable, level: str) -> pd.DataFrame:
    """The table as a person downloads it: labels as headers, real numbers."""
    out = table.rows[["label"] + list(TABLE_KPIS)].copy()
    total = pd.DataFrame([{"label": "Total", **{k: table.total[k] for k in TABLE_KPIS}}])
    out = pd.concat([out, total], ignore_index=True)
    for k in TABLE_KPIS:
        out[k] = pd.to_numeric(out[k], errors="coerce")
    return out.rename(columns={"label": DIMENSION_LABELS[level],
                               **{k: f"{KPIS[k].label_en} ({KPIS[k].unit})" for k in TABLE_KPIS}})


CONTACT_COLUMNS = (
    ("arrived_at", "Arrived"), ("channel", "Channel"), ("direction", "Direction"),
    ("queue", "Queue"), ("campaign", "Campaign"), ("agent_name", "Agent"), ("outcome", "Outcome"),
    ("wait_s", "Wait"), ("handle_s", "Handle time"), ("transferred", "Transferred"),
    ("sale", "Sale"), ("nps", "NPS"), ("csat", "CSAT"), ("ces", "Effort"),
    ("resolved", "Resolved (said)"), ("verbatim", "Comment"))


def contacts_file(view: View, scope: Scope) -> pd.DataFrame:
    """The scope's contacts as a person downloads them: readable headers, no hashed ids."""
    rows = contact_export(view.db, scope)
    cols = ["contact_id"] + [f for f, _t in CONTACT_COLUMNS]
    return rows[cols].rename(columns={"contact_id": "Contact", **dict(CONTACT_COLUMNS)})


def contacts_page(view: View, scope: Scope, page: int, sort: str) -> ContactPage:
    return contact_list(view.db, scope, page=page, page_size=PAGE_SIZE, sort=sort)


def contact_rows(page: ContactPage) -> list[dict]:
    """Rows for the contacts grid, every value as plain text or number (none as HTML)."""
    out = []
    for r in page.rows.to_dict("records"):
        row = {"key": f"{r['source']}|{r['contact_id']}"}
        for field, _title in CONTACT_COLUMNS:
            row[field] = _text(field, r.get(field))
        out.append(row)
    return out


def _text(field: str, value):
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return "–"
    if field == "arrived_at":
        return pd.Timestamp(value).strftime("%d/%m/%Y %H:%M:%S")
    if field in ("wait_s", "handle_s"):
        return format_value(KPIS["asa"], float(value))
    if isinstance(value, bool) or hasattr(value, "dtype") and str(value) in ("True", "False"):
        return "yes" if bool(value) else "no"
    if field in ("nps", "csat", "ces"):
        return int(value)
    return str(value)


def contact_columns() -> list[dict]:
    cols = [{"field": f, "headerName": t, "minWidth": 90} for f, t in CONTACT_COLUMNS]
    cols[0].update(minWidth=160, pinned="left")
    cols[-1].update(minWidth=320, flex=1, wrapText=True, autoHeight=True)
    return cols


def detail_fields(contact: dict) -> list[tuple[str, str]]:
    """The contact's fields in reading order, as label and text."""
    fields = [("Contact", f"{contact['contact_id']} (source {contact['source']})"),
              ("Arrived", _text("arrived_at", contact["arrived_at"])),
              ("Channel / direction", f"{contact['channel']} / {contact['direction']}"),
              ("Outcome", str(contact["outcome"]))]
    for key, label in (("queue", "Queue"), ("campaign", "Campaign"), ("client", "Client"),
                       ("site", "Site"), ("agent_name", "Agent"), ("team", "Team"),
                       ("reason", "Reason")):
        fields.append((label, _text(key, contact.get(key))))
    if contact.get("agent") and contact.get("agent_name"):
        fields[-3] = ("Agent", f"{contact['agent_name']} ({contact['agent']})")
    for key, label in (("wait_s", "Wait"), ("talk_s", "Talk"), ("hold_s", "Hold"),
                       ("acw_s", "After-contact work"), ("handle_s", "Handle time")):
        fields.append((label, _text("wait_s", contact.get(key))))
    for key, label in (("transferred", "Transferred"), ("escalated", "Escalated"), ("sale", "Sale")):
        fields.append((label, _text(key, contact.get(key))))
    if contact.get("revenue") is not None and contact["revenue"] == contact["revenue"]:
        fields.append(("Revenue", format_value(KPIS["revenue_per_sale"], contact["revenue"])))
    fields.append(("Customer", f"#{contact['customer_ref']} (hashed id)" if contact.get("customer_ref") else "unknown"))
    return fields

