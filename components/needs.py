"""The needs page's parts: the matrix of needs × channels (volumes and shares, imputed cells
marked), the 80/20 chart, each need's quality and value, and the target-mix what-if."""
from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.charts import COLOURS, base_figure, empty_figure, plot_text, second_axis, titled
from components.grids import kpi_column
from components.kpi import reading
from components.view import View
from i18n import N_, _, formats, ngettext
from i18n.labels import channel_label
from metrics import needs as nd
from metrics.registry import KPIS

VALUES = {"low": N_("low value"), "high": N_("high value"), nd.MIXED: N_("mixed value")}   # looked up where shown
IMPUTED_STYLE = {"fontStyle": "italic", "color": "#6c757d"}
APPROX = "≈ "   # before an imputed number


@dataclass(frozen=True)
class NeedsView:
    """What the page shows for a view: the needs, their quality, each channel's AHT."""

    result: nd.Needs
    per_need: pd.DataFrame
    per_channel: pd.DataFrame
    channel_ahts: dict
    hour_costs: dict             # each channel's cost of a handle hour, where costs are known and readable
    channels: list[str]          # by volume, the busiest first
    order: list[str]             # the needs by volume

    @property
    def empty(self) -> bool:
        return self.result.cells.empty


def needs_view(view: View) -> NeedsView:
    scope, settings = view.scope(), view.settings.kpi
    result = nd.needs(view.db, scope, settings)
    per_need, per_channel = nd.quality(view.db, scope, result.reference, settings)
    channels = result.cells.groupby("channel")["contacts"].sum().sort_values(ascending=False, kind="stable")
    return NeedsView(result, per_need, per_channel, nd.channel_aht(view.db, scope, settings),
                     nd.channel_hour_costs(view.db, scope, settings), channels.index.tolist(),
                     result.pareto["need"].tolist())


def _count(value: float, imputed: bool) -> str:
    return (APPROX if imputed else "") + formats.number(value)


def imputed_channels(nv: NeedsView) -> dict[str, float]:
    """The channels some of whose contacts are imputed, with how many."""
    cells = nv.result.cells
    return cells[cells["imputed"] > 0].groupby("channel")["imputed"].sum().to_dict()


def matrix_rows(nv: NeedsView) -> list[dict]:
    """One row per need (by volume): its contacts on each channel with the share of the need's
    contacts that channel carries, its total and share of all contacts; the total row last."""
    cells = nv.result.cells.set_index(["need", "channel"])
    pareto = nv.result.pareto.set_index("need")
    rows = []
    for need in nv.order:
        total = pareto.loc[need, "contacts"]
        row = {"key": need, "need": need, "total": total, "total__text": formats.number(total),
               "share": pareto.loc[need, "share"], "share__text": formats.percent(pareto.loc[need, "share"], 1)}
        for i, channel in enumerate(nv.channels):
            if (need, channel) not in cells.index:
                row.update({f"c{i}": None, f"c{i}__text": "–", f"c{i}__imputed": False})
                continue
            cell = cells.loc[(need, channel)]
            imputed = cell["imputed"] > 0
            text = f"{_count(cell['contacts'], imputed)} ({formats.percent(100 * cell['contacts'] / total, 0)})"
            row.update({f"c{i}": float(cell["contacts"]), f"c{i}__text": text, f"c{i}__imputed": bool(imputed),
                        f"c{i}__tip": _imputed_tip(cell) if imputed else text})
        rows.append(row)
    if rows:
        whole = nv.result.pareto["contacts"].sum()
        total_row = {"key": "", "need": _("All needs"), "total": whole, "total__text": formats.number(whole), "share": 100.0,
                     "share__text": formats.percent(100, 0)}
        for i, channel in enumerate(nv.channels):
            on = nv.result.cells[nv.result.cells["channel"] == channel]
            imputed = bool((on["imputed"] > 0).any())
            total_row.update({f"c{i}": float(on["contacts"].sum()),
                              f"c{i}__text": f"{_count(on['contacts'].sum(), imputed)} "
                                             f"({formats.percent(100 * on['contacts'].sum() / whole, 0)})",
                              f"c{i}__imputed": imputed})
        rows.append(total_row)
    return rows


def _imputed_tip(cell: pd.Series) -> str:
    if cell["known"] > 0:
        return _("{known} contacts with this need's reasons, and {imputed} imputed: contacts of the channel "
                 "without a reason, spread in proportion of the need's share", known=formats.number(cell["known"]),
                 imputed=formats.number(cell["imputed"], 1))
    return _("{imputed} imputed: the channel's contacts have no reason; spread in proportion of the need's share "
             "on the channels where reasons are known", imputed=formats.number(cell["imputed"], 1))


