"""A call proves nothing by itself: caller ID is easy to fake. Driven as Twilio drives the webhooks
(form posts to /twilio/voice and the <Gather> actions), on real Redis and the store (SQLite and
PostgreSQL):

- a call from a counsellor's number is put through to a survivor only after her PIN, only to a
  case she holds, only when the survivor may be reached (hotline/response/reach.py), saying whom first;
- a call from a survivor's number cannot erase her records, stop or start messages (she is told to
  text them from her own phone), and the language picked on a call is not remembered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from hotline.people.pin import set_pin
from hotline.privacy.phones import caller_key
from hotline.store.models import Audit, Case, Escalation, Relay, StaffMember

from .helpers import messages, run_worker, sms_form

SURVIVOR = "+919876543210"
KAVITHA, ANJALI = "+919840000001", "+919840000002"  # counsellors (tests/data/staff.yaml); Kavitha's first language is Tamil
SECOND, THIRD = "+919876500002", "+919876500003"  # two more survivors
MORNING = datetime(2026, 11, 25, 4, 30, tzinfo=UTC)  # 10:00 in Asia/Kolkata
PIN = "2468"


class Clock:
    """The hotline's clock, moved by the test; the worker runs what is due at each step."""

    def __init__(self, svc, start: datetime):
        self.svc = svc
        svc.clock.set(start)

    def by(self, **delta) -> None:
        self.svc.clock.set(self.svc.clock.now() + timedelta(**delta))
        run_worker(self.svc, burst=True, until=self.svc.clock.now())


@pytest.fixture
def line(make_app, database_url):
    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    return app.test_client(), svc, Clock(svc, MORNING)


def text(client, number: str, *bodies: str) -> list[list[str]]:
    """SMSes posted as Twilio posts them; the reply to each."""
    return [messages(client.post("/twilio/sms", data=sms_form(number, b)).get_data(as_text=True)) for b in bodies]


def latest(svc) -> Escalation:
    with svc.store.session() as s:
        return s.scalars(select(Escalation).order_by(Escalation.id.desc())).first()


def post(client, path: str, number: str, sid: str, **form) -> str:
    reply = client.post(path, data={"From": number, "To": "+914400000000", "CallSid": sid, **form})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_data(as_text=True)


def staff_call(client, sid: str, *answers: str, number: str = KAVITHA) -> list[str]:
    """A staff call: /twilio/voice, then each answer typed into the <Gather> the last reply asked
    for (its action, as Twilio posts it). Returns every reply's TwiML."""
    replies = [post(client, "/twilio/voice", number, sid)]
    for digits in answers:
        gather = ElementTree.fromstring(replies[-1]).find("Gather")
        assert gather is not None, replies[-1]
        assert gather.get("input") == "dtmf"
        replies.append(post(client, gather.get("action"), number, sid, Digits=digits))
    return replies


def said(twiml: str) -> list[str]:
    return [s.text or "" for s in ElementTree.fromstring(twiml).iter("Say")]


def verbs(twiml: str) -> list[str]:
    return [child.tag for child in ElementTree.fromstring(twiml)]


def audits(svc, event: str) -> list[Audit]:
    with svc.store.session() as s:
        return list(s.scalars(select(Audit).where(Audit.event == event).order_by(Audit.id)))


def own(svc, text_id: str, lang: str = "ta", **params) -> str:
    """One of the hotline's texts as Kavitha hears it (her first language is Tamil)."""
    return svc.catalog.own(text_id, lang, **params)


def asks_counsellor(client, clock, number: str = SURVIVOR) -> None:
    text(client, number, "hi", "1", "1", "1")  # English; safe to talk; a counsellor
    clock.by(seconds=1)


def taken_by_kavitha(client, svc, clock, number: str = SURVIVOR) -> Escalation:
    asks_counsellor(client, clock, number)
    e = latest(svc)
    text(client, KAVITHA, f"ACK {e.code}")
    clock.by(seconds=1)
    with svc.store.session() as s:
        assert s.get(Escalation, e.id).acked_by == s.scalars(
            select(StaffMember.id).where(StaffMember.phone == KAVITHA)).one()
    return e


def never_put_through(twiml: str, *numbers: str) -> None:
    assert "<Dial" not in twiml and "<Number" not in twiml
    for number in numbers:
        assert number not in twiml and number.lstrip("+") not in twiml


# -- a counsellor's number is not enough ----------------------------------------------------------


