"""Every caller is a caller (#19.1): a withheld, unknown or unparseable caller ID gets the flow on
a call and by SMS, keyed by the call alone, never a 4xx; no call-back is offered to a number the
hotline does not have, and her voicemail reaches the team."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from hotline.store.models import Case, Escalation

from .helpers import messages, new_sid

WITHHELD = ["anonymous", "Restricted", "Unknown", "+266696687", ""]


def _voice(client, path: str, **form):
    reply = client.post(path, data=form)
    assert reply.status_code == 200, (path, form, reply.status_code)
    return ElementTree.fromstring(reply.get_data(as_text=True))


@pytest.mark.parametrize("caller_id", WITHHELD)
def test_a_withheld_caller_gets_the_flow_by_voice_and_sms(make_app, caller_id):
    client = make_app().test_client()
    call = new_sid("CA")
    first = _voice(client, "/twilio/voice", From=caller_id, CallSid=call)
    assert first.find("Gather") is not None  # the language menu, not Twilio's error recording
    tamil = _voice(client, "/twilio/voice/gather?n=1", From=caller_id, CallSid=call, Digits="2")
    assert "தமிழ்" in ElementTree.tostring(tamil, encoding="unicode") or tamil.find("Gather") is not None
    reply = client.post("/twilio/sms", data={"From": caller_id, "To": "+914400000000", "Body": "hello",
                                             "MessageSid": new_sid()})
    assert reply.status_code == 200
    assert messages(reply.get_data(as_text=True))  # the flow's first reply


def test_two_withheld_calls_are_two_callers(make_app):
    client = make_app().test_client()
    a, b = new_sid("CA"), new_sid("CA")
    _voice(client, "/twilio/voice", From="anonymous", CallSid=a)
    _voice(client, "/twilio/voice/gather?n=1", From="anonymous", CallSid=a, Digits="1")  # English, on call a
    other = _voice(client, "/twilio/voice/gather?n=1", From="anonymous", CallSid=b, Digits="1")
    # call b has no conversation of a's: its own answer is taken as the first step of its own
    assert other is not None


def test_no_call_back_is_offered_to_a_withheld_number(make_app):
    """Asking for a call-back from a withheld number puts her through now (or to voicemail):
    the window keypad, which books a call nobody could make, is never reached."""
    app = make_app()
    client, svc = app.test_client(), app.extensions["hotline"]
    call = new_sid("CA")
    _voice(client, "/twilio/voice", From="anonymous", CallSid=call)
    _voice(client, "/twilio/voice/gather?n=1", From="anonymous", CallSid=call, Digits="1")  # English
    _voice(client, "/twilio/voice/gather?n=2", From="anonymous", CallSid=call, Digits="1")  # safe to talk
    asked = _voice(client, "/twilio/voice/gather?n=3", From="anonymous", CallSid=call, Digits="3")  # call me back
    said = ElementTree.tostring(asked, encoding="unicode")
    assert asked.find("Dial") is not None or asked.find("Record") is not None, said
    with svc.store.session() as s:
        assert not s.scalars(select(Escalation).where(Escalation.kind == "callback")).all()
    # with her number, the same choice asks for a safe time
    own = new_sid("CA")
    number = "+919876500011"
    _voice(client, "/twilio/voice", From=number, CallSid=own)
    _voice(client, "/twilio/voice/gather?n=1", From=number, CallSid=own, Digits="1")
    _voice(client, "/twilio/voice/gather?n=2", From=number, CallSid=own, Digits="1")
    window = _voice(client, "/twilio/voice/gather?n=3", From=number, CallSid=own, Digits="3")
    assert window.find("Gather") is not None and window.find("Dial") is None


def test_a_withheld_callers_voicemail_reaches_the_team(make_app):
    app = make_app()
    client, svc = app.test_client(), app.extensions["hotline"]
    reply = client.post("/twilio/voice/recorded?lang=en", data={
        "From": "anonymous", "CallSid": new_sid("CA"), "RecordingSid": new_sid("RE"),
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1", "RecordingDuration": "31"})
    assert reply.status_code == 200
    with svc.store.session() as s:
        (e,) = s.scalars(select(Escalation)).all()
        case = s.get(Case, e.case_id)
        assert e.kind == "voicemail" and case.contact is None  # no number kept: none was given
