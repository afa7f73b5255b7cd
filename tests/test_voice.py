"""A call walks the survivor flow as Twilio drives it: <Gather> answers by keypad and by speech."""

from __future__ import annotations

from xml.etree import ElementTree

from hotline.store import Outbox
from hotline.store.models import Escalation

from .helpers import run_worker

CALLER = "+919876543210"


def call(client, path, **form):
    reply = client.post(path, data={"From": CALLER, "To": "+914400000000", "CallSid": "CA" + "1" * 32, **form})
    assert reply.status_code == 200
    return ElementTree.fromstring(reply.get_data(as_text=True))


def said(root) -> list[str]:
    return [s.text for s in root.iter("Say")]


def test_a_call_walks_the_menu_by_keypad_and_speech_to_a_counsellor(make_app):
    app = make_app()
    client = app.test_client()

    first = call(client, "/twilio/voice")
    gather = first.find("Gather")
    assert gather is not None and gather.get("input") == "dtmf speech"
    assert gather.get("action") == "http://localhost/twilio/voice/gather?n=1"
    assert "For English, press 1." in said(first)
    assert first.find("Redirect").text == "http://localhost/twilio/voice/gather?n=1"  # silence comes back as no input

    tamil = call(client, "/twilio/voice/gather?n=1", Digits="2")
    assert tamil.find("Gather").get("language") == "ta-IN"
    assert tamil.find("Gather/Say").get("voice") == "Google.ta-IN-Standard-A"

    menu = call(client, "/twilio/voice/gather?n=2", SpeechResult="ஆம்", Confidence="0.9")
    assert menu.find("Gather").get("action") == "http://localhost/twilio/voice/gather?n=3"

    connect = call(client, "/twilio/voice/gather?n=3", Digits="1")
    dial = connect.find("Dial")
    assert dial is not None, ElementTree.tostring(connect)
    assert dial.get("callerId") == "+914400000000"  # the hotline's number, never the survivor's
    assert dial.find("Number").text == "+919840000001"  # Kavitha: on shift, speaks Tamil
    assert dial.get("action").startswith("http://localhost/twilio/voice/dialed")

    unanswered = client.post(dial.get("action"), data={"From": CALLER, "CallSid": "CA" + "1" * 32,
                                                       "DialCallStatus": "no-answer"})
    record = ElementTree.fromstring(unanswered.get_data(as_text=True)).find("Record")
    assert record is not None

    left = client.post(record.get("action"), data={"From": CALLER, "CallSid": "CA" + "1" * 32,
                                                   "RecordingUrl": "https://api.twilio.com/rec/RE1",
                                                   "RecordingDuration": "14"})
    assert left.status_code == 200
    svc = app.extensions["hotline"]
    with svc.store.session() as s:
        escalations = {e.kind: e for e in s.query(Escalation).all()}
    assert sorted(escalations) == ["counsellor", "voicemail"]
    sealed = escalations["voicemail"].details["recording"]  # sealed (#30): a Twilio recording's URL is public
    assert "RE1" not in sealed and app.extensions["hotline"].store.unseal(sealed) == "https://api.twilio.com/rec/RE1"
    run_worker(svc, burst=True)
    with svc.store.session() as s:
        bodies = [o.body for o in s.query(Outbox).all() if o.body]
    assert any(escalations["voicemail"].code in b for b in bodies)  # the team is alerted to listen


def test_silence_is_no_input_then_the_question_again(make_app):
    client = make_app().test_client()
    call(client, "/twilio/voice")
    call(client, "/twilio/voice/gather?n=1", Digits="1")
    again = call(client, "/twilio/voice/gather?n=2")  # the <Redirect> after a silent <Gather>
    texts = said(again)
    assert texts[0] == "We did not hear anything."
    assert "Is it safe for you to talk now?" in texts


