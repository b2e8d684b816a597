"""Sign-in, roles and the viewer's scope, enforced on the server, and the audit trail.

The attacks are made as an attacker makes them: through the server's own routes, with a
signed-in client's session cookie, forging the requests the browser would send."""
from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from access.gate import Throttle
from access.viewer import LOCAL, NOBODY, Viewer
from data.audit import trail
from data.decisions import save_decisions
from data.targets import set_target
from data.users import UserError, add_user, remove_user, set_password, users, verify
from forging import dependencies, files, files_text, forged, page_callback
from tests.test_french_explore import until

ROOT = Path(__file__).resolve().parents[1]
PASSWORDS = {"ada": "ada-password-1", "dora": "dora-password-1", "tom": "tom-password-1", "clio": "clio-password-1"}
OTHER = ("Zanzibar", "ZQ-", "ZCAMP", "zanzibar", "Zoé")   # what the client ACME must never see
# what of the other client no forged request carries (a request's own words may come back to it)
NEVER_SENT = ("Zoé", "secret", "Zanzibar campaign", "4321", "1 h 12 min")


def acme(cid, day, wait, **cells):
    return dict(contact_id=cid, arrived_at=f"2025-03-{day:02d} 10:00:00", channel="phone", outcome="answered",
                client="ACME", queue="AQ-1", agent_id="A1", wait_s=wait, talk_s=120, customer_id=f"K{cid}", **cells)


def zanzibar(cid, day, wait, **cells):
    return dict(contact_id=cid, arrived_at=f"2025-03-{day:02d} 11:00:00", channel="phone", outcome="answered",
                client="Zanzibar", queue="ZQ-1", agent_id="Z1", wait_s=wait, talk_s=4321, customer_id=f"Z{cid}",
                campaign="ZCAMP", **cells)


ACME = [acme("a1", 3, 10), acme("a2", 4, 30), acme("a3", 20, 5), acme("a4", 28, 15)]
ZANZIBAR = [zanzibar("z1", 4, 777), zanzibar("z2", 10, 5), zanzibar("z3", 20, 50)]
AGENTS = [dict(agent_id="A1", agent_name="Alice Acme", team="T1"), dict(agent_id="Z1", agent_name="Zoé Zanzibar", team="T2")]
SURVEYS = [dict(response_id="s1", responded_at="2025-03-05 12:00:00", contact_id="a1", nps=9, verbatim="fine"),
           dict(response_id="s2", responded_at="2025-03-05 12:00:00", contact_id="z1", nps=0,
                verbatim="zanzibar secret comment")]
CAMPAIGNS = [dict(campaign="ZCAMP", campaign_name="Zanzibar campaign", kind="one_off")]


def with_users(eng):
    add_user(eng, "ada", "admin", PASSWORDS["ada"])
    add_user(eng, "dora", "director", PASSWORDS["dora"])
    add_user(eng, "tom", "team_lead", PASSWORDS["tom"], teams=["T1"])
    add_user(eng, "clio", "client", PASSWORDS["clio"], clients=["ACME"])
    return eng


@pytest.fixture
def both(make_db):
    """The outsourcer's data (ACME and Zanzibar) and the same without Zanzibar."""
    full = make_db(contacts=ACME + ZANZIBAR, surveys=SURVEYS, agents=AGENTS, campaigns=CAMPAIGNS)
    set_target(full, "nps", 99, client="Zanzibar")
    save_decisions(full, "Zanzibar", __import__("datetime").date(2025, 3, 1), "zanzibar secret decision")
    alone = make_db(contacts=ACME, surveys=SURVEYS[:1], agents=AGENTS[:1])
    return with_users(full), with_users(alone)


def client_for(app_for, eng, **settings):
    app = app_for(eng, **settings)
    return app, app.server.test_client()


def sign_in(client, name, password=None, next_path="/"):
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    return client.post("/login", data={"username": name, "password": password or PASSWORDS[name],
                                       "csrf_token": token, "next": next_path})


# ---------------------------------------------------------------- roles and users

