"""The campaigns as a service provider runs them: each campaign's service contract against
its results (met / missed, in words and icons), its economics, its retro-planning, the
calendar of the year's campaigns and the form a director edits a contract with."""
from __future__ import annotations

from datetime import date, timedelta

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.campaigns import attribute_text, campaign_table, whole_words
from components.charts import COLOURS, base_figure, empty_figure, plot_text, titled
from components.view import View
from data.campaign_contracts import DEFAULT_OFFSETS, MILESTONE_LABELS, MILESTONES, Contract, contracts_for
from i18n import N_, _, formats
from metrics.campaigns import (OBJECTIVES, campaign_codes, campaign_info, deadline_status, milestone_plan,
                               objective_status, tried_by)
from metrics.query import compute, dimension_values

ECONOMIC = ("campaign_cost", "acquisition_cost", "return_on_cost", "response_rate_campaign", "efficiency_rate")
COSTS = ("campaign_cost", "acquisition_cost", "return_on_cost")     # None: the scope has no cost data
OBJECTIVE_HEADS = {"reach_rate": N_("Reach rate"), "conversion_rate": N_("Conversion"),
                   "response_rate": N_("Response rate"), "acquisition_cost": N_("Acquisition cost")}
RESULT_WORDS = {"met": ("✓", N_("met")), "missed": ("✗", N_("missed")), "pending": ("…", N_("under way")),
                "unknown": ("?", N_("no data"))}
MILESTONE_WORDS = {"done": ("✓", N_("done on {day} (planned {planned})")), "on_time": ("✓", N_("done on {day}")),
                   "late": ("✗", N_("{day}, late")), "coming": ("◦", N_("{day}, coming"))}
MILESTONE_STATE = {"done": "met", "late": "missed", "coming": None}    # the grid's colour classes
KIND_COLOURS = {"recurring": COLOURS["accent"], "one_off": COLOURS["perceived"]}


def economics(view: View) -> pd.DataFrame:
    """Per campaign in scope, its economic KPIs (a scope without cost data: None)."""
    out = compute(view.db, view.scope(), ECONOMIC, by="campaign", settings=view.settings.kpi)
    out = out.rename(columns={"group": "campaign"}) if "group" in out else out
    out = out[out["campaign"].notna()].astype({"campaign": object})
    if "campaign_cost" in out:     # no cost row for the campaign: its cost ratios are unknown, not 0
        unknown = out["campaign_cost"].isna()
        for kpi in set(COSTS) & set(out.columns):
            out[kpi] = out[kpi].astype(object).where(~unknown, None)
    return out


def _value(v):
    return None if v is None or v != v else v


