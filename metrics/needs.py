"""Customer needs and the channel mix (KPIS.md): inbound volumes per need × channel, with the
volume of contacts without a reason imputed; the 80/20 view; each need's quality and value;
the "target mix" what-if.

A *need* groups contact reasons (the reasons reference); a reason the reference does not name,
or names without a need, is its own need. Contacts without a reason are spread over the needs
in proportion of each need's share of the contacts whose reason is known (on the channels
where reasons are known); the cells they make are marked ``imputed``. Every figure comes from
the scoped query layer (``metrics.query``): the viewer's restrictions apply.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection, Engine

from i18n import _, current, formats, ngettext
from i18n.labels import channel_label
from metrics.query import Scope, _bound, _run, compute, compute_measures, kpis_from_measures, measures_for
from settings import KpiSettings

NEED_KPIS = ("fcr", "repeat_rate", "csat")   # per need over every channel
PER_CHANNEL_KPIS = ("aht",)                   # per need and channel: not comparable across channels
PARETO_SHARE = 80.0                           # the 80/20 view: the fewest needs making at least 80 %
MIXED = "mixed"                               # a need whose reasons have different values
_EPS = 1e-9


@dataclass(frozen=True)
class Needs:
    """The needs of a scope.

    ``cells``: need, channel, ``known`` (contacts with a reason of the need), ``imputed`` (the
    channel's contacts without a reason, spread by the need's share), ``contacts`` (both);
    ``pareto``: need, contacts, share and cumulative share (%), ``in_80``; ``unplaced``: the
    contacts without a reason that could not be spread (no reason known in the scope)."""

    cells: pd.DataFrame
    pareto: pd.DataFrame
    unplaced: int
    reference: pd.DataFrame     # reason, need, label_fr, label_en, value: the reasons in scope


def reference(db: Engine | Connection, reasons) -> pd.DataFrame:
    """The reasons reference's rows for these reasons (the reasons come from a scoped query)."""
    columns = ["reason", "need", "label_fr", "label_en", "value"]
    reasons = [r for r in reasons if isinstance(r, str)]
    if not reasons:
        return pd.DataFrame(columns=columns)
    params = {"reasons": reasons}
    return _run(db, _bound(f"SELECT {', '.join(columns)} FROM reasons WHERE reason IN :reasons", params), params)


def need_of(ref: pd.DataFrame) -> dict[str, str]:
    """Each referenced reason's need; a reason without a need is its own."""
    return {r: (n if isinstance(n, str) and n.strip() else r) for r, n in zip(ref["reason"], ref["need"])}


def _with_need(frame: pd.DataFrame, needs: dict[str, str]) -> pd.DataFrame:
    """The rows with a reason, each with its need."""
    known = frame[frame["reason"].notna()].copy()
    known["need"] = [needs.get(r, r) for r in known["reason"]]
    return known


def spread(volumes: pd.DataFrame, needs: dict[str, str]) -> tuple[pd.DataFrame, int]:
    """The cells of inbound volumes given per reason and channel (``reason``, ``channel``,
    ``inbound``; a reason None for the contacts without one), and the contacts left unplaced."""
    known = _with_need(volumes, needs).groupby(["need", "channel"], as_index=False)["inbound"].sum()
    known = known[known["inbound"] > 0].rename(columns={"inbound": "known"})
    unknown = volumes[volumes["reason"].isna()].groupby("channel")["inbound"].sum()
    unknown = unknown[unknown > 0]
    totals = known.groupby("need")["known"].sum()
    cells = known.assign(imputed=0.0)
    unplaced = 0
    if len(unknown) and totals.sum() > 0:
        shares = totals / totals.sum()
        spread_rows = pd.DataFrame([(need, channel, 0, float(count) * share)
                                    for channel, count in unknown.items() for need, share in shares.items()],
                                   columns=["need", "channel", "known", "imputed"])
        cells = (pd.concat([cells, spread_rows]).groupby(["need", "channel"], as_index=False)
                 [["known", "imputed"]].sum())
    elif len(unknown):
        unplaced = int(unknown.sum())
    cells["known"] = cells["known"].astype("int64")
    cells["contacts"] = cells["known"] + cells["imputed"]
    return cells.sort_values(["need", "channel"]).reset_index(drop=True), unplaced


