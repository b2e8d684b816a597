"""Pilotage settings: one object, read from the environment (prefix ``PILOTAGE_``).

Nothing needs to be set: every value has a default that makes the app run.

- ``PILOTAGE_DB``       database file (default ``var/pilotage.duckdb``)
- ``PILOTAGE_KEY_FILE`` key for hashing customer ids (default: beside the database, ``.key``)
- ``PILOTAGE_HOST``     address the server listens on (default ``127.0.0.1``)
- ``PILOTAGE_PORT``     port (default ``8050``)
- ``PILOTAGE_ALLOWED_HOSTS`` the names users reach the server by, comma-separated (``name``
                        for any port, ``name:port`` for one), beside ``PILOTAGE_HOST``,
                        ``localhost``, ``127.0.0.1`` and ``::1``, which it always answers: a
                        request for another ``Host`` is refused (default: none more)
- ``PILOTAGE_PROFILES`` a folder of the user's own import profiles (``*.toml``)
- ``PILOTAGE_SESSION_HOURS`` how long a sign-in lasts (default 12)
- ``PILOTAGE_PROXIES``  how many reverse proxies stand in front (their forwarded address and
                        scheme are then trusted; default 0)
- ``PILOTAGE_INBOX``    the folder the running dashboard loads dropped extracts from
                        (default: ``inbox`` beside the database); ``PILOTAGE_INBOX_EVERY``
                        how often it looks, in seconds (default 30)
- ``PILOTAGE_LANG``     the language when the person and the browser do not choose one:
                        ``fr`` (the default) or ``en``
- ``PILOTAGE_MAX_UPLOAD_MB`` the largest file the import page takes (default 200);
  ``PILOTAGE_MAX_COLUMNS`` the most columns an imported file may have (default 500);
  ``PILOTAGE_MAX_FIELD_KB`` the longest value it may hold, in KB (default 64);
  ``PILOTAGE_MAX_XLSX_MB`` the size an .xlsx may expand to once unzipped, in MB (default
  100). A file past one is refused before it is parsed, the message naming the setting.
- ``PILOTAGE_ENGINE_URL`` the distributed SQL engine the KPIs are read on, as a SQLAlchemy
                        URL whose database holds the published tables, e.g.
                        ``hive://spark-thrift.example:10000/pilotage`` (default: none, the
                        embedded database); ``PILOTAGE_LAKE`` the folder the loads publish
                        Parquet files to, which the engine reads (default: ``lake`` beside
                        the database); see the README, "Scaling out"
- ``PILOTAGE_DB_MEMORY_GB`` the memory DuckDB takes before it works on disk (default: 80 %
                        of the machine's)
- ``PILOTAGE_CONFIG``   a TOML settings file for the KPI settings and targets, e.g.::

      short_abandon_s = 5
      abandon_mode = "negative"      # negative | ignored | positive
      repeat_window_h = 168
      reject_budget = 0.05           # share of rejected rows that refuses a file
      min_answers = 10               # fewer survey answers behind a score: shown, not judged
      alignment_min = 5              # fewer values behind an agent's assessment view: no view
      misaligned_points = 20         # an agent whose views spread over this is misaligned
      shrinkage = 30                 # staffing: % of paid time away from the contacts
      staffing_weeks = 4             # staffing: the same weekday over this many weeks

      [service_level_thresholds]     # seconds, per channel
      phone = 20
      chat = 60

      [targets.service_level]
      target = 80

      [contracts]                    # the contractual indicators of each client's committee
      default = ["answer_rate", "service_level:phone", "nps"]   # "kpi" or "kpi:channel"
      "Assurance Horizon" = ["service_level:phone", "asa:phone", "fcr", "nps", "csat"]
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

ROOT = Path(__file__).resolve().parent

DEFAULT_THRESHOLDS = MappingProxyType(
    {"phone": 20.0, "chat": 60.0, "social": 3600.0, "email": 86400.0, "mail": 432000.0}
)
ABANDON_MODES = ("negative", "ignored", "positive")

# targets used when the settings file names none: a KPI is on target at `target`, and
# "close" up to `amber` (on the worse side)
DEFAULT_TARGETS = MappingProxyType({
    "answer_rate": {"target": 95, "amber": 90},
    "service_level": {"target": 80, "amber": 75},
    # waits of different channels are different things: each channel against its own
    "asa": {"target": 30, "amber": 45, "channel": {
        "chat": {"target": 60, "amber": 90}, "social": {"target": 3600, "amber": 7200},
        "email": {"target": 86400, "amber": 172800}, "mail": {"target": 432000, "amber": 604800}}},
    "abandon_rate": {"target": 5, "amber": 8},
    "transfer_rate": {"target": 10, "amber": 15},
    "fcr": {"target": 75, "amber": 70},
    "repeat_rate": {"target": 15, "amber": 20},
    "reach_rate": {"target": 55, "amber": 50},
    "nps": {"target": 30, "amber": 20},
    "csat": {"target": 85, "amber": 80},
    "ces": {"target": 5.5, "amber": 5},
    "perceived_resolution": {"target": 80, "amber": 75},
    "response_rate": {"target": 15, "amber": 10},
})


# the contractual indicators reviewed in committee for a client the settings file does not
# name: (kpi, channel or None for every channel)
DEFAULT_CONTRACT = (("answer_rate", None), ("service_level", "phone"), ("asa", "phone"),
                    ("aht", None), ("fcr", None), ("repeat_rate", None), ("nps", None), ("csat", None))


class SettingsError(ValueError):
    """A settings value or file that cannot be used."""


@dataclass(frozen=True)
class KpiSettings:
    """The settings that change how KPIs are computed (KPIS.md, 'Settings')."""

    sl_thresholds: tuple[tuple[str, float], ...] = tuple(DEFAULT_THRESHOLDS.items())
    sl_default_threshold: float = 20.0
    short_abandon_s: float = 5.0
    abandon_mode: str = "negative"
    repeat_window_h: float = 168.0

    def __post_init__(self):
        if self.abandon_mode not in ABANDON_MODES:
            raise SettingsError(
                f"abandon_mode must be one of {', '.join(ABANDON_MODES)}, not {self.abandon_mode!r}"
            )
        for name in ("sl_default_threshold", "short_abandon_s", "repeat_window_h"):
            if getattr(self, name) < 0:
                raise SettingsError(f"{name} must not be negative")
        pairs = dict(self.sl_thresholds).items()  # a mapping or pairs; kept as sorted pairs
        object.__setattr__(self, "sl_thresholds",
                           tuple(sorted((str(k).lower(), float(v)) for k, v in pairs)))

    def threshold(self, channel: str) -> float:
        return dict(self.sl_thresholds).get(channel, self.sl_default_threshold)


@dataclass(frozen=True)
class Settings:
    db: Path = ROOT / "var" / "pilotage.duckdb"
    key_file: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8050
    config: Path | None = None
    profiles: Path | None = None     # the user's import profiles, beside the shipped ones
    inbox: Path | None = None        # the folder the dashboard loads dropped extracts from
    inbox_every: float = 30.0        # seconds between two looks at it
    session_hours: float = 12.0      # how long a sign-in lasts
    proxies: int = 0                 # reverse proxies in front, whose forwarded headers are trusted
    allowed_hosts: tuple[str, ...] = ()   # Host names answered beside the host and localhost (access.http)
    max_upload_mb: float = 200.0     # largest file the import page takes
    lang: str = "fr"                 # the language when neither the person nor the browser chooses
    engine_url: str | None = None    # a distributed SQL engine the KPIs are read on (warehouse)
    lake: Path | None = None         # the Parquet files published for it
    max_columns: int = 500           # the bounds of an imported file (data.reading.Limits)
    max_field_kb: float = 64.0       # its longest value, in thousands of characters
    max_xlsx_mb: float = 100.0       # what a workbook's parts may expand to
    kpi: KpiSettings = field(default_factory=KpiSettings)
    reject_budget: float = 0.05
    min_answers: int = 10            # a score from fewer survey answers is shown with its count, not judged
    alignment_min: int = 5           # values an agent's assessment view needs (KPIS.md: default 5)
    misaligned_points: float = 20.0  # an agent whose views spread over this many points is misaligned
    effect_weeks: int = 4            # the whole weeks before and after an action its effect is measured over
    shrinkage: float = 30.0          # % of paid time away from the contacts (staffing: scheduled = needed ÷ (1 − s))
    staffing_weeks: int = 4          # staffing from the mean of the same weekday over this many weeks
    targets: Mapping[str, Mapping] = field(default_factory=lambda: DEFAULT_TARGETS)
    # client -> its contractual indicators; "default" for the clients not named
    contracts: Mapping[str, tuple] = field(default_factory=lambda: MappingProxyType({"default": DEFAULT_CONTRACT}))
    from_file: Mapping = field(default_factory=lambda: MappingProxyType({}))   # what the settings file set

    def source(self, *keys: str) -> str:
        """Where a setting comes from: "settings file" when the file sets it (a path of keys,
        e.g. ``"targets", "asa", "channel", "email"``), else "default"."""
        node = self.from_file
        for key in keys:
            if not isinstance(node, Mapping) or key not in node:
                return "default"
            node = node[key]
        return "settings file"

    @property
    def key_path(self) -> Path:
        return self.key_file or self.db.with_suffix(".key")

    @property
    def lake_path(self) -> Path:
        return self.lake or self.db.parent / "lake"

    @property
    def inbox_path(self) -> Path:
        return self.inbox or self.db.parent / "inbox"

    @property
    def secret_path(self) -> Path:
        """The key that signs sessions, beside the customer-id key (back both up)."""
        return self.key_path.with_suffix(".secret")


def _read_config(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError(f"settings file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"settings file {path} is not valid TOML: {exc}") from None


def _positive(name: str, text: str, kind: type):
    """A bound from the environment: a number above 0."""
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not 0 < value < float("inf"):
        raise SettingsError(f"{name} must be a number above 0, not {text!r}")
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment and the optional settings file."""
    env = os.environ if environ is None else environ
    settings = Settings()
    if env.get("PILOTAGE_DB"):
        settings = replace(settings, db=Path(env["PILOTAGE_DB"]).expanduser())
    if env.get("PILOTAGE_KEY_FILE"):
        settings = replace(settings, key_file=Path(env["PILOTAGE_KEY_FILE"]).expanduser())
    if env.get("PILOTAGE_PROFILES"):
        settings = replace(settings, profiles=Path(env["PILOTAGE_PROFILES"]).expanduser())
    if env.get("PILOTAGE_INBOX"):
        settings = replace(settings, inbox=Path(env["PILOTAGE_INBOX"]).expanduser())
    if env.get("PILOTAGE_INBOX_EVERY"):
        try:
            settings = replace(settings, inbox_every=float(env["PILOTAGE_INBOX_EVERY"]))
        except ValueError:
            raise SettingsError("PILOTAGE_INBOX_EVERY is a number of seconds, "
                                f"not {env['PILOTAGE_INBOX_EVERY']!r}") from None
    for name, attr, kind in (("PILOTAGE_SESSION_HOURS", "session_hours", float), ("PILOTAGE_PROXIES", "proxies", int)):
        if env.get(name):
            try:
                settings = replace(settings, **{attr: kind(env[name])})
            except ValueError:
                raise SettingsError(f"{name} must be a number, not {env[name]!r}") from None
    for name, attr, kind in (("PILOTAGE_MAX_UPLOAD_MB", "max_upload_mb", float),
                             ("PILOTAGE_MAX_COLUMNS", "max_columns", int),
                             ("PILOTAGE_MAX_FIELD_KB", "max_field_kb", float),
                             ("PILOTAGE_MAX_XLSX_MB", "max_xlsx_mb", float)):
        if env.get(name):
            settings = replace(settings, **{attr: _positive(name, env[name], kind)})
    if env.get("PILOTAGE_HOST"):
        settings = replace(settings, host=env["PILOTAGE_HOST"])
    if env.get("PILOTAGE_ENGINE_URL"):
        settings = replace(settings, engine_url=env["PILOTAGE_ENGINE_URL"])
    if env.get("PILOTAGE_LAKE"):
        settings = replace(settings, lake=Path(env["PILOTAGE_LAKE"]).expanduser())
    if env.get("PILOTAGE_LANG"):
        if env["PILOTAGE_LANG"] not in ("fr", "en"):
            raise SettingsError(f"PILOTAGE_LANG is fr or en, not {env['PILOTAGE_LANG']!r}")
        settings = replace(settings, lang=env["PILOTAGE_LANG"])
    if env.get("PILOTAGE_ALLOWED_HOSTS"):
        hosts = tuple(h.strip() for h in env["PILOTAGE_ALLOWED_HOSTS"].split(",") if h.strip())
        settings = replace(settings, allowed_hosts=hosts)
    if env.get("PILOTAGE_PORT"):
        try:
            settings = replace(settings, port=int(env["PILOTAGE_PORT"]))
        except ValueError:
            raise SettingsError(f"PILOTAGE_PORT must be a number, not {env['PILOTAGE_PORT']!r}") from None
    if env.get("PILOTAGE_CONFIG"):
        path = Path(env["PILOTAGE_CONFIG"]).expanduser()
        settings = apply_config(replace(settings, config=path), _read_config(path))
    return settings


