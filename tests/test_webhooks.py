"""The SMS webhook over real HTTP, on real Redis: signatures, idempotency, concurrency, outages."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import redis

from hotline.privacy.phones import caller_key
from hotline.store import Outbox
from hotline.store.models import Case, Escalation

from .helpers import messages, new_sid, post, run_worker, sign, sms_form

TOKEN = "0123456789abcdef0123456789abcdef"
SURVIVOR = "+919876543210"


def conversation(redis_client, number=SURVIVOR, secret="test-secret"):
    raw = redis_client.get(f"hotline:conv:{caller_key(number, secret)}")
    return json.loads(raw) if raw else None


def test_signed_sms_gets_the_flow_reply(make_app, live, redis_client):
    server = live(make_app(twilio_auth_token=TOKEN))
    reply = post(server.url, "/twilio/sms", sms_form("+91 98765 43210", "hello"), token=TOKEN)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/xml")
    (text,) = messages(reply.text)
    assert "Choose a language" in text and "2 - தமிழ்" in text
    assert conversation(redis_client)["node"] == "language"


def test_unsigned_forged_and_wrong_url_are_refused_and_nothing_is_processed(make_app, live, redis_client):
    server = live(make_app(twilio_auth_token=TOKEN))
    form = sms_form(SURVIVOR, "hello")
    assert post(server.url, "/twilio/sms", form).status_code == 403  # unsigned
    assert post(server.url, "/twilio/sms", form, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403  # forged
    wrong_token = sign("f" * 32, server.url + "/twilio/sms", form)
    assert post(server.url, "/twilio/sms", form, signature=wrong_token).status_code == 403
    signed_elsewhere = post(server.url, "/twilio/sms", form, token=TOKEN, signed_url="https://evil.example/twilio/sms")
    assert signed_elsewhere.status_code == 403
    tampered = dict(form, Body="URGENT")
    tampered_sig = sign(TOKEN, server.url + "/twilio/sms", form)
    assert post(server.url, "/twilio/sms", tampered, signature=tampered_sig).status_code == 403
    assert conversation(redis_client) is None
    voice = post(server.url, "/twilio/voice", {"From": SURVIVOR, "CallSid": "CA1"})
    assert voice.status_code == 403


def test_public_url_is_what_twilio_signed(make_app, live):
    """Behind a TLS proxy Twilio signs https://public/…, not the address the app sees."""
    server = live(make_app(twilio_auth_token=TOKEN, public_url="https://hotline.example.org"))
    form = sms_form(SURVIVOR, "hello")
    ok = post(server.url, "/twilio/sms", form, token=TOKEN, signed_url="https://hotline.example.org/twilio/sms")
    assert ok.status_code == 200
    local = post(server.url, "/twilio/sms", sms_form(SURVIVOR, "hello"), token=TOKEN)
    assert local.status_code == 403


def test_the_same_message_sid_three_times_advances_once(make_app, live, redis_client):
    server = live(make_app())
    post(server.url, "/twilio/sms", sms_form(SURVIVOR, "hi"))
    form = sms_form(SURVIVOR, "1")  # English: on to "is it safe to talk"
    replies = [post(server.url, "/twilio/sms", form).text for _ in range(3)]
    assert replies[0] == replies[1] == replies[2]
    assert "safe for you to talk" in messages(replies[0])[0]
    assert conversation(redis_client)["node"] == "safe_to_talk"


def test_concurrent_deliveries_of_one_message_are_processed_once(make_app, live, redis_client):
    server = live(make_app())
    post(server.url, "/twilio/sms", sms_form(SURVIVOR, "hi"))
    post(server.url, "/twilio/sms", sms_form(SURVIVOR, "1"))
    form = sms_form(SURVIVOR, "1")  # "yes, safe": to the main menu, then "1" would ask for a counsellor
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: post(server.url, "/twilio/sms", form).text, range(6)))
    assert len(set(replies)) == 1
    assert conversation(redis_client)["node"] == "main_menu"


def chain_flow(length: int) -> str:
    """A flow of `length` menus in a row, each moved on by 'next': a counter no update may skip."""
    nodes = []
    for i in range(length):
        target = f"n{i + 1}" if i + 1 < length else "done"
        nodes.append(f"""  n{i}:
    kind: menu
    say: step
    choices:
      - match: [next]
        goto: {target}
    fallback: n{i}
""")
    return ("flow: survivor\nspec: 1\nstart: n0\nmessages:\n  step: \"Step\"\n  bye: \"Bye\"\nnodes:\n"
            + "".join(nodes) + "  done:\n    kind: end\n    say: bye\n")


