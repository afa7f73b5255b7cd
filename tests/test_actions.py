"""What the engine raises reaches people: alerts in their language with a code, resources to the
survivor, DELETE and STOP honoured — on SQLite and on PostgreSQL, through the real Twilio SDK."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from hotline import services
from hotline.app import create_app
from hotline.services import Services
from hotline.store import Action, Audit, OptOut, Outbox
from hotline.worker import run as run_worker

from .helpers import messages, sms_form
from .twilio_standin import StandIn

SURVIVOR = "+919876543210"
SID, TOKEN = "AC" + "a" * 32, "b" * 32


@pytest.fixture
def standin():
    server = StandIn()
    yield server
    server.stop()


def say(client, *bodies, number=SURVIVOR):
    return [messages(client.post("/twilio/sms", data=sms_form(number, b)).get_data(as_text=True)) for b in bodies]


def outbox(svc):
    with svc.store.session() as s:
        return [(o.to, o.body) for o in s.query(Outbox).order_by(Outbox.id)]


def test_an_escalation_alerts_the_counsellor_in_her_language_with_a_code(make_app, database_url):
    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    client = app.test_client()
    say(client, "வணக்கம்", "1", "1")  # Tamil at once; safe to talk; a counsellor
    with svc.store.session() as s:
        (action,) = s.query(Action).all()
        assert (action.kind, action.status, action.lang) == ("escalate", "queued", "ta")
    run_worker(services.use(svc), burst=True)
    sent = outbox(svc)
    assert [to for to, _ in sent] == ["+919840000001"]  # Kavitha speaks Tamil; Anjali does not
    assert f"Reply ACK {action.id}" in sent[0][1] and "(Tamil)" in sent[0][1]
    with svc.store.session() as s:
        assert s.get(Action, action.id).status == "done"


def test_a_job_run_twice_sends_once(make_app, database_url):
    from hotline.jobs import perform

    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    say(app.test_client(), "hi", "1", "1", "1")
    services.use(svc)
    with svc.store.session() as s:
        (action,) = s.query(Action).all()
    perform(action.id)
    perform(action.id)
    assert len(outbox(svc)) == 2  # one alert to each of the two counsellors on shift who speak English


def test_resources_go_to_the_survivor_through_the_twilio_sdk(make_settings, standin, database_url):
    settings = make_settings(database_url=database_url, twilio_account_sid=SID, twilio_auth_token=TOKEN)
    svc = Services(settings, twilio_client=standin.client(SID, TOKEN))
    app = create_app(services=svc)
    client = app.test_client()
    form = sms_form(SURVIVOR, "urgent")
    from .helpers import sign

    reply = client.post("/twilio/sms", data=form,
                        headers={"X-Twilio-Signature": sign(TOKEN, "http://localhost/twilio/sms", form)})
    assert "112" in messages(reply.get_data(as_text=True))[0]
    standin.fail_next = 1  # the first send (the alert) fails: RQ's retry sends it again
    run_worker(services.use(svc), burst=True)
    assert [r["form"]["To"] for r in standin.requests] == [SURVIVOR]  # the alert waits for its retry
    run_worker(svc, burst=True, until=svc.now() + timedelta(minutes=1))
    to_survivor = [r for r in standin.requests if r["form"]["To"] == SURVIVOR]
    assert len(to_survivor) == 1 and "Women Helpline 181" in to_survivor[0]["form"]["Body"]
    alerts = [r["form"]["Body"] for r in standin.requests if r["form"]["To"] != SURVIVOR]
    assert len(alerts) == 2 and all(a.startswith("URGENT hotline alert") for a in alerts)
    assert to_survivor[0]["form"]["From"] == "+914400000000"
    assert to_survivor[0]["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"


def test_delete_erases_everything_held_about_the_number(make_app, database_url, redis_client):
    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    client = app.test_client()
    say(client, "hi", "1", "1", "1")
    (reply,) = say(client, "DELETE")
    assert "erased" in reply[0]
    with svc.store.session() as s:
        assert s.query(Action).count() == 0
        assert all(a.caller_key is None for a in s.query(Audit).all())
    assert not redis_client.keys("hotline:conv:*") and not redis_client.keys("hotline:lang:*")


def test_stop_means_no_outbound_to_that_number(make_app, database_url):
    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    client = app.test_client()
    say(client, "hi", "1", "1", "2", "1")  # English, safe, information, shelter
    say(client, "Chennai")  # resources are queued for her …
    say(client, "STOP")  # … and then she says STOP before they go out
    with svc.store.session() as s:
        assert s.query(OptOut).count() == 1
    run_worker(services.use(svc), burst=True)
    assert [to for to, _ in outbox(svc) if to == SURVIVOR] == []
    say(client, "START")
    with svc.store.session() as s:
        assert s.query(OptOut).count() == 0


def test_the_safe_word_keeps_nothing(make_app, redis_client):
    app = make_app()
    client = app.test_client()
    say(client, "hi", "2")
    (reply,) = say(client, "recipe")
    assert reply == ["Thank you. Your order is confirmed."]
    assert not redis_client.keys("hotline:conv:*") and not redis_client.keys("hotline:lang:*")


def test_logs_never_carry_a_full_number_or_a_message_body(make_app, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app()
    client = app.test_client()
    say(client, "my husband took my phone", "1", "1", "1", "URGENT he is here")
    run_worker(services.use(app.extensions["hotline"]), burst=True)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "+91•••••••210" in text
    for secret in (SURVIVOR, "9876543210", "husband", "he is here", "+919840000001"):
        assert secret not in text
