"""Assessment alignment: four views of each agent's work over a period, and how they agree
(KPIS.md, "Assessment alignment (agents)").

- *self*, *manager*, *quality*: the mean ``score`` of the agent's evaluations of that
  ``evaluator_role`` evaluated in the period (the ``evaluations`` base);
- *customer*: the mean of ``100 × (csat − 1) ÷ 4`` over the survey answers of the period
  linked to a contact the agent handled (the ``surveys`` base).

A view needs ``min_values`` values behind it, else it has none (null, never 0). An agent's
*spread* is the highest minus the lowest of its views (two at least); it is *misaligned* when
the spread is over ``misaligned_points``. For each pair of views: the mean gap (a − b), the
mean absolute gap, and Pearson's r across the agents having both (none under 3 agents, none
when a view is the same for all of them). Every query goes through the scope, so a viewer
restricted to a client sees the agents of its own contacts only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from i18n import N_, _, formats, ngettext
from metrics.query import Scope, _bound, _run, rows_sql, scope_where
from metrics.stats import pearson

VIEWS = ("self", "manager", "quality", "customer")
PAIRS = tuple(f"{a}_{b}" for a, b in combinations(VIEWS, 2))   # self_manager ... quality_customer
VIEW_LABELS = {"self": N_("Self-assessment"), "manager": N_("Manager"), "quality": N_("Quality team"),
               "customer": N_("Customer")}   # looked up with _() where shown
# the definitions of KPIS.md, looked up where shown
MEASURE_LABELS = {"gap": N_("Gap between two views"), "mad": N_("Mean absolute gap"), "r": N_("Agreement"),
                  "spread": N_("Spread of an agent's views")}
FORMULAS = {
    "gap": N_("mean over the agents having both views of (view a − view b), in points"),
    "mad": N_("mean over the agents having both views of |view a − view b|, in points"),
    "r": N_("Pearson correlation across the agents having both views: 1 when they rank the agents alike, "
            "0 when unrelated, −1 when opposite; none under 3 agents"),
    "spread": N_("highest minus lowest of the agent's views (at least two)"),
}
# a survey answer counts for the agent who handled its contact (answered inbound, reached outbound)
HANDLED = ("((lc.direction = 'inbound' AND lc.outcome = 'answered')"
           " OR (lc.direction = 'outbound' AND lc.outcome = 'reached'))")
CUSTOMER_SCORE = "100.0 * (s.csat - 1) / 4"


def view_means(db: Engine | Connection, scope: Scope) -> pd.DataFrame:
    """Per agent and view: how many values (``n``) and their mean, with the agent's name and
    team; one row per (agent, view) that has a value in the scope."""
    params: dict = {}
    evaluations = (f"SELECT e.agent_id AS agent, e.evaluator_role AS view, count(*) AS n, avg(e.score) AS mean,"
                   f" any_value(ea.agent_name) AS name, any_value(ea.team) AS team"
                   f" FROM {rows_sql('evaluations')} WHERE {scope_where('evaluations', scope, params)}"
                   f" GROUP BY ALL")
    answers = (f"SELECT lc.agent_id AS agent, 'customer' AS view, count(*) AS n, avg({CUSTOMER_SCORE}) AS mean,"
               f" any_value(la.agent_name) AS name, any_value(la.team) AS team"
               f" FROM {rows_sql('surveys')} WHERE {scope_where('surveys', scope, params)}"
               f" AND s.csat IS NOT NULL AND lc.agent_id IS NOT NULL AND {HANDLED} GROUP BY ALL")
    return _run(db, _bound(f"{evaluations} UNION ALL {answers} ORDER BY agent, view", params), params)


@dataclass(frozen=True)
class Alignment:
    """The agents' views and the pairs' agreement for one scope."""

    agents: pd.DataFrame      # agent, name, team, each view, <view>__n, spread, misaligned
    pairs: dict = field(default_factory=dict)   # pair id -> {"gap", "mad", "r", "n"}


def _value(v) -> float | None:
    return None if v is None or v != v else float(v)


def agent_views(means: pd.DataFrame, min_values: int, misaligned_points: float) -> pd.DataFrame:
    """One row per agent: each view (null with fewer than ``min_values`` values), how many
    values each stands on, the spread and whether the agent is misaligned; misaligned agents
    first, then the widest spreads, then by agent id."""
    columns = (["agent", "name", "team"] + list(VIEWS) + [f"{v}__n" for v in VIEWS] + ["spread", "misaligned"])
    if means.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for agent, group in means.groupby("agent", sort=True):
        known = group.dropna(subset=["name"])
        row = {"agent": agent, "name": known["name"].iloc[0] if len(known) else None,
               "team": known["team"].iloc[0] if len(known) else None}
        for view in VIEWS:
            found = group[group["view"] == view]
            n = int(found["n"].sum())
            row[f"{view}__n"] = n
            row[view] = _value(found["mean"].iloc[0]) if n >= min_values else None
        shown = [row[v] for v in VIEWS if row[v] is not None]
        row["spread"] = max(shown) - min(shown) if len(shown) >= 2 else None
        row["misaligned"] = row["spread"] is not None and row["spread"] > misaligned_points
        rows.append(row)
    # object columns: a view without a value is None (pandas would make it NaN among floats)
    out = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object if c in VIEWS + ("spread",) else None)
                        for c in columns})
    order = sorted(range(len(out)), key=lambda i: (not out["misaligned"].iloc[i],
                                                   -(out["spread"].iloc[i] if out["spread"].iloc[i] is not None
                                                     else -1), str(out["agent"].iloc[i])))
    return out.iloc[order].reset_index(drop=True)


def pair_agreement(agents: pd.DataFrame) -> dict[str, dict]:
    """For each pair of views, over the agents having both: the mean gap (a − b), the mean
    absolute gap, Pearson's r (none under 3 agents or when a view does not vary) and the
    number of agents; nulls when no agent has both."""
    out = {}
    for pair in PAIRS:
        a, b = pair.split("_")
        both = agents[agents[a].notna() & agents[b].notna()] if len(agents) else agents
        x, y = both[a].astype(float), both[b].astype(float)
        diff = x - y
        r, n = pearson(x, y)
        out[pair] = {"gap": float(diff.mean()) if n else None, "mad": float(diff.abs().mean()) if n else None,
                     "r": r, "n": n}
    return out


def alignment(db: Engine | Connection, scope: Scope, min_values: int = 5,
              misaligned_points: float = 20.0) -> Alignment:
    """The four views of every agent in the scope and the six pairs' agreement."""
    agents = agent_views(view_means(db, scope), min_values, misaligned_points)
    return Alignment(agents, pair_agreement(agents))


