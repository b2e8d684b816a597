"""Alerts: a KPI below its target, unusual for the weekday, or from too few contacts to judge;
a new comment with a legal risk; each raised once, told by e-mail to a real SMTP server on the
loopback, and kept until acknowledged."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from alerts.check import acknowledge, breach, check, open_alerts
from alerts.notify import notify
from alerts.rules import Rule, add_rule, rules
from reports.mail import Smtp
from settings import Settings
from tests.test_reports import smtp  # noqa: F401  (the loopback SMTP server)

CHECKED = date(2025, 3, 10)                                     # a Monday
# the six Mondays before: 4 phone calls each, waits alternating -> service level 100, 75, 100, 75, 100, 75
HISTORY = {CHECKED - timedelta(weeks=w): ([5, 5, 5, 5] if w % 2 else [5, 5, 5, 30]) for w in range(1, 7)}
WAITS = {**HISTORY, CHECKED: [5, 5, 30, 40]}                    # the checked Monday: 2 of 4 -> 50 %
CONTACTS = [dict(contact_id=f"{d:%m%d}-{i}", arrived_at=f"{d} 10:0{i}:00", channel="phone", queue="Q1",
                 outcome="answered", agent_id="A1", wait_s=w, talk_s=60)
            for d, waits in WAITS.items() for i, w in enumerate(waits)]
SURVEYS = [dict(response_id="r1", responded_at=f"{CHECKED} 12:00:00", contact_id="0310-0", nps=1,
                verbatim="Je vais porter plainte, c'est inadmissible."),
           dict(response_id="r2", responded_at=f"{CHECKED} 12:30:00", contact_id="0310-1", nps=9, verbatim="Parfait")]


@pytest.fixture
def eng(make_db):
    return make_db(contacts=CONTACTS, surveys=SURVEYS)


def test_alr001_a_rule_is_checked_as_a_team_lead_reads_the_day(eng):
    settings = Settings()
    targets = dict(settings.targets)
    phone = {"channel": ["phone"]}
    # below its target: 50 % against the phone's 80 %
    value, reference = breach(eng, settings, targets, Rule("service_level", "below_target", phone), CHECKED)
    assert value == 50 and reference == "target 80.0 %"
    # unusual for a Monday: the six Mondays before average (100 + 75) / 2 = 87.5, their sample standard
    # deviation √(6 × 12.5² ÷ 5) = 13.7; 87.5 − 50 = 37.5 is over 2 × 13.7 = 27.4 below
    value, reference = breach(eng, settings, targets, Rule("service_level", "anomaly", phone), CHECKED)
    assert value == 50 and reference == "usually 87.5 % on this weekday"
    # a Monday of 75 % is within the spread: not unusual
    assert breach(eng, settings, targets, Rule("service_level", "anomaly", phone), CHECKED - timedelta(weeks=2)) is None
    # a threshold, and a volume under which the day is not judged (4 offered contacts)
    assert breach(eng, settings, targets, Rule("service_level", "below", phone, threshold=40), CHECKED) is None
    assert breach(eng, settings, targets, Rule("service_level", "below", phone, threshold=60), CHECKED)[0] == 50
    assert breach(eng, settings, targets, Rule("service_level", "below_target", phone, min_volume=5), CHECKED) is None


def test_alr002_rules_are_refused_with_what_is_wrong():
    for bad, words in ((dict(kpi="nps", condition="worse"), "unknown condition"),
                       (dict(kpi="nsp", condition="below_target"), "unknown KPI"),
                       (dict(kpi="nps", condition="below"), "a threshold is needed"),
                       (dict(kpi="nps", condition="below_target", scope={"colour": ["red"]}), "unknown dimension"),
                       (dict(kpi="nps", condition="below_target", to=("nobody",)), "not an e-mail address"),
                       (dict(kpi="nps", condition="legal_risk"), "watches the comments")):
        with pytest.raises(ValueError, match=words):
            Rule(**bad)


def test_alr003_alerts_are_raised_once_told_by_mail_and_kept_until_acknowledged(eng, smtp):  # noqa: F811
    port, inbox = smtp
    settings = replace(Settings(), db=Path(eng.url.database))
    add_rule(eng, Rule("service_level", "below_target", {"channel": ["phone"]}, to=("lead@centre.example",)))
    add_rule(eng, Rule(None, "legal_risk", to=("quality@centre.example",)))
    add_rule(eng, Rule("nps", "below_target"))                  # no address: listed in the dashboard only
    assert [r.condition for r in rules(eng)] == ["below_target", "legal_risk", "below_target"]
    # the latest day: service level 50 % < 80 %; r1 says "porter plainte"; NPS of the day:
    # r1 detractor, r2 promoter -> 0, from 2 answers, against +30: below too
    assert check(eng, settings) == 3
    assert check(eng, settings) == 0      # raised once
    alerts = open_alerts(eng)
    assert sorted(alerts["kind"]) == ["kpi", "kpi", "legal_risk"]
    assert "Service level (phone) below its target: 50.0 % on 10/03/2025 (target 80.0 %)" in set(alerts["message"])
    mail = Smtp("127.0.0.1", port, sender="pilotage@centre.example")
    assert sorted(notify(eng, mail)) == ["sent: alerts 1", "sent: alerts 2"]
    assert notify(eng, mail) == []                                # told once
    told = {tuple(recipients): m for _sender, recipients, m in inbox.messages}
    assert told[("lead@centre.example",)]["Subject"] == "Pilotage alert: Service level (phone) below its target"
    assert "porter plainte" in told[("quality@centre.example",)].get_content()
    first = int(alerts["id"].iloc[0])
    assert acknowledge(eng, first, "lea") and not acknowledge(eng, first, "lea")
    assert len(open_alerts(eng)) == 2


def test_alr004_a_viewer_sees_the_alerts_of_its_own_scope_only(make_db):
    from access.viewer import LOCAL, Viewer
    from components.alerts import visible
    eng = make_db(contacts=CONTACTS, surveys=SURVEYS, agents=[dict(agent_id="A1", agent_name="Léa", team="T1")])
    settings = replace(Settings(), db=Path(eng.url.database))
    add_rule(eng, Rule("service_level", "below_target", {"channel": ["phone"]}))        # no team named
    add_rule(eng, Rule("service_level", "below_target", {"team": ["T1"], "channel": ["phone"]}))
    add_rule(eng, Rule(None, "legal_risk"))
    assert check(eng, settings) == 3
    lead_t1, lead_t2 = Viewer("tom", "team_lead", teams=("T1",)), Viewer("tina", "team_lead", teams=("T2",))
    client = Viewer("clio", "client", clients=("ACME",))
    assert len(visible(eng, LOCAL)) == 3
    # T1's lead: the rule on T1 (the other names no team: it may hold other teams' contacts),
    # and the comment with a legal risk, whose contact A1 of T1 handled
    assert sorted(visible(eng, lead_t1)["rule_id"]) == [2, 3]
    assert visible(eng, lead_t2).empty and visible(eng, client).empty


def test_alr005_the_alerts_page_lists_and_acknowledges(dash_duo, eng, app_for):
    from tests.test_french_explore import shown, until, wait_shown
    settings = replace(Settings(), db=Path(eng.url.database))
    add_rule(eng, Rule("service_level", "below_target", {"channel": ["phone"]}, to=("lead@centre.example",)))
    assert check(eng, settings) == 1
    dash_duo.start_server(app_for(eng))
    dash_duo.driver.set_window_size(1280, 1000)
    dash_duo.wait_for_page(dash_duo.server_url + "/alerts")
    wait_shown(dash_duo, "#alerts-grid", "Service level (phone) below its target: 50.0 % on 10/03/2025")
    assert shown(dash_duo, "#nav-alerts") == "Alerts (1)"
    wait_shown(dash_duo, "#alerts-rules", "Service level (phone) below its target → lead@centre.example")
    dash_duo.find_element("#alerts-ack").click()
    wait_shown(dash_duo, "#alerts-message", "Choose an open alert first.")
    dash_duo.wait_for_element("#alerts-grid .ag-center-cols-container .ag-row .ag-cell").click()
    dash_duo.find_element("#alerts-ack").click()
    wait_shown(dash_duo, "#alerts-message", "Acknowledged.")
    until(lambda: "50.0 %" not in shown(dash_duo, "#alerts-grid"))
    assert open_alerts(eng).empty
    dash_duo.wait_for_page(dash_duo.server_url + "/alerts")
    until(lambda: shown(dash_duo, "#nav-alerts") == "Alerts (0)")
    assert dash_duo.get_logs() == []


# -- the form on /alerts (issue 16, part 4) -------------------------------------------------

FORM = dict(kpi="service_level", condition="below", threshold=60.0, min_volume=4.0, to="lead@centre.example",
            filters={"channel": ("phone",)})


def plain(text: str) -> str:
    """French text with its no-break spaces as plain ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_alr006_the_form_says_which_field_is_wrong_and_why_and_stores_nothing(eng):
    from access.viewer import LOCAL
    from components.alerts import add_from_form
    from data.audit import trail
    from i18n import using

    def said(**changes):
        return add_from_form(eng, LOCAL, **{**FORM, **changes})
    assert said(threshold=150.0) == ("Not added: the threshold of Service level must be between 0.0 % and 100.0 % "
                                     "(150.0 % given).")
    assert said(threshold=None) == "Not added: a threshold is needed: the value of Service level that raises the alert."
    assert said(to="lead@centre.example, nobody") == ("Not added: the addresses to tell: not an e-mail address: "
                                                      "nobody.")
    assert said(kpi="nsp") == "Not added: unknown KPI 'nsp'."
    assert said(kpi=None) == "Not added: choose the indicator to watch."
    assert said(min_volume=2.5).startswith("Not added: the minimum volume is a whole count")
    assert said(condition="above_target", kpi="offered") == (
        "Not added: Contacts offered has no better direction: it takes no target.")
    with using("fr"):
        assert plain(said(threshold=-5.0)) == ("Non ajoutée : le seuil de Qualité de service (décroché en X s) doit "
                                               "être entre 0,0 % et 100,0 % (-5,0 % donné).")
    assert rules(eng) == [] and trail(eng, action="alert_rule").empty


