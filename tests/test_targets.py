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
    dash_duo.wait_for_contains_text("#targets-table", "settings file")
    value = dash_duo.find_element("#target-value")
    value.send_keys("50")
    dash_duo.find_element("#target-save").click()
    dash_duo.wait_for_contains_text("#targets-table", "set here")
    # service level 2/4 = 50 % is now on target on the overview
    dash_duo.wait_for_page(dash_duo.server_url + "/?from=2025-03-01&to=2025-03-31")
    dash_duo.wait_for_text_to_equal("#value-service_level", "50.0 %")
    dash_duo.wait_for_text_to_equal("#status-service_level", "✓ On target")
    assert dash_duo.get_logs() == []
