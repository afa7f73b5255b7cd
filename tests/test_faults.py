"""Faults under load, each bounded in time and on loopback only: the worker killed with SIGKILL in
the middle of 1,000 escalations (HOTLINE_FAULT_ESCALATIONS; 80 in the suite); Redis stopped
under a live server and concurrent posters (HOTLINE_FAULT_OUTAGE_SECONDS; 5 s in the suite); the
outbound transport failing 30% of sends; one MessageSid delivered three times at once.

Nothing here sleeps and hopes: every wait is a bounded poll on a condition (the store, Redis, a
process), and the worker is either a real `hotline worker` process or hotline.jobs.worker.run(burst)."""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.response.chain import Caller, Request, open_escalation
from hotline.store import Action, Outbox
from hotline.store.models import Audit, Escalation, Notification
from hotline.web.app import create_app

from .helpers import (
    ENGLISH_COUNSELLORS,
    count,
    kill,
    messages,
    one_step_policies,
    post,
    run_worker,
    sign,
    sms_form,
    until,
    where_things_stand,
    worker_process,
)
from .twilio_standin import StandIn

# The store under the faults: PostgreSQL, the production store, in the suite (SQLite where there is
# none); both in `make faults`. What is under test is Redis, RQ and the transport failing; the
# store's part (row locks, one transaction a fact) is run on both by every other test file.
FULL = bool(os.environ.get("HOTLINE_FAULT_ESCALATIONS"))


@pytest.fixture(params=["sqlite", "postgresql"] if FULL else ["store"])
def database_url(request, _database_url, _postgresql_migrated):
    if request.param == "store":
        return _database_url("postgresql" if _postgresql_migrated else "sqlite")
    return _database_url(request.param)


# -- 1. the worker killed with SIGKILL during 1,000 escalations (80 in the suite) ------------------

