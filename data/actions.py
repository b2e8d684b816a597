"""The action log: what was decided and done to move an indicator, stored with its audit record.

An action has a title, a description, an owner, a day (``starts_on``) or a span (to
``ends_on``), the KPIs it aims at, a scope (filters: dimension -> values, as a page's filter
bar gives them), a status and, when it came from one, the committee decision (client and
month). Staff record and edit actions (``access.roles.RIGHTS["actions"]``); every viewer reads
the actions whose scope fits inside their own restrictions (``fits``): a client reads only
the actions of its own scope, never those of all clients.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.audit import Actor, record
from data.db import frame, writing
from data.limits import NAME_LIMIT, bounded_text
from i18n import N_, _
from metrics.registry import KPIS
from metrics.relations import DIMENSIONS

STATUSES = ("planned", "under_way", "done", "abandoned")
STATUS_LABELS = {"planned": N_("planned"), "under_way": N_("under way"), "done": N_("done"),
                 "abandoned": N_("abandoned")}
TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 5_000
MAX_KPIS = 10
MAX_VALUES = 100          # values of one dimension in a scope
FIELDS = ("title", "description", "owner", "starts_on", "ends_on", "kpis", "scope", "status", "decision")


@dataclass(frozen=True)
class Action:
    id: int | None
    title: str
    starts_on: date
    kpis: tuple[str, ...]
    scope: dict[str, tuple[str, ...]] = field(default_factory=dict)
    status: str = "planned"
    description: str | None = None
    owner: str | None = None
    ends_on: date | None = None
    decision: tuple[str, date] | None = None     # (client, first day of the month)
    created_at: datetime | None = None
    changed_at: datetime | None = None
    author: str | None = None

    @property
    def last_day(self) -> date:
        """The action's last day: its end, or its one day."""
        return self.ends_on or self.starts_on


def form_day(what: str, value) -> date | None:
    """A day given to a form (a date, a timestamp or ISO text; empty: none), else a clear error
    naming the field."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise ValueError(_("{what} must be a date (YYYY-MM-DD)", what=_(what)))


def clean_scope(scope: Mapping | None) -> dict[str, tuple[str, ...]]:
    """A scope's filters, checked: known dimensions, a few short texts each, sorted; an empty
    filter means "all" and is dropped."""
    if scope is None:
        return {}
    if not isinstance(scope, Mapping):
        raise ValueError(_("the scope must be filters: a dimension and its values"))
    out = {}
    for dim, values in scope.items():
        if dim not in DIMENSIONS:
            raise ValueError(_("unknown dimension {dim!r}; known: {known}", dim=dim, known=", ".join(DIMENSIONS)))
        values = (values,) if isinstance(values, str) else tuple(values or ())
        if len(values) > MAX_VALUES or not all(isinstance(v, str) and 0 < len(v) <= NAME_LIMIT for v in values):
            raise ValueError(_("the scope's {dim} must be at most {limit} names of up to {length} characters",
                               dim=dim, limit=MAX_VALUES, length=NAME_LIMIT))
        if values:
            out[dim] = tuple(sorted(set(values)))
    return dict(sorted(out.items()))


def validated(action: Action) -> Action:
    """The action with its texts stripped and every field checked, or a ValueError saying
    what is wrong in the reader's language."""
    title = bounded_text(N_("the title"), action.title, TITLE_LIMIT)
    if not title:
        raise ValueError(_("an action needs a title"))
    starts_on = form_day(N_("the start"), action.starts_on)
    if starts_on is None:
        raise ValueError(_("an action needs a date (its start)"))
    ends_on = form_day(N_("the end"), action.ends_on)
    if ends_on is not None and ends_on < starts_on:
        raise ValueError(_("the action ends ({end}) before it starts ({start})", end=ends_on, start=starts_on))
    kpis = (action.kpis,) if isinstance(action.kpis, str) else tuple(action.kpis or ())
    kpis = tuple(dict.fromkeys(kpis))
    if not kpis:
        raise ValueError(_("an action aims at one indicator or more"))
    unknown = [k for k in kpis if not isinstance(k, str) or k not in KPIS]
    if unknown or len(kpis) > MAX_KPIS:
        raise ValueError(_("unknown or too many indicators: {kpis}", kpis=", ".join(map(str, unknown or kpis))))
    if action.status not in STATUSES:
        raise ValueError(_("unknown status {status!r}; known: {known}", status=action.status,
                           known=", ".join(STATUSES)))
    decision = action.decision
    if decision is not None:
        if not (isinstance(decision, (tuple, list)) and len(decision) == 2):
            raise ValueError(_("a decision is a client and a month"))
        client = bounded_text(N_("the decision's client"), decision[0], NAME_LIMIT)
        month = form_day(N_("the decision's month"), decision[1])
        if not client or month is None:
            raise ValueError(_("a decision is a client and a month"))
        decision = (client, month.replace(day=1))
    return replace(action, title=title, starts_on=starts_on, ends_on=ends_on, kpis=kpis,
                   scope=clean_scope(action.scope),
                   description=bounded_text(N_("the description"), action.description, DESCRIPTION_LIMIT),
                   owner=bounded_text(N_("the owner"), action.owner, NAME_LIMIT), decision=decision)


def fits(scope: Mapping[str, tuple[str, ...]], restrictions: Mapping[str, list[str]]) -> bool:
    """Whether an action's scope lies inside a viewer's restrictions: each restricted
    dimension must be named by the scope with allowed values only (an action over all
    clients is not a client's to read)."""
    for dim, allowed in restrictions.items():
        values = scope.get(dim, ())
        if not values or not set(values) <= set(allowed):
            return False
    return True


