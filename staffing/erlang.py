"""Erlang C and Erlang A: the agents an interval needs for its offered contacts (KPIS.md,
*Staffing*). Plain functions, no database.

For an interval of ``T`` seconds with ``λ`` contacts offered and a handle time of ``h``
seconds, the traffic is ``A = λ·h/T`` erlangs. Erlang C (M/M/N: Poisson arrivals,
exponential handle times, customers who never hang up) gives with ``N > A`` agents the
probability of waiting ``C(N, A)``, computed through Erlang B's recursion
``B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1))`` then ``C = N·B / (N − A·(1 − B))``: no
factorial, no power, no overflow for thousands of agents. Service level within ``t``:
``1 − C·e^{−(N−A)·t/h}``; ASA ``C·h/(N−A)``; occupancy ``A/N``.

Erlang A (M/M/N+M) adds customers who hang up after an exponential patience of mean ``θ``
seconds: the birth-death chain of the contacts in the system (arrivals at rate ``λ``,
departures at ``min(k, N)/h + max(k − N, 0)/θ``) truncated where its probabilities vanish.
A contact that arrives with ``i`` contacts queued before it reaches an agent with the
probability ``(N/h) ÷ (N/h + (i+1)/θ)``, after a sum of exponential times (rates
``N/h + m/θ``, ``m = i+1 … 1``), whose distribution is worked out by uniformisation.

Rates are returned as percentages (0-100), durations in seconds; the service level counts
every offered contact in its denominator, abandons as not met (the ``negative`` mode).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from i18n import _

MAX_AGENTS = 50_000          # past this a target is not worth looking for
MAX_QUEUE = 200_000          # Erlang A's chain: the longest queue kept
MAX_WORK = 50_000_000        # Erlang A's service level: steps × states of the uniformisation
TAIL = 40.0                  # Erlang A's chain is cut where p_k < e^-40 of its largest term


@dataclass(frozen=True)
class Staffing:
    """An interval's need: its traffic (erlangs), the agents needed for the target, the
    service level (%), ASA (s) and occupancy (%) they give, and the agents to schedule
    with shrinkage. ``None`` where there is nothing to measure (no contact offered)."""

    traffic: float
    agents: int
    service_level: float | None
    asa: float | None
    occupancy: float | None
    scheduled: int

    def as_json(self) -> dict:
        return {"traffic": self.traffic, "agents": self.agents, "service_level": self.service_level,
                "asa": self.asa, "occupancy": self.occupancy, "scheduled": self.scheduled}


def _finite(value, name: str, low: float = 0.0, high: float = math.inf, low_open: bool = False,
            high_open: bool = False) -> float:
    """A number within bounds, or a ValueError saying which input and what it must be."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(_("{name} must be a number", name=name))
    if value < low or (low_open and value == low) or value > high or (high_open and value == high):
        raise ValueError(_("{name} is out of range ({value})", name=name, value=value))
    return float(value)


def traffic(offered: float, aht_s: float, interval_s: float) -> float:
    """``A = λ·h/T`` in erlangs."""
    offered = _finite(offered, "offered")
    aht_s = _finite(aht_s, "aht")
    interval_s = _finite(interval_s, "interval", low_open=True)
    return offered * aht_s / interval_s


def erlang_b(n: int, a: float) -> float:
    """Erlang B's blocking probability of ``n`` lines for ``a`` erlangs (the recursion)."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def _c_from_b(n: int, a: float, b: float) -> float:
    return n * b / (n - a * (1.0 - b))


def erlang_c(n: int, a: float) -> float:
    """Erlang C's probability of waiting with ``n`` agents for ``a`` erlangs (``n > a``)."""
    if a <= 0:
        return 0.0
    if n <= a:
        raise ValueError(_("Erlang C needs more agents ({agents}) than the traffic ({traffic} erlangs)",
                           agents=n, traffic=round(a, 3)))
    return _c_from_b(n, a, erlang_b(n, a))


def _sl(c: float, n: int, a: float, aht_s: float, threshold_s: float) -> float:
    return 1.0 - c * math.exp(-(n - a) * threshold_s / aht_s)


def service_level(n: int, a: float, aht_s: float, threshold_s: float) -> float:
    """The share (0-1) answered within ``threshold_s`` seconds with ``n`` agents."""
    return _sl(erlang_c(n, a), n, a, aht_s, threshold_s)


def asa(n: int, a: float, aht_s: float) -> float:
    """The mean wait (s) of all offered contacts with ``n`` agents."""
    return erlang_c(n, a) * aht_s / (n - a)


def scheduled(agents: int, shrinkage_pct: float) -> int:
    """Agents to schedule so that ``agents`` are at work when ``shrinkage_pct`` % of paid time
    goes to breaks, training, absence: ``ceil(agents / (1 − s))`` (14 at 30 % → 20, not the 21
    that 14/0.7 = 20.000000000000004 would give)."""
    s = _finite(shrinkage_pct, "shrinkage", 0, 100, high_open=True)
    return math.ceil(round(agents * 100 / (100 - s), 9))


def _check_target(target_pct, threshold_s) -> tuple[float, float]:
    target = _finite(target_pct, "target", 0, 100)
    threshold = _finite(threshold_s, "threshold")
    if target >= 100:
        raise ValueError(_("a service level of 100 % cannot be reached: Erlang's model always leaves a "
                           "chance of waiting; give a target under 100"))
    return target, threshold


