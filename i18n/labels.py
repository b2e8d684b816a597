"""Human labels for our own reference codes (channels, outcomes, directions, campaign purposes
and kinds), in the current language. Values from the data (clients, queues, agents, reasons)
are shown as the data has them; a code we do not know is shown as it is."""
from __future__ import annotations

import json
from datetime import date

from access.roles import ROLE_NAMES
from i18n import N_, _, formats
from metrics.registry import KPIS, format_value

CHANNELS = {"phone": N_("phone"), "chat": N_("chat"), "email": N_("e-mail"), "social": N_("social media"),
            "mail": N_("mail")}


def channel_label(code) -> str:
    """A channel's name: "téléphone" for ``phone``; an unknown code as it is."""
    return _(CHANNELS[code]) if code in CHANNELS else str(code)


OUTCOMES = {"answered": N_("answered"), "abandoned": N_("abandoned"), "self_service": N_("self-service"),
            "reached": N_("reached"), "not_reached": N_("not reached")}
DIRECTIONS = {"inbound": N_("inbound"), "outbound": N_("outbound")}


def outcome_label(code) -> str:
    """A contact's outcome: "décroché" for ``answered``; an unknown code as it is."""
    return _(OUTCOMES[code]) if code in OUTCOMES else str(code)


def direction_label(code) -> str:
    """A contact's direction: "entrant" for ``inbound``; an unknown code as it is."""
    return _(DIRECTIONS[code]) if code in DIRECTIONS else str(code)


# campaigns' purposes and kinds (``../shared/EXTRACTS.md``): a label as a grid cell writes it
PURPOSES = {"quote_follow_up": N_("Quote follow-up"), "renewal": N_("Renewal"), "collection": N_("Debt collection"),
            "defense": N_("Portfolio defence"), "retention": N_("Retention"), "development": N_("Business development")}
KINDS = {"recurring": N_("Recurring"), "one_off": N_("One-off")}


def purpose_label(code) -> str:
    """A campaign's purpose: "Relance de devis" for ``quote_follow_up``; an unknown code as it is."""
    return _(PURPOSES[code]) if code in PURPOSES else str(code)


def kind_label(code) -> str:
    """A campaign's kind: "Ponctuelle" for ``one_off``; an unknown code as it is."""
    return _(KINDS[code]) if code in KINDS else str(code)


SURVEY_KINDS = {"hot": N_("hot survey"), "cold": N_("cold survey")}


def survey_label(code) -> str:
    """A survey's kind: "enquête à chaud" for ``hot`` (after a contact); an unknown code as it is."""
    return _(SURVEY_KINDS[code]) if code in SURVEY_KINDS else str(code)


TABLES = {"contacts": N_("contacts"), "surveys": N_("surveys"), "agents": N_("agents"), "campaigns": N_("campaigns"),
          "evaluations": N_("evaluations"), "intervals": N_("interval reports"), "costs": N_("costs")}
LOAD_STATUSES = {"loaded": N_("loaded"), "unchanged": N_("unchanged"), "refused": N_("refused"),
                 "pending": N_("pending")}
AUDIT_ACTIONS = {"sign_in": N_("signed in"), "sign_in_failed": N_("sign-in failed"), "sign_out": N_("signed out"),
                 "target": N_("target changed"), "focus": N_("focus changed"), "decisions": N_("decisions saved"),
                 "load": N_("data loaded"), "user_added": N_("user added"), "user_removed": N_("user removed"),
                 "password_changed": N_("password changed"), "action": N_("action recorded or changed"),
                 "alert_rule": N_("alert rule added or removed"),
                 "campaign_contract": N_("campaign contract saved")}
SETTING_SOURCES = {"settings file": N_("settings file"), "default": N_("default")}


def table_label(code) -> str:
    """A table of the data: "enquêtes" for ``surveys``; an unknown name as it is."""
    return _(TABLES[code]) if code in TABLES else str(code)


def load_status_label(code) -> str:
    """A load's status: "chargé" for ``loaded``; an unknown code as it is."""
    return _(LOAD_STATUSES[code]) if code in LOAD_STATUSES else str(code)


def audit_action_label(code) -> str:
    """An audit entry's action: "utilisateur ajouté" for ``user_added``; an unknown code as it is."""
    return _(AUDIT_ACTIONS[code]) if code in AUDIT_ACTIONS else str(code)


def source_label(source) -> str:
    """Where a setting comes from (``Settings.source``): "par défaut" for ``default``."""
    return _(SETTING_SOURCES[source]) if source in SETTING_SOURCES else str(source)


# what an audit entry's detail holds, in the order it is told
AUDIT_DETAILS = {"user": N_("user"), "role": N_("role"), "clients": N_("clients"), "teams": N_("teams"),
                 "file": N_("file"), "table": N_("table"), "source": N_("source"), "profile": N_("profile"),
                 "status": N_("status"), "accepted": N_("accepted"), "rejected": N_("rejected"),
                 "kpi": N_("indicator"), "channel": N_("channel"), "client": N_("client"), "target": N_("target"),
                 "amber": N_("close from"), "starts_on": N_("starts on"), "note": N_("note"), "month": N_("month"),
                 "length": N_("characters"), "campaign": N_("campaign"), "deadline": N_("deadline"),
                 "reach_rate": N_("reach rate objective"), "conversion_rate": N_("conversion objective"),
                 "response_rate": N_("response rate objective"), "acquisition_cost": N_("acquisition cost objective")}


def audit_detail_text(detail: str | None) -> str:
    """An audit entry's detail (stored as JSON) in words: "table : enquêtes · acceptées : 29 225";
    a field we do not know is told under its own name, a detail that is not JSON as it is."""
    try:
        fields = json.loads(detail or "{}")
    except ValueError:
        return str(detail)
    if not isinstance(fields, dict):
        return str(detail)
    values = {"table": table_label, "status": load_status_label, "channel": channel_label,
              "kpi": lambda v: KPIS[v].label() if v in KPIS else str(v),
              "role": lambda v: _(ROLE_NAMES[v]) if v in ROLE_NAMES else str(v),
              "starts_on": lambda v: _told_date(v, formats.day), "month": lambda v: _told_date(v, formats.month)}
    told = []
    for name in sorted(fields, key=lambda n: (list(AUDIT_DETAILS).index(n) if n in AUDIT_DETAILS else 99, n)):
        value = fields[name]
        if value is None or value == "" or value == []:
            continue
        if name in values:
            value = values[name](value)
        elif name in ("target", "amber") and fields.get("kpi") in KPIS and isinstance(value, (int, float)):
            value = format_value(KPIS[fields["kpi"]], value)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            value = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        else:
            value = formats.number(value, 0 if float(value).is_integer() else 1)
        told.append(_("{field}: {value}", field=_(AUDIT_DETAILS[name]) if name in AUDIT_DETAILS else name,
                      value=value))
    return " · ".join(told)


def _told_date(value, told) -> str:
    try:
        return told(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


TONES = {"negative": N_("Negative"), "neutral": N_("Neutral"), "positive": N_("Positive")}


def tone_label(code) -> str:
    """A comment's tone: "Négatif" for ``negative``; an unknown code as it is."""
    return _(TONES[code]) if code in TONES else str(code)


def dropdown_texts() -> dict:
    """A dcc.Dropdown's own texts (its ``labels``: search, no options...) in the current language."""
    return {"select_all": _("Select All"), "deselect_all": _("Deselect All"),
            "selected_count": _("{num_selected} selected"),   # Dash fills {num_selected}
            "search": _("Search"), "clear_search": _("Clear search"), "clear_selection": _("Clear selection"),
            "no_options_found": _("No options found")}
