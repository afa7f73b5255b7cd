"""What the engine raises reaches people: alerts in their language with a code, resources to the
survivor, DELETE and STOP honoured — on SQLite and on PostgreSQL, through the real Twilio SDK."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from hotline.store import OptOut
from hotline.store.models import Case, Escalation
from hotline.web.app import create_app

from .helpers import messages, run_worker, sent, sms_form
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


def test_resources_go_to_the_survivor_through_the_twilio_sdk(make_services, standin, database_url):
    svc = make_services(twilio_client=standin.client(SID, TOKEN), database_url=database_url,
                        twilio_account_sid=SID, twilio_auth_token=TOKEN)
    app = create_app(services=svc)
    client = app.test_client()
    from .helpers import sign

    def signed(body):
        form = sms_form(SURVIVOR, body)
        return client.post("/twilio/sms", data=form,
                           headers={"X-Twilio-Signature": sign(TOKEN, "http://localhost/twilio/sms", form)})

    reply = signed("urgent")  # its reply gives the numbers at once; no SMS repeats them
    assert "112" in messages(reply.get_data(as_text=True))[0]
    run_worker(svc, burst=True)
    assert SURVIVOR not in [r["form"]["To"] for r in standin.requests]
    for body in ("1", "yes", "2", "1", "Chennai"):  # she asks for a shelter in Chennai: resources
        signed(body)
    standin.fail_next = 1  # the first send (the resources) fails: RQ's retry sends it again
    run_worker(svc, burst=True)
    assert SURVIVOR not in [r["form"]["To"] for r in standin.requests]  # waiting for its retry
    run_worker(svc, burst=True, until=svc.now() + timedelta(minutes=1))
    to_survivor = [r for r in standin.requests if r["form"]["To"] == SURVIVOR]
    assert len(to_survivor) == 1 and "shelter: 181" in to_survivor[0]["form"]["Body"]
    # an emergency alerts every English-speaking counsellor on shift at once, by SMS and by a call
    sms = sorted(r["form"]["To"] for r in standin.requests if r["path"].endswith("/Messages.json")
                 and r["form"]["To"] != SURVIVOR)
    calls = sorted(r["form"]["To"] for r in standin.requests if r["path"].endswith("/Calls.json"))
    assert sms == calls == ["+919840000001", "+919840000002"]
    with svc.store.session() as s:
        code = s.query(Escalation).one().code
    alerts = [r["form"]["Body"] for r in standin.requests
              if r["form"]["To"] in sms and r["path"].endswith("/Messages.json")]
    assert len(alerts) == 2 and all(code in body for body in alerts)
    assert to_survivor[0]["form"]["From"] == "+914400000000"
    assert to_survivor[0]["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"


def everything_in(svc, redis_client) -> str:
    """Every row of every table and every Redis key and value, as text: what a scan would see."""
    from sqlalchemy import text

    from hotline.store.models import Base

    parts = []
    with svc.store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            parts += [repr(tuple(row)) for row in conn.execute(text(f"SELECT * FROM {table.name}"))]
    for key in redis_client.keys("*"):
        kind = redis_client.type(key)
        value = redis_client.get(key) if kind == b"string" else repr(redis_client.dump(key))
        parts.append(f"{key!r} {value!r}")
    return "\n".join(parts)


def test_delete_erases_everything_held_about_the_number(make_app, database_url, redis_client):
    from hotline.privacy.phones import caller_key

    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    client = app.test_client()
    say(client, "hi", "1", "1", "1")  # English, safe, a counsellor: a case and an escalation
    run_worker(svc, burst=True)
    with svc.store.session() as s:
        code = s.query(Escalation).one().code
    say(client, f"ACK {code}", number="+919840000001")
    say(client, "my husband locked the door")  # relayed to Kavitha, kept encrypted for her
    run_worker(svc, burst=True)
    key = caller_key(SURVIVOR, "test-secret")
    assert key in everything_in(svc, redis_client)

    (reply,) = say(client, "DELETE")
    assert "erased" in reply[0]
    run_worker(svc, burst=True)
    scan = everything_in(svc, redis_client)
    for trace in (key, SURVIVOR, "9876543210", "husband", "locked the door"):
        assert trace not in scan
    with svc.store.session() as s:
        stub = s.query(Escalation).one()  # what stays for the statistics: anonymous times and status
        assert (stub.status, stub.details, stub.reason) == ("erased", {}, "")
        assert s.query(Case).one().contact is None
    # and her next message starts afresh: nothing is relayed to the counsellor any more
    (again,) = say(client, "hello")
    assert "Choose a language" in again[0]


def test_stop_means_no_outbound_to_that_number(make_app, database_url):
    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    client = app.test_client()
    say(client, "hi", "1", "1", "2", "1")  # English, safe, information, shelter
    say(client, "Chennai")  # resources are queued for her …
    say(client, "STOP")  # … and then she says STOP before they go out
    with svc.store.session() as s:
        assert s.query(OptOut).count() == 1
    run_worker(svc, burst=True)
    assert [to for to, _ in sent(svc) if to == SURVIVOR] == []
    say(client, "START")
    with svc.store.session() as s:
        assert s.query(OptOut).count() == 0


def test_the_safe_word_keeps_nothing(make_app, redis_client):
    app = make_app()
    client = app.test_client()
    say(client, "hi", "2")
    (reply,) = say(client, "recipe")
    # a shop's SMS, in English whatever her language (as shops send them: the flow's own note and the
    # second Tamil review); a Tamil "order confirmed" after Tamil help messages looks like what it is
    assert reply == ["Thank you for shopping with us! Your order #4821 is confirmed and will be delivered soon."]
    assert not redis_client.keys("hotline:conv:*") and not redis_client.keys("hotline:lang:*")


def test_logs_never_carry_a_full_number_or_a_message_body(make_app, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app()
    client = app.test_client()
    say(client, "my husband took my phone", "1", "1", "1", "URGENT he is here")
    run_worker(app.extensions["hotline"], burst=True)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "+91•••••••210" in text
    for secret in (SURVIVOR, "9876543210", "husband", "he is here", "+919840000001"):
        assert secret not in text
