"""A deterministic demo operation: an outsourcer serving two clients over 13 months.

Everything is drawn with numpy, vectorised, from one seed:
- inbound phone, e-mail, chat and mail contacts on queues per client and reason, arriving
  on an intraday curve with two peaks and a weekday curve (Monday busiest, Sunday almost
  nothing on the phone), with seasonality;
- waits that grow with the load of each half-hour on each queue, so the service level dips
  at peaks and on Mondays;
- ~60 agents in teams on two sites, each with a skill that moves handle time, transfers,
  first-contact resolution and satisfaction;
- outbound campaigns shaped like a real insurer's unit (daily quote follow-ups, monthly
  renewals, twice-yearly collection, a three-month defence season, one-off operations)
  with reach around 55 %;
- hot surveys for ~15 % of handled contacts and a monthly cold barometer, whose scores
  respond to wait, resolution and agent, with French verbatims whose tone matches;
- assessments of every agent each month: self-assessments of its own calls (some agents
  rate themselves far above what their customers say), its team lead's (two teams have a
  lenient one) and the quality team's, stricter, each about a contact the agent handled;
- a reasons reference grouping the contact reasons into customer needs; letters (mail) carry
  no reason, so the needs page shows their volume imputed.
"""
from __future__ import annotations

import hashlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, timedelta
from multiprocessing import get_context
from typing import Callable

import numpy as np
import pandas as pd

from data.audit import Actor
from data.campaign_contracts import DEFAULT_OFFSETS, Contract, save_contract
from data.demo_costs import cost_basis, demo_costs, merge_bases
from data.db import writing
from data.loader import LoadReport, store
from data.schema import TABLES
from i18n import _
from metrics.rollups import rebuild as rebuild_rollups

CLIENTS = {"HOR": "Assurance Horizon", "LUM": "Banque Lumière"}
SITES = ("Lille", "Casablanca")
# (client code, queue, reason, share of the client's inbound)
QUEUES = (
    ("HOR", "HOR-Sinistres", "claim", 0.30),
    ("HOR", "HOR-Contrats", "contract change", 0.25),
    ("HOR", "HOR-Facturation", "billing", 0.20),
    ("HOR", "HOR-Information", "information", 0.15),
    ("HOR", "HOR-Réclamations", "complaint", 0.10),
    ("LUM", "LUM-Cartes", "card", 0.35),
    ("LUM", "LUM-Comptes", "account", 0.30),
    ("LUM", "LUM-Crédits", "loan", 0.20),
    ("LUM", "LUM-Réclamations", "complaint", 0.15),
)
CLIENT_SHARE = {"HOR": 0.55, "LUM": 0.45}
# the reasons reference: (reason, the customer need it belongs to, French and English labels, value)
REASONS = (
    ("claim", "Sinistres", "Déclaration de sinistre", "Claim", "high"),
    ("contract change", "Contrat et compte", "Modification de contrat", "Contract change", "high"),
    ("account", "Contrat et compte", "Gestion du compte", "Account", "high"),
    ("billing", "Paiements", "Facturation", "Billing", "low"),
    ("card", "Paiements", "Carte bancaire", "Card", "low"),
    ("information", "Information", "Demande d'information", "Information", "low"),
    ("complaint", "Réclamations", "Réclamation", "Complaint", "high"),
    ("loan", "Crédits", "Crédit", "Loan", "high"),
)
NO_REASON_CHANNEL = "mail"   # letters are not coded with a reason: the needs page imputes them
CHANNELS = ("phone", "email", "chat", "mail")
CHANNEL_SHARE = (0.65, 0.20, 0.12, 0.03)
# (code, name, purpose, kind, sponsor, share of outbound, sale rate when reached, revenue range)
CAMPAIGNS = (
    ("QF", "Relance devis", "quote_follow_up", "recurring", "Direction commerciale", 0.30, 0.22, (150, 900)),
    ("REN", "Renouvellements", "renewal", "recurring", "Direction des contrats", 0.25, 0.35, (200, 1200)),
    ("COL", "Recouvrement", "collection", "recurring", "Direction financière", 0.15, 0.30, (80, 600)),
    ("DEF", "Défense de portefeuille", "defense", "one_off", "Direction marketing", 0.15, 0.18, (300, 1500)),
    ("OPS1", "Offre habitation", "development", "one_off", "Direction marketing", 0.05, 0.12, (120, 700)),
    ("OPS2", "Parrainage", "development", "one_off", "Direction marketing", 0.04, 0.10, (80, 400)),
    ("OPS3", "Satisfaction sinistre", "retention", "one_off", "Direction sinistres", 0.03, 0.05, (100, 300)),
    ("OPS4", "Épargne retraite", "development", "one_off", "Banque Lumière", 0.03, 0.08, (500, 1500)),
)
FIRST_NAMES = ("Léa", "Hugo", "Camille", "Lucas", "Chloé", "Nathan", "Inès", "Yanis", "Manon",
               "Karim", "Sarah", "Thomas", "Amina", "Julien", "Emma", "Mehdi", "Laura", "Antoine",
               "Nadia", "Romain", "Salomé", "Youssef", "Clara", "Maxime", "Fatima", "Paul")
LAST_NAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
              "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Benali",
              "Roux", "Fournier", "Girard", "Bonnet", "El Amrani", "Mercier", "Blanc", "Guerin")