# The figure is 1,000 escalations (`make faults` runs it: HOTLINE_FAULT_ESCALATIONS=1000).
# The suite runs 80: what is proved (none lost, none repeated, across a SIGKILL mid-stream and
# a restart) does not depend on the count, only on the kill landing while alerts are going out.
ESCALATIONS = int(os.environ.get("HOTLINE_FAULT_ESCALATIONS", 80))
KILL_AFTER = min(150, ESCALATIONS // 2)  # alerts in the outbox when the worker is killed: some, far from all
# A worker moves each job it takes from the queue to RQ's "intermediate queue", then marks it
# started. Killed in between, it leaves the job there, still "queued" (so the sweeper leaves it
# be), and RQ gives it back (failed: the sweeper then queues its notification again) only once it
# has sat there a minute of wall-clock time, at a worker's maintenance. A stall of a minute and a
# little is therefore RQ's design; two minutes without a new alert is a failure.
STALL = 120


def test_a_worker_killed_with_sigkill_during_escalations_loses_none_and_repeats_none(
        make_app, database_url, tmp_path):
    from rq import Worker

    app = make_app(database_url=database_url, policies_path=one_step_policies(tmp_path))
    svc = app.extensions["hotline"]
    worker = worker_process(svc, tmp_path)
    killed_at = {}
    try:
        until(lambda: Worker.all(queue=svc.queue), 30, "the worker to register")

        def kill_when_some_are_out():
            until(lambda: count(svc, select(func.count(Outbox.id))) >= KILL_AFTER, 120, "the first alerts", 0.02)
            kill(worker)
            killed_at["outbox"] = count(svc, select(func.count(Outbox.id)))

        killer = threading.Thread(target=kill_when_some_are_out)
        killer.start()
        # the real path: the case and the escalation written, then its first step queued on RQ
        for i in range(ESCALATIONS):
            open_escalation(svc, Caller(f"fault-{i:04d}", f"+9197{i:08d}", "sms", "en"),
                            Request(kind="counsellor", priority="normal", role="counsellor", reason="fault test"))
        killer.join(150)
        assert not killer.is_alive() and worker.returncode == -signal.SIGKILL
    finally:
        kill(worker)
    expected = ESCALATIONS * len(ENGLISH_COUNSELLORS)
    assert KILL_AFTER <= killed_at["outbox"] < expected, "the kill came after every alert was out"

    # a new worker: what the queue holds, the job the dead worker had started (abandoned, so RQ
    # retries it once its time is up: the clock is moved past it), and what the sweeper finds
    later = svc.now() + timedelta(minutes=4)

    progress = {"sent": -1, "at": time.monotonic()}

    def all_out():
        run_worker(svc, burst=True, until=later)
        sent = count(svc, select(func.count(Notification.id)).where(Notification.status == "sent"))
        if sent > progress["sent"]:
            progress.update(sent=sent, at=time.monotonic())
        # bounded by progress as well as in all: a slow disk (an fsync a commit) may take minutes
        # for 3,000 jobs, but a stall longer than RQ's own recovery is a failure
        assert time.monotonic() - progress["at"] < STALL, f"no alert sent for {STALL} s: {where_things_stand(svc)}"
        return sent >= expected

    until(all_out, 600, "every alert after the restart", every=0.5, state=lambda: where_things_stand(svc))

    with svc.store.session() as s:
        escalations = set(s.scalars(select(Escalation.id)))
        notes = s.execute(select(Notification.escalation_id, Notification.staff_id, Notification.step,
                                 Notification.round, Notification.via, Notification.status,
                                 Notification.transport_id)).all()
        outbox = {f"outbox-{o.id}": (o.to, o.body) for o in s.scalars(select(Outbox))}
    assert len(escalations) == ESCALATIONS
    # none lost: every escalation's first step reached both English-speaking counsellors
    sent = [n for n in notes if n.status == "sent"]
    assert len(sent) == len(notes) == expected
    assert Counter(n.escalation_id for n in sent) == dict.fromkeys(escalations, 2)
    # nobody notified twice for the same step: one row per (escalation, person, step, round, via) …
    assert set(Counter(tuple(n[:5]) for n in notes).values()) == {1}
    # … and what actually went out: one message per alert, each the one its notification names
    assert len(outbox) == expected and sorted(outbox) == sorted(n.transport_id for n in sent)
    assert set(Counter(outbox.values()).values()) == {1}  # no (number, text) twice: codes are unique
    assert sorted({to for to, _ in outbox.values()}) == ENGLISH_COUNSELLORS


# -- 2. Redis stopped under load ----------------------------------------------------------------------

# How long Redis stays down. The figure is 30 s; the suite keeps it to 5 s by default
# because nothing in the hotline keys on the outage's length: each request meets a refused
# connection on its own and falls back, and the recovery (sweeper, timers, RQ's reconnection)
# starts when Redis is back. HOTLINE_FAULT_OUTAGE_SECONDS=30 runs the full figure.
OUTAGE_SECONDS = float(os.environ.get("HOTLINE_FAULT_OUTAGE_SECONDS", 5))
POSTERS = 8  # concurrent webhook posters
ANSWERS = 60 if not FULL else 100  # answered before the outage, and again after it
CALLERS = 40
URGENT_CALLERS = 6  # callers who text URGENT while Redis is down
SCRIPT = ["hi", "1", "1", "4", "MENU", "4"]  # English, safe to talk, the numbers menu, again and again
TWO_STEPS = """policies:
  counsellor: {steps: [{notify: team, wait: 3s}, {notify: coordinator, wait: 1h}]}
  emergency: {steps: [{notify: team, wait: 3s}, {notify: coordinator, wait: 1h}]}
  ngo: {steps: [{notify: team, wait: 1h}]}
  coordinator: {steps: [{notify: coordinator, wait: 1h}]}
"""


class Posters:
    """Concurrent callers posting to a live server, each reply kept with when it was asked."""

    def __init__(self, base: str, threads: int):
        self.base, self.results, self.stop = base, [], threading.Event()
        self.lock = threading.Lock()
        self.callers = itertools.cycle(range(CALLERS))
        self.sent = Counter()
        self.threads = [threading.Thread(target=self.loop) for _ in range(threads)]
        for t in self.threads:
            t.start()

    def send(self, number: str, text: str) -> None:
        asked = time.monotonic()
        reply = post(self.base, "/twilio/sms", sms_form(number, text))
        with self.lock:
            self.results.append((asked, time.monotonic(), number, text, reply.status_code, reply.text))

    def loop(self):
        while not self.stop.is_set():
            with self.lock:
                i = next(self.callers)
                text = SCRIPT[self.sent[i] % len(SCRIPT)]
                self.sent[i] += 1
            self.send(f"+9197{i:08d}", text)

    def answered(self, asked_after: float = 0.0) -> int:
        with self.lock:
            return sum(1 for r in self.results if r[0] > asked_after)

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)


