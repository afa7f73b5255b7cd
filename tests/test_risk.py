"""Risk, explained (#17): every escalation carries a level (high, elevated, standard) and its
reasons (a screened-in LAP and on which questions, danger words and which, a weapon or fire, her
other requests in the last 30 days, an emergency keyword). Through the webhooks and the console:
the live queue puts the highest risk first whatever the waiting time, and says why on the card;
alerts lead with the level; risk never touches a priority."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from hotline.response import risk
from hotline.web.console import auth

from .helpers import latest, run_worker, sent, text

RAMESH, KAVITHA, ANJALI = "+919840000005", "+919840000001", "+919840000002"
MEENAKSHI, LATHA, SELVI = "+919876543210", "+919876543211", "+919876543212"
PASSWORD = "a long enough password"
START = datetime(2026, 12, 1, 4, 30, tzinfo=UTC)  # 10:00 in Chennai


@pytest.fixture
def hotline(make_app, database_url):
    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    svc.clock.set(START)
    for who in ("Kavitha", "Priya"):
        auth.set_password(svc.store, who, PASSWORD)
    return app, svc


def login(app, name):
    client = app.test_client()
    page = client.get("/console/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/console/login", data={"csrf_token": csrf, "name": name, "password": PASSWORD})
    return client


def cards(client) -> list[tuple[str, str]]:
    """(code, the card's HTML) of the live queue, in its order."""
    html = client.get("/console/live/table").get_data(as_text=True)
    return re.findall(r'<li class="esc card[^"]*" data-code="(\d+)"[^>]*>(.*?)</li>\s*(?=<li class="esc|</ul>)',
                      html, re.S)


def ask_for_a_counsellor(client, number):
    for body in ("hi", "1", "1", "1"):
        text(client, number, body)


def test_a_screened_in_lap_goes_above_an_older_request_and_the_card_says_why(hotline):
    app, svc = hotline
    phone = app.test_client()
    ask_for_a_counsellor(phone, MEENAKSHI)
    older = latest(svc)
    assert (older.risk, older.risk_reasons) == ("standard", [])
    svc.clock.advance(minutes=20)
    for body in ["LAP", "1", "no", "yes", *["no"] * 9, "2"]:  # yes to question 2 only: screened in
        text(phone, RAMESH, body)
    lap = latest(svc)
    assert lap.kind == "lap" and lap.risk == "high" and lap.priority == "emergency"
    assert lap.risk_reasons == [{"why": "lap", "basis": "questions_1_3", "questions": [2]}]
    run_worker(svc, burst=True)
    priya = login(app, "Priya")
    order = cards(priya)
    assert [code for code, _ in order] == [lap.code, older.code]
    first, second = order[0][1], order[1][1]
    assert "high danger" in first and "LAP screened in on a yes to questions 1-3 (yes to 2)" in first
    assert "high danger" not in second and "raised risk" not in second and 'class="reasons"' not in second
    assert "waiting <strong>20 min" in second or "waiting <strong>20" in second  # older, and still below


def test_a_weapon_in_her_words_puts_her_above_an_older_emergency_and_the_alert_says_high_danger(hotline):
    app, svc = hotline
    phone = app.test_client()
    text(phone, LATHA, "URGENT")
    urgent = latest(svc)
    assert urgent.risk == "elevated"
    assert urgent.risk_reasons == [{"why": "danger_words", "words": ["urgent"]},
                                   {"why": "emergency", "keyword": True}]
    run_worker(svc, burst=True)
    svc.clock.advance(minutes=5)
    mark = len(sent(svc))
    text(phone, SELVI, "he is coming with kerosene, help")
    fire = latest(svc)
    assert fire.risk == "high" and fire.priority == "emergency"  # risk set no priority: the keyword did
    assert {"why": "weapon", "words": ["kerosene"]} in fire.risk_reasons
    run_worker(svc, burst=True)
    alerts = [body for to, body in sent(svc)[mark:] if to == ANJALI and body and fire.code in body]
    assert alerts and alerts[0].startswith("HIGH DANGER! Hotline alert")
    assert any(body.startswith("URGENT! Hotline alert") for to, body in sent(svc)[:mark] if body and urgent.code in body)
    order = cards(login(app, "Priya"))
    assert [code for code, _ in order] == [fire.code, urgent.code]
    assert "weapon or fire: kerosene" in order[0][1] and "emergency keyword" in order[0][1]
    assert "danger words: urgent" in order[1][1] and "raised risk" in order[1][1]


def test_she_comes_back_within_30_days_the_risk_is_raised_and_not_after(hotline):
    app, svc = hotline
    phone = app.test_client()
    ask_for_a_counsellor(phone, MEENAKSHI)
    first = latest(svc)
    run_worker(svc, burst=True)
    text(phone, KAVITHA, f"ACK {first.code}")
    text(phone, KAVITHA, f"DONE {first.code}")
    run_worker(svc, burst=True)
    svc.clock.advance(days=3)
    mark = len(sent(svc))
    ask_for_a_counsellor(phone, MEENAKSHI)
    again = latest(svc)
    assert again.id != first.id and again.priority == first.priority  # risk raised no priority
    assert (again.risk, again.risk_reasons) == ("elevated", [{"why": "repeat", "count": 1}])
    run_worker(svc, burst=True)
    alerts = [body for to, body in sent(svc)[mark:] if body and again.code in body and to == KAVITHA]
    assert alerts and alerts[0].startswith(svc.catalog.own("esc_elevated", "ta"))  # she reads Tamil
    text(phone, KAVITHA, f"ACK {again.code}")
    text(phone, KAVITHA, f"DONE {again.code}")
    run_worker(svc, burst=True)
    svc.clock.advance(days=31)
    ask_for_a_counsellor(phone, MEENAKSHI)
    assert latest(svc).risk == "standard"


def test_her_words_while_she_waits_raise_the_level_of_her_escalation(hotline):
    app, svc = hotline
    phone = app.test_client()
    ask_for_a_counsellor(phone, MEENAKSHI)
    e = latest(svc)
    assert e.risk == "standard"
    text(phone, MEENAKSHI, "அவன் கத்தியால குத்த வரான்")  # he is coming to stab me with a knife
    joined = latest(svc)
    assert joined.id == e.id and joined.risk == "high"  # the same escalation, joined
    assert joined.risk_reasons[0]["why"] == "weapon"


# -- the rules, pure ------------------------------------------------------------------------------


@pytest.mark.parametrize("reasons, expected", [
    ([], "standard"),
    ([{"why": "repeat", "count": 2}], "elevated"),
    ([{"why": "emergency", "keyword": False}], "elevated"),
    ([{"why": "danger_words", "words": ["beat"]}], "elevated"),
    ([{"why": "danger_words", "words": ["beat"]}, {"why": "repeat", "count": 1}], "high"),
    ([{"why": "weapon", "words": ["knife"]}], "high"),
    ([{"why": "lap", "basis": "officer", "questions": []}], "high"),
    ([{"why": "checklist", "items": ["pregnant", "in_laws", "q8"]}], "elevated"),
    ([{"why": "checklist", "items": ["pregnant", "in_laws", "q8", "worse"]}], "high"),
    ([{"why": "checklist", "items": ["strangled"]}], "high"),
])
def test_levels(reasons, expected):
    assert risk.level(reasons) == expected


def test_negated_danger_words_and_an_officers_words_are_no_reasons():
    assert risk.from_words("not urgent, just want to talk") == []
    reasons = risk.reasons_for(kind="accompaniment", priority="high", reason="", details={},
                               words="knife", earlier=4)
    assert reasons == []  # the officer's phone and words: not hers
    screen = {"result": "screened_in", "basis": "officer", "yes": [], "worry_text": "he keeps kerosene at home"}
    lap = risk.reasons_for(kind="lap", priority="emergency", reason="LAP screened in", details={"screen": screen},
                           words="2", earlier=0)
    assert [r["why"] for r in lap] == ["lap", "weapon"]  # what worries her, as the officer typed it


def test_merging_keeps_one_reason_of_each_kind():
    merged = risk.merged([{"why": "danger_words", "words": ["beat"]}],
                         [{"why": "danger_words", "words": ["beat", "kill"]}, {"why": "weapon", "words": ["acid"]}])
    assert merged == [{"why": "weapon", "words": ["acid"]}, {"why": "danger_words", "words": ["beat", "kill"]}]


def test_every_reason_reads_in_a_line():
    assert risk.describe({"why": "repeat", "count": 1}) == "1 other request in the last 30 days"
    assert risk.describe({"why": "checklist", "items": ["fire", "in_laws"]}) == (
        "counsellor's checklist: threats with fire or kerosene; in-laws are involved in the violence")
    assert timedelta(days=30) == risk.REPEAT_WINDOW


# -- the counsellor's danger checklist (case page) ------------------------------------------------


def test_the_counsellors_checklist_changes_the_level_on_the_case_page_and_in_the_queue(hotline):
    app, svc = hotline
    phone = app.test_client()
    ask_for_a_counsellor(phone, MEENAKSHI)
    e = latest(svc)
    run_worker(svc, burst=True)
    kavitha = login(app, "Kavitha")
    case_page = f"/console/cases/{e.case_id}"
    page = kavitha.get(case_page).get_data(as_text=True)
    assert "Danger checklist" in page and "Threats with fire or kerosene" in page and "She is pregnant" in page
    assert '<strong>standard</strong>' in page

    def tick(*items):
        html = kavitha.get(case_page).get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        reply = kavitha.post(f"{case_page}/checklist", data={"csrf_token": csrf, "item": list(items)})
        assert reply.status_code == 302
        return kavitha.get(case_page).get_data(as_text=True)

    page = tick("pregnant", "in_laws", "bogus")
    assert "Checklist recorded: raised risk (was standard)." in page and "<strong>raised risk</strong>" in page
    assert "counsellor&#39;s checklist: she is pregnant; in-laws are involved in the violence" in page
    assert latest(svc).risk_reasons == [{"why": "checklist", "items": ["pregnant", "in_laws"]}]
    page = tick("pregnant", "in_laws", "fire")  # threats with fire or kerosene: high on its own
    assert "Checklist recorded: high danger (was raised risk)." in page and "<strong>high danger</strong>" in page
    assert 'value="fire" checked' in page and "Danger checklist (alert" in page
    assert latest(svc).priority == e.priority  # the level moved, the priority did not
    [(code, card)] = cards(login(app, "Priya"))
    assert code == e.code and "high danger" in card and "threats with fire or kerosene" in card
    page = tick()  # unticked: back to what her own words said
    assert "Checklist recorded: standard (was high danger)." in page and latest(svc).risk_reasons == []


# -- reports --------------------------------------------------------------------------------------


def test_reports_count_the_screens_and_time_to_acknowledge_by_risk(hotline):
    app, svc = hotline
    phone = app.test_client()
    for body in ["lap", "1", *["no"] * 11, "no", "no"]:  # no worry, no belief: a screen, not screened in
        text(phone, RAMESH, body)
    for body in ["LAP", "1", "yes", *["no"] * 10, "2"]:
        text(phone, RAMESH, body)
    lap = latest(svc)
    ask_for_a_counsellor(phone, MEENAKSHI)
    normal = latest(svc)
    run_worker(svc, burst=True)
    svc.clock.advance(minutes=4)
    text(phone, KAVITHA, f"ACK {lap.code}")
    svc.clock.advance(minutes=6)
    text(phone, KAVITHA, f"ACK {normal.code}")
    kavitha = login(app, "Kavitha")
    case_page = f"/console/cases/{lap.case_id}"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', kavitha.get(case_page).get_data(as_text=True)).group(1)
    kavitha.post(f"{case_page}/lap-outcome", data={"csrf_token": csrf, "escalation_id": lap.id, "outcome": "spoke"})
    priya = login(app, "Priya")
    report = priya.get("/console/reports").get_data(as_text=True)
    assert "2 screens, 1 screened in, 1 spoke with a counsellor; from the screen to a counsellor: median 4m" in report
    medians = dict(re.findall(r'<tr data-risk="(\w+)">.*?class="risk-median">([^<]+)<', report, re.S))
    assert medians == {"high": "4m", "elevated": "—", "standard": "10m"}
    rows = priya.get("/console/reports/escalations.csv").get_data(as_text=True).splitlines()
    assert rows[0].endswith(",risk") and any(r.endswith(",high") for r in rows[1:])


def test_a_possible_danger_word_alerts_high_with_the_word_and_asks_her_before_any_numbers(hotline):
    # a knife or blood may be the kitchen's (#27): no "Police 112" on a phone someone else may read
    app, svc = hotline
    reply = text(app.test_client(), SELVI, "he left blood on the floor")
    alert = latest(svc)
    assert alert.priority == "high"
    assert {"why": "danger_words", "words": ["blood"]} in alert.risk_reasons
    assert not any("112" in body for body in reply) and any("safe right now" in body for body in reply)
    assert "danger words: blood" in cards(login(app, "Priya"))[0][1]
