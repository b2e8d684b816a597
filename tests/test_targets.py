"""Targets: per KPI, per channel, per client; from the settings file and from users."""
from __future__ import annotations

import pytest

from data.targets import set_target, stored_targets
from metrics.query import Scope
from metrics.targets import Target, merge_targets, scope_target, target_for
from settings import load_settings

TARGETS = {"service_level": {"target": 80, "amber": 75,
                             "channel": {"chat": {"target": 70, "amber": 65}},
                             "client": {"Banque Lumière": {"target": 85}}}}


def test_tgt002_the_most_specific_target_wins():
    assert target_for("service_level", TARGETS) == Target(80, 75)
    assert target_for("service_level", TARGETS, channel="chat") == Target(70, 65)
    assert target_for("service_level", TARGETS, channel="email") == Target(80, 75)
    assert target_for("service_level", TARGETS, channel="chat", client="Banque Lumière") == Target(85)
    assert target_for("nps", TARGETS) is None


def test_tgt003_a_scope_on_one_channel_or_client_takes_its_target():
    march = Scope.of("2025-03-01", "2025-03-31")
    assert scope_target("service_level", TARGETS, march) == Target(80, 75)
    assert scope_target("service_level", TARGETS, march.with_filters(channel=["chat"])) == Target(70, 65)
    assert scope_target("service_level", TARGETS, march.with_filters(channel=["chat", "phone"])) == Target(80, 75)
    # a viewer restricted to one client sees the client's target
    assert scope_target("service_level", TARGETS, march.restricted(client=["Banque Lumière"])) == Target(85)


def test_tgt004_settings_file_targets_per_channel(tmp_path):
    cfg = tmp_path / "p.toml"
    cfg.write_text("[targets.service_level]\ntarget = 90\n[targets.service_level.channel.email]\n"
                   "target = 95\namber = 90\n")
    targets = load_settings({"PILOTAGE_CONFIG": str(cfg)}).targets
    assert target_for("service_level", targets) == Target(90)
    assert target_for("service_level", targets, channel="email") == Target(95, 90)
    assert target_for("nps", targets) == Target(30, 20)        # the defaults stay


def test_tgt005_users_targets_are_stored_over_the_file(make_db):
    eng = make_db()
    set_target(eng, "service_level", 82, 78)
    set_target(eng, "service_level", 72, channel="chat")
    set_target(eng, "service_level", 84, 80)                      # latest wins
    set_target(eng, "nps", 40, client="Banque Lumière")
    set_target(eng, "nps", None, client="Banque Lumière")         # removed: the file's again
    merged = merge_targets(TARGETS, stored_targets(eng))
    assert target_for("service_level", merged) == Target(84, 80)
    assert target_for("service_level", merged, channel="chat") == Target(72)
    assert target_for("service_level", merged, client="Banque Lumière") == Target(85)
    assert target_for("nps", merged, client="Banque Lumière") is None
    assert TARGETS["service_level"]["target"] == 80               # the settings are not touched
    with pytest.raises(ValueError):
        set_target(eng, "nps", 10, channel="chat", client="x")
    with pytest.raises(KeyError):
        set_target(eng, "mood", 10)