VERBATIMS = {
    "positive": ("Conseiller très aimable, problème réglé en quelques minutes.",
                 "Réponse claire et rapide, merci.", "Très bon accueil, à l'écoute.",
                 "Efficace et professionnel, je recommande.",
                 "On m'a rappelé comme promis, dossier clos.", "Parfait, rien à redire."),
    "neutral": ("Correct, mais l'attente était un peu longue.",
                "Réponse obtenue, sans plus.", "Conseiller poli mais hésitant.",
                "Il a fallu répéter mon numéro de contrat deux fois.",
                "Demande traitée, j'attends la confirmation écrite."),
    "negative": ("Trois appels pour le même sinistre, toujours rien.",
                 "Attente interminable puis on m'a raccroché au nez.",
                 "Personne ne sait répondre, on me renvoie d'un service à l'autre.",
                 "Très déçu, je vais résilier mon contrat.",
                 "Aucun suivi de ma réclamation, c'est inadmissible.",
                 "Le serveur vocal tourne en rond, impossible d'avoir quelqu'un.",
                 "J'ai dû rappeler quatre fois, et à chaque fois il faut tout réexpliquer.",
                 "Toujours pas remboursé après deux mois, personne ne me rappelle.",
                 "Conseillère désagréable, elle m'a coupé la parole sans arrêt.",
                 "Plus d'une heure d'attente pour une simple question.",
                 "Scandaleux, vous m'avez prélevé deux fois et personne ne bouge.",
                 "Sans réponse sous huit jours, je saisis le médiateur.",
                 "Je vais changer d'assureur, la concurrence est moins chère et plus sérieuse.",
                 "Mon dossier est bloqué depuis trois semaines, aucune nouvelle."),
}
# a few comments that say more than the scores, drawn for one negative answer in fifty
RARE_VERBATIMS = ("Honteux. J'ai écrit à l'UFC-Que Choisir et je porterai plainte s'il le faut.",
                  "Mise en demeure envoyée ce jour en recommandé : remboursez-moi sous quinze jours.")
# arrivals per half-hour of the day (48 slots) for phone and chat: two peaks, open 8:00-20:00
_SLOTS = np.arange(48)
_OPEN = (_SLOTS >= 16) & (_SLOTS < 40)
INTRADAY = np.where(_OPEN, 0.25 + np.exp(-((_SLOTS - 21) / 2.2) ** 2)
                    + 0.85 * np.exp(-((_SLOTS - 29.5) / 2.5) ** 2), 0.0)
EMAIL_INTRADAY = 0.3 + INTRADAY  # e-mail and mail arrive round the clock, mostly in the day
WEEKDAY = np.array([1.35, 1.1, 1.0, 1.0, 0.95, 0.35, 0.04])   # Monday .. Sunday, phone
WEEKDAY_WRITTEN = np.array([1.2, 1.1, 1.0, 1.0, 1.0, 0.55, 0.4])
THRESHOLDS = {"phone": 20, "chat": 60, "email": 86400, "mail": 432000}


def _days(end: date) -> pd.DatetimeIndex:
    start = pd.Timestamp(end) - pd.DateOffset(months=13) + pd.Timedelta(days=1)
    return pd.date_range(start, pd.Timestamp(end), freq="D")


