"""Every KPI of KPIS.md on small hand-written extracts, the expected values worked out by hand.

The fixtures are loaded through the real canonical loader (``make_db``). The expected numbers
come from the formulas of /work/shared/KPIS.md, never from the code under test; the comment
next to each assertion shows the arithmetic. Default settings: thresholds phone 20 s, chat 60 s,
social 3600 s, email 86400 s, mail 432000 s, other 20 s; short abandon wait_s < 5; abandon mode
negative; repeat window 168 h.
"""
from __future__ import annotations

import pytest

from data.db import scalar
from metrics.query import Scope, compute, values
from settings import KpiSettings

pytestmark = pytest.mark.engines       # every fixture read on DuckDB and on Spark SQL
MARCH = ("2025-03-01", "2025-03-31")


# ---------------------------------------------------------------- builders

def contact(cid, at, outcome="answered", channel="phone", **cells) -> dict:
    """An inbound contact (unless ``direction`` is given) as canonical CSV cells."""
    return dict(contact_id=cid, arrived_at=at, channel=channel, outcome=outcome, **cells)


def outbound(cid, at, outcome="reached", channel="phone", **cells) -> dict:
    return contact(cid, at, outcome, channel, direction="outbound", **cells)


def survey(rid, at, **cells) -> dict:
    return dict(response_id=rid, responded_at=at, **cells)


def build(make_db, contacts=(), surveys=(), agents=()):
    """A database holding exactly these rows (checked: no row was silently rejected)."""
    eng = make_db(contacts=list(contacts), surveys=list(surveys), agents=list(agents))
    with eng.connect() as conn:
        assert scalar(conn, "SELECT count(*) FROM contacts") == len(contacts)
        assert scalar(conn, "SELECT count(*) FROM surveys") == len(surveys)
    return eng


def kpis(eng, ids, period=MARCH, settings=None, **filters) -> dict:
    """The KPIs of one scope as plain Python values."""
    frame = compute(eng, Scope.of(*period, **filters), kpis=list(ids),
                    settings=settings or KpiSettings())
    assert len(frame) == 1
    return values(frame.iloc[0])


def grouped(eng, ids, by, period=MARCH, settings=None, **filters) -> dict:
    """{group value: {kpi: value}} for a grouping."""
    frame = compute(eng, Scope.of(*period, **filters), kpis=list(ids), by=by,
                    settings=settings or KpiSettings())
    out = {}
    for _, row in frame.iterrows():
        row = values(row)
        out[row.pop("group")] = row
    return out


def approx(x):
    return pytest.approx(x, rel=1e-9, abs=1e-9)


# ---------------------------------------------------------------- fixtures

# Delivered quality, all inbound, all in March. Handle time = talk + hold + acw (missing = 0).
DELIVERY = [
    # phone, threshold 20 s
    contact("p1", "2025-03-03 09:00:00", wait_s=0, talk_s=100, hold_s=20, acw_s=30),   # ht 150, met
    contact("p2", "2025-03-03 10:00:00", wait_s=20, talk_s=200, acw_s=40),             # ht 240, met (= threshold)
    contact("p3", "2025-03-03 11:00:00", wait_s=21, talk_s=50, transferred="yes"),     # ht 50, not met
    contact("p4", "2025-03-03 12:00:00", "abandoned", wait_s=4),                       # short abandon
    contact("p5", "2025-03-04 09:00:00", "abandoned", wait_s=5),                       # NOT short, within 20
    contact("p6", "2025-03-04 10:00:00", "abandoned", wait_s=45, transferred="yes"),   # long abandon, beyond 20
    contact("p7", "2025-03-04 11:00:00", "self_service"),                              # not offered
    # chat, threshold 60 s
    contact("h1", "2025-03-04 12:00:00", channel="chat", wait_s=60, talk_s=300, hold_s=0, acw_s=60,
            escalated="1"),                                                            # ht 360, met (= threshold)
    contact("h2", "2025-03-04 13:00:00", channel="chat", wait_s=61, talk_s=120, transferred="1",
            escalated="true"),                                                         # ht 120, not met
    contact("h3", "2025-03-04 14:00:00", "abandoned", channel="chat", wait_s=2),       # short abandon
]
# offered = answered p1 p2 p3 h1 h2 (5) + abandoned p4 p5 p6 h3 (4) = 9
# short abandons p4, h3 -> net offered = 9 - 2 = 7; long abandons p5, p6
# SL met (default thresholds) p1, p2, h1 = 3

# Outbound and commercial.
COMMERCIAL = [
    outbound("o1", "2025-03-05 09:00:00", wait_s=40, talk_s=90, acw_s=30, sale="1", revenue=100,
             campaign="K1"),                                                           # ht 120, sale 100
    outbound("o2", "2025-03-05 09:10:00", "not_reached", sale="1", revenue=999),      # not handled
    outbound("o3", "2025-03-05 09:20:00", talk_s=60, sale="0"),                       # ht 60
    outbound("o4", "2025-03-05 09:30:00", "not_reached"),
    contact("i1", "2025-03-05 10:00:00", wait_s=10, talk_s=200, hold_s=10, sale="yes",
            revenue=50.5),                                                             # ht 210, sale 50.5
    contact("i2", "2025-03-05 10:10:00", wait_s=20, talk_s=100),                      # ht 100
    contact("i3", "2025-03-05 10:20:00", "abandoned", wait_s=30, sale="1", revenue=500),  # not handled
]

# FCR / repeat. Window 7 days = 168 h. Customers A..F; n1 n2 have no customer. Two
# self-service contacts without a customer set the data's span (10 February to 12 April), so
# every March contact is mature: FCR counts contacts before 13 April - 7 days = 6 April,
# repeats those from 10 February + 7 days = 17 February (the maturity rule is tested below).
FCR = [
    contact("m0", "2025-02-10 08:00:00", "self_service"),
    contact("m9", "2025-04-12 08:00:00", "self_service"),
    # A: chat abandon exactly 7 days after a1 -> a1 not resolved; a2 is a repeat
    contact("a1", "2025-03-10 10:00:00", customer_id="A"),
    contact("a2", "2025-03-17 10:00:00", "abandoned", channel="chat", wait_s=30, customer_id="A"),
    # B: next contact 7 days + 1 s later -> b1 resolved; b2 not a repeat
    contact("b1", "2025-03-10 10:00:00", customer_id="B"),
    contact("b2", "2025-03-17 10:00:01", customer_id="B"),
    # C: follow-up after the period, by e-mail, closed in self-service -> c1 not resolved
    contact("c1", "2025-03-30 12:00:00", customer_id="C"),
    contact("c2", "2025-04-02 09:00:00", "self_service", channel="email", customer_id="C"),
    # D: d0 before the period, d1 4 days later -> d1 is a repeat; d1 resolved
    contact("d0", "2025-02-26 09:00:00", customer_id="D"),
    contact("d1", "2025-03-02 09:00:00", customer_id="D"),
    # E: an outbound call after e1 is not a follow-up -> e1 resolved
    contact("e1", "2025-03-05 09:00:00", customer_id="E"),
    outbound("e9", "2025-03-06 09:00:00", customer_id="E"),
    # F: an outbound call before f1 does not make f1 a repeat; f1 resolved
    outbound("f9", "2025-03-20 09:00:00", customer_id="F"),
    contact("f1", "2025-03-21 09:00:00", customer_id="F"),
    # no customer: left out of both (and not follow-ups of each other)
    contact("n1", "2025-03-12 10:00:00"),
    contact("n2", "2025-03-12 10:05:00"),
]