def test_a_repeated_gather_post_is_answered_the_same(make_app):
    client = make_app().test_client()
    call(client, "/twilio/voice")
    one = client.post("/twilio/voice/gather?n=1", data={"From": CALLER, "CallSid": "CA" + "1" * 32, "Digits": "1"})
    two = client.post("/twilio/voice/gather?n=1", data={"From": CALLER, "CallSid": "CA" + "1" * 32, "Digits": "1"})
    assert one.get_data() == two.get_data()
    three = call(client, "/twilio/voice/gather?n=2", Digits="1")
    assert "How can we help?" in said(three)


def test_nobody_on_shift_by_voice_takes_a_voicemail(make_app, tmp_path):
    staff = tmp_path / "staff.yaml"
    staff.write_text("timezone: Asia/Kolkata\nstaff:\n  - name: Coordinator\n    phone: '+91 98400 00004'\n"
                     "    roles: [coordinator]\n    languages: [en]\n    shifts: []\n")
    client = make_app(staff_file=str(staff)).test_client()
    call(client, "/twilio/voice")
    call(client, "/twilio/voice/gather?n=1", Digits="1")
    call(client, "/twilio/voice/gather?n=2", Digits="1")
    reply = call(client, "/twilio/voice/gather?n=3", Digits="1")
    assert reply.find("Dial") is None
    assert any("No counsellor is free" in t for t in said(reply))


def test_three_silences_at_the_menu_are_spoken_for_the_ear_and_silence_ends_the_call(make_app):
    client = make_app().test_client()
    call(client, "/twilio/voice")
    call(client, "/twilio/voice/gather?n=1", Digits="1")
    call(client, "/twilio/voice/gather?n=2", Digits="1")  # safe to talk: the main menu
    heard, n, root = [], 3, None
    for n in range(3, 20):  # silence after silence: the <Redirect> of each silent <Gather>
        root = call(client, f"/twilio/voice/gather?n={n}")
        heard += said(root)
        if root.find("Gather") is None:
            break
    assert root.find("Hangup") is not None and n <= 8, heard  # it ends, politely, not a loop
    assert "We will end this call now." in heard[-1]
    assert not [t for t in heard if "reply" in t.lower() or "text you" in t.lower()], heard  # no SMS words
    assert any("press 1 and we will put you through" in t for t in heard)


def test_a_danger_word_on_a_call_puts_her_through_not_the_menu_again(make_app):
    client = make_app().test_client()
    call(client, "/twilio/voice")
    call(client, "/twilio/voice/gather?n=1", Digits="1")
    root = call(client, "/twilio/voice/gather?n=2", SpeechResult="urgent he is hitting me", Confidence="0.9")
    dial = root.find("Dial")
    assert dial is not None and dial.find("Number").text == "+919840000002" or dial.find("Number").text
    assert dial.get("callerId") == "+914400000000"
    texts = said(root)
    assert texts == ["Please stay on the line. We are putting you through to a counsellor now. "
                     "If you are in danger, you can also call 112."]  # the numbers once, no menu


def test_a_danger_word_on_a_call_with_nobody_on_shift_offers_a_call_back_or_a_message(make_app, tmp_path):
    staff = tmp_path / "staff.yaml"
    staff.write_text("timezone: Asia/Kolkata\nstaff:\n  - name: Coordinator\n    phone: '+91 98400 00004'\n"
                     "    roles: [coordinator]\n    languages: [en]\n    shifts: []\n")
    client = make_app(staff_file=str(staff)).test_client()
    call(client, "/twilio/voice")
    root = call(client, "/twilio/voice/gather?n=1", SpeechResult="urgent", Confidence="0.9")
    assert root.find("Dial") is None and root.find("Gather") is not None
    assert "For a call back, press 1." in said(root) and "For leaving a message, press 2." in said(root)
    record = call(client, "/twilio/voice/gather?n=2", Digits="2").find("Record")
    assert record is not None and "voice/recorded" in record.get("action")