def staffing(offered: float, interval_s: float, aht_s: float, target_pct: float, threshold_s: float,
             shrinkage_pct: float = 30.0) -> Staffing:
    """The smallest number of agents ``N > A`` whose service level within ``threshold_s``
    reaches ``target_pct`` %, with what it gives; no contact offered (or no handle time)
    needs no agent."""
    a = traffic(offered, aht_s, interval_s)
    target, threshold = _check_target(target_pct, threshold_s)
    if a == 0:
        return Staffing(0.0, 0, None, None, None, 0)
    b, n = 1.0, 0
    while True:
        n += 1
        if n > MAX_AGENTS:
            raise ValueError(_("more than {agents} agents would be needed: check the volume and handle time",
                               agents=MAX_AGENTS))
        b = a * b / (n + a * b)
        if n <= a:
            continue
        c = _c_from_b(n, a, b)
        sl = _sl(c, n, a, aht_s, threshold)
        if sl * 100 >= target - 1e-9:
            return Staffing(a, n, 100 * sl, c * aht_s / (n - a), 100 * a / n, scheduled(n, shrinkage_pct))


@dataclass(frozen=True)
class ErlangA:
    """Erlang A's figures for ``agents``: the chance of waiting and of abandoning (%), the mean
    wait of the answered contacts (s), the service level within the threshold (%)."""

    agents: int
    wait: float
    abandon: float
    asa: float
    service_level: float


def _chain(lam: float, mu: float, theta: float, n: int) -> np.ndarray:
    """The stationary probabilities of the contacts in the system, 0 to the truncation."""
    logs, top, k = [0.0], 0.0, 0
    while True:
        k += 1
        rate = min(k, n) * mu + max(k - n, 0) * theta
        logs.append(logs[-1] + math.log(lam / rate))
        top = max(top, logs[-1])
        if k > n and logs[-1] < logs[-2] and logs[-1] < top - TAIL:
            break
        if k - n > MAX_QUEUE:
            raise ValueError(_("the queue never settles: with so little abandoning, more agents than the "
                               "traffic are needed"))
    p = np.exp(np.array(logs) - top)
    return p / p.sum()


def _reached_within(rates_base: float, theta: float, phases: int, t: float) -> np.ndarray:
    """For ``m = 1 … phases``: P(Σ_{j=1..m} Exp(rates_base + j·θ) ≤ t), by uniformisation."""
    if phases == 0:
        return np.zeros(0)
    rates = rates_base + theta * np.arange(1, phases + 1)
    big = float(rates[-1])
    mean = big * t
    steps = int(mean + 10 * math.sqrt(mean) + 30)
    if steps * phases > MAX_WORK:
        raise ValueError(_("the threshold is too long for Erlang A's service level here"))
    move = rates / big
    done = np.zeros(phases + 1)           # done[m]: finished within s steps starting with m phases
    done[0] = 1.0
    out = np.zeros(phases)
    log_mean = math.log(mean) if mean > 0 else -math.inf
    for s in range(steps + 1):
        weight = math.exp(s * log_mean - mean - math.lgamma(s + 1)) if mean > 0 else (1.0 if s == 0 else 0.0)
        out += weight * done[1:]
        done[1:] = move * done[:-1] + (1 - move) * done[1:]
    return np.minimum(out, 1.0)


def erlang_a(offered: float, interval_s: float, aht_s: float, agents: int, patience_s: float,
             threshold_s: float) -> ErlangA:
    """Erlang A (M/M/N+M) for ``agents`` agents and a mean patience of ``patience_s``."""
    _finite(patience_s, "patience", low_open=True)
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 1:
        raise ValueError(_("{name} must be a whole number, 1 or more", name="agents"))
    a = traffic(offered, aht_s, interval_s)
    threshold = _finite(threshold_s, "threshold")
    if a == 0:
        return ErlangA(agents, 0.0, 0.0, 0.0, 100.0)
    lam, mu, theta, n = offered / interval_s, 1 / aht_s, 1 / patience_s, agents
    p = _chain(lam, mu, theta, n)
    queued = p[n:]                                   # an arrival finds i = 0, 1, ... contacts queued
    i = np.arange(len(queued))
    served = n * mu / (n * mu + (i + 1) * theta)     # the product of the stages' odds, telescoped
    stages = n * mu + np.arange(1, len(queued) + 1) * theta
    expected = np.cumsum(1 / stages)                 # mean time to the agent, or to hanging up
    within = _reached_within(n * mu, theta, len(queued), threshold)
    answered = p[:n].sum() + (queued * served).sum()
    return ErlangA(agents, 100 * float(queued.sum()), 100 * float(1 - answered),
                   float((queued * served * expected).sum() / answered),
                   100 * float(p[:n].sum() + (queued * served * within).sum()))


def erlang_a_agents(offered: float, interval_s: float, aht_s: float, target_pct: float, threshold_s: float,
                    patience_s: float) -> ErlangA | None:
    """The fewest agents whose Erlang A service level reaches the target (None: no contact)."""
    a = traffic(offered, aht_s, interval_s)
    target, _threshold = _check_target(target_pct, threshold_s)
    if a == 0:
        return None

    def meets(n: int) -> ErlangA | None:
        found = erlang_a(offered, interval_s, aht_s, n, patience_s, threshold_s)
        return found if found.service_level >= target - 1e-9 else None

    low, high = 0, max(1, math.ceil(a))
    while not meets(high):                 # the service level grows with the agents
        low, high = high, high * 2
        if high > MAX_AGENTS:
            raise ValueError(_("more than {agents} agents would be needed: check the volume and handle time",
                               agents=MAX_AGENTS))
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if meets(mid) else (mid, high)
    return meets(high)