AGENTS = [
    dict(agent_id="A1", agent_name="Ann", team="T1"),
    dict(agent_id="A2", agent_name="Bob", team="T2"),
]

# Surveys: contacts they are linked to, then the answers.
SURVEYED_CONTACTS = [
    contact("k0", "2025-02-27 09:00:00", queue="Q1", client="CL1", agent_id="A2"),   # before March
    contact("k1", "2025-03-03 09:00:00", queue="Q1", client="CL1", agent_id="A1"),
    contact("k2", "2025-03-04 09:00:00", channel="chat", queue="Q2", client="CL1", agent_id="A2"),
    contact("k3", "2025-03-31 18:00:00", queue="Q1", client="CL2", agent_id="A2"),
    contact("k4", "2025-03-05 09:00:00", "abandoned", queue="Q1", client="CL1", wait_s=30),
    outbound("k5", "2025-03-06 09:00:00", client="CL1", agent_id="A1"),
]
SURVEYS = [
    # linked to k1 (client CL1): its own client cell must be ignored
    survey("r1", "2025-03-03 10:00:00", contact_id="k1", client="CL2", nps=10, csat=5, ces=7,
           resolved="yes"),
    # linked to a chat contact: its own channel cell must be ignored
    survey("r2", "2025-03-05 10:00:00", contact_id="k2", channel="phone", nps=8, csat=4, ces=5,
           resolved="no"),
    survey("r3", "2025-04-01 08:00:00", contact_id="k3", nps=0, csat=1),             # after March
    survey("r4", "2025-03-02 10:00:00", contact_id="k0", nps=6, csat=3, ces=2),      # contact in Feb
    survey("r5", "2025-03-10 10:00:00", channel="phone", client="CL1", nps=9, csat=2,
           resolved="oui"),                                                          # cold
    survey("r6", "2025-03-11 10:00:00", channel="email", client="CL2", ces=4,
           resolved="non"),                                                          # cold
    survey("r7", "2025-03-20 10:00:00", contact_id="k1", nps=9, csat=4, ces=6, resolved="y"),
]
# March surveys (by responded_at): r1 r2 r4 r5 r6 r7 (r3 is in April)


# ---------------------------------------------------------------- delivered quality

def test_kpi001_delivered_quality_on_one_fixture(make_db):
    eng = build(make_db, DELIVERY)
    got = kpis(eng, ["offered", "handled", "answer_rate", "service_level", "asa", "aht",
                     "abandon_rate", "transfer_rate", "escalation_rate", "self_service_rate"])
    assert got["offered"] == 9                             # 5 answered + 4 abandoned
    assert got["handled"] == 5                             # 5 inbound answered, no outbound
    assert got["answer_rate"] == approx(100 * 5 / 7)       # 71.43: 5 answered / 7 net offered
    assert got["service_level"] == approx(100 * 3 / 7)     # 42.86: p1 p2 h1 met / 7
    assert got["asa"] == approx(162 / 5)                   # 32.4: (0+20+21+60+61) / 5
    assert got["aht"] == approx(920 / 5)                   # 184: (150+240+50+360+120) / 5
    assert got["abandon_rate"] == approx(100 * 2 / 7)      # 28.57: p5, p6 / 7
    assert got["transfer_rate"] == approx(100 * 2 / 5)     # 40: p3, h2 (p6 is not handled) / 5
    assert got["escalation_rate"] == approx(100 * 2 / 5)   # 40: h1, h2 / 5
    assert got["self_service_rate"] == approx(100 * 1 / 10)  # 10: p7 / 10 inbound


def test_kpi002_counts_are_ints_and_ratios_floats(make_db):
    eng = build(make_db, DELIVERY)
    got = kpis(eng, ["offered", "handled", "attempts", "responses", "answer_rate"])
    for k in ("offered", "handled", "attempts", "responses"):
        assert type(got[k]) is int, k
    assert (got["attempts"], got["responses"]) == (0, 0)
    assert isinstance(got["answer_rate"], float)


def test_kpi003_short_abandon_is_below_five_seconds_and_five_is_not_short(make_db):
    eng = build(make_db, [
        contact("x1", "2025-03-03 09:00:00", wait_s=10),
        contact("x2", "2025-03-03 09:01:00", "abandoned", wait_s=4.9),   # short
        contact("x3", "2025-03-03 09:02:00", "abandoned", wait_s=5),     # not short
        contact("x4", "2025-03-03 09:03:00", "abandoned", wait_s=0),     # short
    ])
    got = kpis(eng, ["offered", "answer_rate", "abandon_rate", "service_level"])
    assert got["offered"] == 4                          # offered still counts short abandons
    assert got["answer_rate"] == approx(100 * 1 / 2)    # net offered = 4 - 2 short = 2; 1 / 2
    assert got["abandon_rate"] == approx(100 * 1 / 2)   # x3 / 2
    assert got["service_level"] == approx(100 * 1 / 2)  # x1 (10 <= 20) / 2


def test_kpi004_short_abandon_threshold_is_a_setting(make_db):
    eng = build(make_db, DELIVERY)
    got = kpis(eng, ["offered", "answer_rate", "abandon_rate", "service_level"],
               settings=KpiSettings(short_abandon_s=10))
    # short now: p4 (4), p5 (5), h3 (2) -> net offered = 9 - 3 = 6
    assert got["offered"] == 9
    assert got["answer_rate"] == approx(100 * 5 / 6)    # 83.33
    assert got["abandon_rate"] == approx(100 * 1 / 6)   # p6 only: 16.67
    assert got["service_level"] == approx(100 * 3 / 6)  # 50