def test_twenty_concurrent_messages_from_one_number_leave_a_consistent_state(make_app, live, redis_client, tmp_path):
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "survivor.yaml").write_text(chain_flow(30))
    server = live(make_app(flows_path=str(flows)))
    post(server.url, "/twilio/sms", sms_form(SURVIVOR, "start"))
    assert conversation(redis_client)["node"] == "n0"
    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(lambda _: post(server.url, "/twilio/sms", sms_form(SURVIVOR, "next")).status_code,
                              range(20)))
    assert codes == [200] * 20
    assert conversation(redis_client)["node"] == "n20"  # every one of the 20 steps counted, none lost


def test_redis_down_the_survivor_still_gets_a_safe_reply_and_the_team_is_told_later(
        make_app, live, own_redis, tmp_path):
    app = make_app(redis_url=own_redis.url)
    svc = app.extensions["hotline"]
    server = live(app)
    own_redis.stop()
    reply = post(server.url, "/twilio/sms", sms_form(SURVIVOR, "அவசரம் உதவி வேண்டும்"))
    assert reply.status_code == 200
    (text,) = messages(reply.text)
    assert "112" in text and "181" in text
    english = post(server.url, "/twilio/sms", sms_form("+919876500001", "please help"))
    assert english.status_code == 200 and "112" in messages(english.text)[0]
    with svc.store.session() as s:
        kept = s.query(Escalation).all()
        assert sorted(e.priority for e in kept) == ["emergency", "high"]
        assert all(s.get(Case, e.case_id).contact and SURVIVOR not in s.get(Case, e.case_id).contact
                   for e in kept)  # her number kept, but sealed

    own_redis.start()  # Redis is back: the worker's sweeper queues what was kept, and it is sent
    run_worker(svc, burst=True)
    with svc.store.session() as s:
        codes = [e.code for e in s.query(Escalation).all()]
        alerts = [o.body for o in s.query(Outbox).all() if o.body]
    assert all(any(code in body for body in alerts) for code in codes)


def test_healthz_reports_each_part(make_app, own_redis):
    app = make_app(redis_url=own_redis.url)
    client = app.test_client()
    ok = client.get("/healthz")
    assert ok.status_code == 200
    assert ok.json == {"status": "ok", "redis": True, "database": True, "flows": ["police", "staff", "survivor"]}
    own_redis.stop()
    down = client.get("/healthz")
    assert down.status_code == 503 and down.json["redis"] is False and down.json["database"] is True


def test_metrics_count_requests_and_step_time(make_app):
    client = make_app().test_client()
    client.post("/twilio/sms", data=sms_form(SURVIVOR, "hi"))
    client.post("/twilio/sms", data={"Body": "no sender"})
    text = client.get("/metrics").get_data(as_text=True)
    assert 'hotline_requests_total{channel="sms",status="200"} 1.0' in text
    assert 'hotline_requests_total{channel="sms",status="400"} 1.0' in text
    assert 'hotline_step_seconds_count{channel="sms"} 1.0' in text
    # and what waits in each lane: an URGENT's first step, ahead of everything else
    client.post("/twilio/sms", data=sms_form("+919876500009", "URGENT help"))
    text = client.get("/metrics").get_data(as_text=True)
    assert 'hotline_queue_jobs{lane="hotline-emergency"} 1.0' in text
    assert 'hotline_queue_jobs{lane="hotline-alerts"} 0.0' in text


def test_an_unparseable_sender_gets_the_flow_and_a_missing_sid_is_a_clear_400(make_app):
    client = make_app().test_client()  # every caller is a caller (#19.1, tests/test_callers.py)
    assert client.post("/twilio/sms", data={"From": "not a number", "Body": "hi", "MessageSid": new_sid()}).status_code == 200
    assert client.post("/twilio/sms", data={"From": SURVIVOR, "Body": "hi"}).status_code == 400


def test_a_broken_flow_still_answers_with_the_safe_reply(make_app, tmp_path, redis_client):
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "survivor.yaml").write_text("flow: survivor\nspec: 1\nstart: nowhere\nmessages: {}\nnodes: {}\n")
    client = make_app(flows_path=str(flows)).test_client()
    reply = client.post("/twilio/sms", data=sms_form(SURVIVOR, "hi"))
    assert reply.status_code == 200
    assert "112" in messages(reply.get_data(as_text=True))[0]


def test_redis_client_is_real(redis_client):
    assert isinstance(redis_client, redis.Redis) and redis_client.ping()