def pareto(cells: pd.DataFrame) -> pd.DataFrame:
    """Needs by volume (then name), each with its share and the cumulative share (%); ``in_80``
    marks the fewest needs that make at least 80 % of the contacts: a need is in when the
    needs before it make less than 80 %."""
    totals = cells.groupby("need", as_index=False)["contacts"].sum()
    totals = totals.sort_values(["contacts", "need"], ascending=[False, True]).reset_index(drop=True)
    whole = totals["contacts"].sum()
    if whole <= 0:
        return totals.assign(share=[], cumulative=[], in_80=[])
    share = 100 * totals["contacts"] / whole
    cumulative = share.cumsum()
    before = cumulative - share
    return totals.assign(share=share, cumulative=cumulative, in_80=before < PARETO_SHARE - _EPS)


def needs(db: Engine | Connection, scope: Scope, settings: KpiSettings = KpiSettings()) -> Needs:
    """The needs × channels of a scope, their 80/20 view and the reference behind them."""
    volumes = compute_measures(db, scope, ["inbound"], by=["reason", "channel"], settings=settings)
    volumes = volumes[volumes["inbound"] > 0]
    ref = reference(db, volumes["reason"].dropna().unique().tolist())
    cells, unplaced = spread(volumes, need_of(ref))
    return Needs(cells, pareto(cells), unplaced, ref)


def value_of(ref: pd.DataFrame, needs: dict[str, str]) -> dict[str, str | None]:
    """Each need's value: its reasons' when they agree (``low``, ``high``), ``mixed`` when they
    differ; a need none of whose reasons has one has none."""
    out: dict[str, set] = {}
    for reason, value in zip(ref["reason"], ref["value"]):
        if isinstance(value, str):
            out.setdefault(needs.get(reason, reason), set()).add(value)
    return {n: (v.pop() if len(v) == 1 else MIXED) for n, v in out.items()}


def labels_of(ref: pd.DataFrame, needs: dict[str, str]) -> dict[str, list[str]]:
    """Each need's reasons as the reader's language labels them (the code where unlabelled)."""
    column = "label_fr" if current() == "fr" else "label_en"
    out: dict[str, list[str]] = {}
    for reason, label in zip(ref["reason"], ref[column]):
        out.setdefault(needs.get(reason, reason), []).append(label if isinstance(label, str) and label else reason)
    return {n: sorted(v) for n, v in out.items()}


def _by_need(measures: pd.DataFrame, needs: dict[str, str], keys: list[str], kpis) -> pd.DataFrame:
    names = measures_for(kpis, counts=True)
    sums = _with_need(measures, needs).groupby(keys, as_index=False)[names].sum()
    return pd.concat([sums[keys], kpis_from_measures(sums[names], kpis, counts=True)], axis=1)


def quality(db: Engine | Connection, scope: Scope, ref: pd.DataFrame,
            settings: KpiSettings = KpiSettings()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each need's FCR, repeat rate and satisfaction (with the counts behind them and the
    contacts pending), and its AHT on each channel, over the contacts whose reason is known
    (those without a reason have no need to count for)."""
    measures = compute_measures(db, scope, measures_for(NEED_KPIS + PER_CHANNEL_KPIS, counts=True),
                                by=["reason", "channel"], settings=settings)
    needs = need_of(ref)
    per_need = _by_need(measures, needs, ["need"], NEED_KPIS)
    per_channel = _by_need(measures, needs, ["need", "channel"], PER_CHANNEL_KPIS)
    return per_need, per_channel


def channel_aht(db: Engine | Connection, scope: Scope, settings: KpiSettings = KpiSettings()) -> dict[str, float]:
    """Each channel's AHT over all its handled contacts in the scope (None when none)."""
    table = compute(db, scope, ["aht"], by="channel", settings=settings)
    return {ch: (None if v is None or v != v else float(v)) for ch, v in zip(table["group"], table["aht"])
            if isinstance(ch, str)}


def channel_hour_costs(db: Engine | Connection, scope: Scope, settings: KpiSettings = KpiSettings()) -> dict[str, float]:
    """Each channel's cost of an hour of handling in the scope: its cost ÷ its handle hours
    (``metrics.economics``; none where no cost row covers it, or for a viewer who reads no cost)."""
    found = compute_measures(db, scope, ["cost_amount", "cost_known", "handle_time_sum"], by="channel",
                             settings=settings)
    return {ch: float(cost) / (float(seconds) / 3600)
            for ch, cost, known, seconds in zip(found["group"], found["cost_amount"], found["cost_known"],
                                                found["handle_time_sum"]) if isinstance(ch, str) and known and seconds}


@dataclass(frozen=True)
class WhatIf:
    """The target mix: ``rows`` per channel of the need (channel, before, after, ``aht`` used,
    ``aht_from`` ``need`` or ``channel``, hours before and after), the contacts moved, and the
    need's handle hours before and after (None when an AHT is not known)."""

    need: str
    source: str
    target: str
    share: float
    moved: float
    rows: pd.DataFrame
    hours_before: float | None
    hours_after: float | None
    cost_before: float | None = None     # priced at each channel's cost of a handle hour, when all are known
    cost_after: float | None = None