def test_kpi005_service_level_boundary_and_per_channel_default_thresholds(make_db):
    rows = []
    for ch, th in (("phone", 20), ("chat", 60), ("social", 3600), ("email", 86400),
                   ("mail", 432000), ("sms", 20), ("video", 20)):   # sms, video: "any other" 20 s
        rows.append(contact(f"{ch}-at", "2025-03-03 09:00:00", channel=ch, wait_s=th))       # met
        rows.append(contact(f"{ch}-over", "2025-03-03 09:00:00", channel=ch, wait_s=th + 1))  # not met
    eng = build(make_db, rows)
    by_channel = grouped(eng, ["service_level", "offered"], "channel")
    assert set(by_channel) == {"phone", "chat", "social", "email", "mail", "sms", "video"}
    for ch, got in by_channel.items():
        assert got["offered"] == 2
        assert got["service_level"] == approx(50.0), ch   # 1 met (wait = threshold) / 2
    assert kpis(eng, ["service_level"])["service_level"] == approx(100 * 7 / 14)


def test_kpi006_three_abandon_modes_on_one_fixture(make_db):
    eng = build(make_db, DELIVERY)

    def sl(mode):
        return kpis(eng, ["service_level"], settings=KpiSettings(abandon_mode=mode))["service_level"]
    # negative: met p1 p2 h1 = 3, denominator net offered 7 (p5, p6 count, never met)
    assert sl("negative") == approx(100 * 3 / 7)     # 42.86
    # ignored: p5 (long abandon, 5 <= 20) leaves the denominator: 3 / 6
    assert sl("ignored") == approx(100 * 3 / 6)      # 50.0
    # positive: p5 counts as met (p6 waited 45 > 20, not met; short ones are not in net offered)
    assert sl("positive") == approx(100 * 4 / 7)     # 57.14


def test_kpi007_non_default_thresholds_via_settings(make_db):
    eng = build(make_db, DELIVERY + [
        contact("s1", "2025-03-04 15:00:00", channel="sms", wait_s=25),
    ])
    settings = KpiSettings(sl_thresholds={"phone": 25, "chat": 60}, sl_default_threshold=30)
    got = kpis(eng, ["service_level"], settings=settings)
    # net offered 7 + s1 = 8; met: p1 p2 p3 (<= 25), h1 (60 <= 60), s1 (25 <= default 30) = 5
    assert got["service_level"] == approx(100 * 5 / 8)   # 62.5
    # default settings: p1 p2 h1 met, s1 (sms: any other channel, 20 s) 25 > 20 not met
    assert kpis(eng, ["service_level"])["service_level"] == approx(100 * 3 / 8)
    got = kpis(eng, ["service_level"], settings=KpiSettings(sl_thresholds={"phone": 21, "chat": 61},
                                                           sl_default_threshold=25))
    # met: p1 p2 p3 (21 <= 21), h1 h2 (61 <= 61), s1 (25 <= 25) = 6 / 8
    assert got["service_level"] == approx(100 * 6 / 8)


def test_kpi008_asa_only_over_answered_inbound(make_db):
    eng = build(make_db, COMMERCIAL)
    got = kpis(eng, ["asa"])
    # i1 10, i2 20; not i3 (abandoned, 30) nor o1 (outbound, 40)
    assert got["asa"] == approx((10 + 20) / 2)   # 15


def test_kpi009_aht_missing_parts_count_as_zero(make_db):
    eng = build(make_db, [
        contact("m1", "2025-03-03 09:00:00", wait_s=1, talk_s=100),            # 100 + 0 + 0
        contact("m2", "2025-03-03 09:01:00", wait_s=1),                        # no part known: 0
        contact("m3", "2025-03-03 09:02:00", wait_s=1, hold_s=30, acw_s=20),   # 0 + 30 + 20
        contact("m4", "2025-03-03 09:03:00", "abandoned", wait_s=60, talk_s=500),  # not handled
    ])
    got = kpis(eng, ["aht", "handled"])
    assert got["handled"] == 3
    assert got["aht"] == approx((100 + 0 + 50) / 3)   # 50


def test_kpi010_aht_and_handled_include_outbound_reached(make_db):
    eng = build(make_db, COMMERCIAL)
    got = kpis(eng, ["handled", "aht", "transfer_rate", "offered", "answer_rate"])
    assert got["handled"] == 4                        # i1 i2 (answered) + o1 o3 (reached)
    assert got["aht"] == approx((120 + 60 + 210 + 100) / 4)   # 122.5
    assert got["transfer_rate"] == approx(0.0)        # none transferred / 4
    assert got["offered"] == 3                        # i1 i2 i3
    assert got["answer_rate"] == approx(100 * 2 / 3)  # 66.67, outbound not counted


def test_kpi011_outbound_attempts_reach_conversion_revenue(make_db):
    eng = build(make_db, COMMERCIAL)
    got = kpis(eng, ["attempts", "reach_rate", "conversion_rate", "revenue_per_sale"])
    assert got["attempts"] == 4                                 # o1..o4
    assert got["reach_rate"] == approx(100 * 2 / 4)             # o1, o3 reached: 50
    # handled o1 o3 i1 i2; with sale o1 i1 (o2 and i3 are not handled)
    assert got["conversion_rate"] == approx(100 * 2 / 4)        # 50
    assert got["revenue_per_sale"] == approx((100 + 50.5) / 2)  # 75.25


def test_kpi012_commercial_kpis_per_campaign(make_db):
    eng = build(make_db, COMMERCIAL)
    got = kpis(eng, ["attempts", "reach_rate", "conversion_rate", "revenue_per_sale"],
               campaign=["K1"])
    assert got["attempts"] == 1                        # o1 only
    assert got["reach_rate"] == approx(100.0)
    assert got["conversion_rate"] == approx(100.0)     # 1 sale / 1 handled
    assert got["revenue_per_sale"] == approx(100.0)


def test_kpi013_zero_denominators_give_none_only_outbound(make_db):
    eng = build(make_db, COMMERCIAL)
    got = kpis(eng, ["offered", "answer_rate", "service_level", "asa", "abandon_rate", "fcr",
                     "repeat_rate", "self_service_rate", "handled", "aht", "nps", "responses"],
               period=("2025-03-05", "2025-03-05"), campaign=["K1"])
    # only o1 in scope: no inbound at all
    assert got["offered"] == 0
    for k in ("answer_rate", "service_level", "asa", "abandon_rate", "fcr", "repeat_rate",
              "self_service_rate", "nps"):
        assert got[k] is None, k
    assert got["handled"] == 1 and got["aht"] == approx(120.0)
    assert got["responses"] == 0


