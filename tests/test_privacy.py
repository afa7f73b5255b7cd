"""A whole scripted day with every logger at DEBUG — the webhooks over real HTTP (werkzeug's access
log included), the worker, the Twilio SDK talking to the stand-in, a failed send and its retry —
and not one full phone number nor one message body in any log line.

The day: a survivor asks for a counsellor, who takes the alert and talks with her through the
relay; an officer asks for an NGO representative, who takes it; the survivor calls; a delivery
fails and is retried; later she texts URGENT; the counsellor closes the case; she sends DELETE."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from hotline.services import Services
from hotline.store.models import Escalation
from hotline.web.app import create_app

from .helpers import post, sms_form
from .twilio_standin import StandIn

SID, TOKEN = "AC" + "a" * 32, "b" * 32
SURVIVOR = "+919876543210"
KAVITHA, ANJALI, MEENA, PRIYA, RAMESH = (f"+9198400000{n:02d}" for n in (1, 2, 3, 4, 5))
# what people wrote: none of it may reach a log
SAID = {
    SURVIVOR: ["Hello, my husband beat me last night", "He took my phone and my gold jewels",
               "My sister lives in Tambaram", "URGENT he is back and shouting"],
    KAVITHA: ["Are you safe now? Can you go to your sister's house?",
              "NOTE {code} dowry demand, bruises on her left arm"],
    RAMESH: ["We are at the blue gate near the temple"],
}
E164 = re.compile(r"\+\d{11,15}")


def every_line(records, formatter) -> str:
    """Each record as a handler would write it: message, arguments, traceback, stack."""
    lines = []
    for r in records:
        lines.append(r.getMessage())
        lines.append(repr(r.args))
        if r.exc_info:
            lines.append(formatter.formatException(r.exc_info))
        if r.exc_text:
            lines.append(r.exc_text)
        if r.stack_info:
            lines.append(r.stack_info)
    return "\n".join(lines)


@pytest.fixture
def day(make_services, sqlite_url, live, caplog):
    standin = StandIn()
    caplog.set_level(logging.DEBUG)  # LOG_LEVEL=DEBUG: every logger that propagates to the root
    for name in ("twilio", "twilio.http_client", "urllib3", "werkzeug", "rq", "hotline"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    svc = make_services(twilio_client=standin.client(SID, TOKEN), database_url=sqlite_url,
                        twilio_account_sid=SID, twilio_auth_token=TOKEN)
    server = live(create_app(services=svc))
    yield svc, server, standin
    standin.stop()


def test_a_scripted_day_at_debug_logs_no_full_number_and_no_message_body(day, caplog):
    from .helpers import run_worker

    svc, server, standin = day

    def sms(number, body):
        form = sms_form(number, body)
        reply = post(server.url, "/twilio/sms", form, token=TOKEN)
        assert reply.status_code == 200, reply.text
        return reply.text

    def voice(path, **form):
        form = {"From": SURVIVOR, "To": "+914400000000", "CallSid": "CA" + "5" * 32, **form}
        assert post(server.url, path, form, token=TOKEN).status_code == 200

    clock = [svc.now()]

    def work(**delta):
        clock[0] += timedelta(**delta)
        run_worker(svc, burst=True, until=clock[0])

    def code():
        with svc.store.session() as s:
            return s.scalars(select(Escalation.code).order_by(Escalation.id.desc())).first()

    # morning: she asks for a counsellor; Kavitha takes it; they talk through the relay
    for body in (SAID[SURVIVOR][0], "1", "1", "1"):
        sms(SURVIVOR, body)
    standin.fail_next = 1  # the first alert fails: logged, audited, retried
    work(seconds=1)
    work(seconds=30)
    first = code()
    sms(KAVITHA, f"ACK {first}")
    sms(SURVIVOR, SAID[SURVIVOR][1])
    sms(KAVITHA, SAID[KAVITHA][0])
    sms(SURVIVOR, SAID[SURVIVOR][2])
    sms(KAVITHA, SAID[KAVITHA][1].format(code=first))
    work(seconds=1)
    # midday: police ask for accompaniment; Meena takes it; the officer writes through the relay
    for body in ("hello", "1", "Madurai", "1", "CR 114/2026", "1"):
        sms(RAMESH, body)
    work(seconds=1)
    sms(MEENA, f"ACK {code()}")
    sms(RAMESH, f"{code()} {SAID[RAMESH][0]}")  # an officer addresses his request by its code
    work(seconds=1)
    # afternoon: she calls; a status callback reports a failed delivery
    voice("/twilio/voice")
    voice("/twilio/voice/gather", Digits="1")
    voice("/twilio/voice/gather?n=2", SpeechResult="yes I can talk")
    post(server.url, "/twilio/status", {"MessageSid": "SM" + "9" * 32, "MessageStatus": "undelivered",
                                        "ErrorCode": "30003", "To": SURVIVOR}, token=TOKEN)
    # evening: URGENT; the case is closed; she erases everything
    sms(SURVIVOR, SAID[SURVIVOR][3])
    work(seconds=1)
    sms(KAVITHA, f"DONE {first}")
    sms(SURVIVOR, "DELETE")
    work(minutes=10)

    # the day went as scripted: alerts, the relay both ways, the officer told who is coming
    sent = [(r["form"]["To"], r["form"].get("Body") or "") for r in standin.requests]
    assert sum(1 for to, _ in sent if to == KAVITHA) >= 4 and len(standin.failures) == 1
    # her URGENT while Kavitha holds the case goes to Kavitha with her words (no second page)
    assert any(to == KAVITHA and SAID[SURVIVOR][3] in body for to, body in sent)
    assert any(to == KAVITHA and f": {SAID[SURVIVOR][1]}\n" in body for to, body in sent)  # relayed to her
    assert any(to == SURVIVOR and body.endswith(SAID[KAVITHA][0]) for to, body in sent)  # and back
    assert any(to == MEENA and f": {SAID[RAMESH][0]}\n" in body for to, body in sent)
    assert not any(body.endswith(("yes I can talk", ": 1")) for _, body in sent)  # her call is not relayed
    log = every_line(caplog.records, logging.Formatter())
    assert "+91•••••••210" in log and "POST /twilio/sms" in log  # masked numbers and access lines are there
    assert any(r.name.startswith("twilio.http_client") for r in caplog.records)  # the SDK logged too
    numbers = [SURVIVOR, KAVITHA, ANJALI, MEENA, PRIYA, RAMESH]
    leaks = [m.group() for m in E164.finditer(log)] + [n for n in numbers if n[-10:] in log]
    assert leaks == [], f"full numbers in the logs: {sorted(set(leaks))}"
    bodies = [b.format(code=first) for said in SAID.values() for b in said]
    bodies += [r["form"]["Body"] for r in standin.requests + standin.failures if r["form"].get("Body")]
    words = ["husband", "jewels", "Tambaram", "sister", "dowry", "bruises", "blue gate", "shouting", "CR 114"]
    found = [b for b in bodies if b in log] + [w for w in words if w in log]
    assert found == [], f"message bodies in the logs: {found}"


def test_a_database_error_carries_no_values_into_the_logs(make_settings, sqlite_url, caplog):
    """An error from the store, logged with its traceback (as the webhook and RQ do), names the
    statement but not the values it was given."""
    caplog.set_level(logging.DEBUG)
    svc = Services(make_settings(database_url=sqlite_url))
    try:
        with svc.store.session() as s:
            s.execute(text("INSERT INTO outbox (id, \"to\", body, at) VALUES (:id, :to, :body, :at)"),
                      {"id": 1, "to": SURVIVOR, "body": "my husband took my phone", "at": None})
            s.execute(text("INSERT INTO outbox (id, \"to\", body, at) VALUES (:id, :to, :body, :at)"),
                      {"id": 1, "to": SURVIVOR, "body": "my husband took my phone", "at": None})
    except Exception:  # noqa: BLE001 - the duplicate key is the point
        logging.getLogger("hotline.test").exception("the step failed")
    log = every_line(caplog.records, logging.Formatter())
    assert "the step failed" in log and "outbox" in log
    assert SURVIVOR not in log and "husband" not in log