def test_a_call_from_a_counsellors_number_without_a_pin_set_is_never_put_through(line):
    client, svc, clock = line
    taken_by_kavitha(client, svc, clock)
    (reply,) = staff_call(client, "CA" + "1" * 32)
    never_put_through(reply, SURVIVOR)
    assert said(reply) == [own(svc, "voice_staff_pin_not_set")] and verbs(reply)[-1] == "Hangup"
    (refused,) = audits(svc, "call.pin_refused")
    assert refused.staff_id is not None and refused.detail["reason"] == "no_pin"
    assert audits(svc, "call.connected") == []


def test_a_wrong_pin_is_asked_again_and_three_hang_up_audited_without_dialling(line):
    client, svc, clock = line
    taken_by_kavitha(client, svc, clock)
    set_pin(svc.store, "Kavitha", PIN)
    sid = "CA" + "2" * 32
    first, wrong, again, last = staff_call(client, sid, "1111", "", "9999")
    assert own(svc, "voice_staff_pin_ask") in said(first)
    for reply in (first, wrong, again, last):
        never_put_through(reply, SURVIVOR)
    assert said(wrong)[0] == own(svc, "voice_staff_pin_wrong")  # an empty entry counts as a try too
    assert said(last) == [own(svc, "voice_staff_pin_refused")] and verbs(last) == ["Say", "Hangup"]
    assert [a.detail["tries"] for a in audits(svc, "call.pin_refused")] == [1, 2, 3]
    assert {a.staff_id for a in audits(svc, "call.pin_refused")} == {svc.staff.find(KAVITHA).id}
    # the call is over: the right PIN posted now on the same call gets nothing
    late = post(client, "/twilio/voice/staff/pin", KAVITHA, sid, Digits=PIN)
    never_put_through(late, SURVIVOR)
    assert audits(svc, "call.connected") == []


def test_the_pin_of_another_staff_member_does_not_open_her_call(line):
    client, svc, clock = line
    taken_by_kavitha(client, svc, clock)
    set_pin(svc.store, "Kavitha", PIN)
    set_pin(svc.store, "Anjali", "13579")
    _, reply = staff_call(client, "CA" + "3" * 32, "13579")
    never_put_through(reply, SURVIVOR)
    # nor does a gather posted from another number on her call
    sid = "CA" + "4" * 32
    staff_call(client, sid)
    forged = post(client, "/twilio/voice/staff/pin", ANJALI, sid, Digits=PIN)
    never_put_through(forged, SURVIVOR)


def test_the_right_pin_says_whom_it_connects_to_then_dials_with_the_hotlines_number(line):
    client, svc, clock = line
    e = taken_by_kavitha(client, svc, clock)
    set_pin(svc.store, "Kavitha", PIN)
    _, reply = staff_call(client, "CA" + "5" * 32, PIN)
    assert verbs(reply) == ["Say", "Dial"]  # whom, before the <Dial>
    assert said(reply) == [own(svc, "voice_staff_connecting", code=e.code)]
    dial = ElementTree.fromstring(reply).find("Dial")
    assert dial.get("callerId") == "+914400000000" and dial.find("Number").text == SURVIVOR
    (connected,) = audits(svc, "call.connected")
    assert connected.staff_id == svc.staff.find(KAVITHA).id and connected.detail["case"] == e.case_id
    assert SURVIVOR not in str(connected.detail) and "9876543210" not in str(connected.detail)


def test_with_two_cases_she_chooses_a_code_and_a_code_not_hers_is_refused(line):
    client, svc, clock = line
    first = taken_by_kavitha(client, svc, clock)
    second = taken_by_kavitha(client, svc, clock, SECOND)
    asks_counsellor(client, clock, THIRD)  # Kavitha passes this one; Anjali takes it
    others = latest(svc)
    text(client, KAVITHA, f"PASS {others.code}")
    clock.by(seconds=1)
    text(client, ANJALI, f"ACK {others.code}")
    clock.by(seconds=1)
    set_pin(svc.store, "Kavitha", PIN)

    _, choose, refused = staff_call(client, "CA" + "6" * 32, PIN, others.code)
    assert said(choose) == [own(svc, "voice_staff_choose_case")]
    never_put_through(choose, SURVIVOR, SECOND, THIRD)
    assert said(refused) == [own(svc, "voice_staff_not_yours", code=others.code)]
    never_put_through(refused, SURVIVOR, SECOND, THIRD)
    assert audits(svc, "call.connected") == []

    _, _, chosen = staff_call(client, "CA" + "7" * 32, PIN, first.code)
    assert said(chosen) == [own(svc, "voice_staff_connecting", code=first.code)]
    assert ElementTree.fromstring(chosen).find("Dial/Number").text == SURVIVOR
    assert SECOND not in chosen and THIRD not in chosen
    _, _, chosen = staff_call(client, "CA" + "8" * 32, PIN, second.code)
    assert ElementTree.fromstring(chosen).find("Dial/Number").text == SECOND