def test_kpi014_zero_denominators_give_none_no_surveys_no_outbound_no_sale(make_db):
    eng = build(make_db, [contact("z1", "2025-03-03 09:00:00", wait_s=3, talk_s=10, sale="0")])
    got = kpis(eng, ["responses", "nps", "csat", "ces", "perceived_resolution", "response_rate",
                     "attempts", "reach_rate", "conversion_rate", "revenue_per_sale"])
    assert got["responses"] == 0 and got["attempts"] == 0
    for k in ("nps", "csat", "ces", "perceived_resolution", "reach_rate", "revenue_per_sale"):
        assert got[k] is None, k
    assert got["response_rate"] == approx(0.0)    # 0 surveyed / 1 handled: a value, 0
    assert got["conversion_rate"] == approx(0.0)  # 0 sales / 1 handled


def test_kpi015_empty_scope_has_zero_counts_and_no_ratios(make_db):
    eng = build(make_db, SURVEYED_CONTACTS + COMMERCIAL, SURVEYS, AGENTS)
    got = kpis(eng, ["offered", "handled", "attempts", "responses", "answer_rate", "aht",
                     "conversion_rate", "response_rate", "transfer_rate", "escalation_rate"],
               period=("2025-06-01", "2025-06-30"))
    assert (got["offered"], got["handled"], got["attempts"], got["responses"]) == (0, 0, 0, 0)
    for k in ("answer_rate", "aht", "conversion_rate", "response_rate", "transfer_rate",
              "escalation_rate"):
        assert got[k] is None, k


def test_kpi016_period_is_inclusive_of_both_end_dates(make_db):
    eng = build(make_db, [
        contact("t0", "2025-02-28 23:59:59"),   # out
        contact("t1", "2025-03-01 00:00:00"),   # in
        contact("t2", "2025-03-31 23:59:59"),   # in
        contact("t3", "2025-04-01 00:00:00"),   # out
    ])
    assert kpis(eng, ["offered"])["offered"] == 2
    assert kpis(eng, ["offered"], period=("2025-03-31", "2025-03-31"))["offered"] == 1


# ---------------------------------------------------------------- FCR and repeat

def test_kpi017_fcr_and_repeat_over_the_month(make_db):
    eng = build(make_db, FCR)
    got = kpis(eng, ["fcr", "repeat_rate"])
    # fcr: handled inbound with a customer in March: a1 b1 b2 c1 d1 e1 f1 = 7 (a2 abandoned,
    #      c2 in April, d0 in February, n1 n2 no customer)
    #      not resolved: a1 (a2 at exactly 7 days), c1 (c2 after the period) -> 5 / 7
    assert got["fcr"] == approx(100 * 5 / 7)          # 71.43
    # repeat: inbound with a customer in March: a1 a2 b1 b2 c1 d1 e1 f1 = 8
    #      repeats: a2 (7 days after a1), d1 (4 days after d0, before the period) -> 2 / 8
    assert got["repeat_rate"] == approx(100 * 2 / 8)  # 25


def test_kpi018_fcr_follow_up_outside_the_period_still_counts(make_db):
    eng = build(make_db, FCR)
    # 10 March only: a1, b1 handled; a1 followed by a2 (17 March, outside) -> 1 / 2
    assert kpis(eng, ["fcr"], period=("2025-03-10", "2025-03-10"))["fcr"] == approx(50.0)
    # 30-31 March: c1 only, followed on 2 April by a self-service e-mail -> 0 / 1
    assert kpis(eng, ["fcr"], period=("2025-03-30", "2025-03-31"))["fcr"] == approx(0.0)


def test_kpi019_repeat_preceded_before_the_period_still_counts(make_db):
    eng = build(make_db, FCR)
    # 17 March only: a2 (preceded by a1 on 10 March, exactly 7 days) and b2 (7 days + 1 s)
    assert kpis(eng, ["repeat_rate"], period=("2025-03-17", "2025-03-17"))["repeat_rate"] == \
        approx(100 * 1 / 2)
    # 2 March only: d1, preceded by d0 on 26 February
    assert kpis(eng, ["repeat_rate"], period=("2025-03-02", "2025-03-02"))["repeat_rate"] == \
        approx(100.0)


def test_kpi020_channel_filter_does_not_hide_follow_ups_in_other_channels(make_db):
    eng = build(make_db, FCR)
    got = kpis(eng, ["fcr", "repeat_rate"], channel=["phone"])
    # phone handled with customer: a1 b1 b2 c1 d1 e1 f1 = 7; a1 still followed by the chat a2,
    # c1 by the e-mail c2 -> 5 / 7
    assert got["fcr"] == approx(100 * 5 / 7)
    # phone inbound with customer: the same 7; repeats: d1 only (a2 is chat, out of scope) -> 1 / 7
    assert got["repeat_rate"] == approx(100 * 1 / 7)
    # chat only: a2 (abandoned, not handled) -> no fcr value; a2 is a repeat of the phone a1
    got = kpis(eng, ["fcr", "repeat_rate"], channel=["chat"])
    assert got["fcr"] is None
    assert got["repeat_rate"] == approx(100.0)


def test_kpi021_contacts_without_customer_are_left_out(make_db):
    eng = build(make_db, FCR)
    # 12 March: only n1 and n2, both without a customer -> both denominators are 0
    got = kpis(eng, ["fcr", "repeat_rate", "handled"], period=("2025-03-12", "2025-03-12"))
    assert got["handled"] == 2
    assert got["fcr"] is None and got["repeat_rate"] is None


def test_kpi022_outbound_contacts_are_not_follow_ups(make_db):
    eng = build(make_db, FCR)
    # 5-6 March: e1 (inbound) and e9 (outbound, next day) -> e1 resolved, 1 / 1
    got = kpis(eng, ["fcr", "repeat_rate"], period=("2025-03-05", "2025-03-06"))
    assert got["fcr"] == approx(100.0)
    assert got["repeat_rate"] == approx(0.0)          # e1 not preceded; e9 is not inbound
    # 20-21 March: f9 (outbound) then f1 -> f1 is not a repeat, and is resolved
    got = kpis(eng, ["fcr", "repeat_rate"], period=("2025-03-20", "2025-03-21"))
    assert got["repeat_rate"] == approx(0.0)
    assert got["fcr"] == approx(100.0)


def test_kpi023_repeat_window_is_a_setting(make_db):
    eng = build(make_db, FCR)
    got = kpis(eng, ["fcr", "repeat_rate"], settings=KpiSettings(repeat_window_h=72))
    # window 72 h: a1 -> a2 is 168 h (outside): a1 resolved; c1 -> c2 is 2 d 21 h = 69 h (inside):
    # c1 not resolved -> 6 / 7
    assert got["fcr"] == approx(100 * 6 / 7)
    # d0 -> d1 is 4 days = 96 h > 72 h, a2 168 h > 72 h: no repeats -> 0 / 8
    assert got["repeat_rate"] == approx(0.0)


