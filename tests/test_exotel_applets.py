"""Exotel as Exotel documents it (#28): a survivor's call through the App Bazaar flow's dynamic
applets (GET, query parameters, Exotel-Version, quoted digits; JSON answers checked against the
documented fields by tests/exotel_standin.py), and DLT SMS that go at night as transactional."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from hotline.store.models import Escalation, Notification
from hotline.web.app import create_app

from .exotel_standin import ExotelCall, ExotelStandIn
from .helpers import run_worker
from .test_exotel import (
    ANJALI,
    AUTH,
    EXOPHONE,
    KAVITHA,
    SURVIVOR,
    asks_for_a_counsellor,
    exotel_settings,
    post,
)


@pytest.fixture
def standin():
    server = ExotelStandIn()
    yield server
    server.stop()


def call(client, sid: str = "call-1", caller: str = "09876543210") -> ExotelCall:
    return ExotelCall(client, AUTH, sid, caller, EXOPHONE)  # Exotel writes Indian numbers with a 0


def test_a_tamil_call_through_the_applets_is_put_through_to_the_counsellor_on_shift(
        make_services, standin, database_url):
    svc = make_services(database_url=database_url, **exotel_settings(standin))
    her = call(create_app(services=svc).test_client())

    first = her.hear()
    assert "தமிழ்" in first  # the language choice, Tamil's in Tamil
    assert her.asking["max_input_digits"] == 1  # one key, no # to press
    her.answer("2")
    assert any(ch in her.heard[-1] for ch in "அஆஇஉஎ")  # Tamil from here on
    her.answer("1")  # safe to talk
    assert her.answer("1") == "connect"  # a counsellor, now
    assert her.connect["destination"]["numbers"] == [KAVITHA]
    assert her.connect["outgoing_phone_number"] == EXOPHONE  # her number never shows; the ExoPhone does
    assert her.connect["max_ringing_duration"] > 0 and her.connect["max_conversation_duration"] > 0
    run_worker(svc, burst=True)
    (alert,) = standin.sms(KAVITHA)  # the chain's first step: Kavitha, by a DLT SMS
    assert alert["SmsType"] == "transactional"


def test_an_applet_asked_twice_takes_one_step(make_services, standin):
    svc = make_services(**exotel_settings(standin))
    her = call(create_app(services=svc).test_client())
    her.hear()
    assert her.hear() == her.heard[0]  # the Gather again: the same prompt, the call not begun twice
    her.press("2")  # Tamil
    her.press("2")  # Exotel's retry of the same Passthru: not "2" (not safe) to the next question
    safe_to_talk = her.hear()
    her.press("1")
    assert her.hear() != safe_to_talk  # the question after "safe to talk", not the same asked again
    with svc.store.session() as s:
        assert s.scalars(select(Escalation)).all() == []  # nothing taken for "not safe"


def test_nobody_answers_she_leaves_a_voicemail_in_english_and_the_team_is_alerted_once(make_services, standin):
    svc = make_services(**exotel_settings(standin))
    her = call(create_app(services=svc).test_client(), caller=SURVIVOR)
    her.hear()
    her.answer("1")  # English
    her.answer("1")  # safe to talk
    assert her.answer("1") == "connect"
    her.unanswered()  # Kavitha did not pick up: the Connect applet's other branch
    assert her.hear() == svc.catalog.own("voice_leave_message", "en")
    assert her.press(None) == "voicemail"
    recording = "https://recordings.exotel.com/exotelrecordings/hotline1/call-1.mp3"
    her.recorded(recording)
    her.at = "voicemail"
    her.recorded(recording)  # Exotel's retry: one voicemail
    assert her.hear() == svc.catalog.own("voice_goodbye", "en")
    assert her.press(None) == "hangup"
    with svc.store.session() as s:
        (kept,) = s.scalars(select(Escalation).where(Escalation.kind == "voicemail")).all()
    assert kept.status != "closed"


def test_dlt_sms_go_as_transactional_so_a_2am_alert_is_sent_not_held(make_services, standin):
    svc = make_services(**exotel_settings(standin))
    svc.clock.set(svc.clock.now().replace(hour=20, minute=30))  # 2 a.m. in Chennai (UTC+5:30)
    text = svc.catalog.own("esc_taken", "ta", code="48213", name="Anjali")
    assert svc.outbound.sms(KAVITHA, text)  # Exotel refuses a body added nowhere without SmsType
    (sent,) = standin.sms(KAVITHA)
    assert sent["SmsType"] == "transactional" and sent["DltTemplateId"] and standin.failures == []


def test_an_alert_sms_that_expired_moves_the_chain_on(make_services, standin):
    svc = make_services(**exotel_settings(standin))
    client = create_app(services=svc).test_client()
    asks_for_a_counsellor(svc, client)
    with svc.store.session() as s:
        n = s.scalars(select(Notification)).one()
    post(client, "/exotel/status", SmsSid=n.transport_id, Status="expired", DetailedStatus="EXPIRED")
    run_worker(svc, burst=True)
    assert len(standin.sms(ANJALI)) == 1  # the next person at once, not after the step's wait


def test_an_alert_call_rings_the_flow_and_her_pin_puts_her_through_to_the_survivor(
        make_services, standin, database_url, redis_client):
    from hotline.people.pin import set_pin

    svc = make_services(database_url=database_url, **exotel_settings(standin, exotel_flow_id="123456"))
    set_pin(svc.store, "Kavitha", "4731")
    svc.reload_staff()
    client = create_app(services=svc).test_client()
    her = call(client)
    her.hear()
    her.answer("2")  # Tamil
    her.answer("1")  # safe to talk
    assert her.answer("1") == "connect"  # a counsellor
    run_worker(svc, burst=True)
    for _ in range(2):  # nobody took it: the next counsellor, then the whole team by SMS and a call
        run_worker(svc, burst=True, until=svc.clock.advance(minutes=6))
    (ring,) = standin.calls(KAVITHA)  # refused unless the Url is the flow's (the stand-in's rule)
    assert ring["Url"] == "http://my.exotel.com/hotline1/exoml/start_voice/123456"
    assert ring["CallerId"] == EXOPHONE and ring["TimeOut"] and ring["TimeLimit"]
    assert "hotline.example" not in ring["CustomField"] and "s3cret" not in ring["CustomField"]

    kavitha = ExotelCall(client, AUTH, "call-2", KAVITHA, EXOPHONE, custom=ring["CustomField"])
    assert kavitha.hear() and kavitha.asking["max_input_digits"] == 1  # the alert: 1 takes it
    kavitha.answer("1")
    with svc.store.session() as s:
        (e,) = s.scalars(select(Escalation)).all()
        assert e.status == "acked" and e.acked_by == 1
    assert kavitha.asking["finish_on_key"] == "#"  # her PIN
    assert kavitha.answer("4731") == "connect"
    assert kavitha.connect["destination"]["numbers"] == [SURVIVOR]
    assert kavitha.connect["outgoing_phone_number"] == EXOPHONE  # the ExoPhone shows, not her number
    held = b"".join(redis_client.get(k) for k in redis_client.keys("hotline:exotel-call:*"))
    assert SURVIVOR.encode() not in held and SURVIVOR[3:].encode() not in held  # no survivor's number kept


def test_a_counsellor_calling_the_exophone_gives_her_pin_before_anything(make_services, standin):
    from hotline.people.pin import set_pin

    svc = make_services(**exotel_settings(standin))
    set_pin(svc.store, "Kavitha", "4731")
    svc.reload_staff()
    kavitha = call(create_app(services=svc).test_client(), caller=KAVITHA)
    assert kavitha.hear() == svc.catalog.own("voice_staff_pin_ask", "ta")
    assert kavitha.answer("1111") == "gather" and kavitha.answer("2222") == "gather"
    assert kavitha.answer("3333") == "hangup"  # three wrong PINs: the call ends, nothing dialled
    assert kavitha.connect is None


def test_exotel_check_says_when_the_exophone_does_not_run_the_flow(make_services, standin):
    from .cli import cli

    make_services(**exotel_settings(standin, exotel_flow_id="123456"))
    standin.exophones.append({"PhoneNumber": "08047000000", "FriendlyName": "hotline",
                              "VoiceUrl": "http://my.exotel.com/hotline1/exoml/start_voice/999"})
    wrong = cli("exotel", "check")
    assert wrong.exit_code == 1 and "FAIL ExoPhone: calls run http://my.exotel.com/hotline1/exoml/start_voice/999, " \
        "not flow 123456" in wrong.stdout
    standin.exophones[0]["VoiceUrl"] = "http://my.exotel.com/hotline1/exoml/start_voice/123456"
    right = cli("exotel", "check")
    assert right.exit_code == 0 and "ok   ExoPhone: calls run flow 123456" in right.stdout


def test_with_redis_down_her_call_hears_the_safe_reply_and_ends_and_the_team_is_told(
        make_services, standin, own_redis, database_url):
    svc = make_services(database_url=database_url, redis_url=own_redis.url, **exotel_settings(standin))
    her = call(create_app(services=svc).test_client(), caller=SURVIVOR)
    own_redis.stop()
    assert "112" in her.hear()  # the safe reply: the emergency numbers, never a 5xx
    assert her.press(None) == "hangup"
    with svc.store.session() as s:
        assert s.scalars(select(Escalation)).all()  # kept in the store for when Redis is back


def test_the_applets_urls_refuse_a_request_without_the_webhook_credentials(make_app):
    client = make_app(**exotel_settings()).test_client()
    wrong = {"Authorization": "Basic " + base64.b64encode(b"exotel:guess").decode()}
    details = {"CallSid": "c", "CallFrom": SURVIVOR, "CallTo": EXOPHONE, "digits": '"1"'}
    for path, more in (("/exotel/gather", {}), ("/exotel/passthru", {}), ("/exotel/passthru", {"q": "start"}),
                       ("/exotel/connect", {}), ("/exotel/recorded", {"RecordingUrl": "https://r.example/1.mp3"})):
        for headers in ({}, wrong):
            answer = client.get(path, query_string={**details, **more}, headers=headers)
            assert answer.status_code == 403, (path, headers)