def test_an_alert_she_was_sent_but_did_not_take_is_not_hers_to_call(line):
    client, svc, clock = line
    taken_by_kavitha(client, svc, clock)
    asks_counsellor(client, clock, SECOND)  # alerted to Kavitha, not taken
    waiting = latest(svc)
    set_pin(svc.store, "Kavitha", PIN)
    _, reply = staff_call(client, "CA" + "9" * 32, PIN)  # one case is hers: that one, not the alert
    assert said(reply)[0] != own(svc, "voice_staff_connecting", code=waiting.code)
    assert SECOND not in reply


def test_the_bridge_is_refused_after_the_survivors_stop(line):
    client, svc, clock = line
    taken_by_kavitha(client, svc, clock)
    text(client, SURVIVOR, "STOP")
    set_pin(svc.store, "Kavitha", PIN)
    _, reply = staff_call(client, "CA" + "a" * 32, PIN)
    never_put_through(reply, SURVIVOR)
    assert said(reply) in ([own(svc, "voice_call_refused_stop")],
                           [own(svc, "voice_call_refused_closed", code=latest(svc).code)])
    (refused,) = audits(svc, "call.refused")
    assert refused.detail["reason"] in ("stopped", "closed") and refused.staff_id == svc.staff.find(KAVITHA).id
    assert audits(svc, "call.connected") == []


def test_with_no_case_she_is_told_so_and_nothing_is_dialled(line):
    client, svc, _ = line
    set_pin(svc.store, "Kavitha", PIN)
    _, reply = staff_call(client, "CA" + "b" * 32, PIN)
    assert said(reply) == [own(svc, "no_open_case")] and verbs(reply) == ["Say", "Hangup"]


def test_the_per_call_state_names_no_survivor(line, redis_client):
    client, svc, clock = line
    taken_by_kavitha(client, svc, clock)
    set_pin(svc.store, "Kavitha", PIN)
    sid = "CA" + "c" * 32
    staff_call(client, sid, "0000")
    key = f"hotline:staffcall:{sid}"
    held = redis_client.hgetall(key)
    assert 0 < redis_client.ttl(key) <= 600
    assert SURVIVOR.encode() not in b"".join(held.values())
    assert caller_key(SURVIVOR, "test-secret").encode() not in b"".join(held.values())


def test_wrong_pins_over_several_calls_lock_her_pin_until_a_new_one_is_set(line):
    client, svc, clock = line
    taken_by_kavitha(client, svc, clock)
    set_pin(svc.store, "Kavitha", PIN)
    for call in range(4):  # 3 + 3 + 3 + 1: the tenth wrong PIN locks it
        replies = staff_call(client, f"CA{call:032d}", *["0000"] * (3 if call < 3 else 1))
        for reply in replies:
            never_put_through(reply, SURVIVOR)
    assert said(replies[-1]) == [own(svc, "voice_staff_pin_locked")]
    (reply,) = staff_call(client, "CA" + "l" * 32)  # the next call is not even asked for it
    assert said(reply) == [own(svc, "voice_staff_pin_locked")]
    never_put_through(reply, SURVIVOR)
    assert len(audits(svc, "call.pin_refused")) == 11
    set_pin(svc.store, "Kavitha", "97531")  # the coordinator sets a new one
    _, reply = staff_call(client, "CA" + "m" * 32, "97531")
    assert ElementTree.fromstring(reply).find("Dial/Number").text == SURVIVOR


def test_set_pin_reads_stdin_keeps_only_a_hash_and_wants_4_to_8_digits(line):
    from werkzeug.security import check_password_hash

    from .cli import cli

    _, svc, _ = line
    done = cli("staff", "set-pin", "+91 98400 00001", input="8642\n")
    assert done.exit_code == 0
    assert "Kavitha" in done.stdout
    with svc.store.session() as s:
        stored = s.scalars(select(StaffMember.pin_hash).where(StaffMember.phone == KAVITHA)).one()
    assert "8642" not in stored and check_password_hash(stored, "8642")
    for bad in ("123", "123456789", "12a4", ""):
        assert cli("staff", "set-pin", "Kavitha", input=bad + "\n").exit_code == 1
    done = cli("staff", "set-pin", "Somebody Else", input="1234\n")
    assert done.exit_code == 1
    assert "nobody on the staff list" in done.stderr
    with svc.store.session() as s:  # unchanged by the refused ones
        assert s.scalars(select(StaffMember.pin_hash).where(StaffMember.phone == KAVITHA)).one() == stored
    assert [a.staff_id for a in audits(svc, "staff.pin_set")] == [svc.staff.find(KAVITHA).id]