def as_json(result: Alignment) -> dict:
    """What the command line prints: ``{"agents": [...], "pairs": {...}}``, nulls where there
    is no value (an agent is not misaligned without a spread)."""
    agents = [{"agent_id": r["agent"], **{v: _value(r[v]) for v in VIEWS}, "spread": _value(r["spread"]),
               "misaligned": bool(r["misaligned"])} for r in result.agents.to_dict("records")]
    pairs = {p: {k: _value(v[k]) for k in ("gap", "mad", "r")} for p, v in result.pairs.items()}
    return {"agents": agents, "pairs": pairs}


# ---------------------------------------------------------------- in words

def pair_label(pair: str) -> str:
    """A pair of views as a person reads it: "Self-assessment – Customer"."""
    a, b = pair.split("_")
    return _("{a} – {b}", a=_(VIEW_LABELS[a]), b=_(VIEW_LABELS[b]))


def score_text(value) -> str:
    """A view or a spread on the 0-100 scale: "72.5"; "–" for none."""
    return "–" if _value(value) is None else formats.number(value, 1)


def gap_text(value) -> str:
    """A mean gap in points, signed: "+10.0 pts"."""
    return "–" if _value(value) is None else formats.points(value, 1)


def mad_text(value) -> str:
    """A mean absolute gap in points: "24.5 pts"."""
    return "–" if _value(value) is None else formats.points(value, 1).lstrip("+")


def r_text(value) -> str:
    """A correlation, signed, two decimals: "-0.94"."""
    return "–" if _value(value) is None else formats.signed(value, 2)


def view_cell(value, n: int, min_values: int) -> str:
    """A view's cell: its value, or why it has none ("– (4 values)": too few to count)."""
    if _value(value) is not None:
        return score_text(value)
    if n:
        return _("– ({values})", values=ngettext("{count} value", "{count} values", n, count=formats.number(n)))
    return "–"


def rule_text(min_values: int, misaligned_points: float) -> str:
    """The two settings the page and the command line read the views with."""
    return _("A view needs at least {count} values (evaluations, or survey answers with a satisfaction score); "
             "an agent is misaligned when its views spread over {points} points.",
             count=formats.number(min_values), points=formats.number(misaligned_points, 0))