def apply_config(settings: Settings, cfg: Mapping) -> Settings:
    """Settings with the values of a parsed settings file applied."""
    known = {"service_level_thresholds", "short_abandon_s", "abandon_mode", "repeat_window_h",
             "reject_budget", "min_answers", "alignment_min", "misaligned_points", "targets", "contracts",
             "effect_weeks", "shrinkage", "staffing_weeks"}
    unknown = set(cfg) - known
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    thresholds = dict(DEFAULT_THRESHOLDS)
    thresholds.update(cfg.get("service_level_thresholds", {}))
    default = thresholds.pop("default", settings.kpi.sl_default_threshold)
    kpi = KpiSettings(
        sl_thresholds=thresholds,
        sl_default_threshold=float(default),
        short_abandon_s=float(cfg.get("short_abandon_s", settings.kpi.short_abandon_s)),
        abandon_mode=cfg.get("abandon_mode", settings.kpi.abandon_mode),
        repeat_window_h=float(cfg.get("repeat_window_h", settings.kpi.repeat_window_h)),
    )
    budget = float(cfg.get("reject_budget", settings.reject_budget))
    if not 0 <= budget <= 1:
        raise SettingsError("reject_budget is a share between 0 and 1")
    min_answers = cfg.get("min_answers", settings.min_answers)
    if not isinstance(min_answers, int) or min_answers < 1:
        raise SettingsError("min_answers is a whole number of answers, 1 or more")
    alignment_min = cfg.get("alignment_min", settings.alignment_min)
    if isinstance(alignment_min, bool) or not isinstance(alignment_min, int) or alignment_min < 1:
        raise SettingsError("alignment_min is a whole number of values, 1 or more")
    misaligned = cfg.get("misaligned_points", settings.misaligned_points)
    if isinstance(misaligned, bool) or not isinstance(misaligned, (int, float)) or not 0 <= misaligned <= 100:
        raise SettingsError("misaligned_points is a number of points between 0 and 100")
    effect_weeks = cfg.get("effect_weeks", settings.effect_weeks)
    if isinstance(effect_weeks, bool) or not isinstance(effect_weeks, int) or not 1 <= effect_weeks <= 52:
        raise SettingsError("effect_weeks is a whole number of weeks, 1 to 52")
    shrinkage = cfg.get("shrinkage", settings.shrinkage)
    if isinstance(shrinkage, bool) or not isinstance(shrinkage, (int, float)) or not 0 <= shrinkage < 100:
        raise SettingsError("shrinkage is a percentage, 0 or more and under 100")
    staffing_weeks = cfg.get("staffing_weeks", settings.staffing_weeks)
    if isinstance(staffing_weeks, bool) or not isinstance(staffing_weeks, int) or not 1 <= staffing_weeks <= 52:
        raise SettingsError("staffing_weeks is a whole number of weeks, 1 to 52")
    contracts = {"default": DEFAULT_CONTRACT}
    contracts.update({client: _contract(client, entries) for client, entries in cfg.get("contracts", {}).items()})
    return replace(settings, kpi=kpi, reject_budget=budget, min_answers=min_answers,
                   alignment_min=alignment_min, misaligned_points=float(misaligned), effect_weeks=effect_weeks,
                   shrinkage=float(shrinkage), staffing_weeks=staffing_weeks,
                   targets=MappingProxyType(_targets(cfg.get("targets", {}))),
                   contracts=MappingProxyType(contracts), from_file=MappingProxyType(dict(cfg)))


