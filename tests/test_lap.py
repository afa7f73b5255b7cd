"""The police danger screen (LAP, #17): the engine's count_of condition that scores it, and the
screen through the SMS webhook: every screen recorded (answers, basis, officer, time); screened in
opens an emergency for a counsellor who speaks her language."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hotline.engine import conditions
from hotline.store.models import Action

from .helpers import latest, run_worker, sent, text

RAMESH, KAVITHA, ANJALI, REVATHI = "+919840000005", "+919840000001", "+919840000002", "+919840000006"


@pytest.fixture
def hotline(make_app, sqlite_url):
    app = make_app(database_url=sqlite_url)
    return app.test_client(), app.extensions["hotline"]


def test_count_of_counts_the_variables_that_have_the_value():
    four = {"count_of": ["q4", "q5", "q6", "q7", "q8"], "is": "yes", "at_least": 4}
    assert conditions.holds(four, {"q4": "yes", "q5": "yes", "q6": "yes", "q8": "yes"}, "en", {})
    assert not conditions.holds(four, {"q4": "yes", "q5": "yes", "q6": "yes", "q7": "no"}, "en", {})
    assert not conditions.holds(four, {}, "en", {})  # unanswered never counts
    assert conditions.holds({"count_of": ["q1", "q2"], "is": "yes"}, {"q2": "yes"}, "en", {})
    assert conditions.holds({"count_of": ["a", "b"], "in": ["x", "y"], "at_least": 2}, {"a": "x", "b": "y"}, "en", {})


@pytest.mark.parametrize("when, says", [
    ({"count_of": ["a", "b"], "is": "yes", "at_least": 3}, "at_least: 3 of 2 variables can never hold"),
    ({"count_of": ["a"]}, "count_of: counts the variables that have a value: give is: or in:"),
    ({"count_of": "a", "is": "yes"}, "condition count_of must be a list of variable names"),
    ({"count_of": ["a"], "is": "yes", "at_least": 0}, "condition at_least must be a whole number, 1 or more"),
    ({"var": "a", "is": "yes", "at_least": 2}, "at_least: goes with count_of:"),
    ({"var": "b", "count_of": ["a"], "is": "yes"}, "var: and count_of: cannot share a condition: write two cases"),
])
def test_count_of_mistakes_are_reported(when, says):
    problems = []
    conditions.check(when, "flows/police.yaml", 7, problems)
    assert says in [p.message for p in problems]


def police_says(svc, msg_id: str, lang: str = "ta") -> str:
    """A police flow message as the officer (SI Ramesh: Tamil, then English) reads it."""
    flow = svc.flows.get("police")
    return svc.catalog.output({"flow": "police", "msg": msg_id, "default": flow.message(msg_id)}, lang)


def screens(svc) -> list[dict]:
    with svc.store.session() as s:
        return [(a.status, a.payload) for a in s.scalars(select(Action).where(Action.kind == "lap_screen"))]


def test_a_screened_in_lap_by_sms_is_recorded_and_alerts_a_tamil_counsellor_at_emergency(hotline):
    client, svc = hotline
    replies = [text(client, RAMESH, body)[-1] for body in
               ["LAP", "2", "no", "yes", *["no"] * 9, "1"]]
    assert police_says(svc, "lap_calling") in replies[-1]  # in the officer's language (Tamil first)
    [(status, screen)] = screens(svc)
    assert status == "done"
    assert screen["result"] == "screened_in" and screen["basis"] == "questions_1_3" and screen["yes"] == [2]
    assert screen["who"] == "in_laws" and screen["officer"] == "SI Ramesh" and screen["at"]
    assert screen["answers"]["q1"] == "no" and screen["answers"]["q11"] == "no"
    e = latest(svc)
    assert (e.kind, e.priority, e.role, e.lang) == ("lap", "emergency", "counsellor", "ta")
    assert e.details["screen"]["basis"] == "questions_1_3"
    run_worker(svc, burst=True)
    alerted = {to for to, body in sent(svc) if body is None or e.code in body}  # an SMS, or a call
    assert KAVITHA in alerted and ANJALI not in alerted  # she speaks Tamil: Anjali does not


def test_a_screen_below_the_threshold_is_recorded_and_alerts_nobody(hotline):
    client, svc = hotline
    for body in ["lap", "1", "no", "no", "no", "yes", "yes", "no", "yes", "no", "no", "no", "no", "no", "no"]:
        reply = text(client, RAMESH, body)
    assert police_says(svc, "lap_not_screened_in") in reply[-1]
    [(_, screen)] = screens(svc)
    assert screen["result"] == "not_screened_in" and screen["yes"] == [4, 5, 7]
    assert screen["officer_believes"] == "no"
    assert latest(svc) is None


def test_end_to_end_screened_in_alert_ack_and_the_officer_is_called_through_the_hotline(hotline):
    """LAP by SMS → a Tamil counsellor alerted at emergency, HIGH DANGER first → she accepts → the
    officer is told → she calls the hotline with her PIN and is put through to the officer's phone
    with the hotline's number as caller ID; the case shows the screen."""
    from hotline.people.pin import set_pin

    client, svc = hotline
    for body in ["LAP", "1", "no", "no", "no", "yes", "yes", "yes", "yes", "no", "no", "no", "no", "2"]:
        text(client, RAMESH, body)
    e = latest(svc)
    assert e.kind == "lap" and e.details["screen"]["basis"] == "four_of_4_11" and e.details["questions"] == "4, 5, 6, 7"
    assert e.lang == "en"
    run_worker(svc, burst=True)
    alerts = [body for to, body in sent(svc) if to == ANJALI and body]
    assert alerts and alerts[0].startswith("HIGH DANGER!") and "4, 5, 6, 7" in alerts[0] and "police" in alerts[0]
    mark = len(sent(svc))
    reply = text(client, ANJALI, f"ACK {e.code}")
    assert "enter your PIN" in reply[-1]
    run_worker(svc, burst=True)
    told = [body for to, body in sent(svc)[mark:] if to == RAMESH]
    assert told == [svc.catalog.own("lap_taken", "ta", name="Anjali", code=e.code)]  # "only if she wants"
    set_pin(svc.store, "Anjali", "1357")
    client.post("/twilio/voice", data={"From": ANJALI, "CallSid": "CA91"})
    call = client.post("/twilio/voice/staff/pin", data={"From": ANJALI, "CallSid": "CA91", "Digits": "1357"}
                       ).get_data(as_text=True)
    assert "<Dial" in call and RAMESH in call and f'callerId="{svc.settings.hotline_number}"' in call