# ---------------------------------------------------------------- surveys

def test_kpi024_survey_kpis_over_the_month(make_db):
    eng = build(make_db, SURVEYED_CONTACTS, SURVEYS, AGENTS)
    got = kpis(eng, ["responses", "nps", "csat", "ces", "perceived_resolution"])
    assert got["responses"] == 6                                # r1 r2 r4 r5 r6 r7
    # nps answers: r1 10 (P), r2 8 (passive), r4 6 (D), r5 9 (P), r7 9 (P) -> 100*(3-1)/5
    assert got["nps"] == approx(40.0)
    # csat answers: r1 5, r2 4, r4 3, r5 2, r7 4 -> top-2-box 3 / 5
    assert got["csat"] == approx(60.0)
    # ces answers: r1 7, r2 5, r4 2, r6 4, r7 6 -> 24 / 5
    assert got["ces"] == approx(4.8)
    # resolved known: r1 yes, r2 no, r5 yes, r6 no, r7 yes (r4 unknown) -> 3 / 5
    assert got["perceived_resolution"] == approx(60.0)


def test_kpi025_surveys_selected_by_responded_at(make_db):
    eng = build(make_db, SURVEYED_CONTACTS, SURVEYS, AGENTS)
    got = kpis(eng, ["responses", "nps", "csat", "ces"], period=("2025-04-01", "2025-04-30"))
    # only r3 (its contact k3 arrived on 31 March): nps 0 -> 100*(0-1)/1; csat 1 -> 0/1
    assert got["responses"] == 1
    assert got["nps"] == approx(-100.0)
    assert got["csat"] == approx(0.0)
    assert got["ces"] is None                               # no ces answer


def test_kpi026_response_rate_counts_surveys_answered_at_any_time(make_db):
    eng = build(make_db, SURVEYED_CONTACTS, SURVEYS, AGENTS)
    got = kpis(eng, ["response_rate", "handled"])
    # handled in March: k1 k2 k3 (answered) + k5 (outbound reached) = 4 (k4 abandoned, k0 Feb)
    # with a linked survey: k1 (r1, r7: once), k2 (r2), k3 (r3, answered in April) -> 3 / 4
    assert got["handled"] == 4
    assert got["response_rate"] == approx(75.0)


def test_kpi027_linked_surveys_follow_the_contact_queue_cold_ones_are_left_out(make_db):
    eng = build(make_db, SURVEYED_CONTACTS, SURVEYS, AGENTS)
    got = kpis(eng, ["responses", "nps", "csat", "ces", "perceived_resolution", "response_rate"],
               queue=["Q1"])
    # linked to a Q1 contact, answered in March: r1 (k1), r4 (k0), r7 (k1); cold r5 r6 have no queue
    assert got["responses"] == 3
    assert got["nps"] == approx(100 * (2 - 1) / 3)     # 10 P, 6 D, 9 P: 33.33
    assert got["csat"] == approx(100 * 2 / 3)          # 5, 3, 4: 66.67
    assert got["ces"] == approx((7 + 2 + 6) / 3)       # 5.0
    assert got["perceived_resolution"] == approx(100.0)  # r1 yes, r7 yes (r4 unknown)
    # handled Q1 contacts in March: k1, k3 (k4 abandoned); both surveyed -> 2 / 2
    assert got["response_rate"] == approx(100.0)


def test_kpi028_team_filter_on_surveys_and_contacts(make_db):
    eng = build(make_db, SURVEYED_CONTACTS, SURVEYS, AGENTS)
    t1 = kpis(eng, ["responses", "nps", "csat", "ces", "handled", "response_rate"], team=["T1"])
    # T1 = agent A1: contacts k1, k5; surveys r1, r7 (cold r5, r6 have no team)
    assert t1["responses"] == 2
    assert t1["nps"] == approx(100.0)                  # 10, 9: 100*(2-0)/2
    assert t1["csat"] == approx(100.0)                 # 5, 4
    assert t1["ces"] == approx((7 + 6) / 2)            # 6.5
    assert t1["handled"] == 2                          # k1, k5
    assert t1["response_rate"] == approx(50.0)         # k1 surveyed, k5 not
    t2 = kpis(eng, ["responses", "nps", "perceived_resolution", "response_rate"], team=["T2"])
    # T2 = agent A2: k0 (Feb), k2, k3; March surveys r2 (k2), r4 (k0)
    assert t2["responses"] == 2
    assert t2["nps"] == approx(-50.0)                  # 8 passive, 6 D: 100*(0-1)/2
    assert t2["perceived_resolution"] == approx(0.0)   # r2 no; r4 unknown -> 0 / 1
    assert t2["response_rate"] == approx(100.0)        # handled k2, k3; both surveyed


def test_kpi029_cold_surveys_selected_by_their_own_channel_and_client(make_db):
    eng = build(make_db, SURVEYED_CONTACTS, SURVEYS, AGENTS)
    got = kpis(eng, ["responses", "nps", "csat"], channel=["phone"])
    # linked to phone contacts: r1, r4, r7 (r2 is linked to the chat k2 despite its own
    # 'phone' cell); cold r5 channel phone -> 4 answers
    assert got["responses"] == 4
    assert got["nps"] == approx(100 * (3 - 1) / 4)     # 10 P, 6 D, 9 P, 9 P: 50
    assert got["csat"] == approx(100 * 2 / 4)          # 5, 3, 4, 2: 50
    got = kpis(eng, ["responses", "nps", "csat", "ces", "perceived_resolution"], client=["CL2"])
    # CL2: k3's r3 is in April; cold r6 (CL2) -> 1 answer with only ces 4 and resolved no
    assert got["responses"] == 1
    assert got["nps"] is None and got["csat"] is None
    assert got["ces"] == approx(4.0)
    assert got["perceived_resolution"] == approx(0.0)
    got = kpis(eng, ["responses"], channel=["chat"])
    assert got["responses"] == 1                       # r2 only, through its contact k2
    got = kpis(eng, ["responses", "nps"], client=["CL1"])
    # CL1 through the contact: r1 r7 (k1; r1's own 'CL2' ignored), r2 (k2), r4 (k0); cold r5
    assert got["responses"] == 5
    assert got["nps"] == approx(100 * (3 - 1) / 5)     # 10 P, 9 P, 8, 6 D, 9 P: 40


