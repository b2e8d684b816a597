"""The SQL of the base relations KPIs and other figures are computed over, and of their row flags.

``contacts``: one row per contact ``c`` (and ``a``, its agent, for the team). ``surveys``: one
row per survey answer ``s``, with ``lc`` the contact it is linked to and ``la`` that contact's
agent. ``evaluations``: one row per assessment of an agent ``e``, with ``ea`` the agent assessed
(its team, site and client) and ``ec`` the contact assessed, when it is linked to one (its
channel, queue, campaign, reason and client); no measure of the registry reads it
(``metrics.alignment`` does). A measure of the registry aggregates one flag or column of these
rows; the roll-ups (``metrics.rollups``) store the same aggregates per day, so both read the SQL
from here.
Nothing here touches the database.
"""
from __future__ import annotations

from datetime import date

from metrics.maturity import Maturity
from metrics.registry import Measure
from settings import KpiSettings

DIMENSIONS = ("channel", "queue", "campaign", "client", "site", "agent", "team", "reason")

_LINKED = "lc.contact_id IS NOT NULL"


def _half_hour(time: str) -> str:
    """The time of day of a timestamp's half-hour, "09:30"."""
    return f"strftime(time_bucket(INTERVAL 30 MINUTES, {time}), '%H:%M')"


# the dimensions, the time (``time``) and the half-hour of the day of each base's rows
DIM_SQL = {
    "contacts": {
        "channel": "c.channel", "queue": "c.queue", "campaign": "c.campaign",
        "client": "c.client", "site": "c.site", "agent": "c.agent_id", "team": "a.team",
        "reason": "c.reason", "time": "c.arrived_at", "half_hour": _half_hour("c.arrived_at"),
    },
    "surveys": {
        "channel": f"CASE WHEN {_LINKED} THEN lc.channel ELSE s.channel END",
        "client": f"CASE WHEN {_LINKED} THEN lc.client ELSE s.client END",
        "queue": "lc.queue", "campaign": "lc.campaign", "site": "lc.site",
        "agent": "lc.agent_id", "team": "la.team", "reason": "lc.reason", "time": "s.responded_at",
        "half_hour": _half_hour("s.responded_at"), "survey": "s.survey",
    },
    # the agent's dimensions; the assessed contact's where it is linked to one (an assessment of
    # the agent's work as a whole has no channel, and a filter on one leaves it out)
    "evaluations": {
        "channel": "ec.channel", "queue": "ec.queue", "campaign": "ec.campaign", "reason": "ec.reason",
        "client": "CASE WHEN ec.contact_id IS NOT NULL THEN ec.client ELSE ea.client END",
        "site": "ea.site", "agent": "e.agent_id", "team": "ea.team", "time": "e.evaluated_at",
        "half_hour": _half_hour("e.evaluated_at"),
    },
    # interval reports (KPIS.md): a queue's counts per interval, with none of the contact's
    # other dimensions (a filter on one leaves them out)
    "intervals": {
        "channel": "i.channel", "queue": "i.queue", "client": "i.client", "site": "i.site",
        **{d: "CAST(NULL AS VARCHAR)" for d in ("campaign", "agent", "team", "reason")},
        "time": "i.interval_start", "half_hour": _half_hour("i.interval_start"),
    },
}

# the rows of each base; FROM_SQL adds the agent's team
ROWS_SQL = {
    "contacts": "contacts c",
    # an answer's contact is among those flagged ``surveyed`` and arrived when the answer keeps
    # it did (both kept by every load, ``data.derived``): the join reads the flag over the
    # contacts of the answers' arrival times only (DuckDB skips the blocks outside the range of
    # the answers read), then the other columns of those contacts only
    "surveys": ("surveys s LEFT JOIN (SELECT * FROM contacts WHERE surveyed) lc ON lc.source = s.contact_source"
                " AND lc.contact_id = s.contact_id AND lc.arrived_at = s.contact_arrived_at"),
    # the agent is always joined: its site and client are dimensions of the assessment; the
    # assessed contact is among those flagged ``evaluated``, as an answer's is ``surveyed``
    "evaluations": ("evaluations e LEFT JOIN agents ea ON ea.agent_id = e.agent_id"
                    " LEFT JOIN (SELECT * FROM contacts WHERE evaluated) ec"
                    " ON ec.source = e.source AND ec.contact_id = e.contact_id AND ec.arrived_at = e.contact_arrived_at"),
}
FROM_SQL = {
    "contacts": f"{ROWS_SQL['contacts']} LEFT JOIN agents a ON a.agent_id = c.agent_id",
    "surveys": f"{ROWS_SQL['surveys']} LEFT JOIN agents la ON la.agent_id = lc.agent_id",
    "evaluations": ROWS_SQL["evaluations"],
}


def _threshold_sql(settings: KpiSettings, params: dict) -> str:
    whens = []
    for i, (channel, seconds) in enumerate(settings.sl_thresholds):
        params[f"th_ch{i}"], params[f"th_s{i}"] = channel, seconds
        whens.append(f"WHEN :th_ch{i} THEN :th_s{i}")
    params["th_default"] = settings.sl_default_threshold
    return f"CASE c.channel {' '.join(whens)} ELSE :th_default END"


# Sums of durations and revenue are taken in fixed point (milliseconds, 1/10,000 of the
# currency): a decimal sum is exact whatever the order of its terms, so a total read from the
# daily roll-ups is the very number summed over the contacts.
SECONDS = "DECIMAL(18, 3)"
MONEY = "DECIMAL(18, 4)"


Span = tuple[date | None, date | None]   # the data's first and latest day (``maturity.span``)


