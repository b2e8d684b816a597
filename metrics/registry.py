"""Every KPI of the KPI dictionary, declared once, as data.

A *measure* is one aggregate over one base relation (``contacts`` or ``surveys``, see
``metrics.query``): a count of rows where a row flag holds, or a sum / count of a column.
A *KPI* is either a measure shown as is (``count``) or the ratio of two measures
(``ratio``), scaled (100 for rates). Means are ratios of a sum and a count.

The registry is checked when it is imported: a typo fails at start-up, not in front of a
director.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from i18n import N_, _, current, formats


@dataclass(frozen=True)
class Measure:
    name: str
    base: str          # contacts | surveys | economics (``metrics.economics``: cost rows, target files)
    agg: str           # count_if | sum | count
    expr: str          # a row flag or column of the base relation
    interval: str | None = None   # what an interval report's row ``i`` adds to it (KPIS.md); None: nothing


@dataclass(frozen=True)
class Kpi:
    id: str
    label_en: str
    label_fr: str
    group: str          # delivered | outbound | perceived | economics
    unit: str           # count | percent | seconds | score | currency
    fmt: str            # Python format spec for display
    better: str         # higher | lower | none
    formula: str        # shown to users
    kind: str           # count | ratio
    numerator: str      # the measure (for count: the measure itself)
    denominator: str | None = None
    scale: float = 1.0
    settings: tuple[str, ...] = ()   # settings the value depends on
    pending: str | None = None       # the measure counting the contacts not mature yet (KPIS.md, Maturity)
    low: float | None = None         # the values a score can take (rates: 0-100 by their unit)
    high: float | None = None
    per_channel: bool = False        # a value over several channels says nothing (KPIS.md)
    known: str | None = None         # a measure that must be above 0 for a value (the cost rows behind a cost)

    @property
    def decimals(self) -> int:
        """The digits its format shows after the point ('.1f' -> 1, ',.0f' -> 0)."""
        return int(self.fmt.rsplit(".", 1)[1][0]) if "." in self.fmt else 0

    @property
    def base(self) -> str:
        """The relation it is read from: ``surveys`` for a score of the answers."""
        return MEASURES[self.numerator].base

    def label(self, lang: str | None = None) -> str:
        """The KPI's name in a language (default: the current one)."""
        return self.label_fr if (lang or current()) == "fr" else self.label_en


BASES = ("contacts", "surveys", "economics")
AGGS = ("count_if", "sum", "count")
UNITS = ("count", "percent", "seconds", "score", "currency")
GROUPS = ("delivered", "outbound", "perceived", "economics")