def test_acc001_each_role_sees_its_scope_and_nobody_sees_nothing():
    assert Viewer("a", "admin").restrictions == {} and Viewer("d", "director").restrictions == {}
    assert Viewer("t", "team_lead", teams=("T1",)).restrictions == {"team": ["T1"]}
    assert Viewer("t", "team_lead").restrictions == {}                      # no team: every team
    assert Viewer("c", "client", clients=("ACME",)).restrictions == {"client": ["ACME"]}
    # deny by default: a client without clients, a role nobody knows, nobody at all
    assert Viewer("c", "client").restrictions == {"client": []}
    assert Viewer("x", "intern").restrictions == {"client": []} and NOBODY.restrictions == {"client": []}
    client = Viewer("c", "client", clients=("ACME",))
    assert [p for p in ("/", "/explore", "/focus", "/committee", "/service", "/campaigns", "/import",
                        "/settings", "/admin") if client.may_open(p)] == ["/", "/explore", "/focus", "/committee"]
    assert not any(client.may(r) for r in ("targets", "import", "focus", "decisions", "users"))
    lead = Viewer("t", "team_lead", teams=("T1",))
    assert lead.may("focus") and lead.may("decisions") and not lead.may("targets") and not lead.may("import")
    assert not lead.may_open("/settings") and lead.may_open("/service")
    director = Viewer("d", "director")
    assert director.may("targets") and director.may("import") and not director.may("users")
    assert LOCAL.may("users") and LOCAL.local


def test_acc002_users_are_stored_with_an_argon2id_hash_never_the_password(make_db):
    eng = make_db()
    add_user(eng, "clio", "client", "clio-password-1", clients=["ACME", "ACME", " Beta "])
    [u] = users(eng)
    assert (u.name, u.role, u.clients) == ("clio", "client", ("ACME", "Beta"))
    with eng.connect() as conn:
        stored = conn.exec_driver_sql("SELECT * FROM users").fetchall()
        logged = conn.exec_driver_sql("SELECT detail FROM audit").fetchall()
    assert "clio-password-1" not in repr(stored) + repr(logged)
    assert stored[0].password_hash.startswith("$argon2id$")
    assert verify(eng, "clio", "clio-password-1").name == "clio"
    assert verify(eng, "clio", "wrong-password") is None and verify(eng, "nobody", "clio-password-1") is None
    set_password(eng, "clio", "a-new-password")
    assert verify(eng, "clio", "clio-password-1") is None and verify(eng, "clio", "a-new-password")
    for bad, message in ((dict(name="x y", role="director"), "without spaces"),
                         (dict(name="c2", role="client"), "needs the client"),
                         (dict(name="d2", role="director", clients=["ACME"]), "only a client user"),
                         (dict(name="d3", role="boss"), "unknown role"),
                         (dict(name="clio", role="director"), "exists already")):
        with pytest.raises(UserError, match=message):
            add_user(eng, password="long-enough-1", **bad)
    with pytest.raises(UserError, match="at least 10 characters"):
        add_user(eng, "short", "director", "123")
    remove_user(eng, "clio")
    assert users(eng) == []


