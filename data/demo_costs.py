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


def demo_costs(contacts: pd.DataFrame) -> pd.DataFrame:
    """The cost rows of the demo's whole months (a month's costs are known once it ends)."""
    days = contacts["arrived_at"].dt.normalize()
    first, last = days.min(), days.max()
    after = last + pd.Timedelta(days=1)
    whole = (days >= (first if first.day == 1 else first + pd.offsets.MonthBegin(1))) & \
        (days < (after if after.day == 1 else last.to_period("M").start_time))
    contacts = contacts[whole]
    c = contacts.assign(month=contacts["arrived_at"].dt.to_period("M").astype(str))
    handled = ((c["direction"] == "inbound") & (c["outcome"] == "answered")) | (c["outcome"] == "reached")
    c = c.assign(hours=np.where(handled, c[["talk_s", "hold_s", "acw_s"]].fillna(0).sum(axis=1), 0) / 3600)
    rows = []
    work = c[handled & c["site"].isin(list(HOURLY))].groupby(["month", "site", "channel"])["hours"].sum()
    for (month, site, channel), hours in work.items():
        rows.append(dict(month=month, kind="payroll", amount=round(hours / OCCUPANCY * HOURLY[site], 2),
                         site=site, channel=channel))
    talk = c[handled & (c["channel"] == "phone")].groupby("month")["talk_s"].sum()
    for month, seconds in talk.items():
        rows.append(dict(month=month, kind="telecom", amount=round(seconds / 60 * PHONE_MINUTE, 2), channel="phone"))
    client, share = OUTSOURCED
    per_month = c[handled & (c["client"] == client)].groupby("month").size()
    for month, n in per_month.items():
        rows.append(dict(month=month, kind="outsourcing", amount=round(n * share * OUTSOURCED_PER_CONTACT, 2),
                         client=client))
    rows += [dict(month=m, kind="tools", amount=TOOLS_MONTH) for m in sorted(c["month"].unique())]
    attempts = c[c["direction"] == "outbound"].groupby(["month", "campaign"]).size()
    for (month, campaign), n in attempts.items():
        rows.append(dict(month=month, kind="campaign", amount=round(CAMPAIGN_MONTH + n * CAMPAIGN_ATTEMPT, 2),
                         campaign=campaign))
    out = pd.DataFrame(rows, columns=["month", "kind", "amount", "client", "channel", "site", "campaign"])
    out["month"] = pd.to_datetime(out["month"] + "-01").dt.date
    return out.astype({"amount": "float64"})