_MEASURES = (
    # an interval's figures count where they are known: a service level only with the
    # answers within its threshold, a mean only with its total
    Measure("offered", "contacts", "count_if", "is_offered", "i.offered"),
    Measure("net_offered", "contacts", "count_if", "is_net_offered", "i.offered - i.short_abandoned"),
    Measure("answered", "contacts", "count_if", "is_answered", "i.answered"),
    Measure("sl_met", "contacts", "count_if", "is_sl_met", "coalesce(i.answered_within, 0)"),
    Measure("sl_counted", "contacts", "count_if", "is_sl_counted",
            "CASE WHEN i.answered_within IS NOT NULL THEN i.offered - i.short_abandoned ELSE 0 END"),
    Measure("long_abandons", "contacts", "count_if", "is_long_abandon", "i.abandoned - i.short_abandoned"),
    Measure("answered_wait_sum", "contacts", "sum", "answered_wait_s", "i.answered_wait_s"),
    Measure("answered_wait_n", "contacts", "count", "answered_wait_s",
            "CASE WHEN i.answered_wait_s IS NOT NULL THEN i.answered ELSE 0 END"),
    Measure("handled", "contacts", "count_if", "is_handled", "i.handled"),
    # handled contact records: what the rates only contact records can tell are over
    Measure("handled_records", "contacts", "count_if", "is_handled"),
    Measure("handle_time_sum", "contacts", "sum", "handled_time_s", "i.handle_s"),
    Measure("handle_time_n", "contacts", "count", "handled_time_s",
            "CASE WHEN i.handle_s IS NOT NULL THEN i.handled ELSE 0 END"),
    Measure("transferred", "contacts", "count_if", "is_transferred_handled", "coalesce(i.transferred, 0)"),
    Measure("transfer_base", "contacts", "count_if", "is_handled",
            "CASE WHEN i.transferred IS NOT NULL THEN i.handled ELSE 0 END"),
    # the contacts offered that interval reports, not contact records, count
    Measure("interval_offered", "contacts", "count_if", "is_interval", "i.offered"),
    Measure("escalated", "contacts", "count_if", "is_escalated_handled"),
    Measure("fcr_eligible", "contacts", "count_if", "is_fcr_eligible"),
    Measure("fcr_resolved", "contacts", "count_if", "is_first_contact_resolved"),
    Measure("fcr_pending", "contacts", "count_if", "is_fcr_pending"),
    Measure("repeat_eligible", "contacts", "count_if", "is_repeat_eligible"),
    Measure("repeats", "contacts", "count_if", "is_repeat"),
    Measure("repeat_pending", "contacts", "count_if", "is_repeat_pending"),
    Measure("inbound", "contacts", "count_if", "is_inbound"),
    Measure("self_served", "contacts", "count_if", "is_self_service"),
    Measure("attempts", "contacts", "count_if", "is_outbound"),
    Measure("reached", "contacts", "count_if", "is_reached"),
    Measure("sales", "contacts", "count_if", "is_sale"),
    Measure("sales_revenue", "contacts", "sum", "sale_revenue"),
    Measure("surveyed_handled", "contacts", "count_if", "is_surveyed_handled"),
    # every contact, whatever its direction and outcome (the contact list's counts)
    Measure("contacts", "contacts", "count_if", "is_contact"),
    # worked out by ``metrics.economics`` from the cost rows and the handled contacts they are
    # shared over: the cost, whether any cost row covers the scope (1, else 0), the handled
    # contacts the cost rows cover; the same for the rows of campaigns; the distinct customers
    # a campaign reached and its target file's size
    Measure("cost_amount", "economics", "sum", "cost_amount"),
    Measure("cost_known", "economics", "count", "cost_known"),
    Measure("cost_handled", "economics", "count", "cost_handled"),
    Measure("campaign_amount", "economics", "sum", "campaign_amount"),
    Measure("campaign_known", "economics", "count", "campaign_known"),
    Measure("campaign_customers", "economics", "count", "campaign_customers"),
    Measure("campaign_targets", "economics", "count", "campaign_targets"),
    Measure("responses", "surveys", "count_if", "is_response"),
    Measure("nps_net", "surveys", "sum", "nps_sign"),
    Measure("nps_answers", "surveys", "count", "nps"),
    Measure("csat_top2", "surveys", "count_if", "is_csat_top2"),
    Measure("csat_answers", "surveys", "count", "csat"),
    Measure("ces_sum", "surveys", "sum", "ces"),
    Measure("ces_answers", "surveys", "count", "ces"),
    Measure("resolved_yes", "surveys", "count_if", "resolved"),
    Measure("resolved_known", "surveys", "count", "resolved"),
)

_SL = ("sl_thresholds", "short_abandon_s", "abandon_mode")
_SHORT = ("short_abandon_s",)
_REPEAT = ("repeat_window_h",)

