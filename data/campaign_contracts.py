"""The service contract of each campaign, stored with its audit record: the objectives agreed
with its sponsor (reach rate, conversion, response rate, acquisition cost), the deadline by
which the whole target file is to be tried, and its retro-planning (the preparation milestones
counted back from the launch, ``starts_on``, and the day each was done).

Every save is kept; the latest of a campaign is the one in force. Directors and admins write
contracts (``access.roles.RIGHTS["campaign_contracts"]``); the pages read them for the
campaigns in the viewer's scope only (the codes come from a scoped query).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.actions import form_day
from data.audit import Actor, record
from data.db import frame, writing
from data.limits import NAME_LIMIT, bounded_text, finite
from i18n import N_, _, formats

MILESTONES = ("brief", "script", "test", "team", "launch")
MILESTONE_LABELS = {"brief": N_("brief"), "script": N_("script"), "test": N_("test"), "team": N_("team chosen"),
                    "launch": N_("launch")}
DEFAULT_OFFSETS = {"brief": -28, "script": -21, "test": -10, "team": -7, "launch": 0}
MAX_OFFSET = 365           # days before the launch a milestone may lie
RATES = ("reach_rate", "conversion_rate", "response_rate")
OBJECTIVE_LABELS = {"reach_rate": N_("the reach rate objective"), "conversion_rate": N_("the conversion objective"),
                    "response_rate": N_("the response rate objective"),
                    "acquisition_cost": N_("the acquisition cost objective")}
MAX_COST = 1_000_000


@dataclass(frozen=True)
class Contract:
    campaign: str
    reach_rate: float | None = None         # % of attempts reaching the customer
    conversion_rate: float | None = None    # % of handled contacts with a sale
    response_rate: float | None = None      # % of the target file reached
    acquisition_cost: float | None = None   # at most this much per sale
    deadline: date | None = None            # the whole target file tried by then
    offsets: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_OFFSETS))
    done: Mapping[str, date] = field(default_factory=dict)
    saved_at: datetime | None = None
    author: str | None = None

    def offset(self, milestone: str) -> int:
        return self.offsets.get(milestone, DEFAULT_OFFSETS[milestone])


def _offsets(given: Mapping | None) -> dict[str, int]:
    given = dict(given or {})
    unknown = [k for k in given if k not in MILESTONES]
    if unknown:
        raise ValueError(_("unknown milestone {milestone!r}; known: {known}", milestone=str(unknown[0]),
                           known=", ".join(MILESTONES)))
    out = {}
    for m in MILESTONES:
        value = given.get(m, DEFAULT_OFFSETS[m])
        if value is None or value == "":
            value = DEFAULT_OFFSETS[m]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not -MAX_OFFSET <= value <= 0:
            raise ValueError(_("the {milestone} milestone lies 0 to {limit} days before the launch ({value} given)",
                               milestone=_(MILESTONE_LABELS[m]), limit=MAX_OFFSET, value=value))
        out[m] = value
    if out["launch"] != 0:
        raise ValueError(_("the launch is the campaign's first day: its offset is 0"))
    return out


def validated(contract: Contract, starts_on: date | None = None) -> Contract:
    """The contract with every field checked, or a ValueError saying what is wrong in the
    reader's language (``starts_on``: the campaign's launch, which a deadline may not precede)."""
    campaign = bounded_text(N_("the campaign"), contract.campaign, NAME_LIMIT)
    if not campaign:
        raise ValueError(_("a contract belongs to a campaign"))
    values = {}
    for key in RATES:
        value = finite(OBJECTIVE_LABELS[key], getattr(contract, key))
        if value is not None and not 0 <= value <= 100:
            raise ValueError(_("{what} is a rate from 0 to 100 % ({value} given)", what=_(OBJECTIVE_LABELS[key]),
                               value=formats.number(value, 1)))
        values[key] = value
    cost = finite(OBJECTIVE_LABELS["acquisition_cost"], contract.acquisition_cost)
    if cost is not None and not 0 < cost <= MAX_COST:
        raise ValueError(_("{what} is an amount above 0 and up to {limit} ({value} given)",
                           what=_(OBJECTIVE_LABELS["acquisition_cost"]), limit=formats.number(MAX_COST),
                           value=formats.number(cost, 2)))
    deadline = form_day(N_("the deadline"), contract.deadline)
    if deadline and starts_on and deadline < starts_on:
        raise ValueError(_("the deadline ({deadline}) comes before the launch ({start})",
                           deadline=formats.day(deadline), start=formats.day(starts_on)))
    done = {}
    for m, day in dict(contract.done or {}).items():
        if m not in MILESTONES:
            raise ValueError(_("unknown milestone {milestone!r}; known: {known}", milestone=str(m),
                               known=", ".join(MILESTONES)))
        day = form_day(MILESTONE_LABELS[m], day)
        if day:
            done[m] = day
    return replace(contract, campaign=campaign, acquisition_cost=cost, deadline=deadline,
                   offsets=_offsets(contract.offsets), done=done, **values)


def _launch(engine: Engine, campaign: str) -> tuple[bool, date | None]:
    with engine.connect() as conn:
        rows = frame(conn, sa.text("SELECT starts_on FROM campaigns WHERE campaign = :c"), {"c": campaign})
    if rows.empty:
        return False, None
    start = rows.iloc[0]["starts_on"]
    return True, (None if start is None or start != start else form_day(N_("the launch"), start))


def save_contract(engine: Engine, contract: Contract, actor: Actor | None = None) -> Contract:
    """Record a campaign's contract (the latest is in force), by ``actor``; a campaign the
    campaigns table does not hold is refused."""
    campaign = bounded_text(N_("the campaign"), contract.campaign, NAME_LIMIT) if isinstance(
        contract.campaign, str) else contract.campaign
    known, starts_on = _launch(engine, campaign) if isinstance(campaign, str) and campaign else (False, None)
    if isinstance(campaign, str) and campaign and not known:
        raise ValueError(_("no campaign {campaign!r} in the campaigns table", campaign=campaign))
    actor = actor or Actor(None)
    saved = replace(validated(contract, starts_on), saved_at=datetime.now(), author=actor.who)
    row = {"saved_at": saved.saved_at, "campaign": saved.campaign, "reach_rate": saved.reach_rate,
           "conversion_rate": saved.conversion_rate, "response_rate": saved.response_rate,
           "acquisition_cost": saved.acquisition_cost, "deadline": saved.deadline,
           "offsets": json.dumps(dict(saved.offsets), sort_keys=True),
           "done": json.dumps({m: d.isoformat() for m, d in saved.done.items()}, sort_keys=True),
           "author": saved.author}
    with writing(engine) as conn:
        conn.execute(sa.text(f"INSERT INTO campaign_contracts ({', '.join(row)}) VALUES "
                             f"({', '.join(':' + k for k in row)})"), row)
        record(conn, actor, "campaign_contract", campaign=saved.campaign,
               **{k: row[k] for k in ("reach_rate", "conversion_rate", "response_rate", "acquisition_cost",
                                      "deadline") if row[k] is not None})
    return saved


def _number(value) -> float | None:
    return None if value is None or value != value else float(value)


def contracts_for(engine: Engine, campaigns: Sequence[str]) -> dict[str, Contract]:
    """The contract in force of each of these campaigns that has one."""
    if not campaigns:
        return {}
    params = {"codes": list(campaigns)}
    with engine.connect() as conn:
        rows = frame(conn, sa.text("""SELECT * FROM campaign_contracts WHERE campaign IN :codes
                                      QUALIFY row_number() OVER (PARTITION BY campaign ORDER BY saved_at DESC) = 1
                                      """).bindparams(sa.bindparam("codes", expanding=True)), params)
    out = {}
    for r in rows.to_dict("records"):
        deadline = r["deadline"]
        out[r["campaign"]] = Contract(
            r["campaign"], *(_number(r[k]) for k in (*RATES, "acquisition_cost")),
            deadline=None if deadline is None or deadline != deadline else form_day(N_("the deadline"), deadline),
            offsets={**DEFAULT_OFFSETS, **json.loads(r["offsets"] or "{}")},
            done={m: date.fromisoformat(d) for m, d in json.loads(r["done"] or "{}").items()},
            saved_at=r["saved_at"].to_pydatetime() if hasattr(r["saved_at"], "to_pydatetime") else r["saved_at"],
            author=r["author"] if isinstance(r["author"], str) else None)
    return out
