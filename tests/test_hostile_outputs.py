"""Hostile names in the data never act in what the app sends out (issue 13): a download holds
no live formula (class 5), a chart no live markup (class 6), and every HTTP answer carries the
security headers and is given only to the server's own host names (class 9)."""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import urllib.request
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest
from dash.testing.wait import until
from openpyxl import load_workbook
from selenium.webdriver.common.by import By

from access.viewer import LOCAL
from components import campaigns as cp
from components import committee_xlsx
from components import committee as cm
from components import explore as ex
from components import focus as fc
from components import overview as ov
from components import service as sv
from components.committee_xlsx import review_workbook
from components.state import ViewState
from components.view import View
from data import loader
from data.exports import csv_bytes, inert, put_cell, xlsx_bytes
from metrics.registry import KPIS
from metrics.targets import Target
from settings import Settings, load_settings

FORMULA = '=HYPERLINK("http://x","y")'
LINK = "<a href='x'>y</a>"
STYLED = "<span style='color:red'>C</span>"
BOLD_QUEUE = "<b>Q</b>"
CHAT = "<b>chat</b>"                      # a channel name (channels are stored lower case)
CAMPAIGN = "<a href='x'>camp</a>"
RAW_MARKUP = ("<a ", "<b>", "<span", "<br")
STARTS = ("=", "+", "-", "@", "\t", "\r")

AGENTS = [dict(agent_id="A1", agent_name=FORMULA, team="T1"), dict(agent_id="A2", agent_name=LINK, team="T2"),
          dict(agent_id="A3", agent_name="@SUM(A1)", team="T3")]


def c(cid, when, queue, agent, wait, channel="phone", client=STYLED, **cells):
    return dict(contact_id=cid, arrived_at=f"2025-03-{when}:00", channel=channel, queue=queue, client=client,
                outcome="answered", agent_id=agent, wait_s=wait, talk_s=100, **cells)


CONTACTS = [
    c("p1", "05 09:10", "+1", "A1", 10), c("p2", "05 09:40", "-2+3", "A1", 30, client="+33 Client"),
    c("p3", "05 10:10", BOLD_QUEUE, "A2", 30), c("p4", "05 10:40", BOLD_QUEUE, "A3", 5),
    # the busiest channel for waits: 5 answered chats against 4 answered calls
    *[c(f"h{i}", f"0{3 + i % 3} 11:00", BOLD_QUEUE, "A2", 40, channel=CHAT) for i in range(5)],
    dict(contact_id="o1", arrived_at="2025-03-06 14:00:00", channel="phone", direction="outbound",
         campaign=CAMPAIGN, customer_id="K1", agent_id="A3", outcome="reached", talk_s=60, client=STYLED),
]
# agent A1's two answers are detractors: its NPS is -100, a negative number that stays a number
SURVEYS = [dict(response_id="s1", responded_at="2025-03-07 12:00:00", contact_id="p1", survey="hot", nps=0,
                verbatim="=1+1 rien à dire"),
           dict(response_id="s2", responded_at="2025-03-07 12:00:00", contact_id="p2", survey="hot", nps=3,
                verbatim="-5 stars")]
FIRST, LAST = date(2025, 3, 3), date(2025, 3, 7)
MARCH = {"from": "2025-03-01", "to": "2025-03-31"}
NPS = KPIS['nps'].label_en


@pytest.fixture
def eng(make_db):
    return make_db(contacts=CONTACTS, surveys=SURVEYS, agents=AGENTS)


def view_of(eng, query=MARCH, **settings) -> View:
    s = replace(Settings(), db=Path(eng.url.database), **settings)
    return View(s, eng, FIRST, LAST, ViewState.from_query(query, (FIRST, LAST)), dict(s.targets), LOCAL)


# ---------------------------------------------------------------- class 5: downloads