def test_kpi030_several_values_for_one_filter(make_db):
    eng = build(make_db, DELIVERY + [
        contact("e1", "2025-03-04 15:00:00", channel="email", wait_s=100000),
        contact("e2", "2025-03-04 16:00:00", channel="email", wait_s=10),
    ])
    got = kpis(eng, ["offered", "answer_rate", "service_level"], channel=["phone", "chat"])
    # the e-mails are out: same as the DELIVERY totals
    assert got["offered"] == 9
    assert got["answer_rate"] == approx(100 * 5 / 7)
    assert got["service_level"] == approx(100 * 3 / 7)
    got = kpis(eng, ["offered", "service_level"])
    # everything: offered 11, net offered 9, met 3 + e2 (10 <= 86400) = 4
    assert got["offered"] == 11
    assert got["service_level"] == approx(100 * 4 / 9)
    # surveys, two queues: r1 r7 (k1, Q1), r2 (k2, Q2), r4 (k0, Q1); cold ones out
    eng2 = build(make_db, SURVEYED_CONTACTS, SURVEYS, AGENTS)
    assert kpis(eng2, ["responses"], queue=["Q1", "Q2"])["responses"] == 4
    # cold surveys by two channels: r5 (phone, cold) + r1 r4 r7 (phone contacts) + r2 (chat)
    # + r6 (email, cold) = 6
    assert kpis(eng2, ["responses"], channel=["phone", "email", "chat"])["responses"] == 6


# ---------------------------------------------------------------- grouping

def test_kpi031_by_channel(make_db):
    eng = build(make_db, DELIVERY)
    got = grouped(eng, ["offered", "answer_rate", "service_level", "abandon_rate",
                        "self_service_rate", "aht"], "channel")
    assert set(got) == {"phone", "chat"}
    phone, chat = got["phone"], got["chat"]
    # phone: offered p1..p6 = 6, short p4 -> net 5; answered 3; met p1 p2; long p5 p6
    assert phone["offered"] == 6
    assert phone["answer_rate"] == approx(100 * 3 / 5)        # 60
    assert phone["service_level"] == approx(100 * 2 / 5)      # 40
    assert phone["abandon_rate"] == approx(100 * 2 / 5)       # 40
    assert phone["self_service_rate"] == approx(100 * 1 / 7)  # p7 / 7 inbound phone
    assert phone["aht"] == approx((150 + 240 + 50) / 3)       # 146.67
    # chat: offered h1 h2 h3 = 3, short h3 -> net 2; answered 2; met h1
    assert chat["offered"] == 3
    assert chat["answer_rate"] == approx(100.0)
    assert chat["service_level"] == approx(50.0)
    assert chat["abandon_rate"] == approx(0.0)
    assert chat["self_service_rate"] == approx(0.0)
    assert chat["aht"] == approx((360 + 120) / 2)             # 240


def test_kpi032_by_day(make_db):
    eng = build(make_db, DELIVERY)
    got = grouped(eng, ["offered", "answer_rate", "service_level", "asa", "abandon_rate"], "day")
    assert list(got) == ["2025-03-03", "2025-03-04"]
    d3, d4 = got["2025-03-03"], got["2025-03-04"]
    # 3 March: p1 (0), p2 (20), p3 (21), p4 short -> offered 4, net 3, answered 3, met 2
    assert d3["offered"] == 4
    assert d3["answer_rate"] == approx(100.0)
    assert d3["service_level"] == approx(100 * 2 / 3)
    assert d3["asa"] == approx((0 + 20 + 21) / 3)
    assert d3["abandon_rate"] == approx(0.0)
    # 4 March: p5, p6 (long), h1 (60), h2 (61), h3 short; p7 self-service -> offered 5, net 4
    assert d4["offered"] == 5
    assert d4["answer_rate"] == approx(100 * 2 / 4)
    assert d4["service_level"] == approx(100 * 1 / 4)         # h1 only
    assert d4["asa"] == approx((60 + 61) / 2)
    assert d4["abandon_rate"] == approx(100 * 2 / 4)


def test_kpi033_by_week_and_month(make_db):
    eng = build(make_db, [
        contact("w1", "2025-03-09 23:00:00", wait_s=10),        # Sunday: week of Monday 3 March
        contact("w2", "2025-03-10 00:30:00", wait_s=30),        # Monday 10 March
        contact("w3", "2025-03-16 12:00:00", "abandoned", wait_s=50),  # Sunday: week of 10 March
        contact("w4", "2025-04-01 08:00:00", wait_s=0),
    ])
    weeks = grouped(eng, ["offered", "service_level"], "week", period=("2025-03-01", "2025-04-30"))
    assert weeks["2025-03-03"]["offered"] == 1
    assert weeks["2025-03-03"]["service_level"] == approx(100.0)    # w1 10 <= 20
    assert weeks["2025-03-10"]["offered"] == 2
    assert weeks["2025-03-10"]["service_level"] == approx(0.0)      # w2 30 > 20, w3 abandoned
    assert weeks["2025-03-31"]["offered"] == 1                      # 1 April is in the week of 31 March
    months = grouped(eng, ["offered", "answer_rate"], "month", period=("2025-03-01", "2025-04-30"))
    assert list(months) == ["2025-03-01", "2025-04-01"]
    assert months["2025-03-01"]["answer_rate"] == approx(100 * 2 / 3)   # w1 w2 / w1 w2 w3
    assert months["2025-04-01"]["answer_rate"] == approx(100.0)


def test_kpi034_by_team(make_db):
    eng = build(make_db, SURVEYED_CONTACTS, SURVEYS, AGENTS)
    got = grouped(eng, ["handled", "response_rate", "responses", "nps", "ces"], "team")
    t1, t2 = got["T1"], got["T2"]
    # T1: contacts k1, k5 (handled 2, k1 surveyed); surveys r1 (10, ces 7), r7 (9, ces 6)
    assert t1["handled"] == 2
    assert t1["response_rate"] == approx(50.0)
    assert t1["responses"] == 2
    assert t1["nps"] == approx(100.0)
    assert t1["ces"] == approx(6.5)
    # T2: contacts k2, k3 (both surveyed); March surveys r2 (8, ces 5), r4 (6, ces 2)
    assert t2["handled"] == 2
    assert t2["response_rate"] == approx(100.0)
    assert t2["responses"] == 2
    assert t2["nps"] == approx(-50.0)
    assert t2["ces"] == approx(3.5)