def test_redis_stopped_under_load_every_webhook_is_answered_and_every_escalation_sent_after(
        make_app, live, own_redis, database_url, tmp_path):
    policies = tmp_path / "policies.yaml"
    policies.write_text(TWO_STEPS)
    app = make_app(redis_url=own_redis.url, database_url=database_url, policies_path=str(policies))
    svc = app.extensions["hotline"]
    server = live(app)
    worker = worker_process(svc, tmp_path)  # a real worker, through the outage and after it
    posters = None
    try:
        from rq import Worker

        until(lambda: Worker.all(queue=svc.queue), 30, "the worker to register")
        posters = Posters(server.url, POSTERS)
        until(lambda: posters.answered() >= ANSWERS, 60, "answers with Redis up")
        own_redis.stop()
        down = time.monotonic()
        urgent = [f"+9196{i:08d}" for i in range(URGENT_CALLERS)]
        for number in urgent:  # they ask for help while the line is degraded, Twilio retrying one
            posters.send(number, "URGENT he is here")
        posters.send(urgent[0], "URGENT he is here")
        posters.stop.wait(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down)))  # the outage itself
        restarting = time.monotonic()  # from here on a request may meet Redis again
        own_redis.start()
        up = time.monotonic()
        until(lambda: posters.answered(asked_after=up) >= ANSWERS, 60, "answers after Redis is back")
        posters.finish()

        # every escalation, those raised while Redis was away among them, reaches the team after
        # recovery, and the chain's timer (its second step, 3 s on) fires: RQ's scheduler is back
        def delivered():
            with svc.store.session() as s:
                ids = set(s.scalars(select(Escalation.id)))
                done = {(e, step) for e, step in s.execute(select(Notification.escalation_id, Notification.step)
                                                           .where(Notification.status == "sent"))}
            return ids and all((e, 0) in done and (e, 1) in done for e in ids)

        until(delivered, 120, "every escalation's alerts and its timer after recovery", every=0.25)
    finally:
        if posters:
            posters.finish()
        kill(worker)

    results = posters.results
    assert [r for r in results if r[4] != 200] == []  # never a 5xx, never a 4xx
    assert all(messages(r[5]) and messages(r[5])[0] for r in results)  # always something to read
    safe = {svc.catalog.own("safe_reply", lang) for lang in ("en", "ta")}
    inside = [r for r in results if down < r[0] and r[1] < restarting]
    assert len(inside) >= 10 and all(messages(r[5])[0] in safe for r in inside)
    assert sum(1 for r in results if r[1] < down) >= ANSWERS and sum(1 for r in results if r[0] > up) >= ANSWERS
    with svc.store.session() as s:
        escalations = s.execute(select(Escalation.id, Escalation.case_id, Escalation.priority, Escalation.reason)).all()
        alerted = s.scalar(select(func.count(Notification.id)).where(Notification.status == "sent"))
    degraded = [e for e in escalations if "degraded" in e.reason]
    # one escalation per survivor who reached the line while it was degraded, not one per message:
    # the team is paged once for each. (Without Redis there is no per-caller lock: two messages of
    # one caller in flight together may both raise one, hence "at most two" per case.)
    per_case = Counter((e.case_id, e.priority) for e in degraded)
    assert max(per_case.values()) <= 2 and len(per_case) <= CALLERS + URGENT_CALLERS
    assert {p for (_, p) in per_case if p == "emergency"} and sum(
        1 for (_, p) in per_case if p == "emergency") == URGENT_CALLERS  # URGENT raises its own
    # and the outage was one of many messages a caller, so "once per survivor" was put to the test
    # (how many depends on the machine's speed: counting them against the escalations did not)
    assert max(Counter(r[2] for r in inside).values()) >= 2 and len(degraded) < len(inside)
    assert alerted >= len(escalations) * 3  # two counsellors, then the coordinator



# -- 3. the outbound transport failing 30% of sends -------------------------------------------------

SID, TOKEN = "AC" + "a" * 32, "b" * 32
FAIL_RATE = 0.3
SURVIVORS = 30  # each asks for a shelter (resources), then texts URGENT (an alert by SMS and by a call to two counsellors)