def download_request(trigger: str, query: dict) -> dict:
    """Explore's download callback as the browser sends it when a button is clicked."""
    ids = ("explore-csv", "explore-xlsx", "explore-contacts-csv")
    return {"output": "explore-download.data", "outputs": {"id": "explore-download", "property": "data"},
            "inputs": [{"id": i, "property": "n_clicks", "value": 1 if i == trigger else None} for i in ids],
            "state": [{"id": "explore-state", "property": "data", "value": query}],
            "changedPropIds": [f"{trigger}.n_clicks"]}


def download(client, trigger: str, query: dict) -> tuple[str, bytes]:
    """The file explore's download sends: its name and bytes."""
    response = client.post("/_dash-update-component", json=download_request(trigger, query))
    assert response.status_code == 200, response.get_data(as_text=True)
    sent = response.get_json()["response"]["explore-download"]["data"]
    content = base64.b64decode(sent["content"]) if sent.get("base64") else sent["content"].encode()
    return sent["filename"], content


def csv_table(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def live(cells) -> list:
    """The text cells a spreadsheet would run as formulas (a negative number is a number)."""
    return [v for v in cells if isinstance(v, str) and v.startswith(STARTS) and not number(v)]


def test_hout001_a_formula_like_text_is_made_text_and_numbers_stay_numbers():
    for text in (FORMULA, "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert inert(text) == "'" + text
    for value in ("plain", "x=1", "'=1", -2, -2.5, np.float64(-1.5), None):
        assert inert(value) is value                 # no other text, no number is touched
    frame = pd.DataFrame({"name": [FORMULA, "\t=1", "ok"], "value": [-2.5, 3.0, np.nan], "=head": [1, 2, 3]})
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode())))
    assert rows == [["name", "value", "'=head"],
                    ["'" + FORMULA, "-2.5", "1"], ["'\t=1", "3.0", "2"], ["ok", "", "3"]]
    # every text quoted: a spreadsheet splitting on ";" keeps "a;=1+1" one cell, numbers bare
    assert csv_bytes(pd.DataFrame({"q": ["a;=1+1"], "n": [-2]})) == b'"q","n"\n"a;=1+1",-2\n'
    ws = load_workbook(io.BytesIO(xlsx_bytes(frame, "by agent")))["by agent"]
    cells = [cell for row in ws.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert [[cell.value for cell in row] for row in ws.iter_rows()] == [
        ["name", "value", "=head"], [FORMULA, -2.5, 1], ["\t=1", 3, 2], ["ok", None, 3]]
    assert ws["A2"].quotePrefix and ws["C1"].quotePrefix and not ws["A4"].quotePrefix
    assert ws["B2"].data_type == "n"


def test_hout002_explore_downloads_hold_no_live_formula(eng, app_for):
    client = app_for(eng).server.test_client()
    name, content = download(client, "explore-csv", {**MARCH, "by": "agent"})
    assert name == "pilotage-2025-03-01-2025-03-31-by-agent.csv"
    rows = {r["Agent"]: r for r in csv_table(content)}
    assert set(rows) == {f"'{FORMULA} (A1)", f"{LINK} (A2)", "'@SUM(A1) (A3)", "Total"}
    assert rows[f"'{FORMULA} (A1)"][NPS] == "-100" and rows["Total"][NPS] == "-100"
    assert not live(v for r in rows.values() for v in r.values())

    name, content = download(client, "explore-xlsx", {**MARCH, "by": "agent"})
    ws = load_workbook(io.BytesIO(content))["by agent"]
    cells = [cell for row in ws.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    header = [cell.value for cell in ws[1]]
    by_name = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    assert set(by_name) == {f"{FORMULA} (A1)", f"{LINK} (A2)", "@SUM(A1) (A3)", "Total"}   # as written, as text
    first = by_name[f"{FORMULA} (A1)"]
    assert first[0].data_type == "s" and first[0].quotePrefix
    nps = first[header.index(NPS)]
    assert (nps.value, nps.data_type) == (-100, "n")

    for by, column, expected in (("queue", "Queue", {"'+1", "'-2+3", BOLD_QUEUE}),
                                 ("client", "Client", {"'+33 Client", STYLED})):
        rows = csv_table(download(client, "explore-csv", {**MARCH, "by": by})[1])
        assert expected <= {r[column] for r in rows}
        assert not live(v for r in rows for v in r.values())

    name, content = download(client, "explore-contacts-csv", {**MARCH, "by": "agent"})
    rows = {r["Contact"]: r for r in csv_table(content)}
    assert name.endswith("-contacts.csv") and len(rows) == 10
    assert (rows["p1"]["Queue"], rows["p1"]["Agent"], rows["p1"]["Comment"]) == ("'+1", "'" + FORMULA, "'=1+1 rien à dire")
    assert (rows["p2"]["Queue"], rows["p2"]["Comment"], rows["p2"]["Wait"]) == ("'-2+3", "'-5 stars", "30")
    assert not live(v for r in rows.values() for v in r.values())


def test_hout003_the_committee_workbook_and_the_rejected_rows_use_the_same_writer(eng, app_for, tmp_path):
    from data.jobs import JOBS
    from data.loader import LoadReport, write_rejects

    view = view_of(eng, {"client": STYLED, "month": "2025-03"})
    book = load_workbook(io.BytesIO(review_workbook(cm.review_of(view, STYLED, date(2025, 3, 1)), None)))
    cells = [cell for ws in book for row in ws.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    comment = next(cell for cell in cells if cell.value == "=1+1 rien à dire")
    assert comment.data_type == "s" and comment.quotePrefix            # stays text when someone edits it
    # the rejected rows, downloaded from the import page and written beside a file of the inbox
    reports = [LoadReport(table="contacts", file_name="=HYPERLINK(1).csv", rejected=1,
                          rejects=pd.DataFrame({"line": [2], "reason": ["-2+3 is not a date"]}))]
    job = JOBS.start(lambda _step: reports, 1)
    JOBS.wait()
    client = app_for(eng).server.test_client()
    response = client.post("/_dash-update-component", json={
        "output": "import-rejects-file.data", "outputs": {"id": "import-rejects-file", "property": "data"},
        "inputs": [{"id": "import-rejects", "property": "n_clicks", "value": 1}],
        "state": [{"id": "import-job", "property": "data", "value": {"id": job.id}}],
        "changedPropIds": ["import-rejects.n_clicks"]})
    sent = response.get_json()["response"]["import-rejects-file"]["data"]
    downloaded = base64.b64decode(sent["content"]) if sent.get("base64") else sent["content"].encode()
    write_rejects(tmp_path / "rejects.csv", reports)
    assert downloaded == (tmp_path / "rejects.csv").read_bytes()
    assert list(csv.reader(io.StringIO(downloaded.decode()))) == [
        ["file", "table", "line", "reason"], ["'=HYPERLINK(1).csv", "contacts", "2", "'-2+3 is not a date"]]
    assert committee_xlsx.put_cell is put_cell and loader.inert is inert    # one rule for every file


# ---------------------------------------------------------------- class 6: chart labels

def strings(node):
    """Every text in a figure but its ``customdata``, which a chart never shows (explore keeps a
    member's own id there, for the click that drills down)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key != "customdata":
                yield key
                yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def figure_text(fig) -> str:
    """Every text of a figure as the browser receives it, one a line."""
    return "\n".join(strings(json.loads(pio.to_json(fig, validate=False))))


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_hout010_every_name_reaching_a_figure_is_escaped(eng):
    view = view_of(eng)
    phone = view_of(eng, {**MARCH, "channel": "phone", "day": "2025-03-05"})
    scope = view.scope()
    chat = fc.focus_channel("asa", view)
    assert chat == CHAT                             # 5 answered chats, 4 answered calls
    series, note = ov.comparison_series(view, ov.overview_data(view), "asa")
    campaigns = view_of(eng, {**MARCH, "show": CAMPAIGN})
    contract = {"default": (("service_level", CHAT), ("nps", None))}
    review = cm.review_of(view_of(eng, {"client": STYLED}, contracts=contract), STYLED, date(2025, 3, 1))
    figures = {
        "explore by agent": (ex.bar_figure(ex.explore_table(view, scope, "agent"), "service_level", "agent",
                                           view, scope), [LINK, FORMULA]),
        "explore by queue": (ex.bar_figure(ex.explore_table(view, scope, "queue"), "asa", "queue", view, scope),
                             [BOLD_QUEUE, CHAT]),
        "explore by client": (ex.bar_figure(ex.explore_table(view, scope, "client"), "service_level", "client",
                                            view, scope), [STYLED]),
        "focus trend": (fc.trend_figure(view, "asa", None, chat), [CHAT]),
        "focus breakdown": (fc.breakdown_figure(fc.breakdown(view, "service_level", "agent", Target(80.0)),
                                                "service_level", "agent", view), [LINK]),
        "service heat map": (sv.queue_heatmap(phone, date(2025, 3, 5)), [BOLD_QUEUE]),
        "campaign progress": (cp.progress_figure(campaigns, CAMPAIGN, cp.campaign_table(campaigns)), [CAMPAIGN]),
        "overview comparison": (ov.comparison_figure(series, "asa", "nps", note), [CHAT]),
        "committee history": (cm.history_figures(review)[0], [CHAT]),
    }
    for where, (fig, names) in figures.items():
        text = figure_text(fig)
        raw = [line for line in text.replace("<extra></extra>", "").splitlines() if any(m in line for m in RAW_MARKUP)]
        assert not raw, (where, raw)
        for name in names:
            assert escaped(name) in text, (where, name)


def plot_texts(dash_duo, graph: str) -> set[str]:
    """The texts a chart shows, as the browser reads them (read at once: Plotly redraws)."""
    return set(dash_duo.driver.execute_script(
        f"return [...document.querySelectorAll('#{graph} .main-svg text')].map(t => t.textContent)"))


def live_markup(dash_duo, graph: str) -> list:
    """What Plotly made of markup in a chart's texts: links, and styled runs of text (<b>, <i>,
    <span style> become a tspan with a style)."""
    return dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{graph} .js-plotly-plot a, "
                                                          f"#{graph} .js-plotly-plot tspan[style]")


def shot(dash_duo, graph: str, path: Path) -> None:
    """A screenshot with the chart in view (to look at; nothing is compared)."""
    dash_duo.driver.execute_script(f"document.getElementById('{graph}').scrollIntoView({{block: 'start'}})")
    dash_duo.driver.save_screenshot(str(path))


def test_hout011_names_with_markup_show_as_written_in_the_browser_under_the_policy(dash_duo, eng, app_for,
                                                                                  tmp_path):
    dash_duo.start_server(app_for(eng))
    headers = urllib.request.urlopen(dash_duo.server_url + "/explore").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]    # the policy is on
    dash_duo.driver.set_window_size(1280, 1500)
    dash_duo.wait_for_page(dash_duo.server_url + "/explore?from=2025-03-01&to=2025-03-31&by=agent&kpi=service_level")
    dash_duo.wait_for_element("#explore-bars .ytick")
    dash_duo.wait_for_element("#explore-grid .ag-row")
    # the names as written, not a link (the link's text would read "y (A2)")
    until(lambda: {f"{FORMULA} (A1)", f"{LINK} (A2)", "@SUM(A1) (A3)"} <= plot_texts(dash_duo, "explore-bars"), 10)
    assert not live_markup(dash_duo, "explore-bars")
    shot(dash_duo, "explore-bars", tmp_path / "explore-by-agent.png")
    dash_duo.wait_for_page(dash_duo.server_url + "/service?day=2025-03-05&channel=phone")
    dash_duo.wait_for_element("#service-queues .ytick")
    until(lambda: {BOLD_QUEUE, "+1", "-2+3"} <= plot_texts(dash_duo, "service-queues"), 10)
    assert not live_markup(dash_duo, "service-queues")
    shot(dash_duo, "service-queues", tmp_path / "service.png")
    assert dash_duo.get_logs() == []


# ---------------------------------------------------------------- class 9: HTTP

def inline_scripts(html: str) -> list[str]:
    """The inline scripts a page runs (a JSON block is data, a script in a comment, such as
    Dash's warning to Internet Explorer, is not run)."""
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    return [body for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
            if "src=" not in attrs and "application/json" not in attrs]


def test_hout020_every_answer_carries_the_security_headers(eng, app_for):
    client = app_for(eng).server.test_client()
    page = client.get("/explore")
    answers = {"page": page, "overview": client.get("/"), "sign-in": client.get("/login"),
               "asset": client.get("/assets/pilotage.css"), "dependencies": client.get("/_dash-dependencies"),
               "callback": client.post("/_dash-update-component", json=download_request("explore-csv", MARCH)),
               "missing": client.get("/assets/no-such-file.css")}
    assert [k for k, r in answers.items() if r.status_code != 200] == ["missing"]
    for where, r in answers.items():
        assert r.headers["X-Frame-Options"] == "DENY", where
        assert r.headers["X-Content-Type-Options"] == "nosniff", where
        assert r.headers["Referrer-Policy"] == "same-origin", where
        policy = dict(part.strip().split(" ", 1) for part in r.headers["Content-Security-Policy"].split(";"))
        assert policy["frame-ancestors"] == "'none'" and policy["default-src"] == "'self'", where
        assert policy["object-src"] == "'none'" and policy["base-uri"] == "'self'", where
        assert policy["form-action"] == "'self'" and policy["img-src"] == "'self' data:", where
        assert "unsafe" not in policy["script-src"], where
    # every inline script the page runs (Dash's renderer, the clientside callbacks) is allowed by its hash
    scripts = inline_scripts(page.get_data(as_text=True))
    assert scripts and any("DashRenderer" in s for s in scripts)
    allowed = page.headers["Content-Security-Policy"]
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed


def test_hout021_only_the_servers_own_host_names_are_answered(eng, app_for):
    client = app_for(eng).server.test_client()
    for host in ("localhost", "localhost:8050", "127.0.0.1:8050", "[::1]:8050", "LOCALHOST"):
        assert client.get("/login", base_url=f"http://{host}/").status_code == 200, host
    for host in ("evil.example", "evil.example:8050", "localhost.evil.example", "127.0.0.2"):
        r = client.get("/", base_url=f"http://{host}/")
        assert (r.status_code, r.mimetype) == (400, "text/plain"), host
        assert r.get_data(as_text=True).startswith("Unknown host") and len(r.get_data()) < 200
        assert r.headers["X-Frame-Options"] == "DENY"
    callback = download_request("explore-csv", MARCH)
    assert client.post("/_dash-update-component", json=callback, base_url="http://evil.example/").status_code == 400
    assert client.post("/_dash-update-component", json=callback).status_code == 200

    named = app_for(eng, allowed_hosts=("dash.example", "other.example:8443")).server.test_client()
    assert named.get("/login", base_url="http://dash.example:8050/").status_code == 200
    assert named.get("/login", base_url="https://other.example:8443/").status_code == 200
    assert named.get("/login", base_url="http://other.example:8050/").status_code == 400
    assert named.get("/login", base_url="http://evil.example/").status_code == 400
    assert named.get("/login").status_code == 200          # this machine's own names stay answered
    settings = load_settings({"PILOTAGE_ALLOWED_HOSTS": " dash.example, other.example:8443 ,"})
    assert settings.allowed_hosts == ("dash.example", "other.example:8443")
