"""Escalation end to end on real Redis and the store (SQLite and PostgreSQL): the chain, its
timers driven by the test's clock, ACK/PASS/DONE by SMS, the masked relay, and faults."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.response import chain
from hotline.store.models import Escalation, Notification

from .helpers import (
    kill,
    last_sent,
    latest,
    messages,
    run_worker,
    sent,
    sms_form,
    text,
    worker_process,
)

SURVIVOR = "+919876543210"
KAVITHA, ANJALI, MEENA, PRIYA, REVATHI = (f"+9198400000{n:02d}" for n in (1, 2, 3, 4, 6))


@pytest.fixture
def hotline(make_app, database_url):
    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    return app.test_client(), svc


def later(svc, **delta):
    return svc.now() + timedelta(**delta)


def test_a_tamil_request_walks_the_chain_until_acked_then_the_relay_works_both_ways(hotline):
    client, svc = hotline
    text(client, SURVIVOR, "வணக்கம்")  # Tamil at once
    text(client, SURVIVOR, "1")  # safe to talk
    text(client, SURVIVOR, "1")  # a counsellor
    run_worker(svc, burst=True)
    e = latest(svc)
    assert (e.lang, e.policy, e.status) == ("ta", "counsellor", "open")
    first = sent(svc)
    assert [to for to, _ in first] == [KAVITHA]  # the first Tamil-speaking counsellor, alone
    assert f"ACK {e.code}" in first[0][1] and SURVIVOR not in first[0][1]

    # four minutes: still Kavitha's to take; five: the next Tamil-speaking counsellor
    mark = last_sent(svc)
    run_worker(svc, burst=True, until=later(svc, minutes=4))
    assert sent(svc, mark) == []
    run_worker(svc, burst=True, until=later(svc, minutes=5, seconds=1))
    assert [to for to, _ in sent(svc, mark)] == [REVATHI]

    # someone never alerted cannot take it; Revathi can, and the first ACK wins. (All three read
    # their alerts in Tamil: the replies name the code, and the store says who has it.)
    (refused,) = text(client, MEENA, f"ACK {e.code}")
    assert e.code in refused and latest(svc).status == "open"
    (taken,) = text(client, REVATHI, f"ACK {e.code}")
    (late,) = text(client, KAVITHA, f"ACK {e.code}")
    assert e.code in taken and e.code in late and "Revathi" in late and taken != late
    with svc.store.session() as s:
        revathi = s.scalars(select(Notification.staff_id).where(Notification.escalation_id == e.id,
                                                                Notification.step == 1)).one()
        assert (s.get(Escalation, e.id).status, s.get(Escalation, e.id).acked_by) == ("acked", revathi)
    mark = last_sent(svc)
    run_worker(svc, burst=True)
    told = dict(sent(svc, mark))
    assert "112" in told[SURVIVOR]  # told, in Tamil, that a counsellor has her message
    assert e.code in told[KAVITHA] and "Revathi" in told[KAVITHA]

    # the relay: neither sees the other's number
    mark = last_sent(svc)
    assert text(client, SURVIVOR, "He has gone out. I can talk now.") == []
    assert text(client, REVATHI, "Are you safe where you are?") == []
    run_worker(svc, burst=True)
    relayed = dict(sent(svc, mark))
    # in Revathi's Tamil, with how to answer her (the code first)
    assert relayed[REVATHI] == svc.catalog.own("relay_prefix_staff", "ta", code=e.code,
                                               text="He has gone out. I can talk now.")
    assert relayed[SURVIVOR].endswith("Are you safe where you are?")
    assert all(SURVIVOR not in body and REVATHI not in body for body in relayed.values())

    # a keyword is still the hotline's, in the middle of a relayed conversation
    (numbers,) = text(client, SURVIVOR, "URGENT")
    assert "112" in numbers

    # a stale timer after the ACK pages nobody
    run_worker(svc, burst=True, until=later(svc, hours=2))
    with svc.store.session() as s:
        late_alerts = s.scalars(select(Notification).where(Notification.escalation_id == e.id,
                                                           Notification.kind == "alert", Notification.step > 1)).all()
        assert late_alerts == []

    # DONE closes the case; her next message goes to the flow again
    (closed,) = text(client, REVATHI, f"DONE {e.code}")
    assert e.code in closed
    with svc.store.session() as s:
        assert s.get(Escalation, e.id).status == "done"
    (menu,) = text(client, SURVIVOR, "hello")
    assert menu  # the flow answers her, not the relay


def test_pass_hands_it_on_at_once(hotline):
    client, svc = hotline
    for body in ("hi", "1", "1", "1"):  # English: Kavitha and Anjali both speak it
        text(client, SURVIVOR, body)
    run_worker(svc, burst=True)
    e = latest(svc)
    assert [to for to, _ in sent(svc)] == [KAVITHA]
    mark = last_sent(svc)
    (passed,) = text(client, KAVITHA, f"PASS {e.code}")
    assert e.code in passed
    run_worker(svc, burst=True)  # no waiting for the timer
    assert [to for to, _ in sent(svc, mark)] == [ANJALI]


def test_nobody_answers_then_the_team_then_the_coordinator_then_unanswered(hotline):
    client, svc = hotline
    for body in ("hi", "1", "1", "1"):
        text(client, SURVIVOR, body)
    run_worker(svc, burst=True, until=later(svc, hours=3))  # nobody ever answers
    e = latest(svc)
    assert e.status == "unanswered"
    sms = [to for to, body in sent(svc) if body]
    # counsellor policy: two people one after the other, the team, the coordinator; once more; then told
    assert sms.count(PRIYA) == 3 and sms[-1] == PRIYA
    assert e.code in sent(svc)[-1][1] and sent(svc)[-1][1] != sent(svc)[-2][1]  # told it went unanswered


def test_an_emergency_alerts_the_whole_team_at_once_by_sms_and_call(hotline):
    client, svc = hotline
    text(client, SURVIVOR, "URGENT help")
    run_worker(svc, burst=True)
    out, code = sent(svc), latest(svc).code
    sms_to = sorted(to for to, body in out if body and code in body)
    calls_to = sorted(to for to, body in out if body is None)
    assert sms_to == calls_to == [KAVITHA, ANJALI]


def test_a_voice_alert_is_taken_by_pressing_1(hotline):
    client, svc = hotline
    text(client, SURVIVOR, "URGENT")
    run_worker(svc, burst=True)
    with svc.store.session() as s:
        call = s.scalars(select(Notification).where(Notification.via == "voice")).first()
        person = s.get(__import__("hotline.store.models", fromlist=["StaffMember"]).StaffMember, call.staff_id)
    twiml = client.post(f"/twilio/voice/alert?n={call.id}", data={"CallSid": "CA9", "From": "+914400000000",
                                                                  "To": person.phone}).get_data(as_text=True)
    assert f'<Gather action="http://localhost/twilio/voice/alert/answer?n={call.id}"' in twiml  # her alert, in her language
    answer = client.post(f"/twilio/voice/alert/answer?n={call.id}",
                         data={"CallSid": "CA9", "From": "+914400000000", "Digits": "1"}).get_data(as_text=True)
    assert latest(svc).code in answer
    assert (latest(svc).status, latest(svc).acked_by) == ("acked", call.staff_id)
    # written for the ear: how to reach her from this phone, not the SMS "Reply here to text her"
    lang = svc.staff.get(call.staff_id).language
    assert svc.catalog.own("voice_ack_yours", lang, code=latest(svc).code) in answer
    assert svc.catalog.own("ack_yours", lang, code=latest(svc).code) not in answer and "Reply here" not in answer


def test_redis_flushed_mid_escalation_the_sweeper_restores_the_chain(hotline, redis_client):
    client, svc = hotline
    for body in ("hi", "1", "1", "1"):
        text(client, SURVIVOR, body)
    run_worker(svc, burst=True)
    assert [to for to, _ in sent(svc)] == [KAVITHA]
    redis_client.flushdb()  # the timer for the next step is gone with it
    mark = last_sent(svc)
    run_worker(svc, burst=True, until=later(svc, minutes=5, seconds=1))
    assert [to for to, _ in sent(svc, mark)] == [ANJALI]


def test_an_escalation_raised_while_redis_was_down_is_sent_when_it_is_back(make_app, own_redis, sqlite_url):
    app = make_app(redis_url=own_redis.url, database_url=sqlite_url)
    svc = app.extensions["hotline"]
    own_redis.stop()
    reply = app.test_client().post("/twilio/sms", data=sms_form(SURVIVOR, "அவசரம்"))
    assert "112" in messages(reply.get_data(as_text=True))[0]
    own_redis.start()
    run_worker(svc, burst=True)
    assert sorted(to for to, body in sent(svc) if body) == [KAVITHA, REVATHI]  # Tamil speakers, urgently


def test_a_worker_killed_in_the_middle_of_a_notification_delivers_it_after_restart_exactly_once(hotline, tmp_path):
    from rq import Queue, Worker
    from rq.job import Job

    client, svc = hotline
    for body in ("hi", "1", "1", "1"):
        text(client, SURVIVOR, body)
    e = latest(svc)
    for queue in svc.queues:
        queue.empty()
    chain.advance(svc, svc.policies, e.id, 0, 0)  # step 0 written; its notification job queued
    with svc.store.session() as s:
        (n,) = s.scalars(select(Notification)).all()
    job_id = f"notify-{n.id}"
    lane = Queue(Job.fetch(job_id, connection=svc.redis).origin, connection=svc.redis)
    lane.remove(job_id)  # held back until the worker is up and the row is held

    worker = worker_process(svc, tmp_path)
    try:
        deadline = time.monotonic() + 30
        while not Worker.all(queue=svc.queue):
            assert time.monotonic() < deadline, "the worker never came up"
            time.sleep(0.05)  # polling Redis for the worker's registration
        # hold the notification's row (with SQLite, the file's write lock): the job starts and waits
        with svc.store.session() as s:
            s.scalars(select(Notification).where(Notification.id == n.id).with_for_update()).all()
            lane.enqueue_job(Job.fetch(job_id, connection=svc.redis))
            while Job.fetch(job_id, connection=svc.redis).get_status() != "started":
                assert time.monotonic() < deadline, "the worker never started the job"
                time.sleep(0.05)  # polling the job's state in Redis, not hoping for timing
            kill(worker)  # the worker and its scheduler, mid-job
    finally:
        kill(worker)
    assert sent(svc) == []  # killed before anything went out

    run_worker(svc, burst=True, until=later(svc, minutes=4))  # a new worker: the abandoned job again
    assert [to for to, _ in sent(svc)] == [KAVITHA]
    run_worker(svc, burst=True, until=later(svc, minutes=4))
    assert [to for to, _ in sent(svc)] == [KAVITHA]  # exactly once


def test_staff_import_and_the_audit_export(hotline, tmp_path):
    import csv
    import io

    from .cli import cli

    client, svc = hotline
    staff = tmp_path / "staff.yaml"
    staff.write_text("timezone: Asia/Kolkata\nstaff:\n"
                     "  - {name: Lakshmi, phone: '098400 00009', roles: [counsellor], languages: [en],"
                     " shifts: ['mon-sun 00:00-24:00']}\n"
                     "  - {name: Priya, phone: '+91 98400 00004', roles: [coordinator], languages: [en],"
                     " shifts: ['mon-sun 00:00-24:00'],"
                     " overrides: [{from: '2020-01-01 00:00', to: '2099-01-01 00:00', on: false}]}\n")
    assert cli("staff", "import", str(staff), "--replace").exit_code == 0
    svc.reload_staff()
    assert [p.name for p in svc.staff.people] == ["Lakshmi", "Priya"]
    assert svc.staff.on_shift(svc.now(), "coordinator") == []  # away, by a one-off override
    for body in ("hi", "1", "1", "1"):
        text(client, SURVIVOR, body)
    run_worker(svc, burst=True)
    e = latest(svc)
    assert [to for to, _ in sent(svc)] == ["+919840000009"]
    text(client, "+919840000009", f"ACK {e.code}")
    rows = list(csv.DictReader(io.StringIO(cli("audit", "export").stdout)))
    events = [(r["event"], r["staff"], r["staff_number"]) for r in rows if r["staff"]]
    # "+91…" leads like a formula: every CSV cell goes through hotline.privacy.csvfile.cell (issue #20)
    assert ("notification.sent", "Lakshmi", "'+91•••••••009") in events
    assert ("staff.ack", "Lakshmi", "'+91•••••••009") in events
    assert SURVIVOR not in "".join(str(r) for r in rows)


def test_a_broken_staff_file_is_refused_with_file_and_line(make_services, tmp_path):
    from .cli import cli

    make_services()

    staff = tmp_path / "staff.yaml"
    staff.write_text("timezone: Asia/Kolkata\nstaff:\n  - name: X\n    phone: 'not a number'\n"
                     "    roles: [counselor]\n    shifts: ['someday 9-5']\n")
    done = cli("staff", "import", str(staff))
    assert done.exit_code == 1
    err = done.stderr
    assert f"{staff}:4: X: \"not a number\" is not a phone number" in err
    assert f'{staff}:5: unknown role "counselor"' in err
    assert f'{staff}:6: shift "someday 9-5" is not like' in err


def test_a_counsellor_with_a_case_who_sends_help_gets_help_not_a_relay(hotline):
    client, svc = hotline
    for body in ("hi", "1", "1", "1"):
        text(client, SURVIVOR, body)
    run_worker(svc, burst=True)
    text(client, KAVITHA, f"ACK {latest(svc).code}")
    run_worker(svc, burst=True)
    mark = last_sent(svc)
    (help_text,) = text(client, KAVITHA, "HELP")
    assert "ACK" in help_text  # the commands, in her language
    run_worker(svc, burst=True)
    assert SURVIVOR not in [to for to, _ in sent(svc, mark)]


def test_urgent_gives_her_each_number_once_in_the_reply_and_no_second_sms_of_them(hotline):
    """The reply to a danger word is the three numbers, at once from the webhook; a queued SMS of
    the same numbers would repeat them and leave one more message on her phone."""
    client, svc = hotline
    reply = text(client, SURVIVOR, "URGENT")
    run_worker(svc, burst=True)
    to_her = reply + [body for to, body in sent(svc) if to == SURVIVOR and body]
    for number in ("112", "181", "108"):
        assert sum(body.count(number) for body in to_her) == 1, to_her


def test_a_referral_line_does_not_repeat_a_number_its_name_gives():
    from hotline.response.referrals import load_directory

    directory = load_directory("referrals.yaml")
    for service in directory.services:
        for lang in ("en", "ta"):
            line = service.line(lang)
            assert line.count(service.phone) == 1, line  # not "ask 181 for the nearest: 181"
    nearest = next(s for s in directory.services if "nearest" in s.name["en"] and s.category == "one_stop")
    assert nearest.line("en").startswith("Sakhi One Stop Centre: ask 181 for the nearest")


def test_an_emergency_is_sent_before_alerts_already_waiting_and_alerts_before_resources(hotline):
    """Three lanes, drained in order by every worker: an URGENT that comes in behind other
    women's counsellor requests and an SMS of resources still reaches the team first, and a
    counsellor's alert goes out before the resources queued ahead of it."""
    client, svc = hotline
    text(client, "+919876500001", "hi")
    for body in ("1", "1", "2", "1", "Chennai"):  # English, safe, information, shelter: resources queued
        text(client, "+919876500001", body)
    waiting = [f"+91987650010{i}" for i in range(4)]
    for number in waiting:  # four women asking for a counsellor, queued before her
        for body in ("hi", "1", "1", "1"):
            text(client, number, body)
    text(client, SURVIVOR, "URGENT help")
    urgent = latest(svc).code
    run_worker(svc, burst=True)
    out = sent(svc)
    # her team hears of the emergency first (an SMS and a call to each), before any other alert
    first = out[:4]
    assert sorted(to for to, _ in first) == sorted([KAVITHA, KAVITHA, ANJALI, ANJALI])
    assert all(body is None or urgent in body for _, body in first)
    # and every counsellor's alert before the resources she was promised
    resources = [i for i, (to, _) in enumerate(out) if to == "+919876500001"]
    alerts = [i for i, (to, body) in enumerate(out) if to in (KAVITHA, ANJALI) and body and urgent not in body]
    assert resources and alerts and max(alerts) < min(resources)