def test_tgt006_settings_page_sets_a_target_that_every_page_uses(dash_duo, make_db, app_for):
    contacts = [dict(contact_id=f"c{i}", arrived_at="2025-03-03 10:00:00", channel="phone",
                     outcome="answered", wait_s=w) for i, w in enumerate([5, 10, 30, 40])]
    dash_duo.start_server(app_for(make_db(contacts=contacts)))
    dash_duo.wait_for_page(dash_duo.server_url + "/settings")
    dash_duo.wait_for_contains_text("#targets-table", "default")       # no settings file: the defaults
    value = dash_duo.find_element("#target-value")
    value.send_keys("50")
    dash_duo.find_element("#target-save").click()
    dash_duo.wait_for_contains_text("#targets-table", "set here")
    # service level 2/4 = 50 % is now on target on the overview
    dash_duo.wait_for_page(dash_duo.server_url + "/?from=2025-03-01&to=2025-03-31")
    dash_duo.wait_for_text_to_equal("#value-service_level", "50.0 %")
    dash_duo.wait_for_text_to_equal("#status-service_level", "✓ On target")
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize("kpi_id, target, amber, message", [
    ("service_level", 150, None, "between 0.0 % and 100.0 % (150.0 % given)"),
    ("service_level", -1, None, "between 0.0 % and 100.0 %"),
    ("nps", 101, None, "between -100 and +100"),
    ("ces", 0.5, None, "between 1.00 and 7.00"),
    ("asa", 0, None, "must be above 0"),
    ("aht", -30, None, "must be above 0"),
    ("service_level", 80, 85, "must be below the target"),
    ("abandon_rate", 5, 3, "must be above the target"),
    ("offered", 100, None, "takes no target"),
    ("service_level", "abc", None, "must be a number"),
    ("service_level", None, None, "give a target value"),
])
def test_tgt007_impossible_targets_are_refused_with_the_rule(kpi_id, target, amber, message):
    from metrics.targets import target_error
    assert message in target_error(kpi_id, target, amber)


def test_tgt008_possible_targets_pass_and_the_settings_file_is_checked_too(tmp_path):
    from metrics.targets import target_error
    from settings import SettingsError
    for kpi_id, target, amber in (("service_level", 100, 95), ("service_level", 0, None), ("nps", -100, None),
                                  ("asa", 86400, 172800), ("ces", 7, 6.5), ("abandon_rate", 5, 5)):
        assert target_error(kpi_id, target, amber) is None
    cfg = tmp_path / "p.toml"
    cfg.write_text("[targets.service_level]\ntarget = 150\n")
    with pytest.raises(SettingsError, match=r"targets.service_level: the target of Service level must be between"):
        load_settings({"PILOTAGE_CONFIG": str(cfg)})
    cfg.write_text("[targets.asa.channel.email]\ntarget = -5\n")
    with pytest.raises(SettingsError, match=r"targets.asa.channel.email: .* must be above 0"):
        load_settings({"PILOTAGE_CONFIG": str(cfg)})
    # a file that sets the phone's waits keeps the other channels' default targets, and says so
    cfg.write_text("[targets.asa]\ntarget = 20\n")
    settings = load_settings({"PILOTAGE_CONFIG": str(cfg)})
    assert target_for("asa", settings.targets) == Target(20)              # its tolerance goes with it
    assert target_for("asa", settings.targets, channel="email") == Target(86400, 172800)
    assert settings.source("targets", "asa") == "settings file"
    assert settings.source("targets", "asa", "channel", "email") == "default"


def test_tgt009_the_settings_page_refuses_an_impossible_target(dash_duo, make_db, app_for):
    contacts = [dict(contact_id="c1", arrived_at="2025-03-03 10:00:00", channel="phone", outcome="answered",
                     wait_s=5)]
    eng = make_db(contacts=contacts)
    dash_duo.start_server(app_for(eng))
    dash_duo.wait_for_page(dash_duo.server_url + "/settings")
    dash_duo.find_element("#target-value").send_keys("150")
    dash_duo.find_element("#target-save").click()
    dash_duo.wait_for_contains_text("#target-message", "Not saved: the target of Service level must be between")
    assert stored_targets(eng) == []
    assert "150" not in dash_duo.find_element("#targets-table").text
    # the definitions page says where the settings come from in the same words
    dash_duo.wait_for_page(dash_duo.server_url + "/definitions")
    dash_duo.wait_for_contains_text("#settings-table", "none: every setting is Pilotage's default")
    assert "default" in dash_duo.find_element("#settings-table").text
    assert dash_duo.get_logs() == []