def what_if(cells: pd.DataFrame, need_aht: pd.DataFrame, channel_ahts: dict[str, float | None], need: str,
            source: str, target: str, share: float, hour_costs: dict[str, float] | None = None) -> WhatIf:
    """Move ``share`` % of a need's contacts from channel ``source`` to ``target``: the need's
    volumes per channel, and its handle time (contacts × the AHT of the need on the channel,
    else the channel's AHT), before and after; and its cost, the hours at each channel's cost
    of a handle hour (``hour_costs``), when every channel's is known. Raises ValueError for a
    request that makes no sense, with the reason."""
    mine = cells[cells["need"] == need]
    if mine.empty:
        raise ValueError(_("the need {need} has no contact in the period", need=need))
    if source == target:
        raise ValueError(_("choose two different channels"))
    if share is None or not 0 <= share <= 100:
        raise ValueError(_("the share moved is a percentage between 0 and 100"))
    volume = dict(zip(mine["channel"], mine["contacts"].astype(float)))
    if volume.get(source, 0) <= 0:
        raise ValueError(_("the need {need} has no contact on channel {channel}", need=need, channel=source))
    moved = volume[source] * share / 100
    after = dict(volume)
    after[source] = volume[source] - moved
    after[target] = volume.get(target, 0.0) + moved
    own = need_aht[need_aht["need"] == need]
    own = {ch: float(v) for ch, v in zip(own["channel"], own["aht"]) if v is not None and v == v}
    rows = []
    for channel in sorted(after, key=lambda ch: (ch not in (source, target), ch != source, ch)):
        aht = own.get(channel, channel_ahts.get(channel))
        before = volume.get(channel, 0.0)
        rows.append({"channel": channel, "before": before, "after": after[channel], "aht": aht,
                     "aht_from": "need" if channel in own else "channel" if aht is not None else None,
                     "hours_before": None if aht is None else before * aht / 3600,
                     "hours_after": None if aht is None else after[channel] * aht / 3600})
    table = pd.DataFrame(rows)
    known = table["aht"].notna().all()
    hours = (float(np.sum(table["hours_before"])), float(np.sum(table["hours_after"]))) if known else (None, None)
    rates = [(hour_costs or {}).get(ch) for ch in table["channel"]]
    priced = known and all(r is not None for r in rates)
    cost = ((float(np.sum(table["hours_before"] * rates)), float(np.sum(table["hours_after"] * rates)))
            if priced else (None, None))
    return WhatIf(need, source, target, float(share), moved, table, *hours, *cost)


def _number(value: float):
    """A count as JSON: a whole number as an integer, an imputed share unrounded."""
    return int(value) if float(value).is_integer() else float(value)


def as_json(result: Needs) -> dict:
    """The command line's JSON: ``cells`` and ``pareto``."""
    cells = [{"need": r.need, "channel": r.channel, "contacts": _number(r.contacts), "imputed": bool(r.imputed > 0)}
             for r in result.cells.itertuples()]
    top = [{"need": r.need, "contacts": _number(r.contacts), "share": float(r.share),
            "cumulative": float(r.cumulative), "in_80": bool(r.in_80)} for r in result.pareto.itertuples()]
    return {"cells": cells, "pareto": top}


def table_text(result: Needs) -> str:
    """The command line's table: the needs by volume with their share, cumulative share and
    whether they are in the 80 %; then the cells, imputed ones marked."""
    lines = [_("Needs by volume (the needs marked * make 80 % of the contacts)")]
    for r in result.pareto.itertuples():
        lines.append(f"{'*' if r.in_80 else ' '} {r.need:<28} {formats.number(r.contacts, 1):>12}"
                     f" {formats.percent(r.share, 1):>9} {formats.percent(r.cumulative, 1):>9}")
    lines.append("")
    lines.append(_("Contacts per need and channel (imputed: spread from the channels where reasons are known)"))
    for r in result.cells.itertuples():
        mark = " " + _("(imputed)") if r.imputed > 0 else ""
        lines.append(f"  {r.need:<28} {channel_label(r.channel):<14} {formats.number(r.contacts, 1):>12}{mark}")
    if result.unplaced:
        lines.append(ngettext("{count} contact without a reason could not be spread: no reason is known in the period",
                              "{count} contacts without a reason could not be spread: no reason is known in the period",
                              result.unplaced, count=formats.number(result.unplaced)))
    return "\n".join(lines)
