"""The demo's costs, made from its contacts so that the figures are plausible: payroll per site,
channel and month from the time agents spent on the contacts (at a loaded hourly cost per site
and an occupancy), telephony per minute of phone talk, the outsourcing of one client's
overflow, the tools shared by everyone, and each campaign's budget (a fixed part per month and
a part per attempt)."""
from __future__ import annotations

import numpy as np
import pandas as pd

HOURLY = {"Lille": 34.0, "Casablanca": 15.0}     # loaded cost of an agent's paid hour, euros
OCCUPANCY = 0.78                                  # of the paid time, the share spent on contacts
PHONE_MINUTE = 0.012                              # telephony, euros per minute of talk
TOOLS_MONTH = 4_800.0                             # licences shared by every contact
OUTSOURCED = ("Banque Lumière", 0.04)             # a client's overflow, invoiced per handled contact: rate
OUTSOURCED_PER_CONTACT = 5.5
CAMPAIGN_MONTH, CAMPAIGN_ATTEMPT = 900.0, 0.35   # a campaign's file and tools per month, and per attempt


def cost_basis(contacts: pd.DataFrame) -> pd.DataFrame:
    """The sums the costs are made of, per month, site, channel, client and campaign, over the
    whole months of the contacts (a month's costs are known once it ends). The bases of the
    parts of a demo generated in parts add up (``merge_bases``)."""
    days = contacts["arrived_at"].dt.normalize()
    first, last = days.min(), days.max()
    after = last + pd.Timedelta(days=1)
    whole = (days >= (first if first.day == 1 else first + pd.offsets.MonthBegin(1))) & \
        (days < (after if after.day == 1 else last.to_period("M").start_time))
    c = contacts[whole]
    handled = (((c["direction"] == "inbound") & (c["outcome"] == "answered")) | (c["outcome"] == "reached")).to_numpy()
    seconds = c[["talk_s", "hold_s", "acw_s"]].fillna(0).sum(axis=1).to_numpy()
    phone = handled & (c["channel"] == "phone").to_numpy()
    c = pd.DataFrame({
        "month": c["arrived_at"].dt.to_period("M").astype(str), "site": c["site"], "channel": c["channel"],
        "client": c["client"], "campaign": c["campaign"], "handled": handled.astype(int),
        "hours": np.where(handled, seconds, 0) / 3600, "phone_talk_s": np.where(phone, c["talk_s"].fillna(0), 0),
        "attempts": (c["direction"] == "outbound").to_numpy().astype(int)})
    return merge_bases([c])


def merge_bases(bases: list[pd.DataFrame]) -> pd.DataFrame:
    keys = ["month", "site", "channel", "client", "campaign"]
    return pd.concat(bases).groupby(keys, dropna=False, as_index=False)[
        ["handled", "hours", "phone_talk_s", "attempts"]].sum()


def demo_costs(basis: pd.DataFrame) -> pd.DataFrame:
    """The cost rows of the months of a ``cost_basis``."""
    handled = basis[basis["handled"] > 0]
    rows = []
    work = handled[handled["site"].isin(list(HOURLY))].groupby(["month", "site", "channel"])["hours"].sum()
    for (month, site, channel), hours in work.items():
        rows.append(dict(month=month, kind="payroll", amount=round(hours / OCCUPANCY * HOURLY[site], 2),
                         site=site, channel=channel))
    talk = handled[handled["channel"] == "phone"].groupby("month")["phone_talk_s"].sum()
    for month, seconds in talk.items():
        rows.append(dict(month=month, kind="telecom", amount=round(seconds / 60 * PHONE_MINUTE, 2), channel="phone"))
    client, share = OUTSOURCED
    per_month = handled[handled["client"] == client].groupby("month")["handled"].sum()
    for month, n in per_month.items():
        rows.append(dict(month=month, kind="outsourcing", amount=round(n * share * OUTSOURCED_PER_CONTACT, 2),
                         client=client))
    rows += [dict(month=m, kind="tools", amount=TOOLS_MONTH) for m in sorted(basis["month"].unique())]
    attempts = basis[basis["attempts"] > 0].groupby(["month", "campaign"])["attempts"].sum()
    for (month, campaign), n in attempts.items():
        rows.append(dict(month=month, kind="campaign", amount=round(CAMPAIGN_MONTH + n * CAMPAIGN_ATTEMPT, 2),
                         campaign=campaign))
    out = pd.DataFrame(rows, columns=["month", "kind", "amount", "client", "channel", "site", "campaign"])
    out["month"] = pd.to_datetime(out["month"] + "-01").dt.date
    return out.astype({"amount": "float64"})
