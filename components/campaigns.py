"""The campaigns view's parts: KPIs per campaign with their reference data, the same by
purpose and by kind, and a campaign's progress through its target file."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.charts import COLOURS, base_figure, empty_figure, plot_text, titled
from components.grids import kpi_column
from components.kpi import reading
from i18n.labels import kind_label, purpose_label
from components.view import View
from i18n import N_, _, formats
from metrics.campaigns import campaign_info, campaign_progress
from metrics.query import compute, compute_measures, kpis_from_measures, measures_for
from metrics.registry import KPIS

CAMPAIGN_KPIS = ("attempts", "reach_rate", "conversion_rate", "revenue_per_sale", "aht", "nps", "csat")
INFO = ("campaign_name", "purpose", "kind", "sponsor", "starts_on", "ends_on", "target_size")
DAY_MS = 86_400_000
NOT_SET = N_("(not set)")     # the group of the campaigns without a purpose (or kind): its key, looked up to show it
LABELS = {"purpose": purpose_label, "kind": kind_label}


def attribute_text(attribute: str, code) -> str:
    """A purpose or a kind as a person reads it: "Relance de devis" for ``quote_follow_up``."""
    if code is None or code != code or code == NOT_SET:
        return _(NOT_SET)
    return LABELS[attribute](code)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def campaign_table(view: View) -> pd.DataFrame:
    """One row per campaign in scope: its reference data, its measures, its KPIs with the
    counts behind them, and how many channels its handled contacts came through."""
    measures = compute_measures(view.db, view.scope(), measures_for(CAMPAIGN_KPIS, counts=True), by="campaign",
                                settings=view.settings.kpi)
    measures = measures[measures["group"].notna()].rename(columns={"group": "campaign"})
    info = campaign_info(view.db, measures["campaign"].tolist())
    kpis = kpis_from_measures(measures.rename(columns={"campaign": "group"}), CAMPAIGN_KPIS, counts=True)
    channels = compute(view.db, view.scope(), ["handled"], by=["campaign", "channel"], settings=view.settings.kpi)
    channels = channels[channels["handled"] > 0].groupby("campaign").size().rename("channels").reset_index()
    keyed = lambda f: f.astype({"campaign": object})  # noqa: E731 - an empty scope's keys are no text
    table = keyed(measures).merge(keyed(info), on="campaign", how="left")
    table = table.merge(keyed(kpis.rename(columns={"group": "campaign"})), on="campaign", suffixes=("__m", ""))
    return table.merge(keyed(channels), on="campaign", how="left").fillna({"channels": 0})


def by_attribute(table: pd.DataFrame, attribute: str) -> pd.DataFrame:
    """The KPIs per purpose or kind, rebuilt from the campaigns' additive measures (exact)."""
    names = measures_for(CAMPAIGN_KPIS)
    cols = {n: (f"{n}__m" if f"{n}__m" in table else n) for n in names}
    sums = (table.assign(**{attribute: table[attribute].fillna(NOT_SET)})
            .groupby(attribute)[[cols[n] for n in names]].sum()
            .rename(columns={v: k for k, v in cols.items()}).reset_index())
    return pd.concat([sums[[attribute]], kpis_from_measures(sums, CAMPAIGN_KPIS, counts=True)], axis=1)


def rows(table: pd.DataFrame, label: str, min_answers: int = 0) -> list[dict]:
    """Grid rows: the campaign (with its name), its KPIs (a handle time over several channels
    said to be mixed; a score from too few answers with its count), its reference data."""
    out = []
    for r in table.to_dict("records"):
        name = r.get("campaign_name")
        shown = attribute_text(label, r[label]) if label in LABELS else r[label]
        row = {label: r[label], "title": f"{r[label]} · {name}" if isinstance(name, str) and name else shown}
        for col in INFO:
            if col in r and col != label:
                v = r[col]
                row[col] = "–" if v is None or v != v else (
                    formats.day(v) if hasattr(v, "strftime") else formats.number(int(v)) if col == "target_size"
                    else attribute_text(col, v) if col in LABELS else str(v))
        if "campaign_name" in r:   # the reference data a person reads on hover of the campaign
            row["about"] = _("{campaign} — purpose: {purpose}; kind: {kind}; ordered by {sponsor}; "
                             "from {start} to {end}; target file: {size}", campaign=row["title"],
                             purpose=_lower_first(row["purpose"]), kind=_lower_first(row["kind"]),
                             sponsor=row["sponsor"], start=row["starts_on"], end=row["ends_on"],
                             size=row["target_size"])
        for k in CAMPAIGN_KPIS:
            value = reading(k, r, min_answers)
            mixed = KPIS[k].per_channel and r.get("channels", 0) > 1
            row[k], row[f"{k}__text"] = value.value, value.cell + (" " + _("(mixed channels)") if mixed else "")
            row[f"{k}__status"] = "few" if value.too_few else None
        out.append(row)
    return out


