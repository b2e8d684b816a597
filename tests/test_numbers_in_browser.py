"""The numbers a director defends, as a person sees them in the browser at 1280 pixels:
pending contacts, comparisons, channels each against their own target, charts and grids that
can be read. The fixture's data run from 1 to 31 March 2025 (a month's last day)."""
from __future__ import annotations

import time

import pytest

# phone calls answered at 10 s (within 20 s) every day of March, each by a customer of its own
# but c10 and c12, whose customers come back 2 days later; e-mails answered after 5 hours
CONTACTS = (
    [dict(contact_id=f"p{d}", arrived_at=f"2025-03-{d:02d} 10:00:00", channel="phone", outcome="answered",
          queue="Q1", agent_id="A1", wait_s=10, talk_s=200, customer_id=f"K{d}") for d in range(1, 32)]
    + [dict(contact_id="r10", arrived_at="2025-03-12 11:00:00", channel="phone", outcome="answered",
            queue="Q1", wait_s=10, talk_s=200, customer_id="K10"),
       dict(contact_id="r12", arrived_at="2025-03-14 11:00:00", channel="phone", outcome="answered",
            queue="Q1", wait_s=10, talk_s=200, customer_id="K12")]
    + [dict(contact_id=f"e{d}", arrived_at=f"2025-03-{d:02d} 08:00:00", channel="email", outcome="answered",
            queue="Q1", wait_s=18000, talk_s=300) for d in (3, 10, 17)]
)


@pytest.fixture
def served(dash_duo, make_db, app_for):
    dash_duo.start_server(app_for(make_db(contacts=CONTACTS)))
    dash_duo.driver.set_window_size(1280, 1000)
    return dash_duo


def fits(dash_duo, grid: str) -> bool:
    """Whether a grid shows all its columns without scrolling sideways, once laid out."""
    script = (f"const v = document.querySelector('#{grid} .ag-center-cols-viewport');"
              "return [v.scrollWidth, v.clientWidth];")
    end = time.monotonic() + 5
    while True:
        scroll, width = dash_duo.driver.execute_script(script)
        if scroll <= width + 1 or time.monotonic() > end:
            return scroll <= width + 1
        time.sleep(0.2)


def test_nib001_the_overview_of_the_last_full_month(served):
    served.wait_for_page(served.server_url + "/")
    # the data end on 31 March: March is the last full month, and the default period
    served.wait_for_text_to_equal("#period-preset", "Last full month")
    # FCR: mature contacts arrived before 1 April - 7 days = 25 March: p1..p24, r10, r12 (26);
    # not resolved: p10 and p12 (their customers came back after 2 days) -> 24 / 26 = 92.3 %
    served.wait_for_text_to_equal("#value-fcr", "92.3 %")
    # pending: p25..p31 (7 contacts)
    served.wait_for_text_to_equal("#note-fcr", "7 contacts from 25/03/2025 pending: each counts once its 7-day "
                                               "window has passed")
    # waits per channel, each against its own target: phone 10 s (30 s), e-mail 5 h (a day)
    served.wait_for_text_to_equal("#value-asa-phone", "10 s")
    served.wait_for_text_to_equal("#value-asa-email", "5 h")
    table = served.find_element("#overview-per-channel").text
    assert "target 30 s" in table and "target 1 d" in table and "All channels, mixed" in table
    assert not served.driver.find_elements("css selector", "#value-asa")   # no mixed headline
    # February is not in the data: no comparison with it, and none with last year
    assert "– vs Feb 2025" in served.find_element("#card-fcr").text
    assert "– vs last year (not in the data)" in served.find_element("#card-fcr").text
    assert served.get_logs() == []


def test_nib002_a_period_of_pending_contacts_says_pending(served):
    served.wait_for_page(served.server_url + "/?from=2025-03-25&to=2025-03-31")
    served.wait_for_text_to_equal("#value-fcr", "pending")
    served.wait_for_page(served.server_url + "/focus?kpi=fcr&from=2025-03-25&to=2025-03-31")
    served.wait_for_text_to_equal("#focus-value", "pending")
    assert "7 contacts from 25/03/2025 pending" in served.find_element("#focus-note").text
    assert served.get_logs() == []


def test_nib003_trend_lines_in_front_with_round_ticks_and_grids_that_fit(served):
    served.wait_for_page(served.server_url + "/")
    served.wait_for_element("#overview-trend-delivered .main-svg")
    layout = served.driver.execute_script("""
        const g = document.getElementById('overview-trend-delivered').querySelector('.js-plotly-plot');
        return {axes: [g._fullLayout.yaxis.side, g._fullLayout.yaxis2.side, g._fullLayout.yaxis2.tickmode],
                traces: g._fullData.map(t => [t.type, t.yaxis]),
                legend: g._fullLayout.legend.y, plotTop: g._fullLayout.yaxis.domain[1]};""")
    # the volume bars on the first (right) axis, drawn first; the rates on the second, over them
    assert layout["axes"] == ["right", "left", "auto"]
    assert layout["traces"][0] == ["bar", "y"] and all(t == ["scatter", "y2"] for t in layout["traces"][1:])
    assert layout["legend"] >= layout["plotTop"]                      # the legend above the plot
    served.wait_for_page(served.server_url + "/explore?by=channel")
    served.wait_for_element("#explore-grid .ag-row")
    assert fits(served, "explore-grid")
    served.wait_for_page(served.server_url + "/explore?by=channel&path=channel%3Aphone%7Cqueue%3AQ1%7Cagent%3AA1")
    served.wait_for_element("#explore-contact-grid .ag-row")
    assert fits(served, "explore-contact-grid")
    heads = served.find_element("#explore-contact-grid .ag-header").text
    for column in ("Wait", "Handle time", "NPS", "CSAT", "Comment"):
        assert column in heads
    assert served.get_logs() == []


def test_nib004_explore_by_queue_shows_waits_per_channel(served):
    served.wait_for_page(served.server_url + "/explore?by=queue")
    row = served.wait_for_element("#explore-grid .ag-center-cols-container .ag-row[row-id='Q1']")
    served.wait_for_contains_text("#explore-grid .ag-header", "Average speed of answer")
    assert "10 s ✓" in row.text and "5 h ✓" in row.text            # each against its own target
    total = served.find_element("#explore-grid .ag-floating-bottom").text
    assert "10 s ✓" in total and "5 h ✓" in total                   # the total too, channel by channel
    assert served.get_logs() == []
