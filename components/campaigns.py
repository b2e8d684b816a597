"""The campaigns view's parts: KPIs per campaign with their reference data, the same by
purpose and by kind, and a campaign's progress through its target file."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.charts import COLOURS, base_figure, empty_figure, titled
from components.view import View
from metrics.campaigns import campaign_info, campaign_progress
from metrics.query import compute_measures, kpis_from_measures, measures_for
from metrics.registry import KPIS, format_value

CAMPAIGN_KPIS = ("attempts", "reach_rate", "conversion_rate", "revenue_per_sale", "aht",
                 "responses", "nps", "csat")
INFO = ("campaign_name", "purpose", "kind", "sponsor", "starts_on", "ends_on", "target_size")


def campaign_table(view: View) -> pd.DataFrame:
    """One row per campaign in scope: its reference data, its measures and its KPIs."""
    measures = compute_measures(view.db, view.scope(), measures_for(CAMPAIGN_KPIS), by="campaign",
                                settings=view.settings.kpi)
    measures = measures[measures["group"].notna()].rename(columns={"group": "campaign"})
    info = campaign_info(view.db, measures["campaign"].tolist())
    table = measures.merge(info, on="campaign", how="left")
    kpis = kpis_from_measures(measures.rename(columns={"campaign": "group"}), CAMPAIGN_KPIS)
    return table.merge(kpis.rename(columns={"group": "campaign"}), on="campaign", suffixes=("__m", ""))


def by_attribute(table: pd.DataFrame, attribute: str) -> pd.DataFrame:
    """The KPIs per purpose or kind, rebuilt from the campaigns' additive measures (exact)."""
    names = measures_for(CAMPAIGN_KPIS)
    cols = {n: (f"{n}__m" if f"{n}__m" in table else n) for n in names}
    sums = (table.assign(**{attribute: table[attribute].fillna("(not set)")})
            .groupby(attribute)[[cols[n] for n in names]].sum()
            .rename(columns={v: k for k, v in cols.items()}).reset_index())
    return pd.concat([sums[[attribute]], kpis_from_measures(sums, CAMPAIGN_KPIS)], axis=1)


def rows(table: pd.DataFrame, label: str) -> list[dict]:
    out = []
    for r in table.to_dict("records"):
        row = {label: r[label]}
        for col in INFO:
            if col in r:
                v = r[col]
                row[col] = "–" if v is None or v != v else (f"{v:%d/%m/%Y}" if hasattr(v, "strftime")
                                                         else (f"{int(v):,}" if col == "target_size" else str(v)))
        for k in CAMPAIGN_KPIS:
            v = r[k]
            value = None if v is None or (isinstance(v, float) and v != v) else float(v)
            row[k], row[f"{k}__text"] = value, format_value(KPIS[k], value)
        out.append(row)
    return out


def columns(label: str, title: str, info: bool) -> list[dict]:
    """The label, (the campaign's name), the KPIs, then the rest of the reference data."""
    cols = [{"field": label, "headerName": title, "pinned": "left", "minWidth": 120}]
    if info:
        cols.append({"field": "campaign_name", "headerName": "Name"})
    cols += [{"field": k, "headerName": KPIS[k].label_en, "type": "rightAligned",
              "valueFormatter": {"function": f"params.data['{k}__text']"}} for k in CAMPAIGN_KPIS]
    if info:
        cols += [{"field": c, "headerName": h} for c, h in (
            ("purpose", "Purpose"), ("kind", "Kind"), ("sponsor", "Sponsor"), ("starts_on", "Starts"),
            ("ends_on", "Ends"), ("target_size", "Target file"))]
    return cols


def busiest(table: pd.DataFrame) -> str | None:
    """The campaign with the most attempts in the period (shown until one is chosen)."""
    tried = table[table["attempts"] > 0]
    return None if tried.empty else tried.sort_values(["attempts", "campaign"], ascending=[False, True])["campaign"].iloc[0]


def progress_figure(view: View, campaign: str | None, table: pd.DataFrame) -> go.Figure:
    """Distinct customers tried and reached so far, against the target file's size; the
    busiest campaign of the period until one is chosen."""
    chosen = campaign or busiest(table)
    if not chosen:
        return empty_figure("No outbound attempt in the period", height=300)
    fig = _progress(view, chosen, table)
    if not campaign and fig.layout.title.text:
        fig.update_layout(title_text=f"{fig.layout.title.text} (the period's busiest campaign; choose another above)")
    return fig


def _progress(view: View, campaign: str, table: pd.DataFrame) -> go.Figure:
    data = campaign_progress(view.db, view.scope(), campaign)
    if data.empty:
        return empty_figure("No attempt of this campaign with a known customer in the period", height=300)
    info = table.set_index("campaign").loc[campaign] if campaign in set(table["campaign"]) else None
    fig = base_figure(height=320)
    fig.add_scatter(x=data["day"], y=data["tried"], name="Customers tried", line=dict(color=COLOURS["accent"]))
    fig.add_scatter(x=data["day"], y=data["reached"], name="Customers reached",
                    line=dict(color=COLOURS["perceived"]))
    title = f"Progress of {campaign}"
    if info is not None and info["target_size"] == info["target_size"] and info["target_size"]:
        size = float(info["target_size"])
        fig.add_hline(y=size, line=dict(color=COLOURS["target"], dash="dash"),
                      annotation_text=f"target file {size:,.0f}", annotation_position="top left")
        title += f": {data['tried'].iloc[-1] / size:.0%} of the target file tried, " \
                 f"{data['reached'].iloc[-1] / size:.0%} reached"
    return titled(fig, title)