def test_the_case_page_shows_the_screen_and_records_what_came_of_it(hotline):
    from hotline.web.console import auth

    client, svc = hotline
    for body in ["LAP", "3", "yes", *["no"] * 10, "1"]:
        text(client, RAMESH, body)
    e = latest(svc)
    run_worker(svc, burst=True)  # the alerts go out: Kavitha speaks Tamil
    auth.set_password(svc.store, "Kavitha", "a long enough password")
    app = client.application
    kavitha = app.test_client()

    def token(path):
        import re
        return re.search(r'name="csrf_token" value="([^"]+)"', kavitha.get(path).get_data(as_text=True)).group(1)

    kavitha.post("/console/login", data={"csrf_token": token("/console/login"), "name": "Kavitha",
                                         "password": "a long enough password"})
    case_page = f"/console/cases/{e.case_id}"
    kavitha.post(f"/console/escalations/{e.id}/ack", data={"csrf_token": token("/console/")})
    page = kavitha.get(case_page).get_data(as_text=True)
    assert "Police danger screen (LAP)" in page and "a yes to questions 1-3; yes to questions 1" in page
    assert "she fears: husband and in laws" in page and "officer: SI Ramesh" in page
    done = kavitha.post(f"{case_page}/lap-outcome", data={"csrf_token": token(case_page), "escalation_id": e.id,
                                                          "outcome": "declined"})
    assert done.status_code == 302
    assert latest(svc).details["outcome"] == "declined"
    assert "She declined to speak" in kavitha.get(case_page).get_data(as_text=True)
    bad = kavitha.post(f"{case_page}/lap-outcome", data={"csrf_token": token(case_page), "escalation_id": e.id,
                                                         "outcome": "maybe"})
    assert bad.status_code == 400