# -- a survivor's number is not enough either --------------------------------------------------------


def survivor_call(client, sid: str, *answers: dict, number: str = SURVIVOR) -> list[str]:
    replies = [post(client, "/twilio/voice", number, sid)]
    for n, answer in enumerate(answers, start=1):
        replies.append(post(client, f"/twilio/voice/gather?n={n}", number, sid, **answer))
    return replies


def held_about_her(svc, number: str = SURVIVOR) -> tuple:
    key = caller_key(number, "test-secret")
    with svc.store.session() as s:
        cases = [(c.id, c.caller_key, svc.store.unseal(c.contact), c.status) for c in s.scalars(select(Case))]
        relays = s.scalars(select(Relay.id)).all()
    return cases, relays, svc.store.opted_out(key)


@pytest.mark.parametrize("words", [{"SpeechResult": "Delete.", "Confidence": "0.9"},
                                   {"SpeechResult": "stop", "Confidence": "0.8"},
                                   {"SpeechResult": "அழி", "Confidence": "0.8"}])
def test_delete_or_stop_said_on_a_call_erases_and_stops_nothing_and_she_is_told_to_text(line, words):
    client, svc, clock = line
    taken_by_kavitha(client, svc, clock)
    text(client, SURVIVOR, "He took my passport")  # relayed to Kavitha
    clock.by(seconds=1)
    before = held_about_her(svc)
    assert before[0] and before[0][0][2] == SURVIVOR and before[1] and before[2] is False

    _, reply = survivor_call(client, "CA" + "d" * 32, words)
    assert said(reply)[0] == svc.catalog.own("voice_controls_by_sms", "en")
    assert not any("has been erased" in t or "no more messages" in t for t in said(reply))
    assert held_about_her(svc) == before  # her case, her number, her relays; no opt-out
    assert audits(svc, "caller.opt_out") == []
    # by SMS from her own phone they work as before
    text(client, SURVIVOR, "STOP")
    assert held_about_her(svc)[2] is True


def test_start_said_on_a_call_does_not_lift_her_stop(line):
    client, svc, clock = line
    taken_by_kavitha(client, svc, clock)
    text(client, SURVIVOR, "STOP")
    key = caller_key(SURVIVOR, "test-secret")
    assert svc.store.opted_out(key)
    _, reply = survivor_call(client, "CA" + "e" * 32, {"SpeechResult": "start"})
    assert said(reply)[0] == svc.catalog.own("voice_controls_by_sms", "en")
    assert svc.store.opted_out(key)  # still stopped: nothing reaches her phone
    assert audits(svc, "caller.opt_in") == []


def test_the_language_picked_on_a_call_is_not_remembered_for_her_next_sms(line, redis_client):
    client, svc, _ = line
    text(client, SURVIVOR, "hello", "1", "1", "5")  # English, chosen by SMS (remembered); safe; End
    key = caller_key(SURVIVOR, "test-secret")
    assert redis_client.get(f"hotline:lang:{key}") == b"en"

    _, tamil = survivor_call(client, "CA" + "f" * 32, {"Digits": "2"})  # Tamil, on a call
    assert ElementTree.fromstring(tamil).find("Gather").get("language") == "ta-IN"  # for this call
    assert redis_client.get(f"hotline:lang:{key}") == b"en"  # not for her phone

    (after,) = text(client, SURVIVOR, "hello")  # a new conversation, in the language she chose by SMS
    assert after == text(client, "+919811112222", "hello")[0]  # in English, as anyone new is answered


def test_a_language_picked_on_a_first_call_is_not_remembered_at_all(line, redis_client):
    client, svc, _ = line
    survivor_call(client, "CA" + "0" * 31 + "1", {"Digits": "2"}, number=THIRD)
    assert redis_client.get(f"hotline:lang:{caller_key(THIRD, 'test-secret')}") is None
    (reply,) = text(client, THIRD, "hello")
    assert reply == text(client, "+919811112222", "hello")[0]  # as anyone new is answered