def test_kpi035_by_team_on_delivered_quality(make_db):
    eng = build(make_db, [
        contact("g1", "2025-03-03 09:00:00", wait_s=10, talk_s=100, agent_id="A1"),
        contact("g2", "2025-03-03 09:05:00", wait_s=30, talk_s=300, agent_id="A1", transferred="1"),
        contact("g3", "2025-03-03 09:10:00", wait_s=5, talk_s=200, agent_id="A2"),
        outbound("g4", "2025-03-03 09:15:00", talk_s=40, agent_id="A2", sale="1", revenue=80),
    ], agents=AGENTS)
    got = grouped(eng, ["handled", "aht", "service_level", "transfer_rate", "conversion_rate"],
                  "team")
    # T1: g1, g2 -> aht (100+300)/2; SL g1 met / 2; transfer g2 / 2
    assert got["T1"]["handled"] == 2
    assert got["T1"]["aht"] == approx(200.0)
    assert got["T1"]["service_level"] == approx(50.0)
    assert got["T1"]["transfer_rate"] == approx(50.0)
    assert got["T1"]["conversion_rate"] == approx(0.0)
    # T2: g3 (inbound), g4 (outbound reached, sale) -> aht (200+40)/2; SL g3 / 1
    assert got["T2"]["handled"] == 2
    assert got["T2"]["aht"] == approx(120.0)
    assert got["T2"]["service_level"] == approx(100.0)
    assert got["T2"]["conversion_rate"] == approx(50.0)
    # and as a filter
    assert kpis(eng, ["handled", "aht"], team=["T2"]) == {"handled": 2, "aht": approx(120.0)}


def test_kpi036_surveys_by_day_and_by_channel(make_db):
    eng = build(make_db, SURVEYED_CONTACTS, SURVEYS, AGENTS)
    by_day = grouped(eng, ["responses", "nps"], "day")
    # grouped by responded_at: r4 on 2 March although its contact k0 arrived in February
    assert by_day == {"2025-03-02": {"responses": 1, "nps": approx(-100.0)},   # r4: 6
                      "2025-03-03": {"responses": 1, "nps": approx(100.0)},    # r1: 10
                      "2025-03-05": {"responses": 1, "nps": approx(0.0)},      # r2: 8
                      "2025-03-10": {"responses": 1, "nps": approx(100.0)},    # r5: 9
                      "2025-03-11": {"responses": 1, "nps": None},             # r6: no nps
                      "2025-03-20": {"responses": 1, "nps": approx(100.0)}}    # r7: 9
    by_channel = grouped(eng, ["responses", "csat"], "channel")
    # phone: r1 r4 r7 (phone contacts) + r5 (cold, phone); chat: r2 (via k2); email: r6 (cold)
    assert by_channel["phone"] == {"responses": 4, "csat": approx(100 * 2 / 4)}  # 5 3 4 2
    assert by_channel["chat"] == {"responses": 1, "csat": approx(100.0)}         # 4
    assert by_channel["email"] == {"responses": 1, "csat": None}


def test_kpi037_follow_ups_in_another_source_and_in_a_later_load(make_db, tmp_path):
    from data.loader import load
    from tests.conftest import KEY, write_csv

    # the two self-service contacts without a customer make every March contact mature
    eng = build(make_db, [contact("v1", "2025-03-10 10:00:00", customer_id="V"),
                          contact("w1", "2025-03-10 11:00:00", customer_id="W"),
                          contact("m0", "2025-02-10 08:00:00", "self_service"),
                          contact("m9", "2025-04-12 08:00:00", "self_service")])
    assert kpis(eng, ["fcr", "repeat_rate"]) == {"fcr": approx(100.0), "repeat_rate": approx(0.0)}

    def load_chat(name, rows):
        load(eng, {"contacts": write_csv(tmp_path / name, rows)}, source="chat", key=KEY)

    # another system's extract: a chat of customer V two days after v1
    load_chat("chat1.csv", [contact("v2", "2025-03-12 10:00:00", channel="chat", customer_id="V")])
    got = kpis(eng, ["fcr", "repeat_rate"])
    # handled with a customer: v1 w1 v2; v1 followed by v2 (2 days) -> 2 / 3
    assert got["fcr"] == approx(100 * 2 / 3)
    # v2 preceded by v1 -> 1 / 3
    assert got["repeat_rate"] == approx(100 * 1 / 3)

    # a later extract of the same system moves v2 to 20 March, 10 days after v1 (latest load wins)
    load_chat("chat2.csv", [contact("v2", "2025-03-20 10:00:00", channel="chat", customer_id="V")])
    got = kpis(eng, ["fcr", "repeat_rate", "handled"])
    assert got["handled"] == 3
    assert got["fcr"] == approx(100.0)        # 3 / 3
    assert got["repeat_rate"] == approx(0.0)  # 0 / 3

    # and a later extract gives v2 to another customer: v1 stays resolved, nothing is a repeat;
    # then back to V, 3 days after v1 -> v1 not resolved again
    load_chat("chat3.csv", [contact("v2", "2025-03-11 10:00:00", channel="chat", customer_id="Z")])
    assert kpis(eng, ["fcr", "repeat_rate"]) == {"fcr": approx(100.0), "repeat_rate": approx(0.0)}
    load_chat("chat4.csv", [contact("v2", "2025-03-13 10:00:00", channel="chat", customer_id="V")])
    assert kpis(eng, ["fcr", "repeat_rate"]) == {"fcr": approx(100 * 2 / 3),
                                                 "repeat_rate": approx(100 * 1 / 3)}


def test_kpi038_nps_passives_7_and_8_csat_top_2_box_ces_mean(make_db):
    answers = [dict(nps=0, csat=1, ces=1), dict(nps=6, csat=3, ces=2), dict(nps=7, csat=4, ces=7),
               dict(nps=8, csat=5, ces=4), dict(nps=9), dict(nps=10, resolved="no"),
               dict(nps=10, resolved="1"), dict(nps=10, resolved="true"), dict(csat=2, ces=3)]
    eng = build(make_db, surveys=[survey(f"q{i}", "2025-03-10 10:00:00", channel="web", **a)
                                  for i, a in enumerate(answers)])
    got = kpis(eng, ["responses", "nps", "csat", "ces", "perceived_resolution"])
    assert got["responses"] == 9
    # nps answers 8: promoters 9 10 10 10 = 4, detractors 0 6 = 2, passives 7 8 -> 100*(4-2)/8
    assert got["nps"] == approx(25.0)
    # csat answers 1 3 4 5 2: top-2-box 4, 5 -> 2 / 5
    assert got["csat"] == approx(40.0)
    # ces answers 1 2 7 4 3 -> 17 / 5
    assert got["ces"] == approx(3.4)
    # resolved known: no, yes, yes -> 2 / 3
    assert got["perceived_resolution"] == approx(100 * 2 / 3)