def test_alr007_a_client_cannot_add_a_rule_and_a_team_lead_adds_and_removes_its_own_only(eng, app_for):
    from werkzeug.exceptions import Forbidden

    from access.viewer import Viewer, acting_as
    from components.alerts import add_from_form, remove_from_page, rule_list
    client = Viewer("clio", "client", clients=("ACME",))
    lead_t1, lead_t2 = Viewer("tom", "team_lead", teams=("T1",)), Viewer("tina", "team_lead", teams=("T2",))
    assert add_from_form(eng, client, **{**FORM, "filters": {"client": ("ACME",)}}) == (
        "Not added: your role does not manage alert rules.")
    app_for(eng)
    from pages.alerts import update_alerts, update_rules
    with acting_as(client), pytest.raises(Forbidden):        # the page's callback, forged by a client
        update_rules(1, [], "service_level", "below_target", None, 0, None, {"client": "ACME"}, 0)
    with acting_as(client), pytest.raises(Forbidden):
        update_alerts(0, 0, [])
    assert rules(eng) == []
    # a team lead: a rule over every team is beyond its scope; one on its team is its own
    assert "beyond what you may see" in add_from_form(eng, lead_t1, **FORM)
    assert add_from_form(eng, lead_t1, **{**FORM, "filters": {"team": ("T1",), "channel": ("phone",)}}) == (
        "Rule 1 added: Service level (phone, T1) below 60.0 %.")
    assert remove_from_page(eng, client, 1) == remove_from_page(eng, lead_t2, 1) == "No rule 1 of yours to remove."
    assert "Service level" not in str(rule_list(eng, lead_t2)) and "Service level" in str(rule_list(eng, lead_t1))
    assert remove_from_page(eng, lead_t1, 1) == "Rule 1 removed." and rules(eng) == []