def matrix_columns(nv: NeedsView) -> list[dict]:
    cols = [{"field": "need", "headerName": _("Need"), "pinned": "left", "minWidth": 190, "flex": 1.6}]
    for i, channel in enumerate(nv.channels):
        cols.append({"field": f"c{i}", "headerName": channel_label(channel), "type": "rightAligned",
                     "headerTooltip": _("Inbound contacts of the need on this channel, and the share of the need's "
                                        "contacts it carries; ≈ imputed"),
                     "valueFormatter": {"function": f"params.data['c{i}__text']"}, "tooltipField": f"c{i}__tip",
                     "cellStyle": {"styleConditions": [{"condition": f"params.data['c{i}__imputed']",
                                                        "style": IMPUTED_STYLE}]}})
    cols += [{"field": "total", "headerName": _("All channels"), "type": "rightAligned",
              "valueFormatter": {"function": "params.data['total__text']"}},
             {"field": "share", "headerName": _("Share of all contacts"), "type": "rightAligned",
              "valueFormatter": {"function": "params.data['share__text']"}}]
    return cols


def imputation_note(nv: NeedsView) -> list:
    """What is imputed and how, in words; nothing when no cell is."""
    notes = []
    for channel, count in sorted(imputed_channels(nv).items()):
        notes.append(html.Li(_("{channel}: {count} contacts without a reason, spread over the needs in proportion "
                               "of each need's share of the contacts whose reason is known (shown ≈, in italics)",
                               channel=channel_label(channel), count=formats.number(count))))
    if nv.result.unplaced:
        notes.append(html.Li(ngettext(
            "{count} contact without a reason is left out: no reason is known in the period to spread it by",
            "{count} contacts without a reason are left out: no reason is known in the period to spread them by",
            nv.result.unplaced, count=formats.number(nv.result.unplaced))))
    if not notes:
        return []
    return [dbc.Alert([html.Strong(_("Imputed volumes")), html.Ul(notes, className="mb-0 small")],
                      color="light", className="py-2 mb-2", id="needs-imputed")]


def pareto_figure(nv: NeedsView) -> go.Figure:
    """The needs by volume as bars (the 80 % set in colour), their cumulative share as a line."""
    top = nv.result.pareto
    if top.empty:
        return empty_figure(_("No inbound contact in the period"), height=340)
    names = [plot_text(n) for n in top["need"]]
    fig = base_figure(height=360)
    fig.add_bar(x=names, y=top["contacts"].tolist(), name=_("Contacts"),
                marker=dict(color=[COLOURS["accent"] if i else COLOURS["bar"] for i in top["in_80"]]),
                customdata=[_("in the 80 %") if i else _("outside the 80 %") for i in top["in_80"]],
                hovertemplate="%{y:,.0f} (%{customdata})<extra></extra>")
    fig.add_scatter(x=names, y=top["cumulative"].tolist(), name=_("Cumulative share"), yaxis="y2",
                    mode="lines+markers", line=dict(color=COLOURS["delivered"]),
                    hovertemplate="%{y:.1f} %<extra></extra>")
    fig.add_hline(y=nd.PARETO_SHARE, yref="y2", line=dict(color=COLOURS["target"], dash="dash"),
                  annotation_text=_("80 % of contacts"), annotation_position="bottom right")
    fig.update_layout(yaxis2=second_axis(_("Cumulative share (%)"), "right", range=[0, 105]),
                      yaxis=dict(title=dict(text=_("Contacts"))), bargap=0.25)
    in80 = int(top["in_80"].sum())
    return titled(fig, ngettext("{count} need of {total} makes 80 % of the contacts",
                                "{count} needs of {total} make 80 % of the contacts", in80,
                                count=formats.number(in80), total=formats.number(len(top))))


def quality_rows(nv: NeedsView, min_answers: int) -> list[dict]:
    """Per need (by volume): its value and reasons, FCR, repeat rate, satisfaction (pending and
    too few answers shown as such), its AHT on each channel."""
    ref = nv.result.reference
    needs = nd.need_of(ref)
    values, labels = nd.value_of(ref, needs), nd.labels_of(ref, needs)
    per_need = nv.per_need.set_index("need")
    per_channel = nv.per_channel.set_index(["need", "channel"])
    rows = []
    for need in nv.order:
        value = values.get(need)
        row = {"need": need, "value": _(VALUES[value]) if value in VALUES else "–",
               "reasons": ", ".join(labels.get(need, [need]))}
        found = per_need.loc[need].to_dict() if need in per_need.index else {}
        for k in nd.NEED_KPIS:
            r = reading(k, found, min_answers)
            row[k], row[f"{k}__text"], row[f"{k}__status"] = r.value, r.cell, "few" if r.too_few else None
        for i, channel in enumerate(nv.channels):
            one = per_channel.loc[(need, channel)].to_dict() if (need, channel) in per_channel.index else {}
            r = reading("aht", one)
            row[f"aht{i}"], row[f"aht{i}__text"], row[f"aht{i}__status"] = r.value, r.cell, None
        rows.append(row)
    return rows


