"""The canonical tables, declared once: the loader validates against them and the
database is created from them."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | lower | timestamp | date | month | number | integer | flag
    required: bool = False
    low: float | None = None   # inclusive bounds for number / integer
    high: float | None = None
    choices: tuple[str, ...] = ()


SQL_TYPES = {"text": "VARCHAR", "lower": "VARCHAR", "timestamp": "TIMESTAMP", "date": "DATE", "month": "DATE",
             "number": "DOUBLE", "integer": "INTEGER", "flag": "BOOLEAN"}

INBOUND_OUTCOMES = ("answered", "abandoned", "self_service")
OUTBOUND_OUTCOMES = ("reached", "not_reached")

CONTACTS = (
    Column("contact_id", "text", required=True),
    Column("arrived_at", "timestamp", required=True),
    Column("channel", "lower", required=True),
    Column("direction", "lower", choices=("inbound", "outbound")),
    Column("outcome", "lower", required=True, choices=INBOUND_OUTCOMES + OUTBOUND_OUTCOMES),
    Column("queue", "text"),
    Column("campaign", "text"),
    Column("client", "text"),
    Column("site", "text"),
    Column("agent_id", "text"),
    Column("customer_id", "text"),
    Column("reason", "text"),
    Column("wait_s", "number", low=0),
    Column("talk_s", "number", low=0),
    Column("hold_s", "number", low=0),
    Column("acw_s", "number", low=0),
    Column("transferred", "flag"),
    Column("escalated", "flag"),
    Column("sale", "flag"),
    Column("revenue", "number"),
)

SURVEYS = (
    Column("response_id", "text", required=True),
    Column("responded_at", "timestamp", required=True),
    Column("contact_id", "text"),
    Column("customer_id", "text"),
    Column("survey", "lower", choices=("hot", "cold")),
    Column("channel", "lower"),
    Column("client", "text"),
    Column("nps", "integer", low=0, high=10),
    Column("csat", "integer", low=1, high=5),
    Column("ces", "integer", low=1, high=7),
    Column("resolved", "flag"),
    Column("verbatim", "text"),
)

AGENTS = (
    Column("agent_id", "text", required=True),
    Column("agent_name", "text"),
    Column("team", "text"),
    Column("team_lead", "text"),
    Column("site", "text"),
    Column("client", "text"),
    Column("hired_on", "date"),
    Column("left_on", "date"),
)

CAMPAIGNS = (
    Column("campaign", "text", required=True),
    Column("campaign_name", "text"),
    Column("purpose", "lower"),
    Column("kind", "lower", choices=("recurring", "one_off")),
    Column("sponsor", "text"),
    Column("starts_on", "date"),
    Column("ends_on", "date"),
    Column("target_size", "integer", low=0),
)

# the reasons reference: the customer need each contact reason belongs to, and its value
REASONS = (
    Column("reason", "text", required=True),
    Column("need", "text"),
    Column("label_fr", "text"),
    Column("label_en", "text"),
    Column("value", "lower", choices=("low", "high")),
)

# aggregate ACD reports: one row per interval and queue (KPIS.md, interval reports)
INTERVALS = (
    Column("interval_start", "timestamp", required=True),
    Column("interval_min", "integer", required=True, low=1),
    Column("channel", "lower", required=True),
    Column("queue", "text", required=True),
    Column("client", "text"),
    Column("site", "text"),
    Column("offered", "integer", required=True, low=0),
    Column("answered", "integer", required=True, low=0),
    Column("abandoned", "integer", required=True, low=0),
    Column("short_abandoned", "integer", low=0),
    Column("answered_within", "integer", low=0),
    Column("threshold_s", "number", low=0),
    Column("answered_wait_s", "number", low=0),
    Column("handled", "integer", low=0),
    Column("handle_s", "number", low=0),
    Column("transferred", "integer", low=0),
)
# an interval's key: the latest load of a (source, start, channel, queue, client, site) wins
INTERVAL_KEY = ("interval_start", "channel", "queue", "client", "site")

# what the service costs, a row per month and kind, for every contact or some of them
# (KPIS.md, cost of service; a month is stored as its first day)
COST_KINDS = ("payroll", "outsourcing", "telecom", "tools", "campaign", "other")
COSTS = (
    Column("month", "month", required=True),
    Column("kind", "lower", required=True, choices=COST_KINDS),
    Column("amount", "number", required=True, low=0),
    Column("client", "text"),
    Column("channel", "lower"),
    Column("site", "text"),
    Column("campaign", "text"),
)
COST_DIMENSIONS = ("client", "channel", "site", "campaign")

EVALUATOR_ROLES = ("self", "manager", "quality")

# assessments of an agent's work: the agent's own, the team lead's, the quality team's
EVALUATIONS = (
    Column("evaluation_id", "text", required=True),
    Column("evaluated_at", "timestamp", required=True),
    Column("agent_id", "text", required=True),
    Column("evaluator_role", "lower", required=True, choices=EVALUATOR_ROLES),
    Column("score", "number", required=True, low=0, high=100),
    Column("contact_id", "text"),
    Column("evaluator", "text"),
    Column("grid", "text"),
    Column("comment", "text"),
)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: str | tuple[str, ...]     # the id column (or columns), unique within a file
    per_source: bool               # keyed by (source, key) rather than key alone

    @property
    def key_columns(self) -> tuple[str, ...]:
        return (self.key,) if isinstance(self.key, str) else self.key

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


TABLES = {
    "contacts": Table("contacts", CONTACTS, "contact_id", per_source=True),
    "surveys": Table("surveys", SURVEYS, "response_id", per_source=True),
    "agents": Table("agents", AGENTS, "agent_id", per_source=False),
    "campaigns": Table("campaigns", CAMPAIGNS, "campaign", per_source=False),
    "reasons": Table("reasons", REASONS, "reason", per_source=False),
    "evaluations": Table("evaluations", EVALUATIONS, "evaluation_id", per_source=True),
    "intervals": Table("intervals", INTERVALS, INTERVAL_KEY, per_source=True),
    "costs": Table("costs", COSTS, ("month", "kind") + COST_DIMENSIONS, per_source=False),
}


def _stored_columns(table: Table) -> list[str]:
    """Column definitions as stored: customer ids become keyed hashes."""
    cols = []
    for c in table.columns:
        if c.name == "customer_id":
            cols.append("customer_key VARCHAR")
        else:
            cols.append(f"{c.name} {SQL_TYPES[c.kind]}")
    return cols


def ddl() -> list[str]:
    """Statements that create every table (idempotent)."""
    contacts = _stored_columns(TABLES["contacts"]) + [
        # seconds to the next / since the previous inbound contact of the same customer,
        # over all the data: FCR and repeat contacts are read from them for any window.
        "next_gap_s DOUBLE", "prev_gap_s DOUBLE",
        # whether any survey answer is linked to the contact (kept by every load)
        "surveyed BOOLEAN",
        # whether any evaluation is linked to the contact (kept by every load)
        "evaluated BOOLEAN",
    ]
    # the linked contact's arrival (kept by every load, data.derived)
    surveys = _stored_columns(TABLES["surveys"]) + ["contact_source VARCHAR", "contact_arrived_at TIMESTAMP"]
    return [
        "CREATE SEQUENCE IF NOT EXISTS load_ids START 1",
        f"CREATE TABLE IF NOT EXISTS contacts (source VARCHAR NOT NULL, {', '.join(contacts)}, load_id INTEGER)",
        # databases made before the flag existed: add it, and fill it where it is unknown
        "ALTER TABLE contacts ADD COLUMN IF NOT EXISTS surveyed BOOLEAN",
        "ALTER TABLE contacts ADD COLUMN IF NOT EXISTS evaluated BOOLEAN",
        f"CREATE TABLE IF NOT EXISTS surveys (source VARCHAR NOT NULL, {', '.join(surveys)}, load_id INTEGER)",
        "ALTER TABLE surveys ADD COLUMN IF NOT EXISTS contact_arrived_at TIMESTAMP",
        f"CREATE TABLE IF NOT EXISTS agents ({', '.join(_stored_columns(TABLES['agents']))}, load_id INTEGER)",
        f"CREATE TABLE IF NOT EXISTS campaigns ({', '.join(_stored_columns(TABLES['campaigns']))}, load_id INTEGER)",
        f"CREATE TABLE IF NOT EXISTS reasons ({', '.join(_stored_columns(TABLES['reasons']))}, load_id INTEGER)",
        # ``covered``: whether contacts of the same day, channel and queue exist (then they
        # count, not the interval; kept by every load, data.intervals)
        f"CREATE TABLE IF NOT EXISTS intervals (source VARCHAR NOT NULL, "
        f"{', '.join(_stored_columns(TABLES['intervals']))}, covered BOOLEAN, load_id INTEGER)",
        f"CREATE TABLE IF NOT EXISTS costs ({', '.join(_stored_columns(TABLES['costs']))}, load_id INTEGER)",
        # an evaluation's contact_id is a contact of the same source
        f"CREATE TABLE IF NOT EXISTS evaluations (source VARCHAR NOT NULL, "
        f"{', '.join(_stored_columns(TABLES['evaluations']))}, contact_arrived_at TIMESTAMP, load_id INTEGER)",
        "ALTER TABLE evaluations ADD COLUMN IF NOT EXISTS contact_arrived_at TIMESTAMP",
        """CREATE TABLE IF NOT EXISTS load_log (
            load_id INTEGER PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP,
            table_name VARCHAR, file_name VARCHAR, checksum VARCHAR, source VARCHAR,
            profile VARCHAR, rows_read INTEGER, accepted INTEGER, rejected INTEGER,
            status VARCHAR, message VARCHAR)""",
        # the daily roll-ups built (metrics.rollups): the KPI settings each was computed for
        # and the fingerprint of its definition
        # and the data's first and latest day its FCR and repeats were computed for
        """CREATE TABLE IF NOT EXISTS rollup_state (
            rollup VARCHAR NOT NULL, settings VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL,
            built_at TIMESTAMP NOT NULL, first_day DATE, latest_day DATE)""",
        "ALTER TABLE rollup_state ADD COLUMN IF NOT EXISTS first_day DATE",
        "ALTER TABLE rollup_state ADD COLUMN IF NOT EXISTS latest_day DATE",
        # the team's focus indicator: the latest row is the current one
        """CREATE TABLE IF NOT EXISTS focus (
            set_at TIMESTAMP NOT NULL, kpi VARCHAR NOT NULL, target DOUBLE,
            starts_on DATE NOT NULL, note VARCHAR)""",
        # targets set by users on the settings page, over the settings file's: the latest
        # row of a (kpi, channel, client) is in force; a row without target removes it
        """CREATE TABLE IF NOT EXISTS targets (
            set_at TIMESTAMP NOT NULL, kpi VARCHAR NOT NULL, channel VARCHAR, client VARCHAR,
            target DOUBLE, amber DOUBLE)""",
        # a committee's decisions, per client and month: the latest row is in force, the
        # earlier ones are its history
        """CREATE TABLE IF NOT EXISTS decisions (
            saved_at TIMESTAMP NOT NULL, client VARCHAR NOT NULL, month DATE NOT NULL,
            text VARCHAR NOT NULL)""",
        "ALTER TABLE decisions ADD COLUMN IF NOT EXISTS author VARCHAR",
        # the people who sign in: a role, the clients or teams it is limited to (JSON lists),
        # an argon2id hash of the password (never the password)
        """CREATE TABLE IF NOT EXISTS users (
            name VARCHAR PRIMARY KEY, role VARCHAR NOT NULL, clients VARCHAR NOT NULL,
            teams VARCHAR NOT NULL, password_hash VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
            changed_at TIMESTAMP NOT NULL)""",
        # the language each user chose (the switch in the navigation bar)
        "CREATE TABLE IF NOT EXISTS user_languages (name VARCHAR PRIMARY KEY, lang VARCHAR NOT NULL)",
        # what each survey comment says (comments.store): the rules' fingerprint it was read
        # with, its language, tone and score, the extreme flag, its categories and their evidence
        """CREATE TABLE IF NOT EXISTS comment_reads (
            source VARCHAR NOT NULL, response_id VARCHAR NOT NULL, rules VARCHAR NOT NULL, lang VARCHAR,
            tone VARCHAR, score DOUBLE, extreme BOOLEAN, categories VARCHAR[], evidence VARCHAR)""",
        # the action log (data.actions): what was decided and done, its KPIs and scope (JSON)
        "CREATE SEQUENCE IF NOT EXISTS action_ids START 1",
        """CREATE TABLE IF NOT EXISTS actions (
            id INTEGER PRIMARY KEY, title VARCHAR NOT NULL, description VARCHAR, owner VARCHAR,
            starts_on DATE NOT NULL, ends_on DATE, kpis VARCHAR NOT NULL, scope VARCHAR NOT NULL,
            status VARCHAR NOT NULL, decision_client VARCHAR, decision_month DATE,
            created_at TIMESTAMP NOT NULL, changed_at TIMESTAMP NOT NULL, author VARCHAR)""",
        # alert rules (alerts.rules) and the alerts they raised, kept until acknowledged (alerts.check)
        "CREATE SEQUENCE IF NOT EXISTS alert_rule_ids START 1",
        """CREATE TABLE IF NOT EXISTS alert_rules (
            id INTEGER PRIMARY KEY, kpi VARCHAR, condition VARCHAR NOT NULL, scope VARCHAR NOT NULL,
            threshold DOUBLE, min_volume INTEGER NOT NULL, recipients VARCHAR NOT NULL, created_at TIMESTAMP)""",
        "CREATE SEQUENCE IF NOT EXISTS alert_ids START 1",
        """CREATE TABLE IF NOT EXISTS alerts (
            id INTEGER PRIMARY KEY, raised_at TIMESTAMP NOT NULL, rule_id INTEGER NOT NULL, kind VARCHAR NOT NULL,
            day DATE NOT NULL, ref VARCHAR NOT NULL, value DOUBLE, message VARCHAR NOT NULL, notified_at TIMESTAMP,
            acknowledged_at TIMESTAMP, acknowledged_by VARCHAR)""",
        # each campaign's service contract and retro-planning (data.campaign_contracts): every save
        # kept, the latest in force; milestones' offsets and done days as JSON
        """CREATE TABLE IF NOT EXISTS campaign_contracts (
            saved_at TIMESTAMP NOT NULL, campaign VARCHAR NOT NULL, reach_rate DOUBLE, conversion_rate DOUBLE,
            response_rate DOUBLE, acquisition_cost DOUBLE, deadline DATE, offsets VARCHAR NOT NULL,
            done VARCHAR NOT NULL, author VARCHAR)""",
        # every report sent by e-mail, or that failed to be (data.sendings)
        """CREATE TABLE IF NOT EXISTS sendings (
            sent_at TIMESTAMP NOT NULL, what VARCHAR NOT NULL, recipients VARCHAR NOT NULL, subject VARCHAR,
            result VARCHAR NOT NULL, detail VARCHAR)""",
        # every change and every sign-in: who, when, from which address, what (JSON)
        """CREATE TABLE IF NOT EXISTS audit (
            happened_at TIMESTAMP NOT NULL, who VARCHAR, address VARCHAR, action VARCHAR NOT NULL,
            detail VARCHAR)""",
    ]