def table_text(result: Alignment, min_values: int, misaligned_points: float) -> str:
    """The command line's readable tables: the agents, misaligned first, then the pairs."""
    heads = [_("Agent"), _("Team")] + [_(VIEW_LABELS[v]) for v in VIEWS] + [_("Spread"), _("Misaligned")]
    cells = [[f"{r['name']} ({r['agent']})" if isinstance(r["name"], str) else str(r["agent"]),
              r["team"] if isinstance(r["team"], str) else "–"]
             + [view_cell(r[v], r[f"{v}__n"], min_values) for v in VIEWS]
             + [score_text(r["spread"]), _("yes") if r["misaligned"] else ""] for r in result.agents.to_dict("records")]
    lines = _grid(heads, cells)
    pair_heads = [_("Views"), _("Agents")] + [_(MEASURE_LABELS[m]) for m in ("gap", "mad", "r")]
    pair_cells = [[pair_label(p), formats.number(v["n"]), gap_text(v["gap"]), mad_text(v["mad"]), r_text(v["r"])]
                  for p, v in result.pairs.items()]
    return "\n".join(lines + [""] + _grid(pair_heads, pair_cells) + ["", rule_text(min_values, misaligned_points)])


def _grid(heads: list[str], cells: list[list[str]]) -> list[str]:
    """Columns padded to their widest cell: names on the left, numbers on the right."""
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(heads)]
    line = lambda row: "  ".join(v.ljust(w) if i < 2 else v.rjust(w)  # noqa: E731
                                 for i, (v, w) in enumerate(zip(row, widths))).rstrip()
    return [line(heads)] + [line(c) for c in cells]


# ---------------------------------------------------------------- behind the numbers

def agent_evaluations(db: Engine | Connection, scope: Scope, agent: str) -> pd.DataFrame:
    """An agent's evaluations in the scope, latest first, with the contact each is about
    (``contact_source``, ``contact_id``, ``arrived_at`` when it is in the data)."""
    scope = scope.with_filters(agent=[agent])
    params: dict = {}
    sql = (f"SELECT e.source, e.evaluation_id, e.evaluated_at, e.evaluator_role AS view, e.score, e.evaluator,"
           f" e.grid, e.comment, e.contact_id AS evaluated_contact, ec.source AS contact_source,"
           f" ec.contact_id, ec.arrived_at, ec.channel FROM {rows_sql('evaluations')}"
           f" WHERE {scope_where('evaluations', scope, params)}"
           f" ORDER BY e.evaluated_at DESC, e.evaluation_id")
    return _run(db, _bound(sql, params), params)


def agent_answers(db: Engine | Connection, scope: Scope, agent: str) -> pd.DataFrame:
    """The survey answers behind an agent's customer view, latest first: each one's csat and
    its value on the 0-100 scale, with the contact it is about."""
    scope = scope.with_filters(agent=[agent])
    params: dict = {}
    sql = (f"SELECT s.source, s.response_id, s.responded_at, s.csat, {CUSTOMER_SCORE} AS value, s.nps,"
           f" s.verbatim, lc.source AS contact_source, lc.contact_id, lc.arrived_at, lc.channel"
           f" FROM {rows_sql('surveys')} WHERE {scope_where('surveys', scope, params)}"
           f" AND s.csat IS NOT NULL AND {HANDLED} ORDER BY s.responded_at DESC, s.response_id")
    return _run(db, _bound(sql, params), params)


def linked_contact(db: Engine | Connection, scope: Scope, kind: str, source: str, row_id: str) -> dict | None:
    """The contact an evaluation (``kind`` "evaluation") or a survey answer ("answer") of the
    scope is about: its source, id, day of arrival and agent; None when the row is not in the
    scope or has no contact in the data."""
    base, key = {"evaluation": ("evaluations", "e.evaluation_id"), "answer": ("surveys", "s.response_id")}[kind]
    alias, contact = ("e", "ec") if base == "evaluations" else ("s", "lc")
    params: dict = {"source": source, "row_id": row_id}
    sql = (f"SELECT {contact}.source, {contact}.contact_id, CAST({contact}.arrived_at AS DATE) AS day,"
           f" {contact}.agent_id AS agent FROM {rows_sql(base)} WHERE {scope_where(base, scope, params)}"
           f" AND {alias}.source = :source AND {key} = :row_id AND {contact}.contact_id IS NOT NULL")
    found = _run(db, _bound(sql, params), params)
    return None if found.empty else found.iloc[0].to_dict()