def _row(action: Action) -> dict:
    return {"id": action.id, "title": action.title, "description": action.description, "owner": action.owner,
            "starts_on": action.starts_on, "ends_on": action.ends_on, "kpis": json.dumps(list(action.kpis)),
            "scope": json.dumps({k: list(v) for k, v in action.scope.items()}, sort_keys=True),
            "status": action.status, "decision_client": action.decision[0] if action.decision else None,
            "decision_month": action.decision[1] if action.decision else None,
            "created_at": action.created_at, "changed_at": action.changed_at, "author": action.author}


def _detail(action: Action) -> dict:
    row = _row(action)
    return {k: row[k] for k in ("id", "title", "owner", "starts_on", "ends_on", "kpis", "scope", "status",
                                "decision_client", "decision_month")}


def create_action(engine: Engine, action: Action, actor: Actor | None = None,
                  restrictions: Mapping[str, list[str]] | None = None) -> Action:
    """Store a new action (checked; its scope inside ``restrictions``, the author's), with
    its audit record; the stored action, with its id."""
    actor = actor or Actor(None)
    action = validated(action)
    if restrictions is not None and not fits(action.scope, restrictions):
        raise ValueError(_("the action's scope goes beyond what you may see"))
    now = datetime.now()
    with writing(engine) as conn:
        new_id = conn.execute(sa.text("SELECT nextval('action_ids')")).scalar_one()
        action = replace(action, id=int(new_id), created_at=now, changed_at=now, author=actor.who)
        conn.execute(sa.text("INSERT INTO actions VALUES (:id, :title, :description, :owner, :starts_on, :ends_on,"
                             " :kpis, :scope, :status, :decision_client, :decision_month, :created_at,"
                             " :changed_at, :author)"), _row(action))
        record(conn, actor, "action", change="created", **_detail(action))
    return action


def edit_action(engine: Engine, action_id: int, actor: Actor | None = None,
                restrictions: Mapping[str, list[str]] | None = None, **changes) -> Action:
    """Change fields of a stored action (``FIELDS``), checked as a new one, with its audit
    record; an action outside ``restrictions`` is not found."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(_("unknown field(s): {fields}", fields=", ".join(sorted(unknown))))
    current = get_action(engine, action_id, restrictions)
    if current is None:
        raise ValueError(_("no action {id}", id=action_id))
    action = validated(replace(current, **changes))
    if restrictions is not None and not fits(action.scope, restrictions):
        raise ValueError(_("the action's scope goes beyond what you may see"))
    actor = actor or Actor(None)
    action = replace(action, changed_at=datetime.now())
    row = _row(action)
    with writing(engine) as conn:
        conn.execute(sa.text("UPDATE actions SET title = :title, description = :description, owner = :owner,"
                             " starts_on = :starts_on, ends_on = :ends_on, kpis = :kpis, scope = :scope,"
                             " status = :status, decision_client = :decision_client,"
                             " decision_month = :decision_month, changed_at = :changed_at WHERE id = :id"), row)
        record(conn, actor, "action", change="edited", fields=sorted(changes), **_detail(action))
    return action


def _date(value) -> date | None:
    if value is None or value != value:
        return None
    return value.date() if hasattr(value, "date") else value


def _from_row(r: dict) -> Action:
    text = lambda v: v if isinstance(v, str) else None  # noqa: E731
    month = _date(r["decision_month"])
    return Action(int(r["id"]), r["title"], _date(r["starts_on"]), tuple(json.loads(r["kpis"])),
                  {k: tuple(v) for k, v in json.loads(r["scope"]).items()}, r["status"], text(r["description"]),
                  text(r["owner"]), _date(r["ends_on"]),
                  (r["decision_client"], month) if text(r["decision_client"]) and month else None,
                  r["created_at"].to_pydatetime(), r["changed_at"].to_pydatetime(), text(r["author"]))


def list_actions(engine: Engine, restrictions: Mapping[str, list[str]] | None = None,
                 status: str | None = None, kpi: str | None = None) -> list[Action]:
    """The actions a viewer with these restrictions may read (None: all), latest start
    first, of one status and aiming at one KPI when given."""
    params: dict = {}
    where = ["TRUE"]
    if status:
        where.append("status = :status")
        params["status"] = status
    with engine.connect() as conn:
        rows = frame(conn, sa.text(f"SELECT * FROM actions WHERE {' AND '.join(where)}"
                                   " ORDER BY starts_on DESC, id DESC"), params)
    found = [_from_row(r) for r in rows.to_dict("records")]
    return [a for a in found if (restrictions is None or fits(a.scope, restrictions))
            and (not kpi or kpi in a.kpis)]


def get_action(engine: Engine, action_id: int, restrictions: Mapping[str, list[str]] | None = None) -> Action | None:
    """One action, when it exists and the viewer may read it."""
    with engine.connect() as conn:
        rows = frame(conn, sa.text("SELECT * FROM actions WHERE id = :id"), {"id": int(action_id)})
    if rows.empty:
        return None
    action = _from_row(rows.to_dict("records")[0])
    return action if restrictions is None or fits(action.scope, restrictions) else None


def overlaps(action: Action, start: date, end: date, filters: Mapping[str, tuple[str, ...]] = {}) -> bool:
    """Whether an action touches a chart: its days meet the period, and on every dimension
    both filter, they share a value (an action over all queues touches every queue's chart)."""
    if action.starts_on > end or action.last_day < start:
        return False
    for dim, values in filters.items():
        if values and action.scope.get(dim) and not set(values) & set(action.scope[dim]):
            return False
    return True