def run(*args, tmp_path, stdin=""):
    env = dict(os.environ, PILOTAGE_KEY_FILE=str(tmp_path / "test.key"))
    env.pop("PILOTAGE_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "data", *map(str, args)], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_acc003_the_users_command_line_reads_passwords_from_standard_input(tmp_path):
    db = tmp_path / "u.duckdb"
    out = run("users", "add", "clio", "--role", "client", "--client", "ACME", "--client", "Beta", "--db", db,
              tmp_path=tmp_path, stdin="clio-password-1\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "user clio added, role client, limited to ACME, Beta"
    assert "clio-password-1" not in out.stdout + out.stderr
    out = run("users", "add", "tom", "--role", "team_lead", "--team", "T1", "--db", db, tmp_path=tmp_path,
              stdin="tom-password-1\n")
    assert out.returncode == 0, out.stderr
    listed = run("users", "list", "--db", db, tmp_path=tmp_path).stdout.splitlines()
    assert [line.split("\t")[:3] for line in listed] == [["clio", "client", "ACME, Beta"], ["tom", "team_lead", "T1"]]
    out = run("users", "passwd", "clio", "--db", db, tmp_path=tmp_path, stdin="short\n")
    assert out.returncode == 1 and out.stderr.strip() == "error: a password has at least 10 characters"
    out = run("users", "passwd", "clio", "--db", db, tmp_path=tmp_path, stdin="another-password\n")
    assert out.stdout.strip() == "password of clio changed"
    out = run("users", "remove", "nobody", "--db", db, tmp_path=tmp_path)
    assert out.returncode == 1 and out.stderr.strip() == "error: no user nobody"
    out = run("users", "remove", "tom", "--db", db, tmp_path=tmp_path)
    assert out.stdout.strip() == "user tom removed"


# ---------------------------------------------------------------- sign-in

def test_acc004_sign_in_sign_out_and_the_session_cookie(both, app_for):
    app, client = client_for(app_for, both[0])
    assert client.get("/explore").status_code == 302
    assert client.get("/explore").headers["Location"] == "/login?next=/explore"
    assert client.post("/_dash-update-component", json={}).status_code == 401
    assert client.get("/api/summary?from=2025-03-01&to=2025-03-31").status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    # no form token: refused; a wrong password and an unknown name read the same
    assert client.post("/login", data={"username": "clio", "password": PASSWORDS["clio"]}).status_code == 400
    wrong, unknown = sign_in(client, "clio", "not-her-password"), sign_in(client, "cleo", "not-her-password")
    assert wrong.status_code == unknown.status_code == 401
    for answer in (wrong, unknown):
        assert "Wrong user name or password." in answer.get_data(as_text=True)
    signed = sign_in(client, "clio", next_path="/committee?month=2025-03")
    assert (signed.status_code, signed.headers["Location"]) == (302, "/committee?month=2025-03")
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/explore").status_code == 200
    assert sign_in(app.server.test_client(), "clio", next_path="//evil.example/").headers["Location"] == "/"
    # over HTTPS the cookie is Secure
    https = app.server.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', https.get("/login", base_url="https://localhost")
                      .get_data(as_text=True)).group(1)
    signed = https.post("/login", base_url="https://localhost",
                        data={"username": "clio", "password": PASSWORDS["clio"], "csrf_token": token})
    assert "Secure" in signed.headers["Set-Cookie"]
    # signed out: back to the form
    assert client.get("/logout").headers["Location"] == "/login"
    assert client.get("/explore").status_code == 302
    actions = [(r.who, r.action) for r in trail(both[0]).itertuples()]
    assert ("clio", "sign_in") in actions and ("clio", "sign_in_failed") in actions and ("cleo", "sign_in_failed") in actions
    assert ("clio", "sign_out") in actions


def test_acc005_repeated_failures_wait_longer_and_longer(both, app_for, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("access.gate.time.monotonic", lambda: clock[0])
    throttle = Throttle(free=3, window=900, cap=300)
    for _ in range(3):
        assert throttle.wait("user:x", "address:1") == 0
        throttle.failed("user:x", "address:1")
    assert throttle.wait("user:x") == 1                  # the fourth attempt waits 1 s, then 2, 4...
    throttle.failed("user:x")
    assert throttle.wait("user:x") == 2
    clock[0] += 2
    assert throttle.wait("user:x") == 0
    assert throttle.wait("address:2") == 0               # another address is not slowed
    clock[0] += 901
    assert throttle.wait("user:x", "address:1") == 0     # the window has passed
    # through the form: the sixth failed attempt on a name is refused without being checked
    app, client = client_for(app_for, both[0])
    monkeypatch.setattr("access.gate.THROTTLE", Throttle())
    for _ in range(5):
        assert sign_in(client, "dora", "not-her-password").status_code == 401
    refused = sign_in(client, "dora")                     # even the right password waits
    assert refused.status_code == 429 and "Too many failed attempts" in refused.get_data(as_text=True)


def test_acc006_sessions_last_the_setting_and_end_with_a_password_change(both, app_for):
    app, client = client_for(app_for, both[0], session_hours=2)
    assert app.server.permanent_session_lifetime.total_seconds() == 2 * 3600
    signed = sign_in(client, "tom")
    assert "Expires=" in signed.headers["Set-Cookie"]     # a session that ends, not one kept forever
    assert client.get("/service").status_code == 200
    set_password(both[0], "tom", "a-brand-new-password")
    assert client.get("/service").status_code == 302      # signed out everywhere


def test_acc007_the_secret_key_file_is_made_once_for_its_owner_only(tmp_path):
    from access.gate import secret_key
    path = tmp_path / "keys" / "pilotage.secret"
    first = secret_key(path)
    assert len(first) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key(path) == first


def test_acc008_local_mode_serves_this_machine_only_and_says_so(make_db, app_for, monkeypatch):
    eng = make_db(contacts=ACME)
    app, client = client_for(app_for, eng)
    assert client.get("/explore").status_code == 200                       # no user: no sign-in
    remote = app.server.test_client()
    refused = remote.get("/explore", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert refused.status_code == 403 and "serves this machine only" in refused.get_data(as_text=True)
    import app as app_module
    from settings import active
    monkeypatch.setattr("settings._active", replace(active(), host="0.0.0.0"))
    with pytest.raises(SystemExit, match="no user yet, so it serves this machine only"):
        app_module.main()
    # once a user exists, everything needs sign-in
    add_user(eng, "dora", "director", PASSWORDS["dora"])
    assert client.get("/explore").status_code == 302


def test_acc009_local_mode_banner_in_the_browser(dash_duo, make_db, app_for):
    dash_duo.start_server(app_for(make_db(contacts=ACME)))
    dash_duo.wait_for_contains_text("#local-mode", "Local mode: anyone on this machine can use Pilotage")
    assert "python -m data users add NAME --role admin" in dash_duo.find_element("#local-mode").text
    assert dash_duo.get_logs() == []


# ---------------------------------------------------------------- what each role sees

def test_acc010_a_page_the_role_may_not_open_is_refused_with_a_page_that_says_so(both, app_for):
    app, client = client_for(app_for, both[0])
    sign_in(client, "clio")
    for path in ("/settings", "/import", "/service", "/campaigns", "/admin"):
        page = client.get(path)
        assert page.status_code == 403 and "not open to your role" in page.get_data(as_text=True), path
    assert client.get("/committee").status_code == 200
    # reached inside the app (the pages' own callback), the same answer
    body = forged_as(client, page_callback(client), pathname="/settings")
    assert "This page is not open to your role" in body.get_data(as_text=True)
    lead = app.server.test_client()
    sign_in(lead, "tom")
    assert lead.get("/settings").status_code == 403 and lead.get("/service").status_code == 200
    director = app.server.test_client()
    sign_in(director, "dora")
    assert director.get("/settings").status_code == 200 and director.get("/admin").status_code == 403


def serve(dash_duo, app) -> None:
    """Start the app; its first page is the sign-in form, not a Dash page."""
    dash_duo.start_server(app, navigate=False)
    dash_duo._url = dash_duo.server.url


def browser_sign_in(dash_duo, name):
    dash_duo.driver.get(dash_duo.server_url + "/login")
    dash_duo.find_element("#username").send_keys(name)
    dash_duo.find_element("#password").send_keys(PASSWORDS[name])
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_element("#nav-user")


def nav_links(dash_duo) -> list[str]:
    return [a.text for a in dash_duo.driver.find_elements("css selector", ".navbar-nav a.nav-link")]


STAFF_PAGES = ["Overview", "Explore", "Focus", "Daily service", "Campaigns", "Committee", "Needs", "Actions",
               "Comments", "Assessments", "More", "Alerts (0)"]


@pytest.mark.parametrize("name, links, more, offered", [
    # ACME 4 contacts + Zanzibar 3; ACME's client sees its 4; tom (team T1 = agent A1) sees ACME's too
    ("clio", ["Overview", "Explore", "Focus", "Committee", "Actions", "Comments", "More", "Sign out"],
     ["Definitions"], "4"),
    ("tom", STAFF_PAGES + ["Sign out"], ["Definitions"], "4"),
    ("dora", STAFF_PAGES + ["Sign out"], ["Import", "Definitions", "Settings"], "7"),
    ("ada", STAFF_PAGES + ["Sign out"], ["Import", "Definitions", "Settings", "Administration"], "7"),
])
def test_acc011_each_role_signs_in_and_sees_what_it_may(dash_duo, both, app_for, name, links, more, offered):
    serve(dash_duo, app_for(both[0]))
    browser_sign_in(dash_duo, name)
    # the pages, then the user's menu (their role, "Sign out") and the language switch
    assert nav_links(dash_duo) == links[:-1] + [name, "FR"]
    assert dash_duo.find_element("#nav-sign-out").get_attribute("textContent") == links[-1]
    # the definitions, loading data, the settings and the users, in one menu ("More")
    dash_duo.find_element("#nav-manage").click()
    until(lambda: [a.text for a in dash_duo.driver.find_elements(
        "css selector", "#nav-manage + .dropdown-menu a.dropdown-item, .dropdown-menu.show a.dropdown-item")
        if a.text] == more)
    dash_duo.wait_for_page(dash_duo.server_url + "/?from=2025-03-01&to=2025-03-31")
    dash_duo.wait_for_text_to_equal("#value-offered", offered)
    dash_duo.wait_for_page(dash_duo.server_url + "/committee?client=Zanzibar&month=2025-03")
    dash_duo.wait_for_element("#committee-title")
    title = dash_duo.find_element("#committee-title").text
    if name in ("clio", "tom"):     # the other client's review is not theirs: their own instead
        assert title == "Committee review – ACME – March 2025"
        dash_duo.wait_for_element("#committee-indicators")
        shown = dash_duo.find_element("body").text
        assert not any(word in shown for word in OTHER), shown
        assert not any(word in dash_duo.driver.page_source for word in NEVER_SENT)
        options = dash_duo.driver.execute_script(
            "return [...document.querySelectorAll('#committee-client *')].map(e => e.textContent).join(' ')")
        assert "Zanzibar" not in options
    else:
        assert title == "Committee review – Zanzibar – March 2025"
    if name == "clio":              # reads the decisions, does not write them
        assert not dash_duo.find_element("#committee-save").is_displayed()
        assert dash_duo.find_element("#committee-decisions").get_attribute("readonly")
    assert dash_duo.get_logs() == []


def test_acc012_the_admin_adds_a_user_and_reads_the_audit_trail(dash_duo, both, app_for):
    serve(dash_duo, app_for(both[0]))
    browser_sign_in(dash_duo, "ada")
    dash_duo.wait_for_page(dash_duo.server_url + "/admin")
    dash_duo.find_element("#admin-name").send_keys("bea")
    dash_duo.select_dcc_dropdown("#admin-role", value="client")
    dash_duo.find_element("#admin-clients").send_keys("ACME")
    dash_duo.find_element("#admin-password").send_keys("bea-password-1")
    dash_duo.find_element("#admin-add").click()
    dash_duo.wait_for_contains_text("#admin-message", "User bea added.")
    dash_duo.wait_for_contains_text("#admin-users", "bea")
    dash_duo.wait_for_contains_text("#audit-grid", "user_added")
    assert "ada" in dash_duo.find_element("#audit-grid").text and "sign_in" in dash_duo.find_element("#audit-grid").text
    assert "bea-password-1" not in dash_duo.driver.page_source
    assert dash_duo.get_logs() == []


def test_acc013_changes_are_recorded_with_who_and_from_where(both, app_for):
    app, client = client_for(app_for, both[0])
    sign_in(client, "dora")
    deps = client.get("/_dash-dependencies").get_json()
    saving = next(cb for cb in deps if cb["output"].startswith("..targets-slot.children"))
    response = forged_as(client, saving, values={"target-kpi.value": "nps", "target-value.value": 35,
                                                 "target-amber.value": None, "target-channel.value": None,
                                                 "target-client.value": None},
                         changed="target-save.n_clicks")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    decisions = next(cb for cb in deps if cb["output"] == "committee-saved.children")
    forged_as(client, decisions, values={"committee-decisions.value": "Renfort midi",
                                         "committee-state.data": {"client": "ACME", "month": "2025-03"}},
              changed="committee-save.n_clicks")
    entries = {}
    for r in trail(both[0]).itertuples():       # the latest first
        entries.setdefault(r.action, r)
    assert entries["target"].who == "dora" and entries["target"].address == "127.0.0.1"
    assert json.loads(entries["target"].detail)["target"] == 35
    assert entries["decisions"].who == "dora" and json.loads(entries["decisions"].detail)["client"] == "ACME"
    from data.decisions import decisions_for
    assert decisions_for(both[0], "ACME", __import__("datetime").date(2025, 3, 1)).author == "dora"
    # a client may not write: 403, nothing written
    clio = app.server.test_client()
    sign_in(clio, "clio")
    refused = forged_as(clio, decisions, values={"committee-decisions.value": "hacked",
                                                 "committee-state.data": {"client": "ACME", "month": "2025-03"}},
                        changed="committee-save.n_clicks")
    assert refused.status_code == 403
    assert decisions_for(both[0], "ACME", __import__("datetime").date(2025, 3, 1)).text == "Renfort midi"


# ---------------------------------------------------------------- forging every callback

STATE = {"from": "2025-03-01", "to": "2025-03-31", "client": "Zanzibar", "channel": "phone", "queue": "ZQ-1",
         "campaign": "ZCAMP", "team": "T2", "agent": "Z1", "by": "client", "path": "client:Zanzibar", "kpi": "nps",
         "dim": "client", "show": "ZCAMP", "month": "2025-03", "contact": "test|z1", "day": "2025-03-04",
         "cols": "nps,csat", "sort": "recent", "id": "0" * 32}
SEARCH = "?" + "&".join(f"{k}={v}" for k, v in STATE.items())
# what a person could pick in each control, the other client's wherever a name fits
PICKED = {
    "period-preset": "custom", "committee-client": "Zanzibar", "committee-month": "2025-03",
    "target-kpi": "nps", "target-client": "Zanzibar", "target-value": 50, "focus-form-kpi": "nps",
    "focus-form-target": 50, "focus-form-note": "Zanzibar", "admin-name": "Zanzibar", "admin-role": "client",
    "admin-clients": "Zanzibar", "audit-who": "Zanzibar",
    ("filter", "channel"): ["phone"], ("filter", "client"): ["Zanzibar"], ("filter", "queue"): ["ZQ-1"],
    ("filter", "campaign"): ["ZCAMP"], ("filter", "team"): ["T2"], ("filter", "agent"): ["Z1"],
    ("control", "by"): "client", ("control", "kpi"): "nps", ("control", "dim"): "client",
    ("control", "cols"): ["nps", "csat"], ("control", "dkpi"): "aht", ("control", "pkpi"): "nps",
    ("control", "sort"): "longest_wait", ("control", "show"): "ZCAMP",
    "committee-state": {"client": "Zanzibar", "month": "2025-03"}, "import-files": [], "import-job": {"id": "0" * 32},
}
CLICKED = {"explore-grid": "Zanzibar", "explore-contact-grid": "test|z1", "campaigns-grid": "ZCAMP"}


def _value(component, prop: str, variant: int, pathname: str):
    """What a forged request puts in an input: in the first variant what a person could pick,
    the other client's name wherever it fits; in the others values of the wrong type."""
    key = (component.get("role"), component.get("key")) if isinstance(component, dict) else component
    if variant == 0 and prop in ("value", "data") and key in PICKED:
        return PICKED[key]
    table = {
        "data": [STATE, [STATE], "Zanzibar"][variant],
        "value": ["Zanzibar", ["Zanzibar", "ACME"], {"client": "Zanzibar"}][variant],
        "n_clicks": 1, "n_intervals": 1, "is_open": [False, True, "Zanzibar"][variant],
        "cellClicked": {"rowId": CLICKED.get(key, "Zanzibar"), "colId": "label", "value": "Zanzibar"},
        "clickData": {"points": [{"customdata": "Zanzibar", "y": "Zanzibar"}]},
        "start_date": "2025-03-01", "end_date": "2025-03-31", "date": "2025-03-04",
        "pathname": pathname, "search": SEARCH, "href": pathname + SEARCH,
    }
    return table.get(prop, "Zanzibar")


def forged_as(client, cb, variant=0, pathname="/committee", values=None, changed=None):
    """One callback forged: ``values`` ("id.prop") where given, else ``_value``'s."""
    def value(component, prop):
        given = values or {}
        key = f"{component}.{prop}"
        return given[key] if isinstance(component, str) and key in given else _value(component, prop, variant, pathname)
    return forged(client, cb, value, changed)


def _comparable(payload: str):
    """A response without what depends on the moment (an Excel or PDF file's own dates)."""
    try:
        node = json.loads(payload)
    except ValueError:
        return payload
    for found in files(node):
        if found["filename"].endswith((".xlsx", ".pdf")):
            found["content"] = "(a file)"
    return node


def every_answer(client) -> dict:
    """Every callback of the app, forged three ways (and the pages' callback once per page)."""
    from dash import page_registry
    deps = dependencies(client)
    assert len(deps) >= 25             # every page's callbacks, and Dash's pages one
    answers = {}
    for n, cb in enumerate(deps):
        paths = ([p["path"] for p in page_registry.values()] if any(i["property"] == "pathname" for i in cb["inputs"])
                 else ["/committee"])
        for variant in range(3):
            for path in paths:
                response = forged_as(client, cb, variant, path)
                answers[(n, cb["output"], variant, path)] = (response.status_code, response.get_data(as_text=True))
    return answers


def test_acc014_a_client_forging_every_callback_gets_nothing_of_another_client(both, app_for):
    """For every callback of the app (read from /_dash-dependencies), with the other client's
    name in every input and store: no response names the other client or carries its figures
    (the answers are the very ones the same requests get where the other client's data do
    not exist), downloads and exports included."""
    runs = []
    for eng in both:
        app, client = client_for(app_for, eng)
        assert sign_in(client, "clio").status_code == 302
        runs.append(every_answer(client))
    with_other, without = runs
    assert with_other.keys() == without.keys()
    leaks = []
    for key, (status, payload) in with_other.items():
        shown = payload + " ".join(files_text(payload))
        named = [word for word in NEVER_SENT if word in shown]
        if named:
            leaks.append(f"{key[1]} ({key[3]}, variant {key[2]}): shows {named}")
        elif (status, _comparable(payload)) != (without[key][0], _comparable(without[key][1])):
            leaks.append(f"{key[1]} ({key[3]}, variant {key[2]}): differs from the answer without the other client")
    assert not leaks, "\n".join(leaks[:20])
    # the command line's read path too
    for eng in both:
        app, client = client_for(app_for, eng)
        sign_in(client, "clio")
        got = client.get("/api/summary?from=2025-03-01&to=2025-03-31&client=Zanzibar").get_json()
        assert got["result"]["offered"] == 0                   # the other client's own filter gives nothing
        assert client.get("/api/summary?from=2025-03-01&to=2025-03-31").get_json()["result"]["offered"] == 4


def test_acc015_the_forging_test_catches_a_callback_that_forgets_the_scope(both, app_for, monkeypatch):
    """The same attack against a copy of the app whose views forget the viewer: it must fail."""
    from components import view as view_module
    monkeypatch.setattr(view_module.View, "scope",
                        lambda self, **changes: (self.state.scope().with_filters(**changes) if changes
                                                 else self.state.scope()))
    app, client = client_for(app_for, both[0])
    sign_in(client, "clio")
    answers = every_answer(client)
    assert any(word in payload for _status, payload in answers.values() for word in NEVER_SENT)


def test_acc016_results_kept_in_memory_are_kept_apart_per_restriction(both):
    from metrics.query import Scope, compute
    everything = Scope.of("2025-03-01", "2025-03-31")
    assert compute(both[0], everything, ["offered"])["offered"][0] == 7               # cached for everyone
    assert compute(both[0], everything.restricted(client=["ACME"]), ["offered"])["offered"][0] == 4
    assert compute(both[0], everything.restricted(client=[]), ["offered"])["offered"][0] == 0   # nothing