def results(view: View, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per campaign of the period in scope: its reference data, its KPIs, its
    economics and, for each objective of its contract, target, actual and status; the
    deadline's target file tried by then."""
    table = campaign_table(view) if table is None else table
    if table.empty:
        return table
    econ = economics(view)
    keep = [c for c in econ.columns if c == "campaign" or c in ECONOMIC and c not in table]
    table = table.merge(econ[keep], on="campaign", how="left")
    contracts = contracts_for(view.db, table["campaign"].tolist())
    rows = []
    for r in table.to_dict("records"):
        c = contracts.get(r["campaign"]) or Contract(r["campaign"])
        row = dict(r)
        for objective, kpi in OBJECTIVES.items():
            target, actual = getattr(c, objective), _value(r.get(kpi))
            row[f"{objective}__target"], row[f"{objective}__actual"] = target, actual
            row[f"{objective}__result"] = objective_status(objective, target, actual)
        tried = (tried_by(view.db, view.scope(), r["campaign"], c.deadline, view.first or c.deadline)
                 if c.deadline else 0)
        row.update(deadline=c.deadline, deadline__tried=tried,
                   deadline__result=deadline_status(c.deadline, _value(r.get("target_size")), tried, view.last))
        rows.append(row)
    return pd.DataFrame(rows)


def objective_text(objective: str, value) -> str:
    if value is None:
        return "–"
    return formats.money(value) if objective == "acquisition_cost" else formats.percent(value, 1)


def actual_text(kpi: str, value) -> str:
    if value is None:
        return _("no cost data") if kpi in COSTS else "–"
    return formats.money(value) if kpi in COSTS else formats.percent(value, 1)


def result_text(result: str | None, detail: str) -> str:
    """"✓ met: 50.0 % (objective 45.0 %)"; without an objective, the value alone."""
    if result is None:
        return detail
    icon, word = RESULT_WORDS[result]
    if result == "unknown":       # the detail says what is missing
        return f"{icon} {detail}"
    return _("{icon} {result}: {detail}", icon=icon, result=_(word), detail=detail)


def objective_cell(r: dict, objective: str) -> tuple[str, str | None]:
    kpi, target = OBJECTIVES[objective], _value(r[f"{objective}__target"])
    actual = actual_text(kpi, _value(r[f"{objective}__actual"]))
    result = _value(r[f"{objective}__result"])
    if result == "unknown" and actual == "–":
        actual = _("no data")
    detail = _("{actual} (objective {target})", actual=actual, target=objective_text(objective, target)) \
        if target is not None else actual
    return result_text(result, detail), result if result in ("met", "missed") else None


def deadline_cell(r: dict) -> tuple[str, str | None]:
    deadline, result = _day(r["deadline"]), _value(r["deadline__result"])
    if deadline is None:
        return "–", None
    size = _value(r.get("target_size"))
    detail = (_("{tried} of {size} tried by {day}", tried=formats.number(r["deadline__tried"]),
                size=formats.number(size), day=formats.day(deadline)) if size
              else _("by {day}; no target file", day=formats.day(deadline)))
    return result_text(result, detail), result if result in ("met", "missed") else None


def contract_rows(res: pd.DataFrame) -> list[dict]:
    out = []
    for r in res.to_dict("records"):
        name = r.get("campaign_name")
        row = {"campaign": r["campaign"], "title": f"{r['campaign']} · {name}" if isinstance(name, str) and name
               else r["campaign"], "sponsor": r.get("sponsor") if isinstance(r.get("sponsor"), str) else "–"}
        for objective in OBJECTIVES:
            row[objective], row[f"{objective}__status"] = objective_cell(r, objective)
        row["deadline"], row["deadline__status"] = deadline_cell(r)
        for kpi in ("campaign_cost", "return_on_cost"):
            row[kpi] = actual_text(kpi, _value(r.get(kpi)))
        out.append(row)
    return out


def _column(field: str, title: str, status: bool = True, width: int = 120) -> dict:
    col = whole_words({"field": field, "headerName": title, "minWidth": width, "flex": 1, "tooltipField": field,
                        "wrapText": True, "autoHeight": True})
    if status:
        col["cellClassRules"] = {f"cell-{s}": f"params.data['{field}__status'] == '{s}'" for s in ("met", "missed")}
    return col


def contract_columns() -> list[dict]:
    return ([{**_column("title", _("Campaign"), False, 170), "pinned": "left"},
             _column("sponsor", _("Sponsor"), False, 105)]
            + [_column(o, _(h)) for o, h in OBJECTIVE_HEADS.items()]
            + [_column("deadline", _("Deadline: target file tried"), True, 140),
               _column("campaign_cost", _("Campaign cost"), False, 100),
               _column("return_on_cost", _("Revenue per euro spent"), False, 100)])


# ---------------------------------------------------------------- the year's campaigns

def year_campaigns(view: View, year: int) -> pd.DataFrame:
    """The campaigns of the year the viewer may see: for a viewer without restrictions and a
    view without filters every campaign of the table running that year (coming ones too),
    else those with contacts in scope that year."""
    scope = view.scope().with_period(date(year, 1, 1), date(year, 12, 31))
    codes = set(dimension_values(view.db, scope, ["campaign"])["campaign"])
    if not view.viewer.restrictions and not view.state.filters:
        codes |= set(campaign_codes(view.db))
    info = campaign_info(view.db, sorted(codes))
    if info.empty:
        return info
    start, end = pd.to_datetime(info["starts_on"]), pd.to_datetime(info["ends_on"])
    running = (start.isna() | (start <= pd.Timestamp(year, 12, 31))) & (end.isna() | (end >= pd.Timestamp(year, 1, 1)))
    return info[running & start.notna()].sort_values(["starts_on", "campaign"]).reset_index(drop=True)


def _day(v) -> date | None:
    v = _value(v)
    return None if v is None else pd.Timestamp(v).date()


def plans(view: View, info: pd.DataFrame, today: date) -> dict[str, list[dict]]:
    """Each campaign's milestones (its contract's offsets, else the defaults)."""
    contracts = contracts_for(view.db, info["campaign"].tolist()) if not info.empty else {}
    out = {}
    for r in info.to_dict("records"):
        c = contracts.get(r["campaign"]) or Contract(r["campaign"])
        out[r["campaign"]] = milestone_plan(_day(r["starts_on"]), c.offsets, c.done, today, MILESTONES)
    return out


def milestone_text(m: dict) -> str:
    icon, words = MILESTONE_WORDS["on_time" if m["status"] == "done" and m["done_on"] == m["day"] else m["status"]]
    day = formats.day(m["done_on"] if m["status"] == "done" else m["day"])
    return f"{icon} " + _(words, day=day, planned=formats.day(m["day"]))


def milestone_rows(info: pd.DataFrame, planned: dict[str, list[dict]]) -> list[dict]:
    out = []
    for r in info.to_dict("records"):
        row = {"campaign": r["campaign"], "title": _title(r), "kind": attribute_text("kind", r.get("kind"))}
        for m in planned.get(r["campaign"], []):
            row[m["milestone"]], row[f"{m['milestone']}__status"] = milestone_text(m), MILESTONE_STATE[m["status"]]
        out.append(row)
    return out


def milestone_columns() -> list[dict]:
    heads = [{**_column("title", _("Campaign"), False, 180), "pinned": "left"}, _column("kind", _("Kind"), False, 110)]
    return heads + [_column(m, _(MILESTONE_LABELS[m]).capitalize(), True, 140) for m in MILESTONES]


def _title(r: dict) -> str:
    name = r.get("campaign_name")
    return f"{r['campaign']} · {name}" if isinstance(name, str) and name else str(r["campaign"])


def calendar_figure(info: pd.DataFrame, planned: dict[str, list[dict]], year: int) -> go.Figure:
    """A bar per campaign from its first to its last day (a campaign without an end runs to
    the year's), recurring ones hatched, the milestones as marks; today's line."""
    if info.empty:
        return empty_figure(_("No campaign runs in {year}", year=year), height=260)
    fig = base_figure(height=max(260, 90 + 28 * len(info)))
    year_end = date(year, 12, 31)
    labels = [plot_text(_title(r)) for r in info.to_dict("records")]
    for kind in ("recurring", "one_off", None):
        part = info[info["kind"] == kind] if kind else info[~info["kind"].isin(["recurring", "one_off"])]
        if part.empty:
            continue
        starts = [_day(v) for v in part["starts_on"]]
        ends = [_day(v) or year_end for v in part["ends_on"]]
        fig.add_bar(y=[plot_text(_title(r)) for r in part.to_dict("records")], orientation="h",
                    base=[s.isoformat() for s in starts],
                    x=[((e - s).days + 1) * 86_400_000 for s, e in zip(starts, ends)],
                    name=attribute_text("kind", kind), marker=dict(
                        color=KIND_COLOURS.get(kind, COLOURS["muted"]),
                        pattern=dict(shape="/" if kind == "recurring" else "", fgcolor="white", fgopacity=0.6,
                                     fillmode="overlay")),
                    hovertext=[_("{campaign}: {start} to {end}", campaign=plot_text(_title(r)),
                                 start=formats.day(s), end=formats.day(e))
                               for r, s, e in zip(part.to_dict("records"), starts, ends)],
                    hoverinfo="text")
    marks = [(lab, m) for lab, r in zip(labels, info.to_dict("records")) for m in planned.get(r["campaign"], [])
             if m["milestone"] != "launch"]
    if marks:
        fig.add_scatter(x=[m["day"].isoformat() for _l, m in marks], y=[lab for lab, _m in marks], mode="markers",
                        name=_("Preparation milestones"), marker=dict(symbol="diamond", size=9, color=COLOURS["delivered"],
                                                                      line=dict(color="white", width=1)),
                        hovertext=[f"{lab}: {milestone_text(m)} – {_(MILESTONE_LABELS[m['milestone']])}"
                                   for lab, m in marks], hoverinfo="text")
    first = min([date(year, 1, 1)] + [m["day"] - timedelta(days=7) for _l, m in marks])   # a mark shown whole
    fig.update_xaxes(type="date", range=[first.isoformat(), (year_end + timedelta(days=1)).isoformat()],
                     tickformat="%m/%Y", dtick="M1")
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(labels)), type="category")
    fig.update_layout(barmode="overlay", bargap=0.35)
    return titled(fig, _("Campaigns of {year}: hatched bars recurring, plain bars one-off; ◆ a milestone",
                         year=year))