def contact_flags(settings: KpiSettings, params: dict, span: Span) -> str:
    """Row flags of the contacts base; later flags use earlier ones by name. FCR and repeats
    count mature contacts only, as the data's first and latest day (``span``) make them."""
    params.update(short=settings.short_abandon_s, window=settings.repeat_window_h * 3600)
    Maturity(*span, settings.repeat_window_h).bind(params)
    met = {"negative": "is_answered AND is_within", "ignored": "is_answered AND is_within",
           "positive": "(is_answered OR is_long_abandon) AND is_within"}[settings.abandon_mode]
    counted = ("is_net_offered AND NOT (is_long_abandon AND is_within)"
               if settings.abandon_mode == "ignored" else "is_net_offered")
    return f"""
        TRUE AS is_contact,
        c.direction = 'inbound' AS is_inbound,
        c.direction = 'outbound' AS is_outbound,
        is_inbound AND c.outcome = 'answered' AS is_answered,
        is_inbound AND c.outcome = 'abandoned' AS is_abandoned,
        is_inbound AND c.outcome IN ('answered', 'abandoned') AS is_offered,
        is_abandoned AND coalesce(c.wait_s < :short, FALSE) AS is_short_abandon,
        is_offered AND NOT is_short_abandon AS is_net_offered,
        is_abandoned AND NOT is_short_abandon AS is_long_abandon,
        coalesce(c.wait_s <= {_threshold_sql(settings, params)}, FALSE) AS is_within,
        {met} AS is_sl_met,
        {counted} AS is_sl_counted,
        CASE WHEN is_answered THEN CAST(c.wait_s AS {SECONDS}) END AS answered_wait_s,
        is_outbound AND c.outcome = 'reached' AS is_reached,
        is_answered OR is_reached AS is_handled,
        CASE WHEN is_handled THEN CAST(coalesce(c.talk_s, 0) AS {SECONDS})
             + CAST(coalesce(c.hold_s, 0) AS {SECONDS}) + CAST(coalesce(c.acw_s, 0) AS {SECONDS})
             END AS handled_time_s,
        is_handled AND coalesce(c.transferred, FALSE) AS is_transferred_handled,
        is_handled AND coalesce(c.escalated, FALSE) AS is_escalated_handled,
        is_answered AND c.customer_key IS NOT NULL AS is_fcr_known,
        is_fcr_known AND c.arrived_at < :fcr_until AS is_fcr_eligible,
        is_fcr_known AND NOT is_fcr_eligible AS is_fcr_pending,
        is_fcr_eligible AND coalesce(c.next_gap_s > :window, TRUE) AS is_first_contact_resolved,
        is_inbound AND c.customer_key IS NOT NULL AS is_repeat_known,
        is_repeat_known AND c.arrived_at >= :repeat_from AS is_repeat_eligible,
        is_repeat_known AND NOT is_repeat_eligible AS is_repeat_pending,
        is_repeat_eligible AND coalesce(c.prev_gap_s <= :window, FALSE) AS is_repeat,
        is_inbound AND c.outcome = 'self_service' AS is_self_service,
        is_handled AND coalesce(c.sale, FALSE) AS is_sale,
        CASE WHEN is_sale THEN CAST(c.revenue AS {MONEY}) END AS sale_revenue,
        is_handled AND coalesce(c.surveyed, FALSE) AS is_surveyed_handled,
        FALSE AS is_interval"""


SURVEY_FLAGS = """
        TRUE AS is_response,
        CASE WHEN s.nps >= 9 THEN 1 WHEN s.nps <= 6 THEN -1 WHEN s.nps IS NOT NULL THEN 0 END AS nps_sign,
        s.csat >= 4 AS is_csat_top2,
        s.nps, s.csat, s.ces, s.resolved"""


def row_flags(base: str, settings: KpiSettings, params: dict, span: Span) -> str:
    return contact_flags(settings, params, span) if base == "contacts" else SURVEY_FLAGS


def aggregate(m: Measure) -> str:
    """A measure's aggregate over the flagged rows of its base (0 over no rows)."""
    return f"coalesce({m.agg}({m.expr}), 0)"


def final(m: Measure, total: str) -> str:
    """A measure's value as it leaves the database: counts as integers, sums as floats."""
    return total if m.agg != "sum" else f"CAST({total} AS DOUBLE)"


# The distributions behind KPIs, binned on the server, and the base each counts rows of
HISTOGRAM_BASES = {"waits": "contacts", "handle_time": "contacts", "nps": "surveys", "csat": "surveys",
                   "ces": "surveys"}


def histogram_sql(kind: str, settings: KpiSettings, params: dict) -> tuple[str, str, str]:
    """A distribution's bin and series expressions and the rows it counts. Waits of answered
    and long-abandoned contacts in quarters of their channel's threshold (so channels with
    very different thresholds share one axis, 16 = four thresholds and more); handle times
    in whole minutes per channel (30 = half an hour and more); survey scores as given."""
    if kind == "waits":
        params["short"] = settings.short_abandon_s
        return (f"least(floor(c.wait_s / {_threshold_sql(settings, params)} * 4), 16)", "c.outcome",
                "c.direction = 'inbound' AND c.wait_s IS NOT NULL AND (c.outcome = 'answered'"
                " OR (c.outcome = 'abandoned' AND c.wait_s >= :short))")
    if kind == "handle_time":
        return ("least(floor((coalesce(c.talk_s, 0) + coalesce(c.hold_s, 0) + coalesce(c.acw_s, 0)) / 60), 30)",
                "c.channel", "((c.direction = 'inbound' AND c.outcome = 'answered')"
                " OR (c.direction = 'outbound' AND c.outcome = 'reached'))")
    return f"CAST(s.{kind} AS DOUBLE)", "NULL", f"s.{kind} IS NOT NULL"