def pending_note(nv: NeedsView, view: View) -> list:
    """How many contacts FCR and repeats still wait for, and from which day they count (the
    maturity rule), when the period holds some."""
    notes = []
    for k in ("fcr", "repeat_rate"):
        column = f"{k}__pending"
        pending = int(nv.per_need[column].sum()) if column in nv.per_need else 0
        if pending:
            notes.append(html.Li(_("{kpi}: {note}", kpi=KPIS[k].label(),
                                   note=view.maturity.note(k, pending, view.state.start))))
    return [html.Ul(notes, className="small text-muted mb-0")] if notes else []


def quality_columns(nv: NeedsView, view: View) -> list[dict]:
    settings = view.settings.kpi
    cols = [{"field": "need", "headerName": _("Need"), "pinned": "left", "minWidth": 190, "flex": 1.6,
             "tooltipField": "reasons"},
            {"field": "value", "headerName": _("Value"), "minWidth": 110,
             "headerTooltip": _("The perceived value of the need's requests (reasons reference)")}]
    cols += [kpi_column(k, settings) for k in nd.NEED_KPIS]
    cols += [kpi_column("aht", settings, field=f"aht{i}", title=_("AHT {channel}", channel=channel_label(ch)))
             for i, ch in enumerate(nv.channels)]
    return cols


def what_if_result(nv: NeedsView, need: str | None, source: str | None, target: str | None,
                   share: float | None) -> list:
    """The target mix's outcome as a small table and a sentence; a prompt while the form is
    incomplete; the reason when the request makes no sense."""
    if not (need and source and target and share is not None):
        return [html.P(_("Choose a need, the channel it leaves, the channel it moves to and the share moved."),
                       className="small text-muted")]
    try:
        w = nd.what_if(nv.result.cells, nv.per_channel, nv.channel_ahts, need, source, target, share, nv.hour_costs)
    except ValueError as exc:
        text = str(exc)
        return [dbc.Alert(text[:1].upper() + text[1:], color="warning", className="py-2", id="needs-whatif-error")]
    head = html.Thead(html.Tr([html.Th(_("Channel")), html.Th(_("Contacts before"), className="text-end"),
                               html.Th(_("Contacts after"), className="text-end"),
                               html.Th(_("AHT used"), className="text-end"),
                               html.Th(_("Handle hours before"), className="text-end"),
                               html.Th(_("Handle hours after"), className="text-end")]))
    body = []
    for r in w.rows.itertuples():
        aht = "–" if r.aht is None or r.aht != r.aht else (
            formats.duration(r.aht) + " " + (_("(the need's)") if r.aht_from == "need" else _("(the channel's)")))
        body.append(html.Tr([html.Td(channel_label(r.channel)), html.Td(formats.number(r.before), className="text-end"),
                             html.Td(formats.number(r.after), className="text-end"), html.Td(aht, className="text-end"),
                             html.Td(_hours(r.hours_before), className="text-end"),
                             html.Td(_hours(r.hours_after), className="text-end")]))
    summary = (_("Moving {share} of {need} from {source} to {target} moves {moved} contacts; the need's handle "
                 "time goes from {before} to {after} hours ({change}).", share=formats.percent(w.share, 0),
                 need=need, source=channel_label(source), target=channel_label(target),
                 moved=formats.number(w.moved), before=_hours(w.hours_before), after=_hours(w.hours_after),
                 change=formats.signed(w.hours_after - w.hours_before, 2))
               if w.hours_before is not None else
               _("Moving {share} of {need} from {source} to {target} moves {moved} contacts; the handle time is "
                 "not known: a channel has no handled contact in the period.", share=formats.percent(w.share, 0),
                 need=need, source=channel_label(source), target=channel_label(target),
                 moved=formats.number(w.moved)))
    if w.cost_before is not None:
        summary += " " + _("Its cost goes from {before} to {after} ({change}).", before=formats.money(w.cost_before, 0),
                           after=formats.money(w.cost_after, 0),
                           change=("+" if w.cost_after > w.cost_before else "") + formats.money(w.cost_after - w.cost_before, 0))
        how = _("Handle time = contacts × the need's AHT on the channel, else the channel's AHT; cost = those hours "
                "× the channel's cost of a handle hour in the period (its cost ÷ its handle hours).")
    else:
        how = _("Handle time = contacts × the need's AHT on the channel, else the channel's AHT. No cost covers "
                "every channel here: handle hours stand in for the cost.")
    return [html.P(summary, id="needs-whatif-summary"),
            dbc.Table([head, html.Tbody(body)], size="sm", bordered=False, className="needs-whatif w-auto"),
            html.P(how, className="small text-muted")]


def _hours(value: float | None) -> str:
    return "–" if value is None or value != value else formats.number(value, 2)


def need_options(nv: NeedsView) -> list[dict]:
    return [{"label": n, "value": n} for n in nv.order]


def channel_options(nv: NeedsView) -> list[dict]:
    return [{"label": channel_label(c), "value": c} for c in nv.channels]