# ---------------------------------------------------------------- the contract's form

FIELD_IDS = ("reach_rate", "conversion_rate", "response_rate", "acquisition_cost", "deadline")


def form_id(key: str) -> str:
    return f"campaigns-contract-{key}"


def contract_form(options: list[str], writes: bool) -> dbc.Card:
    """The form a director edits a campaign's contract and milestones with (hidden to others)."""
    def field(key: str, label: str, kind: str = "number", **props):
        return dbc.Col([dbc.Label(label, html_for=form_id(key), className="small text-muted mb-0"),
                        dbc.Input(id=form_id(key), type=kind, size="sm", **props)], md=2)

    numbers = dict(step="any")   # no browser bounds: a number out of them would reach us as none; we say why
    return dbc.Card(dbc.CardBody([
        html.H5(_("Edit a campaign's contract and retro-planning"), className="mb-2"),
        dbc.Row([dbc.Col([dbc.Label(_("Campaign"), className="small text-muted mb-0"),
                          _dropdown(options)], md=4)], className="g-2 mb-2"),
        dbc.Row([field("reach_rate", _("Reach rate objective (%)"), **numbers),
                 field("conversion_rate", _("Conversion objective (%)"), **numbers),
                 field("response_rate", _("Response rate objective (%)"), **numbers),
                 field("acquisition_cost", _("Acquisition cost objective (€, at most)"), **numbers),
                 field("deadline", _("Deadline (whole target file tried)"), "date")], className="g-2 mb-2"),
        html.Div(_("Milestones: days before the launch, and the day each was done"), className="small text-muted"),
        dbc.Row([dbc.Col([dbc.Label(_(MILESTONE_LABELS[m]).capitalize(), className="small text-muted mb-0"),
                          dbc.Input(id=form_id(f"offset-{m}"), type="number", size="sm", step=1,
                                    value=DEFAULT_OFFSETS[m], disabled=m == "launch"),
                          dbc.Input(id=form_id(f"done-{m}"), type="date", size="sm", className="mt-1")], md=2) for m in MILESTONES], className="g-2 mb-2"),
        dbc.Button(_("Save the contract"), id=form_id("save"), color="primary", size="sm"),
        html.Span(id=form_id("saved"), className="small ms-2"),
    ]), className="mt-3 no-print", style=None if writes else {"display": "none"})


def _dropdown(options: list[str]):
    from dash import dcc
    return dcc.Dropdown(id=form_id("campaign"), options=options, placeholder=_("Choose a campaign"))


def form_values(contract: Contract | None) -> list:
    """The form's fields for a stored contract (the defaults without one)."""
    c = contract or Contract("")
    return ([c.reach_rate, c.conversion_rate, c.response_rate, c.acquisition_cost,
             c.deadline.isoformat() if c.deadline else None]
            + [c.offset(m) for m in MILESTONES]
            + [c.done[m].isoformat() if m in c.done else None for m in MILESTONES])