def test_alr008_a_rule_from_the_form_is_the_command_line_s_and_raises_the_same_alert(make_db):
    from access.viewer import LOCAL
    from alerts.__main__ import main
    from components.alerts import add_from_form, remove_from_page, visible
    from data.audit import trail
    by_cli, by_form = make_db(contacts=CONTACTS, surveys=SURVEYS), make_db(contacts=CONTACTS, surveys=SURVEYS)
    assert main(["add", "--db", by_cli.url.database, "--kpi", "service_level", "--when", "below", "--threshold", "60",
                 "--min-volume", "4", "--channel", "phone", "--to", "lead@centre.example"]) == 0
    assert add_from_form(by_form, LOCAL, **FORM) == "Rule 1 added: Service level (phone) below 60.0 %."
    assert rules(by_cli) == rules(by_form) == [Rule("service_level", "below", {"channel": ["phone"]}, 60.0, 4,
                                                    ("lead@centre.example",), 1)]
    # the checked Monday: 2 of its 4 phone calls answered within 20 s -> 50 %, under 60 %, from 4 >= 4 contacts
    said = []
    for eng in (by_cli, by_form):
        assert check(eng, replace(Settings(), db=Path(eng.url.database))) == 1
        said.append(list(open_alerts(eng)["message"]))
    assert said[0] == said[1] == ["Service level (phone) below 60.0 %: 50.0 % on 10/03/2025 (threshold 60.0 %)"]
    # each write audited, with who made it
    assert list(trail(by_cli, action="alert_rule")["who"]) == ["command line"]
    assert remove_from_page(by_form, LOCAL, 1) == "Rule 1 removed."
    audit = trail(by_form, action="alert_rule")
    assert list(audit["who"]) == ["local", "local"] and '"change": "removed"' in audit["detail"].iloc[0]
    assert rules(by_form) == [] and visible(by_form, LOCAL).empty       # its alert is no longer listed
    # the command line removes too, and says when there is no such rule
    assert main(["remove", "--db", by_cli.url.database, "1"]) == 0 and rules(by_cli) == []
    assert main(["remove", "--db", by_cli.url.database, "1"]) == 1


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_alr009_fill_the_form_and_see_the_rule_listed_then_removed(dash_duo, eng, app_for, lang):
    from urllib.parse import quote

    from tests.conftest import click
    from tests.test_french_explore import shown, until
    words = {"en": ("Not added: the threshold of Service level must be between 0.0 % and 100.0 % (150.0 % given).",
                    "Service level (phone) below 60.0 %, judged from 4 contacts or answers → lead@centre.example",
                    "Rule 1 removed.", "No rule yet.", "Service level", "below a threshold", "phone"),
             "fr": ("Non ajoutée : le seuil de Qualité de service (décroché en X s) doit être entre 0,0 % et 100,0 % "
                    "(150,0 % donné).",
                    "Qualité de service (décroché en X s) (téléphone) sous 60,0 %, jugé à partir de 4 contacts ou "
                    "réponses → lead@centre.example", "Règle 1 supprimée.", "Aucune règle pour l'instant.",
                    "Qualité de service (décroché en X s)", "sous un seuil", "téléphone")}
    refused, listed, removed, none, kpi, condition, channel = words[lang]

    def see(selector, text):
        try:
            until(lambda: text in plain(shown(dash_duo, selector)))
        except AssertionError:
            raise AssertionError(f"{selector} shows {shown(dash_duo, selector)!r}, not {text!r}") from None
    dash_duo.start_server(app_for(eng))
    dash_duo.driver.set_window_size(1280, 1000)
    dash_duo.wait_for_page(dash_duo.server_url + f"/lang?to={lang}&next=" + quote("/alerts?channel=phone"))
    see("#alerts-scope", channel)
    see("#alerts-rules", none)
    dash_duo.select_dcc_dropdown("#alerts-kpi", value=kpi)
    dash_duo.select_dcc_dropdown("#alerts-condition", value=condition)
    dash_duo.find_element("#alerts-threshold").send_keys("150")
    volume = dash_duo.find_element("#alerts-min-volume")
    volume.clear()
    volume.send_keys("4")
    dash_duo.find_element("#alerts-to").send_keys("lead@centre.example")
    click(dash_duo, "#alerts-add")
    see("#alerts-rule-message", refused)
    threshold = dash_duo.find_element("#alerts-threshold")
    threshold.clear()
    threshold.send_keys("60")
    click(dash_duo, "#alerts-add")
    see("#alerts-rules", listed)
    assert rules(eng) == [Rule("service_level", "below", {"channel": ["phone"]}, 60.0, 4, ("lead@centre.example",), 1)]
    click(dash_duo, "#alerts-rules .alert-rule-remove")
    see("#alerts-rule-message", removed)
    see("#alerts-rules", none)
    assert rules(eng) == []
    assert dash_duo.get_logs() == []