_KPIS = (
    # delivered quality
    Kpi("offered", "Contacts offered", "Contacts reçus", "delivered", "count", ",.0f", "none",
        N_("count of inbound contacts answered or abandoned"), "count", "offered"),
    Kpi("handled", "Contacts handled", "Contacts traités", "delivered", "count", ",.0f", "none",
        N_("count of inbound answered + outbound reached"), "count", "handled"),
    Kpi("answer_rate", "Answer rate", "Taux de décroché", "delivered", "percent", ".1f", "higher",
        N_("answered ÷ net offered (offered minus short abandons)"), "ratio", "answered",
        "net_offered", 100, _SHORT),
    Kpi("service_level", "Service level", "Qualité de service (décroché en X s)", "delivered",
        "percent", ".1f", "higher",
        N_("answered with wait ≤ threshold(channel) ÷ net offered"), "ratio", "sl_met", "sl_counted",
        100, _SL),
    Kpi("asa", "Average speed of answer", "Durée moyenne d'attente (DMA)", "delivered",
        "seconds", ".0f", "lower", N_("mean wait of answered inbound contacts"), "ratio",
        "answered_wait_sum", "answered_wait_n", per_channel=True),
    Kpi("aht", "Average handle time", "Durée moyenne de traitement (DMT)", "delivered",
        "seconds", ".0f", "lower",
        N_("mean of talk + hold + after-contact work over handled contacts (a missing part counts as 0)"),
        "ratio", "handle_time_sum", "handle_time_n", per_channel=True),
    Kpi("abandon_rate", "Abandon rate", "Taux d'abandon", "delivered", "percent", ".1f", "lower",
        N_("abandoned that are not short ÷ net offered"), "ratio", "long_abandons", "net_offered",
        100, _SHORT),
    Kpi("transfer_rate", "Transfer rate", "Taux de transfert", "delivered", "percent", ".1f",
        "lower", N_("transferred handled ÷ handled"), "ratio", "transferred", "transfer_base", 100),
    Kpi("escalation_rate", "Escalation rate", "Taux d'escalade", "delivered", "percent", ".1f",
        "lower", N_("escalated handled ÷ handled"), "ratio", "escalated", "handled_records", 100),
    Kpi("fcr", "First-contact resolution", "Résolution au premier contact", "delivered",
        "percent", ".1f", "higher",
        N_("mature handled inbound contacts of a known customer with no other inbound contact of "
        "that customer (any channel, any outcome, in all the data) within the repeat window "
        "after it ÷ mature handled inbound contacts of a known customer; a contact is mature "
        "once its whole window lies within the data (before then it is pending)"),
        "ratio", "fcr_resolved", "fcr_eligible", 100, _REPEAT, pending="fcr_pending"),
    Kpi("repeat_rate", "Repeat-contact rate", "Taux de réitération", "delivered", "percent",
        ".1f", "lower",
        N_("mature inbound contacts of a known customer preceded by another inbound contact of "
        "that customer (any channel, any outcome, in all the data) within the repeat window ÷ "
        "mature inbound contacts of a known customer; a contact is mature once the whole "
        "window before it lies within the data"),
        "ratio", "repeats", "repeat_eligible", 100, _REPEAT, pending="repeat_pending"),
    Kpi("self_service_rate", "Automation rate", "Taux d'automatisation", "delivered", "percent",
        ".1f", "higher", N_("inbound self-service ÷ all inbound"), "ratio", "self_served", "inbound",
        100),
    # outbound and commercial
    Kpi("attempts", "Outbound attempts", "Appels émis", "outbound", "count", ",.0f", "none",
        N_("count of outbound contacts"), "count", "attempts"),
    Kpi("reach_rate", "Reach rate", "Taux d'aboutissement", "outbound", "percent", ".1f",
        "higher", N_("outbound reached ÷ outbound"), "ratio", "reached", "attempts", 100),
    Kpi("conversion_rate", "Conversion rate", "Taux de transformation (rebond)", "outbound",
        "percent", ".1f", "higher", N_("handled with a sale ÷ handled"), "ratio", "sales", "handled_records",
        100),
    Kpi("revenue_per_sale", "Revenue per sale", "CA moyen par vente", "outbound", "currency",
        ",.2f", "higher", N_("sum of revenue of handled with a sale ÷ their count"), "ratio",
        "sales_revenue", "sales"),
    # what it costs and what it earns (KPIS.md, campaign economics and cost of service); a
    # scope no cost row covers has no value ("no cost data"), never 0
    Kpi("cost", "Cost", "Coût", "economics", "currency", ",.0f", "none",
        N_("sum of the cost rows in scope: a month's row in proportion of the period's days in it, a row "
           "without a client, channel, site or campaign shared over them in proportion of their handled contacts"),
        "ratio", "cost_amount", "cost_known"),
    Kpi("cost_per_contact", "Cost per contact handled", "Coût par contact traité", "economics", "currency",
        ",.2f", "lower", N_("cost ÷ handled contacts, over the months and dimensions the cost rows cover"),
        "ratio", "cost_amount", "cost_handled"),
    Kpi("campaign_cost", "Campaign cost", "Coût de la campagne", "economics", "currency", ",.0f", "none",
        N_("sum of the cost rows of campaigns in the period (a month's row in proportion of the period's days in it)"),
        "ratio", "campaign_amount", "campaign_known"),
    Kpi("response_rate_campaign", "Response rate", "Taux de retour", "economics", "percent", ".1f", "higher",
        N_("distinct customers reached (outbound reached, or an inbound contact with the campaign's code) ÷ "
           "customers in the target file"), "ratio", "campaign_customers", "campaign_targets", 100),
    Kpi("efficiency_rate", "Efficiency rate", "Taux d'efficacité", "economics", "percent", ".1f", "higher",
        N_("handled contacts with a sale ÷ handled contacts (the conversion rate)"), "ratio", "sales",
        "handled_records", 100),
    Kpi("acquisition_cost", "Acquisition cost", "Coût d'acquisition", "economics", "currency", ",.2f", "lower",
        N_("campaign cost ÷ its sales (handled contacts with a sale)"), "ratio", "campaign_amount", "sales",
        known="campaign_known"),
    Kpi("return_on_cost", "Revenue per euro spent", "CA par euro investi", "economics", "currency", ",.2f",
        "higher", N_("revenue of the sales ÷ campaign cost"), "ratio", "sales_revenue", "campaign_amount"),
    # perceived quality
    Kpi("responses", "Survey responses", "Réponses aux enquêtes", "perceived", "count", ",.0f",
        "none", N_("count of survey answers"), "count", "responses"),
    Kpi("nps", "Net Promoter Score", "Net Promoter Score", "perceived", "score", "+.0f",
        "higher", N_("100 × (answers 9-10 − answers 0-6) ÷ answers with an NPS; −100 to 100"),
        "ratio", "nps_net", "nps_answers", 100, low=-100, high=100),
    Kpi("csat", "Satisfaction (top-2-box)", "Taux de satisfaction", "perceived", "percent",
        ".1f", "higher", N_("answers with satisfaction 4-5 ÷ answers with a satisfaction"), "ratio",
        "csat_top2", "csat_answers", 100),
    Kpi("ces", "Customer effort score", "Effort client", "perceived", "score", ".2f", "higher",
        N_("mean effort score (1-7, 7 = easiest)"), "ratio", "ces_sum", "ces_answers", low=1, high=7),
    Kpi("perceived_resolution", "Resolution as the customer sees it", "Résolution déclarée",
        "perceived", "percent", ".1f", "higher",
        N_("answers saying resolved ÷ answers where resolution is known"), "ratio", "resolved_yes",
        "resolved_known", 100),
    Kpi("response_rate", "Survey response rate", "Taux de réponse", "perceived", "percent",
        ".1f", "higher",
        N_("handled contacts with at least one linked survey answer (at any time) ÷ handled contacts"),
        "ratio", "surveyed_handled", "handled_records", 100),
)