def _choice(rng, n: int, p) -> np.ndarray:
    p = np.asarray(p, float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _agents(rng, n_agents: int) -> pd.DataFrame:
    ids = [f"A{i:03d}" for i in range(1, n_agents + 1)]
    team_no = np.arange(n_agents) % 6
    site = np.where(team_no < 4, SITES[0], SITES[1])
    client = np.where(team_no % 2 == 0, CLIENTS["HOR"], CLIENTS["LUM"])
    hired = [date(2018, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 2500, n_agents)]
    names = [f"{FIRST_NAMES[rng.integers(len(FIRST_NAMES))]} {LAST_NAMES[rng.integers(len(LAST_NAMES))]}"
             for _ in ids]
    leads = {t: f"{FIRST_NAMES[(7 * t + 3) % len(FIRST_NAMES)]} {LAST_NAMES[(5 * t + 1) % len(LAST_NAMES)]}"
             for t in range(6)}
    return pd.DataFrame({
        "agent_id": ids, "agent_name": names,
        "team": [f"Équipe {chr(65 + t)}" for t in team_no],
        "team_lead": [leads[t] for t in team_no], "site": site, "client": client,
        "hired_on": hired, "left_on": [None] * n_agents,
    })


def _target_size(share: float, n_outbound: int) -> int:
    """Customers in a campaign's target file: about 1.6 attempts per customer in the year."""
    return max(1, int(share * n_outbound / 1.6))


def _campaigns(end: date, n_outbound: int = 0) -> pd.DataFrame:
    first = _days(end)[0].date()
    ends = {"DEF": (date(end.year - 1, 9, 1), date(end.year - 1, 11, 30))}
    rows = []
    for i, (code, name, purpose, kind, sponsor, share, *_rest) in enumerate(CAMPAIGNS):
        if kind == "recurring":
            starts_on, ends_on = first, None
        elif code in ends:
            starts_on, ends_on = ends[code]
        else:  # one-off operations spread over the year, a month or two each
            starts_on = first + timedelta(days=45 + 85 * (i - 4))
            ends_on = starts_on + timedelta(days=40 + 10 * i)
        rows.append({"campaign": code, "campaign_name": name, "purpose": purpose, "kind": kind,
                     "sponsor": sponsor, "starts_on": starts_on, "ends_on": ends_on,
                     "target_size": _target_size(share, n_outbound)})
    return pd.DataFrame(rows)


def _arrival_times(rng, n: int, days: pd.DatetimeIndex, weekday: np.ndarray,
                   intraday: np.ndarray, season: np.ndarray, day_mask=None) -> np.ndarray:
    """n timestamps (ns) drawn on the day x half-hour curve; returns them sorted."""
    day_w = weekday[days.day_of_week] * season
    if day_mask is not None:
        day_w = day_w * day_mask
    day_i = _choice(rng, n, day_w)
    slot = _choice(rng, n, intraday)
    secs = slot * 1800 + rng.integers(0, 1800, n)
    return np.sort(days.values[day_i] + secs.astype("timedelta64[s]"))


def _inbound(rng, n: int, days, agents: pd.DataFrame, skill: np.ndarray, customers: int):
    season = 1 + 0.12 * np.sin(2 * np.pi * (days.day_of_year.values - 30) / 365)
    channel = _choice(rng, n, CHANNEL_SHARE)
    ts = np.empty(n, dtype="datetime64[ns]")
    for c, name in enumerate(CHANNELS):
        idx = np.flatnonzero(channel == c)
        written = name in ("email", "mail")
        ts[idx] = _arrival_times(rng, len(idx), days, WEEKDAY_WRITTEN if written else WEEKDAY,
                                 EMAIL_INTRADAY if written else INTRADAY, season)
    client_code = np.where(rng.random(n) < CLIENT_SHARE["HOR"], "HOR", "LUM")
    q = np.empty(n, dtype=int)
    for code in CLIENTS:
        members = [i for i, row in enumerate(QUEUES) if row[0] == code]
        idx = np.flatnonzero(client_code == code)
        q[idx] = np.array(members)[_choice(rng, len(idx), [QUEUES[i][3] for i in members])]
    frame = pd.DataFrame({"arrived_at": ts, "ch": channel, "q": q})

    # load of each queue in each half-hour (phone, chat) against a staffing that follows
    # the average curve: the busier the slot compared with usual, the longer the wait
    live = np.isin(channel, (0, 2))
    slot_key = frame["arrived_at"].dt.floor("30min")
    load = frame[live].groupby([slot_key[live], frame["q"][live], frame["ch"][live]])["q"].transform("size")
    usual = load.groupby([frame["q"][live], frame["ch"][live],
                          slot_key[live].dt.hour * 2 + slot_key[live].dt.minute // 30]).transform("mean")
    pressure = np.ones(n)
    pressure[live] = (load / usual).to_numpy() * (1 + 0.25 * np.isin(
        frame["arrived_at"][live].dt.day_of_week, (0,)))
    peak = np.isin(slot_key.dt.hour * 2 + slot_key.dt.minute // 30, (20, 21, 22, 28, 29, 30))
    pressure = pressure * np.where(peak, 1.2, 1.0)
    base_wait = np.select(
        [channel == 0, channel == 2, channel == 1],
        [rng.gamma(1.0, 8.0, n) * pressure ** 2.5, rng.gamma(1.2, 20.0, n) * pressure ** 2,
         rng.gamma(1.4, 20000.0, n)], rng.gamma(2.0, 120000.0, n))

    patience = rng.exponential(np.where(channel == 0, 260.0, 600.0))
    abandons = np.isin(channel, (0, 2)) & (base_wait > patience)
    self_service = (channel == 0) & (rng.random(n) < 0.05)
    outcome = np.where(self_service, "self_service", np.where(abandons, "abandoned", "answered"))
    wait = np.where(abandons, patience, base_wait)
    wait = np.where(self_service, np.nan, np.round(wait))

    answered = outcome == "answered"
    # agents serve their own client's queues
    hor_agents = np.flatnonzero(agents["client"].to_numpy() == CLIENTS["HOR"])
    lum_agents = np.flatnonzero(agents["client"].to_numpy() == CLIENTS["LUM"])
    pick = np.where(client_code == "HOR", hor_agents[rng.integers(0, len(hor_agents), n)],
                    lum_agents[rng.integers(0, len(lum_agents), n)])
    s = skill[pick]
    talk_mean = np.array([330.0, 300.0, 420.0, 600.0])[channel] * (1.25 - 0.5 * s)
    talk = np.where(answered, np.round(rng.lognormal(np.log(talk_mean), 0.45)), np.nan)
    hold = np.where(answered & (channel == 0) & (rng.random(n) < 0.3), np.round(rng.gamma(2, 25, n)), np.nan)
    acw = np.where(answered, np.round(rng.gamma(2.0, 20 * (1.3 - 0.6 * s))), np.nan)
    transferred = answered & (rng.random(n) < 0.13 - 0.1 * s)
    escalated = answered & (rng.random(n) < 0.035)
    # customers: a pool; a contact not resolved (low skill, complaint) often comes back soon
    customer = rng.integers(0, customers, n)
    unknown = rng.random(n) < 0.10
    agent_id = np.where(answered, agents["agent_id"].to_numpy()[pick], None)
    site = np.where(answered, agents["site"].to_numpy()[pick], None)
    return pd.DataFrame({
        "arrived_at": ts, "channel": np.array(CHANNELS)[channel], "direction": "inbound",
        "outcome": outcome, "queue": np.array([r[1] for r in QUEUES])[q], "campaign": None,
        "client": np.array([CLIENTS[r[0]] for r in QUEUES])[q], "site": site, "agent_id": agent_id,
        "customer_n": np.where(unknown, -1, customer),
        "reason": np.where(channel == CHANNELS.index(NO_REASON_CHANNEL), None, np.array([r[2] for r in QUEUES])[q]),
        "wait_s": wait, "talk_s": talk, "hold_s": hold, "acw_s": acw,
        "transferred": np.where(answered, transferred, None),
        "escalated": np.where(answered, escalated, None), "sale": None, "revenue": np.nan,
        "skill": np.where(answered, s, np.nan),
    })


def _repeats(rng, inbound: pd.DataFrame) -> pd.DataFrame:
    """Follow-ups of unresolved contacts: the same customer again within days, any channel."""
    handled = inbound[(inbound["outcome"] != "self_service") & (inbound["customer_n"] >= 0)]
    p = 0.10 + 0.22 * (1 - handled["skill"].fillna(0.3)) + 0.15 * (handled["outcome"] == "abandoned")
    again = handled[rng.random(len(handled)) < p].copy()
    delay = pd.to_timedelta(rng.exponential(2.0 * 86400, len(again)).astype(int) + 600, unit="s")
    again["arrived_at"] = again["arrived_at"] + delay
    return again[["arrived_at", "customer_n"]]


def _outbound(rng, n: int, days, agents: pd.DataFrame, skill: np.ndarray, customers: int):
    ds = pd.Series(days)
    masks, shares = [], []
    for code, _name, _p, kind, _s, share, *_rest in CAMPAIGNS:
        if code == "COL":    # two waves a year, March and September
            m = ds.dt.month.isin((3, 9)).to_numpy()
        elif code == "REN":  # the first ten working days of each month
            m = (ds.dt.day <= 14).to_numpy()
        elif kind == "one_off":
            m = np.zeros(len(days), bool)
        else:
            m = np.ones(len(days), bool)
        masks.append(m.astype(float))
        shares.append(share)
    campaigns = _campaigns(days[-1].date(), n)
    for i, row in campaigns.iterrows():
        if row["kind"] == "one_off":
            masks[i] = ((days.date >= row["starts_on"]) & (days.date <= row["ends_on"])).astype(float)
    which = _choice(rng, n, shares)
    ts = np.empty(n, dtype="datetime64[ns]")
    outbound_curve = np.where(_OPEN, 1.0, 0.0)
    for i in range(len(CAMPAIGNS)):
        idx = np.flatnonzero(which == i)
        mask = masks[i] if masks[i].sum() else np.ones(len(days))
        ts[idx] = _arrival_times(rng, len(idx), days, np.array([1, 1, 1, 1, 1, 0.3, 0.0]),
                                 outbound_curve, np.ones(len(days)), mask)
    hour = pd.DatetimeIndex(ts).hour
    reach_p = 0.50 + 0.12 * ((hour >= 17) | (hour < 10)) + 0.05 * (which == 1)
    reached = rng.random(n) < reach_p
    pick = rng.integers(0, len(agents), n)
    s = skill[pick]
    sale_p = np.array([c[6] for c in CAMPAIGNS])[which] * (0.7 + 0.6 * s)
    sale = reached & (rng.random(n) < sale_p)
    low = np.array([c[7][0] for c in CAMPAIGNS])[which]
    high = np.array([c[7][1] for c in CAMPAIGNS])[which]
    revenue = np.where(sale, np.round(low + (high - low) * rng.random(n), 2), np.nan)
    talk = np.where(reached, np.round(rng.lognormal(np.log(240 * (1.2 - 0.4 * s)), 0.5)), np.nan)
    return pd.DataFrame({
        "arrived_at": ts, "channel": "phone", "direction": "outbound",
        "outcome": np.where(reached, "reached", "not_reached"), "queue": None,
        "campaign": np.array([c[0] for c in CAMPAIGNS])[which],
        "client": np.where(which == 7, CLIENTS["LUM"], CLIENTS["HOR"]),
        "site": agents["site"].to_numpy()[pick], "agent_id": agents["agent_id"].to_numpy()[pick],
        "customer_n": _file_customers(rng, which, n, customers), "reason": None, "wait_s": np.nan,
        "talk_s": talk, "hold_s": np.nan, "acw_s": np.where(reached, np.round(rng.gamma(2, 15, n)), np.nan),
        "transferred": np.where(reached, False, None), "escalated": np.where(reached, False, None),
        "sale": np.where(reached, sale, None), "revenue": revenue, "skill": np.where(reached, s, np.nan),
    })


def _file_customers(rng, which: np.ndarray, n: int, customers: int) -> np.ndarray:
    """Each attempt calls a customer of its campaign's target file (files drawn from the
    customer base, each its own slice of it)."""
    sizes = np.array([_target_size(c[5], n) for c in CAMPAIGNS])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return (offsets[which] + rng.integers(0, sizes[which])) % customers


def _verbatims(rng, nps: np.ndarray) -> np.ndarray:
    tone = np.where(nps >= 9, "positive", np.where(nps >= 7, "neutral", "negative"))
    out = np.full(len(nps), None, dtype=object)
    has = rng.random(len(nps)) < 0.4
    for name, texts in VERBATIMS.items():
        idx = np.flatnonzero(has & (tone == name))
        out[idx] = np.array(texts, dtype=object)[rng.integers(0, len(texts), len(idx))]
    rare = np.flatnonzero(has & (tone == "negative") & (rng.random(len(nps)) < 0.02))
    out[rare] = np.array(RARE_VERBATIMS, dtype=object)[rng.integers(0, len(RARE_VERBATIMS), len(rare))]
    return out


def _scores(rng, quality: np.ndarray) -> dict[str, np.ndarray]:
    """NPS, CSAT, CES and resolution drawn around a quality between 0 (bad) and 1 (good)."""
    n = len(quality)
    nps = np.clip(np.round(rng.normal(4.6 + 6.5 * quality, 1.7)), 0, 10).astype(int)
    csat = np.clip(np.round(rng.normal(2.3 + 3.2 * quality, 0.8)), 1, 5).astype(int)
    ces = np.clip(np.round(rng.normal(2.0 + 5 * quality, 1.1)), 1, 7).astype(int)
    resolved = rng.random(n) < 0.25 + 0.7 * quality
    return {"nps": nps, "csat": csat, "ces": ces, "resolved": resolved}


def _surveys(rng, contacts: pd.DataFrame, days, before: int = 0) -> pd.DataFrame:
    handled = contacts["outcome"].isin(("answered", "reached")).to_numpy()
    hot = np.flatnonzero(handled & (rng.random(len(contacts)) < 0.15))
    c = contacts.iloc[hot]
    wait = c["wait_s"].fillna(0).to_numpy()
    threshold = c["channel"].map(THRESHOLDS).to_numpy(float)
    late = np.clip(wait / threshold - 1, 0, 3) / 3
    repeat = c["_followed"].to_numpy()
    quality = np.clip(0.35 + 0.45 * c["skill"].fillna(0.5).to_numpy() - 0.3 * late - 0.25 * repeat
                      - 0.08 * c["transferred"].fillna(False).astype(bool).to_numpy()
                      + rng.normal(0, 0.12, len(c)), 0, 1)
    scores = _scores(rng, quality)
    delay = pd.to_timedelta(rng.integers(600, 2 * 86400, len(c)), unit="s")
    hot_rows = pd.DataFrame({
        "responded_at": (c["arrived_at"] + delay).to_numpy(), "contact_id": c["contact_id"].to_numpy(),
        "customer_id": c["customer_id"].to_numpy(), "survey": "hot", "channel": None, "client": None,
        **scores, "verbatim": _verbatims(rng, scores["nps"]),
    })
    # the monthly cold barometer: ~1.5 % of the volume, answered over the first week of each month
    months = pd.date_range(days[0], days[-1], freq="MS")
    n_cold = max(len(months), int(0.015 * len(contacts)))
    month = months.values[rng.integers(0, len(months), n_cold)]
    responded = month + rng.integers(0, 7 * 86400, n_cold).astype("timedelta64[s]")
    cold_scores = _scores(rng, np.clip(rng.normal(0.6, 0.2, n_cold), 0, 1))
    cold_rows = pd.DataFrame({
        "responded_at": responded, "contact_id": None, "customer_id": None, "survey": "cold",
        "channel": np.array(CHANNELS)[_choice(rng, n_cold, CHANNEL_SHARE)],
        "client": np.where(rng.random(n_cold) < 0.55, CLIENTS["HOR"], CLIENTS["LUM"]),
        **cold_scores, "verbatim": _verbatims(rng, cold_scores["nps"]),
    })
    out = pd.concat([hot_rows, cold_rows], ignore_index=True)
    out = out[out["responded_at"] <= days[-1] + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)]
    out = out.sort_values("responded_at", kind="stable").reset_index(drop=True)
    out.insert(0, "response_id", [f"S{i:08d}" for i in range(before + 1, before + len(out) + 1)])
    for col in ("nps", "csat", "ces"):
        out[col] = out[col].astype("Int64")
    out["resolved"] = out["resolved"].astype("boolean")
    return out


# the views of the assessments (``_evaluations``): bias on the agent's level, spread of one grid
SELF_BIAS, OVERCONFIDENT_BIAS, MANAGER_BIAS, LENIENT_BIAS, QUALITY_BIAS = 3.0, 20.0, 0.0, 10.0, -5.0
LENIENT_TEAMS = ("Équipe B", "Équipe E")
QUALITY_ANALYSTS = ("Sophie Marchal", "Olivier Brun", "Nora Haddad")
EVALUATION_COMMENTS = {
    "good": ("Très bonne écoute, reformulation claire.", "Solution apportée dès le premier appel.",
             "Prise de congé soignée, client rassuré."),
    "fair": ("Découverte du besoin à compléter.", "Bon appel, mais attente en ligne trop longue.",
             "Reformulation à travailler."),
    "poor": ("Le client a dû répéter sa demande plusieurs fois.", "Transfert évitable.",
             "Engagements non tenus, pas de récapitulatif."),
}


def _evaluations(rng, contacts: pd.DataFrame, agents: pd.DataFrame, skill: np.ndarray,
                 days: pd.DatetimeIndex) -> pd.DataFrame:
    """Each agent's assessments, month by month: 6 self-assessments of its own calls, 5 to 7
    from its team lead (a third of them reviews of the month as a whole, the others about one
    call), 6 to 9 from the quality team; each view drawn around the agent's level (what its
    customers say, on average) with its own bias. Contacts are drawn from a sample of the
    handled ones, so a large demo costs little more than a small one."""
    handled = np.flatnonzero(contacts["agent_id"].notna().to_numpy()
                             & contacts["outcome"].isin(("answered", "reached")).to_numpy())
    months = len(pd.date_range(days[0], days[-1], freq="MS"))
    share = min(1.0, 60.0 * len(agents) * months / max(1, len(handled)))
    sample = handled[rng.random(len(handled)) < share]
    picked = contacts.iloc[sample[rng.permutation(len(sample))]][["contact_id", "agent_id", "arrived_at", "channel"]]
    where = {a: i for i, a in enumerate(agents["agent_id"])}
    who = picked["agent_id"].map(where).to_numpy()
    rank = picked.groupby([picked["agent_id"], picked["arrived_at"].dt.to_period("M")]).cumcount().to_numpy()
    n_quality, n_manager = 6 + rng.integers(0, 4, len(agents)), 5 + rng.integers(0, 3, len(agents))
    role = np.select([rank < n_quality[who], rank < n_quality[who] + 6, rank < n_quality[who] + 6 + n_manager[who]],
                     ["quality", "self", "manager"], "")
    keep = role != ""
    picked, who, role = picked[keep], who[keep], role[keep]
    n = len(picked)
    # the agent's level: the mean of 100 × (csat − 1) / 4 its customers give, for its skill
    level = 54.0 + 34.0 * skill[who]
    overconfident = np.zeros(len(agents), bool)
    overconfident[rng.choice(len(agents), size=max(2, len(agents) // 8), replace=False)] = True
    lenient = agents["team"].isin(LENIENT_TEAMS).to_numpy()[who]
    bias = np.select([role == "self", role == "manager"],
                     [np.where(overconfident[who], OVERCONFIDENT_BIAS, SELF_BIAS),
                      np.where(lenient, LENIENT_BIAS, MANAGER_BIAS)], QUALITY_BIAS)
    noise = rng.normal(0, np.select([role == "self", role == "manager"], [5.0, 5.0], 8.0))
    score = np.clip(np.round(level + bias + noise), 0, 100)
    # when, in office hours: the quality team 1 to 7 days after the call, the agent the same day
    # or the next, the team lead within the week; never before the call, nor after the last day
    arrived = picked["arrived_at"].to_numpy()
    lag = np.select([role == "quality", role == "self"], [rng.integers(1, 8, n), rng.integers(0, 2, n)],
                    rng.integers(1, 7, n))
    clock = rng.integers(8 * 3600 + 1800, 18 * 3600 + 1800, n)
    evaluated = (arrived.astype("datetime64[D]") + lag.astype("timedelta64[D]")).astype("datetime64[s]") \
        + clock.astype("timedelta64[s]")
    evaluated = np.maximum(evaluated, arrived + np.timedelta64(1800, "s"))
    last = (days[-1] + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)).to_datetime64()
    evaluated = np.where(evaluated > last, arrived + np.timedelta64(1800, "s"), evaluated)
    evaluated = np.minimum(evaluated, last)
    whole_month = (role == "manager") & (rng.random(n) < 0.33)     # a monthly review: no contact
    written = picked["channel"].isin(("email", "mail")).to_numpy()
    grid = np.select([role == "self", whole_month, role == "manager", written],
                     ["Auto-écoute", "Entretien mensuel", "Écoute en double", "Grille qualité écrit v2"],
                     "Grille qualité appel v4")
    evaluator = np.select([role == "self", role == "manager"],
                          [agents["agent_name"].to_numpy()[who], agents["team_lead"].to_numpy()[who]],
                          np.array(QUALITY_ANALYSTS)[rng.integers(0, len(QUALITY_ANALYSTS), n)])
    tone = np.where(score >= 80, "good", np.where(score >= 60, "fair", "poor"))
    comment = np.full(n, None, dtype=object)
    said = (role != "self") & (rng.random(n) < 0.45)
    for name, texts in EVALUATION_COMMENTS.items():
        idx = np.flatnonzero(said & (tone == name))
        comment[idx] = np.array(texts, dtype=object)[rng.integers(0, len(texts), len(idx))]
    out = pd.DataFrame({
        "evaluated_at": evaluated.astype("datetime64[ns]"), "agent_id": picked["agent_id"].to_numpy(),
        "evaluator_role": role, "score": score.astype("float64"),
        "contact_id": np.where(whole_month, None, picked["contact_id"].to_numpy()),
        "evaluator": evaluator, "grid": grid, "comment": comment,
    }).sort_values(["evaluated_at", "agent_id", "evaluator_role"], kind="stable").reset_index(drop=True)
    out.insert(0, "evaluation_id", [f"E{i:08d}" for i in range(1, len(out) + 1)])
    return out


# a demo larger than this is generated, and stored, in parts of about this many contacts
CHUNK = 5_000_000


@dataclass(frozen=True)
class Part:
    """One part of a demo generated in parts: its number, the contacts of the whole demo (0: this
    part is the whole demo), and the contacts, customers and answers of the parts before it (its
    ids follow theirs; its customers are its own, so a customer's contacts are all in one part)."""
    number: int = 0
    total: int = 0
    contacts_before: int = 0
    customers_before: int = 0
    surveys_before: int = 0


def generate(n_contacts: int = 200_000, seed: int = 1, end: date | None = None,
             part: Part = Part()) -> dict[str, pd.DataFrame]:
    """Demo frames for contacts, surveys, agents, campaigns, reasons, evaluations and costs,
    typed as the loader's; of one part, with ``part``: the same agents, campaigns and reasons,
    its own contacts and answers, the evaluations in the first part only, and the basis of the
    costs ("cost_basis") instead of the costs."""
    end = end or date.today() - timedelta(days=1)
    total = part.total or n_contacts
    rng = np.random.default_rng(seed)
    days = _days(end)
    n_agents = int(np.clip(40 + total // 50_000, 40, 80))
    agents = _agents(rng, n_agents)
    skill = np.clip(rng.beta(4, 2.5, n_agents), 0.05, 0.98)
    if part.number:
        rng = np.random.default_rng([seed, 0, part.number])
    customers = max(1000, n_contacts // 6)
    n_out = int(n_contacts * 0.12)
    n_in = n_contacts - n_out
    inbound = _inbound(rng, int(n_in * 0.86), days, agents, skill, customers)
    again = _repeats(rng, inbound)
    extra = _inbound(rng, n_in - len(inbound), days, agents, skill, customers)
    # as many follow-ups as there are extra contacts, drawn at random among the unresolved
    # ones (the first ones would leave the latest weeks without follow-ups); the follow-up's
    # day comes from the first contact, its time of day from its own channel; one that would
    # fall after the last day stays a contact of its own, so the demo has the contacts asked for
    k = min(len(extra), len(again))
    chosen = again.iloc[np.sort(rng.choice(len(again), size=k, replace=False))]
    own = extra["arrived_at"].iloc[:k]
    when = chosen["arrived_at"].dt.normalize().to_numpy() + (own - own.dt.normalize()).to_numpy()
    inside = np.flatnonzero(when < (days[-1] + pd.Timedelta(days=1)).to_datetime64())
    extra.iloc[inside, extra.columns.get_loc("arrived_at")] = when[inside]
    extra.iloc[inside, extra.columns.get_loc("customer_n")] = chosen["customer_n"].to_numpy()[inside]
    contacts = pd.concat([inbound, extra, _outbound(rng, n_out, days, agents, skill, customers)],
                         ignore_index=True)
    del inbound, extra, again
    contacts = contacts.sort_values("arrived_at", kind="stable").reset_index(drop=True)
    first = part.contacts_before + 1
    contacts.insert(0, "contact_id", [f"D{i:08d}" for i in range(first, first + len(contacts))])
    contacts["customer_id"] = np.where(contacts["customer_n"] >= 0, "C" + (
        contacts["customer_n"] + part.customers_before).astype(str).str.zfill(7), None)
    contacts["_followed"] = _followed_within(contacts, 7 * 86400)
    surveys = _surveys(rng, contacts, days, part.surveys_before)
    # a generator of their own: the other tables are those of earlier demos with the same seed
    evaluations = _evaluations(np.random.default_rng([seed, 7]), contacts, agents, skill, days) \
        if part.number == 0 else None
    contacts = contacts[list(TABLES["contacts"].column_names)].copy()
    for col in ("transferred", "escalated", "sale"):
        contacts[col] = contacts[col].astype("boolean")
    for col in ("wait_s", "talk_s", "hold_s", "acw_s", "revenue"):
        contacts[col] = contacts[col].astype("float64")
    contacts["arrived_at"] = contacts["arrived_at"].astype("datetime64[ns]")
    surveys["responded_at"] = surveys["responded_at"].astype("datetime64[ns]")
    reasons = pd.DataFrame(REASONS, columns=list(TABLES["reasons"].column_names))
    frames = {"agents": agents, "campaigns": _campaigns(end, int(total * 0.12)), "reasons": reasons,
              "contacts": contacts, "surveys": surveys}
    if evaluations is not None:
        frames["evaluations"] = evaluations
    if part.total:
        frames["cost_basis"] = cost_basis(contacts)
    else:
        frames["costs"] = demo_costs(cost_basis(contacts))
    return frames


def _sizes(n_contacts: int) -> list[int]:
    """The contacts of each part a demo is made of (one part up to ``CHUNK`` contacts)."""
    count = -(-n_contacts // CHUNK)
    return [n_contacts // count + (i < n_contacts % count) for i in range(count)]


def _followed_within(contacts: pd.DataFrame, seconds: float) -> np.ndarray:
    """Whether an inbound contact's customer comes back (inbound) within ``seconds``."""
    inbound = contacts[(contacts["direction"] == "inbound") & contacts["customer_id"].notna()]
    ordered = inbound.sort_values(["customer_id", "arrived_at"], kind="stable")
    nxt = ordered.groupby("customer_id")["arrived_at"].shift(-1)
    gap = (nxt - ordered["arrived_at"]).dt.total_seconds()
    out = pd.Series(False, index=contacts.index)
    out[ordered.index] = (gap <= seconds).to_numpy()
    return out.to_numpy()


def build(engine, n_contacts: int, seed: int, key: bytes, end: date | None = None,
          on_step: Callable[[str], None] | None = None) -> list[LoadReport]:
    """Generate the demo and store it through the loader (all or nothing, logged). A demo
    larger than ``CHUNK`` is made part by part, each part generated and stored in a process
    of its own (the memory of a part, and what the load keeps, go back to the system when it
    ends: a demo of any size takes the memory of one part), its roll-ups computed once, after
    the last part."""
    step = on_step or (lambda _m: None)
    end = end or date.today() - timedelta(days=1)
    sizes = _sizes(n_contacts)
    task = Demo(n_contacts, seed, key, end, len(sizes) > 1)
    stored, bases, before = [], [], Part(total=n_contacts)
    step(_("generating"))
    for number, size in enumerate(sizes):
        part = replace(before, number=number)
        bases_before = bases if number == len(sizes) - 1 else None
        if task.several:
            engine.dispose()                 # the file is the part's process's while it runs
            with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as apart:
                reports, basis, answers = apart.submit(_store_apart, engine.url.database, task, size, part,
                                                       bases_before).result()
        else:
            reports, basis, answers = _store_part(engine, task, size, part, bases_before)
        stored += reports
        bases.append(basis)
        before = replace(before, contacts_before=before.contacts_before + size,
                         customers_before=before.customers_before + max(1000, size // 6),
                         surveys_before=before.surveys_before + answers)
    step(_("storing"))
    if task.several and any(r.status == "loaded" for r in stored):
        with writing(engine) as conn:
            rebuild_rollups(conn)
    _contracts(engine, _campaigns(end, int(n_contacts * 0.12)), end)
    return stored


@dataclass(frozen=True)
class Demo:
    """What a demo is made from: its size, seed, customer key and last day; in parts or not."""
    n_contacts: int
    seed: int
    key: bytes
    end: date
    several: bool

    def report(self, table: str, frame: pd.DataFrame, part: int | None = None) -> LoadReport:
        name = f"-part{part + 1}" if self.several and part is not None else ""
        checksum = hashlib.sha256(f"{table}:{self.n_contacts}:{self.seed}:{self.end}{name}".encode()).hexdigest()
        return LoadReport(table=table, file_name=f"demo-{table}-n{self.n_contacts}-seed{self.seed}{name}",
                          profile="demo", checksum=checksum, rows=frame, rows_read=len(frame), accepted=len(frame))


def _store_part(engine, task: Demo, size: int, part: Part, bases_before: list | None):
    """Generate one part and store it (the references with the first, the costs with the
    last, from the cost bases of the parts before it and its own); its reports without their
    rows, its cost basis and how many answers it has."""
    frames = generate(size, task.seed, task.end, part)
    reports = []
    if part.number == 0:
        reports += [task.report(t, frames[t]) for t in ("agents", "campaigns", "reasons")]
    reports += [task.report("contacts", frames["contacts"], part.number),
                task.report("surveys", frames["surveys"], part.number)]
    if "evaluations" in frames:
        reports.append(task.report("evaluations", frames["evaluations"]))
    if bases_before is not None:
        reports.append(task.report("costs", demo_costs(merge_bases(bases_before + [frames["cost_basis"]]))))
    stored = store(engine, reports, source="demo", key=task.key, rollups=not task.several)
    for each in stored:
        each.rows = each.rows.iloc[:0].copy()
    return stored, frames["cost_basis"], len(frames["surveys"])


def _store_apart(path: str, task: Demo, size: int, part: Part, bases_before: list | None):
    """``_store_part`` in a process of its own, on the database file at ``path``."""
    from data import db as database
    try:
        return _store_part(database.engine(path), task, size, part, bases_before)
    finally:
        database.dispose(path)


def _contracts(engine, campaigns: pd.DataFrame, end: date) -> None:
    """Each campaign's service contract as its sponsor ordered it (objectives a little above
    or below what it does, so that some are met and some missed) and its preparation, done on
    the planned days (the test of every third campaign two days late), up to the latest day."""
    demo = Actor("demo")
    for i, (code, *_rest, sale_rate, _revenue) in enumerate(CAMPAIGNS):
        row = campaigns[campaigns["campaign"] == code].iloc[0]
        launch = row["starts_on"]
        done = {m: launch + timedelta(days=offset + (2 if m == "test" and i % 3 == 1 else 0))
                for m, offset in DEFAULT_OFFSETS.items() if launch + timedelta(days=offset) <= end}
        save_contract(engine, Contract(
            code, reach_rate=55.0, conversion_rate=round(sale_rate * 100 * (0.85 if i % 2 else 1.15), 1),
            response_rate=20.0 if row["kind"] == "one_off" else 8.0, acquisition_cost=40.0 if i % 2 else 15.0,
            deadline=row["ends_on"] if isinstance(row["ends_on"], date) else None, done=done), demo)