def _targets(given: Mapping) -> dict:
    """The default targets with the settings file's laid over them, level by level: a target
    and its tolerance go together, and a file that sets every contact's target keeps the
    channels' defaults (and the other way round); each one checked."""
    from metrics.targets import target_error  # the KPI layer reads no settings at import

    out = {k: dict(v) for k, v in DEFAULT_TARGETS.items()}
    for kpi_id, spec in given.items():
        if not isinstance(spec, Mapping):
            raise SettingsError(f"targets.{kpi_id} must be a table with target (and amber)")
        default = out.get(kpi_id, {})
        merged = {k: v for k, v in default.items() if not ("target" in spec and k == "amber")}
        merged.update(spec)
        for level in ("channel", "client"):
            if level in merged:
                merged[level] = {**default.get(level, {}), **spec.get(level, {})}
        levels = [(f"targets.{kpi_id}", merged)] + [
            (f"targets.{kpi_id}.{level}.{name}", t) for level in ("channel", "client")
            for name, t in merged.get(level, {}).items()]
        for where, t in levels:
            problem = t.get("target") is not None and target_error(kpi_id, t["target"], t.get("amber"))
            if problem:
                raise SettingsError(f"{where}: {problem}")
        out[kpi_id] = merged
    return out


def _contract(client: str, entries) -> tuple:
    """A client's list of "kpi" or "kpi:channel" entries as (kpi, channel) pairs, checked."""
    from metrics.registry import KPIS  # the registry imports nothing of the settings

    if isinstance(entries, str) or not all(isinstance(e, str) for e in entries):
        raise SettingsError(f"contracts.{client} must be a list of KPI ids such as \"service_level:phone\"")
    out = []
    for entry in entries:
        kpi_id, _, channel = entry.partition(":")
        if kpi_id not in KPIS:
            raise SettingsError(f"contracts.{client}: unknown KPI {kpi_id!r}; known: {', '.join(KPIS)}")
        out.append((kpi_id, channel.strip().lower() or None))
    return tuple(out)


def contract_for(settings: Settings, client: str) -> tuple:
    """The contractual indicators of a client: its own list, else the default one."""
    return settings.contracts.get(client) or settings.contracts["default"]


_active: Settings | None = None


def active() -> Settings:
    """The settings the running app uses: those given to ``activate``, else the environment's."""
    global _active
    if _active is None:
        _active = load_settings()
    return _active


def activate(settings: Settings) -> None:
    global _active
    _active = settings