def _validate(measures, kpis) -> None:
    names = [m.name for m in measures]
    if len(set(names)) != len(names):
        raise ValueError("duplicate measure names")
    for m in measures:
        if m.base not in BASES or m.agg not in AGGS or not m.expr.isidentifier():
            raise ValueError(f"measure {m.name}: bad base, agg or expr")
    ids = [k.id for k in kpis]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate KPI ids")
    by_name = {m.name: m for m in measures}
    for k in kpis:
        if k.kind not in ("count", "ratio") or k.unit not in UNITS or k.group not in GROUPS:
            raise ValueError(f"KPI {k.id}: unknown kind, unit or group")
        if k.better not in ("higher", "lower", "none"):
            raise ValueError(f"KPI {k.id}: better must be higher, lower or none")
        refs = ([k.numerator] + ([k.denominator] if k.kind == "ratio" else []) + ([k.pending] if k.pending else [])
                + ([k.known] if k.known else []))
        if k.kind == "ratio" and k.denominator is None:
            raise ValueError(f"KPI {k.id}: a ratio needs a denominator")
        for ref in refs:
            if ref not in by_name:
                raise ValueError(f"KPI {k.id}: unknown measure {ref}")
        bases = {by_name[k.numerator].base, by_name[k.denominator].base} if k.kind == "ratio" else set()
        if len(bases) > 1 and "economics" not in bases:    # costs are read beside the contacts
            raise ValueError(f"KPI {k.id}: numerator and denominator on different bases")
        format(1.5, k.fmt)


_validate(_MEASURES, _KPIS)

MEASURES = MappingProxyType({m.name: m for m in _MEASURES})
KPIS = MappingProxyType({k.id: k for k in _KPIS})
KPI_IDS = tuple(KPIS)


def bounds(k: Kpi) -> tuple[float | None, float | None]:
    """The values a KPI can take: 0-100 for a rate, its scale for a score, above 0 for a
    duration or an amount (None: no bound on that side)."""
    if k.unit == "percent":
        return 0.0, 100.0
    if k.unit in ("seconds", "currency", "count"):
        return 0.0, None
    return k.low, k.high


def kpi(kpi_id: str) -> Kpi:
    try:
        return KPIS[kpi_id]
    except KeyError:
        raise KeyError(f"unknown KPI {kpi_id!r}; known: {', '.join(KPI_IDS)}") from None


# the KPIs over cost rows: without a value, no cost row covers the scope (an acquisition cost
# without a value may also have no sale to divide by: a dash)
COSTED = frozenset(k.id for k in _KPIS if k.denominator in ("cost_known", "cost_handled", "campaign_known",
                                                             "campaign_amount"))


def format_value(k: Kpi, value) -> str:
    """A KPI value for display in the current language, with its unit; '–' when there is none
    ("no cost data" for a cost no cost row covers)."""
    if value is None or value != value:  # None or NaN
        return _("no cost data") if k.id in COSTED else "–"
    if k.unit == "seconds":
        return formats.duration(value)
    if k.unit == "percent":
        return formats.percent(value, k.decimals)
    if k.unit == "currency":
        return formats.money(value, k.decimals)
    return formats.signed(value, k.decimals) if k.fmt.startswith("+") else formats.number(value, k.decimals)