def columns(label: str, title: str, info: bool, view: View) -> list[dict]:
    """The campaign (code and name), the KPIs, then the rest of the reference data."""
    cols = [{"field": "title", "headerName": title, "pinned": "left", "minWidth": 190 if info else 230, "flex": 1.5,
             **({"tooltipField": "about"} if info else {})}]
    cols += [whole_words(kpi_column(k, view.settings.kpi)) for k in CAMPAIGN_KPIS]
    if info:   # the rest of the reference data is on hover of the campaign
        cols += [whole_words({"field": "sponsor", "headerName": _("Sponsor"), "minWidth": 145}),
                 whole_words({"field": "target_size", "headerName": _("Target file"), "type": "rightAligned"})]
    return cols


def whole_words(column: dict) -> dict:
    """A column wide enough for its header's longest word ("d'aboutissement"): headers wrap
    between words, and a word wider than its column is cut."""
    longest = max((len(w) for w in str(column["headerName"]).split()), default=0)
    return {**column, "minWidth": max(column.get("minWidth", 0), 100, 7 * longest + 34)}   # about 7 px a letter


def busiest(table: pd.DataFrame) -> str | None:
    """The campaign with the most attempts in the period (shown until one is chosen)."""
    tried = table[table["attempts"] > 0]
    return None if tried.empty else tried.sort_values(["attempts", "campaign"], ascending=[False, True])["campaign"].iloc[0]


def progress_figure(view: View, campaign: str | None, table: pd.DataFrame) -> go.Figure:
    """Distinct customers tried and reached so far, against the target file's size; the
    busiest campaign of the period until one is chosen."""
    chosen = campaign or busiest(table)
    if not chosen:
        return empty_figure(_("No outbound attempt in the period"), height=300)
    fig = _progress(view, chosen, table)
    if not campaign and fig.layout.title.text:
        fig.update_layout(title_text=_("{title} (the period's busiest campaign; choose another above)",
                                       title=fig.layout.title.text))
    return fig


def _progress(view: View, campaign: str, table: pd.DataFrame) -> go.Figure:
    data = campaign_progress(view.db, view.scope(), campaign)
    if data.empty:
        return empty_figure(_("No attempt of this campaign with a known customer in the period"), height=300)
    info = table.set_index("campaign").loc[campaign] if campaign in set(table["campaign"]) else None
    fig = base_figure(height=320)
    fig.add_scatter(x=data["day"], y=data["tried"], name=_("Customers tried"), line=dict(color=COLOURS["accent"]))
    fig.add_scatter(x=data["day"], y=data["reached"], name=_("Customers reached"),
                    line=dict(color=COLOURS["perceived"]))
    title = _("Progress of {campaign}", campaign=plot_text(campaign))
    if info is not None and info["target_size"] == info["target_size"] and info["target_size"]:
        size = float(info["target_size"])
        fig.add_hline(y=size, line=dict(color=COLOURS["target"], dash="dash"),
                      annotation_text=_("target file {size}", size=formats.number(size)),
                      annotation_position="top left")
        title = _("{title}: {tried} of the target file tried, {reached} reached", title=title,
                  tried=formats.percent(100 * data["tried"].iloc[-1] / size, 0),
                  reached=formats.percent(100 * data["reached"].iloc[-1] / size, 0))
    # days as both languages write them (Plotly's own would read "mars 3, 2025"), a tick a day or every few
    days = (pd.Timestamp(data["day"].iloc[-1]) - pd.Timestamp(data["day"].iloc[0])).days + 1
    fig.update_xaxes(tickformat="%d/%m", hoverformat="%d/%m/%Y", dtick=DAY_MS * max(1, -(-days // 12)),
                     tick0=pd.Timestamp(data["day"].iloc[0]).isoformat())
    return titled(fig, title)
