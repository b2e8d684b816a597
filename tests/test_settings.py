"""Settings: defaults that run with nothing set, the environment, the TOML settings file."""
from __future__ import annotations


import pytest

from settings import KpiSettings, SettingsError, load_settings


def test_set001_defaults_follow_the_kpi_dictionary():
    s = load_settings({})
    assert s.db.name == "pilotage.duckdb" and s.db.parent.name == "var"
    assert (s.host, s.port, s.config) == ("127.0.0.1", 8050, None)
    assert s.key_path == s.db.with_suffix(".key")
    k = s.kpi
    assert [k.threshold(c) for c in ("phone", "chat", "social", "email", "mail", "sms")] == [
        20, 60, 3600, 86400, 432000, 20]
    assert (k.short_abandon_s, k.abandon_mode, k.repeat_window_h) == (5, "negative", 168)


def test_set002_environment_and_settings_file(tmp_path):
    cfg = tmp_path / "pilotage.toml"
    cfg.write_text('abandon_mode = "positive"\nrepeat_window_h = 72\nreject_budget = 0.1\n'
                   "[service_level_thresholds]\nphone = 30\ndefault = 45\n"
                   "[targets.service_level]\ntarget = 80\namber = 75\n")
    s = load_settings({"PILOTAGE_DB": str(tmp_path / "x.duckdb"), "PILOTAGE_PORT": "9000",
                       "PILOTAGE_HOST": "0.0.0.0", "PILOTAGE_CONFIG": str(cfg),
                       "PILOTAGE_KEY_FILE": str(tmp_path / "secret.key")})
    assert s.db == tmp_path / "x.duckdb" and s.key_path == tmp_path / "secret.key"
    assert (s.host, s.port, s.reject_budget) == ("0.0.0.0", 9000, 0.1)
    assert s.kpi.threshold("phone") == 30 and s.kpi.threshold("chat") == 60
    assert s.kpi.threshold("video") == 45
    assert (s.kpi.abandon_mode, s.kpi.repeat_window_h) == ("positive", 72)
    assert s.targets["service_level"] == {"target": 80, "amber": 75}
    assert s.targets["nps"] == {"target": 30, "amber": 20}  # a default kept


@pytest.mark.parametrize("text, message", [
    ('abandon_mode = "sometimes"', "abandon_mode must be one of"),
    ("reject_budget = 2", "reject_budget is a share"),
    ("colour = 'blue'", "unknown setting(s): colour"),
    ("short_abandon_s = ", "not valid TOML"),
])
def test_set003_bad_settings_file_is_named(tmp_path, text, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings({"PILOTAGE_CONFIG": str(cfg)})


def test_set004_missing_file_and_bad_port():
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings({"PILOTAGE_CONFIG": "/nonexistent/pilotage.toml"})
    with pytest.raises(SettingsError, match="PILOTAGE_PORT must be a number"):
        load_settings({"PILOTAGE_PORT": "eighty"})


def test_set005_kpi_settings_are_hashable_and_checked():
    assert hash(KpiSettings()) == hash(KpiSettings(sl_thresholds={"phone": 20, "chat": 60,
        "social": 3600, "email": 86400, "mail": 432000}))
    with pytest.raises(SettingsError):
        KpiSettings(short_abandon_s=-1)