def test_a_transport_failing_30_percent_of_sends_delivers_everything_through_retries_and_audits_each_failure(
        make_services, database_url, tmp_path):
    standin = StandIn(fail_rate=FAIL_RATE, seed=8)
    try:
        svc = make_services(twilio_client=standin.client(SID, TOKEN), database_url=database_url,
                            twilio_account_sid=SID, twilio_auth_token=TOKEN,
                            policies_path=one_step_policies(tmp_path))
        client = create_app(services=svc).test_client()
        for i in range(SURVIVORS):  # the real path: a signed step, then what it set going
            # she asks for a shelter (resources), then texts URGENT (the alerts; its reply gives the numbers)
            for body in ("1", "yes", "2", "1", "Chennai", "URGENT"):
                form = sms_form(f"+9197{i:08d}", body)
                reply = client.post("/twilio/sms", data=form,
                                    headers={"X-Twilio-Signature": sign(TOKEN, "http://localhost/twilio/sms", form)})
                if body == "URGENT":
                    assert "112" in messages(reply.get_data(as_text=True))[0]

        # RQ retries each failed send 5, 15, 60, 120, 300 s on; the worker's clock walks through them
        clock = svc.now()

        def everything_out():
            nonlocal clock
            clock += timedelta(seconds=30)
            run_worker(svc, burst=True, until=clock)
            with svc.store.session() as s:
                waiting = s.scalar(select(func.count(Notification.id)).where(Notification.status != "sent"))
                undone = s.scalar(select(func.count(Action.id)).where(Action.status != "done"))
            return not waiting and not undone

        until(everything_out, 120, "every alert and every resource sent", every=0)
    finally:
        standin.stop()

    with svc.store.session() as s:
        notes = s.execute(select(Notification.via, Notification.transport_id)).all()
        actions = s.scalars(select(Action)).all()
        failed = s.scalars(select(Audit).where(Audit.event == "delivery.failed")).all()
    assert len(notes) == SURVIVORS * 4 and len(actions) == SURVIVORS  # 2 counsellors x (sms + call); resources
    accepted = standin.requests
    # all delivered, each once: what the stand-in accepted is exactly one request per alert and per resource
    assert len(accepted) == len(notes) + len(actions)
    assert len({(r["form"]["To"], r["form"].get("Body") or r["form"]["Url"]) for r in accepted}) == len(accepted)
    assert sum(1 for r in accepted if r["form"]["To"].startswith("+9197")) == SURVIVORS  # resources, once each
    # failures happened, about as often as asked, and every one is in the audit log
    assert len(standin.failures) > 0.2 * (len(accepted) + len(standin.failures))
    assert len(failed) == len(standin.failures)
    assert Counter(a.detail["job"] for a in failed).keys() <= {"notification", "action"}
    assert all(a.detail["status"] == 503 and a.detail["error"] == "TwilioRestException" for a in failed)
    detail = repr([(a.caller_key, a.detail) for a in failed])
    assert "+91" not in detail and "Helpline" not in detail  # masked numbers only, and no bodies


# -- 4. one MessageSid delivered three times at once ------------------------------------------------

def test_the_same_message_sid_delivered_three_times_concurrently_is_processed_once(make_app, live, database_url):
    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    server = live(app)
    numbers = [f"+9195{i:08d}" for i in range(12)]
    for number in numbers:  # each waits at the district question of a shelter
        for body in ("1", "yes", "2", "1"):
            assert post(server.url, "/twilio/sms", sms_form(number, body)).status_code == 200
    urgent = [sms_form(number, "URGENT he is here") for number in numbers]  # an escalation each
    district = [sms_form(number, "Chennai") for number in numbers]  # resources each
    for forms in (district, urgent):
        with ThreadPoolExecutor(18) as pool:
            replies = list(pool.map(lambda form: post(server.url, "/twilio/sms", form), forms * 3))
        assert {r.status_code for r in replies} == {200}
        by_sid = {}
        for form, reply in zip(forms * 3, replies, strict=True):
            by_sid.setdefault(form["MessageSid"], set()).add(reply.text)
        assert all(len(texts) == 1 for texts in by_sid.values())  # each delivery answered the same
    run_worker(svc, burst=True)
    with svc.store.session() as s:
        escalations = s.scalar(select(func.count(Escalation.id)))
        actions = s.scalar(select(func.count(Action.id)))
        to_them = s.scalars(select(Outbox.to).where(Outbox.to.in_(numbers))).all()
    assert escalations == len(numbers) and actions == len(numbers)  # processed once each
    assert sorted(to_them) == sorted(numbers)  # her resources: once, not three times
