"""Delivery drives the chain (#19.2) and Twilio's retries are acted on once (#19.3), through the
real SDK against the stand-in: a permanent REST error is never retried, moves the step on at once
and tells the coordinator; an undelivered alert moves it on too; a voicemail and a status callback
posted twice act once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.store.models import Audit, Escalation, Notification
from hotline.web.app import create_app

from .helpers import new_sid, run_worker, sms_form
from .twilio_standin import StandIn

SURVIVOR = "+919876543210"
KAVITHA, ANJALI, PRIYA = "+919840000001", "+919840000002", "+919840000004"
SID, TOKEN = "AC" + "a" * 32, "b" * 32


@pytest.fixture
def standin():
    server = StandIn()
    yield server
    server.stop()


def _line(make_services, standin, database_url):
    # unsigned posts, as the demo takes them: these tests are about delivery (signatures: test_signatures.py)
    svc = make_services(twilio_client=standin.client(SID, TOKEN), database_url=database_url,
                        twilio_account_sid=SID, twilio_auth_token=None, demo=True)
    return svc, create_app(services=svc).test_client()


def _to(standin, number, kept="requests"):
    return [r["form"] for r in getattr(standin, kept) if r["form"].get("To") == number]


def test_a_permanent_rest_error_is_not_retried_moves_on_and_tells_the_coordinator(make_services, standin, database_url):
    svc, client = _line(make_services, standin, database_url)
    standin.invalid_to.add(KAVITHA)  # 21211: not a valid phone number
    client.post("/twilio/sms", data=sms_form(SURVIVOR, "counsellor"))
    client.post("/twilio/sms", data=sms_form(SURVIVOR, "yes"))  # safe to talk: asked first (#26)
    run_worker(svc, burst=True)
    assert len(_to(standin, KAVITHA, "failures")) == 1
    assert len(_to(standin, ANJALI)) == 1  # the next person, at once: not after the step's 5 minutes
    (told,) = _to(standin, PRIYA)
    assert "Kavitha" in told["Body"] and "+91•••••••001" in told["Body"] and KAVITHA not in told["Body"]
    run_worker(svc, burst=True, until=svc.now() + timedelta(minutes=4))  # RQ's retries would be due by now
    assert len(_to(standin, KAVITHA, "failures")) == 1  # never retried
    with svc.store.session() as s:
        assert s.scalars(select(Notification.status).where(Notification.staff_id == 1)).all() == ["failed"]


def test_an_undelivered_alert_moves_the_step_on_and_a_repeated_callback_acts_once(make_services, standin,
                                                                                   database_url):
    svc, client = _line(make_services, standin, database_url)
    client.post("/twilio/sms", data=sms_form(SURVIVOR, "counsellor"))
    client.post("/twilio/sms", data=sms_form(SURVIVOR, "yes"))  # safe to talk: asked first (#26)
    run_worker(svc, burst=True)
    with svc.store.session() as s:
        (first,) = s.scalars(select(Notification)).all()
    first_to = KAVITHA if first.staff_id == 1 else ANJALI
    other = ANJALI if first_to == KAVITHA else KAVITHA
    assert _to(standin, first_to) and not _to(standin, other)
    form = {"MessageSid": first.transport_id, "MessageStatus": "undelivered", "ErrorCode": "30003",
            "AccountSid": SID, "To": first_to}
    for _ in range(2):  # Twilio retries a callback it thinks failed
        assert client.post("/twilio/status", data=form).status_code == 204
    run_worker(svc, burst=True)
    assert len(_to(standin, other)) == 1  # moved on at once
    assert not _to(standin, PRIYA)  # 30003 (unreachable just now) is not a wrong number
    with svc.store.session() as s:
        assert len(s.scalars(select(Audit).where(Audit.event == "delivery.undelivered")).all()) == 1
        assert len(s.scalars(select(Audit).where(Audit.event == "notification.failed")).all()) == 1


def test_a_voicemail_posted_twice_opens_one_escalation(make_app):
    app = make_app()
    client, svc = app.test_client(), app.extensions["hotline"]
    form = {"From": SURVIVOR, "CallSid": new_sid("CA"), "RecordingSid": new_sid("RE"),
            "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1", "RecordingDuration": "20"}
    for _ in range(2):
        assert client.post("/twilio/voice/recorded?lang=en", data=form).status_code == 200
    token = {"I-Twilio-Idempotency-Token": "a1b2c3"}
    other = dict(form, RecordingSid=new_sid("RE"))
    client.post("/twilio/voice/recorded?lang=en", data=other, headers=token)
    client.post("/twilio/voice/recorded?lang=en", data=dict(other, RecordingSid=new_sid("RE")), headers=token)
    with svc.store.session() as s:
        # one for the first recording, one for the second; the third shares the second's token
        assert len(s.scalars(select(Escalation)).all()) == 2


def test_what_goes_to_her_is_not_retried_when_her_number_is_refused_for_good(make_services, standin, sqlite_url):
    """Her resources to a number Twilio refuses for good (21211): tried once, audited, marked failed,
    never sent again by RQ's retries or by the sweeper."""
    from hotline.store.models import Action

    svc, client = _line(make_services, standin, sqlite_url)
    standin.invalid_to.add(SURVIVOR)
    for body in ("hi", "1", "yes", "2", "1", "Chennai"):  # English, safe, information, shelter in Chennai
        client.post("/twilio/sms", data=sms_form(SURVIVOR, body))
    run_worker(svc, burst=True)
    run_worker(svc, burst=True, until=svc.now() + timedelta(minutes=10))  # retries, and the sweeper, due by now
    assert len(_to(standin, SURVIVOR, "failures")) == 1
    with svc.store.session() as s:
        (resources,) = s.scalars(select(Action).where(Action.kind == "send_resources")).all()
        assert resources.status == "failed"
        (failed,) = s.scalars(select(Audit).where(Audit.event == "delivery.failed")).all()
        assert failed.detail["permanent"] is True and failed.detail["job"] == "action"


def test_her_voicemail_is_deleted_at_twilio_when_she_says_the_safe_word(make_services, standin, database_url):
    """Erased here (DELETE, the safe word, retention) is erased at Twilio too: the recording of her
    voice is deleted through its REST API, once, and its address is not kept afterwards."""
    from hotline.store.models import Action

    svc, client = _line(make_services, standin, database_url)
    recording = f"/2010-04-01/Accounts/{SID}/Recordings/RE{'5' * 32}"
    standin.recordings.add(recording)
    client.post("/twilio/voice/recorded?lang=en", data={
        "From": SURVIVOR, "CallSid": new_sid("CA"), "RecordingSid": f"RE{'5' * 32}",
        "RecordingUrl": "https://api.twilio.com" + recording, "RecordingDuration": "20"})
    run_worker(svc, burst=True)
    assert not standin.deleted  # kept while her case is: her counsellor plays it
    client.post("/twilio/sms", data=sms_form(SURVIVOR, "RECIPE"))
    run_worker(svc, burst=True)
    run_worker(svc, burst=True, until=svc.now() + timedelta(minutes=10))  # anything left over, and the sweeper
    assert standin.deleted == [recording] and not standin.recordings
    with svc.store.session() as s:
        payloads = [a.payload for a in s.scalars(select(Action))]
    assert "RE" + "5" * 32 not in str(payloads)