def test_kpi039_response_rate_counts_outbound_reached_and_not_unhandled(make_db):
    eng = build(make_db, [
        outbound("u1", "2025-03-03 09:00:00"),                             # handled, surveyed
        outbound("u2", "2025-03-03 09:10:00"),                             # handled
        outbound("u3", "2025-03-03 09:20:00", "not_reached"),              # not handled, surveyed
        contact("u4", "2025-03-03 09:30:00", "abandoned", wait_s=40),      # not handled, surveyed
        contact("u5", "2025-03-03 09:40:00", wait_s=5),                    # handled
    ], surveys=[
        survey("v1", "2025-03-03 12:00:00", contact_id="u1", nps=9),
        survey("v3", "2025-03-03 12:00:00", contact_id="u3", nps=1),
        survey("v4", "2025-03-03 12:00:00", contact_id="u4", nps=2),
    ])
    got = kpis(eng, ["handled", "response_rate", "responses"])
    assert got["handled"] == 3                          # u1 u2 (reached) + u5 (answered)
    assert got["response_rate"] == approx(100 * 1 / 3)  # u1 / 3
    assert got["responses"] == 3                        # every answer is a response


# ---------------------------------------------------------------- maturity (KPIS.md, Maturity)

# Data from 1 March (first day) to 31 March (latest day), window 7 days:
# - mature for FCR: arrived before 1 April 00:00 - 7 days = 25 March 00:00 (up to 24 March);
# - mature for repeats: arrived at or after 1 March 00:00 + 7 days = 8 March 00:00.
MATURITY = [
    contact("x1", "2025-03-01 09:00:00", customer_id="X"),   # first day; followed by x2 4 days later
    contact("x2", "2025-03-05 10:00:00", customer_id="X"),   # preceded by x1, but before 8 March
    contact("y1", "2025-03-08 00:00:00", customer_id="Y"),   # exactly 8 March 00:00: mature for repeats
    contact("y2", "2025-03-24 23:59:59", customer_id="Y"),   # the last second mature for FCR; followed by y3
    contact("y3", "2025-03-28 10:00:00", customer_id="Y"),   # pending for FCR; a repeat of y2
    contact("z1", "2025-03-25 00:00:00", customer_id="Z"),   # + 7 days = 1 April 00:00: pending
    contact("w1", "2025-03-31 18:00:00"),                    # the latest day; no customer
]


def test_kpi040_fcr_and_repeats_count_mature_contacts_only(make_db):
    eng = build(make_db, MATURITY)
    got = kpis(eng, ["fcr", "repeat_rate"])
    # FCR: known x1 x2 y1 y2 y3 z1; mature x1 x2 y1 y2 (y3, z1 pending); resolved: x2 (no
    # follow-up), y1 (y2 is 16 days later); x1 (x2 after 4 days) and y2 (y3 after 3.4 days) not
    assert got["fcr"] == approx(100 * 2 / 4)          # 50, not 4 / 6 with the pending ones
    # repeats: mature y1 y2 y3 z1 (x1, x2 before 8 March); y3 preceded by y2 -> 1 / 4
    assert got["repeat_rate"] == approx(100 * 1 / 4)  # 25
    counted = values(compute(eng, Scope.of(*MARCH), ["fcr", "repeat_rate", "handled"], counts=True).iloc[0])
    assert (counted["fcr__n"], counted["fcr__pending"]) == (4, 2)
    assert (counted["repeat_rate__n"], counted["repeat_rate__pending"]) == (4, 2)
    assert counted["handled__n"] == 7


def test_kpi041_a_period_with_only_pending_contacts_has_no_value(make_db):
    eng = build(make_db, MATURITY)
    # 25-31 March: y3 and z1 are pending for FCR -> no value (and 2 pending); both are mature
    # for repeats: y3 a repeat -> 1 / 2
    got = values(compute(eng, Scope.of("2025-03-25", "2025-03-31"), ["fcr", "repeat_rate"], counts=True).iloc[0])
    assert got["fcr"] is None and got["fcr__pending"] == 2
    assert got["repeat_rate"] == approx(50.0) and got["repeat_rate__pending"] == 0
    # 1-7 March: x1, x2 mature for FCR (x2 resolved) -> 1 / 2; pending for repeats -> none
    got = values(compute(eng, Scope.of("2025-03-01", "2025-03-07"), ["fcr", "repeat_rate"], counts=True).iloc[0])
    assert got["fcr"] == approx(50.0) and got["fcr__pending"] == 0
    assert got["repeat_rate"] is None and got["repeat_rate__pending"] == 2


def test_kpi042_maturity_follows_the_window_setting(make_db):
    eng = build(make_db, MATURITY)
    # window 24 h: FCR mature before 1 April - 1 day = 31 March 00:00 (all but w1, which has
    # no customer); repeats from 2 March 00:00 (x1 is not mature)
    got = values(compute(eng, Scope.of(*MARCH), ["fcr", "repeat_rate"], counts=True,
                         settings=KpiSettings(repeat_window_h=24)).iloc[0])
    # FCR over x1 x2 y1 y2 y3 z1: no follow-up within 24 h for any -> 6 / 6
    assert got["fcr"] == approx(100.0) and got["fcr__pending"] == 0
    # repeats over x2 y1 y2 y3 z1: none preceded within 24 h -> 0 / 5
    assert got["repeat_rate"] == approx(0.0) and got["repeat_rate__pending"] == 1


def test_kpi043_a_later_load_that_moves_the_first_or_latest_day_makes_contacts_mature(make_db, tmp_path):
    from data.loader import load
    from tests.conftest import KEY, write_csv

    eng = build(make_db, MATURITY)
    # a contact on 10 April moves the latest day: FCR counts up to 3 April, so all of March
    load(eng, {"contacts": write_csv(tmp_path / "late.csv", [contact("l1", "2025-04-10 12:00:00")])},
         source="test", key=KEY)
    got = values(compute(eng, Scope.of(*MARCH), ["fcr"], counts=True).iloc[0])
    # x1 no, x2 yes, y1 yes, y2 no (y3), y3 yes, z1 yes -> 4 / 6
    assert got["fcr"] == approx(100 * 4 / 6) and got["fcr__pending"] == 0
    # a contact on 20 February moves the first day: repeats count from 27 February, so all of
    # March: x2 (4 days after x1) and y3 are repeats -> 2 / 6
    load(eng, {"contacts": write_csv(tmp_path / "early.csv", [contact("e1", "2025-02-20 12:00:00")])},
         source="test", key=KEY)
    got = values(compute(eng, Scope.of(*MARCH), ["repeat_rate"], counts=True).iloc[0])
    assert got["repeat_rate"] == approx(100 * 2 / 6) and got["repeat_rate__pending"] == 0
