"""Escalation benchmark: from a survivor's request to the first alert handed to the transport,
and how late the chain's timers fire against their due time, with N real `hotline worker`
processes (each with its RQ scheduler; one of them holds the scheduling lock), on SQLite or on
PostgreSQL (--database-url).

Request -> first alert: "asked" is the moment the bench posts her third "1" (the request for a
counsellor); "handed over" is the moment the alert's outbox row is written (the local outbox is
the transport), in the same transaction that marks the notification sent. Target (issue 19):
p99 < 500 ms at 20 a second with 2 workers; 50 a second with 4 workers is reported.

Timer lateness (target <= 1 s): each escalation waits 3 s after step 0 and again after step 1
(the policy below). A step's due time is the time the chain scheduled it for: Escalation.next_at
as `chain.advance` wrote it when the step before ran (the same instant RQ's ScheduledJobRegistry
scores the step's job with, in whole seconds). A poller reads (id, round, step, next_at) of every
open escalation every POLL seconds, so it sees each 3-s wait. A step "ran" when its Notification
row was written (created_at, stamped from the worker's clock at the flush of the step's
transaction). Lateness = ran - due: positive when the timer fired late (the scheduler's
one-second poll, then the job's wait in the queue behind others), negative when it fired early
(RQ keeps the due time in whole seconds, truncated, so a job may be queued up to 1 s before it).
How we know it can show a late timer: `--stall S` stops every worker and its scheduler (SIGSTOP
to their process groups) for S seconds from the moment the first timed step falls due, so that
timer fires about S seconds late (at least S - 1 s: RQ may queue it up to 1 s before its time);
`make bench` runs it (bench/run.py's "meter check") and expects a max lateness of at least 1 s.

The requests go through the app in this process (Flask's test client). Each survivor's first
three messages (language, safe, the menu) are sent before the clock starts; the timed message is
her request for a counsellor, sent by --senders processes (each its own app) on a fixed schedule
(an open loop: request i is due at start + i / rate, whatever the answers take). The achieved rate and how far the senders fell behind their schedule are printed: if the
generator cannot keep up, the figure says so rather than the worker looking faster than it is.

Run: .venv/bin/python bench/escalation.py [--rate 20] [--workers 2] [--survivors 200]
         [--database-url postgresql://...]  (emptied first: drop schema public) [--stall 2]
         [--profile DIR]  (py-spy record of every worker, with idle time, collapsed stacks in DIR)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import redis_server

ROOT = Path(__file__).resolve().parents[1]
STAFF = """timezone: Asia/Kolkata
staff:
  - {name: A, phone: "+91 98400 10001", roles: [counsellor], languages: [en], shifts: ["mon-sun 00:00-24:00"]}
  - {name: B, phone: "+91 98400 10002", roles: [counsellor], languages: [en], shifts: ["mon-sun 00:00-24:00"]}
  - {name: C, phone: "+91 98400 10003", roles: [coordinator], languages: [en], shifts: ["mon-sun 00:00-24:00"]}
"""
WAIT = 3  # seconds between the steps whose timers are measured
POLICIES = f"""policies:
  counsellor: {{steps: [{{notify: person, times: 2, wait: {WAIT}s}}, {{notify: coordinator, wait: 1h}}]}}
  emergency: {{steps: [{{notify: team, wait: 1h}}]}}
  ngo: {{steps: [{{notify: team, wait: 1h}}]}}
  coordinator: {{steps: [{{notify: coordinator, wait: 1h}}]}}
"""
TIMED_STEPS = (1, 2)  # the steps that run on a timer: A at step 0 at once, B at 1 after 3 s, C at 2 after 3 s
POLL = 0.2  # seconds between the due-time poller's reads


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def empty_postgres(url: str) -> None:
    """The benchmark's PostgreSQL database, emptied (its public schema dropped and made again):
    refused unless the database's name says it is a benchmark's."""
    from sqlalchemy import create_engine, make_url, text

    from hotline.store.db import normalise_url

    url = normalise_url(url)
    if "bench" not in (make_url(url).database or ""):
        raise SystemExit(f"--database-url: {make_url(url).database!r} is emptied first; name a database "
                         "with 'bench' in its name")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def send(first: int, senders: int, survivors: int, rate: float, start: float, pipe) -> None:
    """A sender process: survivors first, first + senders, … each asking for a counsellor at
    start + i / rate (wall clock); sends back when each asked and how late against the schedule."""
    from hotline.config.settings import Settings
    from hotline.services import Services, current, use
    from hotline.web.app import create_app

    current().store.engine.dispose(close=False)  # the parent's pooled connections are the parent's
    svc = use(Services(Settings.from_env()))  # its own store engine and Redis connections
    client = create_app(services=svc).test_client()
    asked, lag = {}, []
    for i in range(first, survivors, senders):
        delay = start + i / rate - time.time()
        if delay > 0:
            time.sleep(delay)  # pacing the open loop
        number = f"+9197{i:08d}"
        asked[number] = datetime.now(UTC)
        lag.append(max(0.0, time.time() - (start + i / rate)))
        client.post("/twilio/sms", data={"From": number, "Body": "1", "MessageSid": f"SM{i}x3"})
    pipe.send((asked, lag))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--survivors", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20, help="requests for a counsellor a second")
    parser.add_argument("--workers", type=int, default=2, help="`hotline worker` processes")
    parser.add_argument("--senders", type=int, default=None, help="processes posting the requests "
                        "(default: one for every 10 a second, at least 2)")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL database of the bench's own "
                        "(emptied first; its name must contain 'bench'), instead of a SQLite file")
    parser.add_argument("--stall", type=float, default=0, help="stop the workers this many seconds after "
                        "the last request (the lateness meter's own check)")
    parser.add_argument("--profile", default=None, help="folder for a py-spy profile of each worker")
    parser.add_argument("--settle", type=float, default=60, help="seconds to wait for the timed steps")
    args = parser.parse_args()
    args.senders = args.senders or max(2, math.ceil(args.rate / 10))

    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-esc-"))
    (tmp / "staff.yaml").write_text(STAFF)
    (tmp / "policies.yaml").write_text(POLICIES)
    redis_proc = None
    if not os.environ.get("REDIS_URL"):
        redis_proc, os.environ["REDIS_URL"] = redis_server.start(tmp, bind=False)
    else:
        redis_server.wait(os.environ["REDIS_URL"])  # someone else's: up within the same 10 s
    sys.path.insert(0, str(ROOT))
    if args.database_url:
        empty_postgres(args.database_url)
    os.environ.update(HOTLINE_INSTANCE=str(tmp), SECRET_KEY="bench",
                      DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'bench.db'}",
                      HOTLINE_STAFF=str(tmp / "staff.yaml"), HOTLINE_POLICIES=str(tmp / "policies.yaml"),
                      LOG_LEVEL="WARNING")
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        os.environ.pop(name, None)
    import redis
    from rq import Worker
    from sqlalchemy import func, select

    from hotline.privacy.phones import caller_key
    from hotline.services import current, upgrade
    from hotline.store.models import Case, Escalation, Notification, Outbox
    from hotline.web.app import create_app

    conn = redis.Redis.from_url(os.environ["REDIS_URL"])
    conn.flushdb()
    svc = current()
    svc.settings.demo = True  # it posts unsigned, in process: the demo's webhooks on PostgreSQL too
    upgrade(svc)  # `hotline db upgrade`: the store migrated, the bench's staff in, before the workers start
    app = create_app(services=svc)
    database = "SQLite" if not args.database_url else "PostgreSQL"

    # each worker in a process group of its own: its RQ scheduler is a child process, and --stall
    # stops both
    workers = [subprocess.Popen([sys.executable, "-m", "hotline.cli.main", "worker"], cwd=ROOT,
                                env=os.environ.copy(), start_new_session=True) for _ in range(args.workers)]
    spies: list[subprocess.Popen] = []
    asked: dict[str, datetime] = {}
    lag: list[float] = []  # how late each request was posted against its schedule
    due: dict[tuple[int, int, int], datetime] = {}  # (escalation, round, step) -> next_at while it waited
    polling = threading.Event()

    def poll() -> None:
        while not polling.wait(POLL):
            try:
                with svc.store.read() as s:
                    rows = s.execute(select(Escalation.id, Escalation.round, Escalation.step, Escalation.next_at)
                                     .where(Escalation.status == "open", Escalation.next_at.is_not(None))).all()
            except Exception:  # noqa: BLE001 - a busy moment of the store: the next poll
                continue
            for esc_id, round_, step, next_at in rows:
                due.setdefault((esc_id, round_, step), aware(next_at))

    try:
        deadline = time.monotonic() + 60
        while len(Worker.all(queue=svc.queue)) < args.workers:  # every worker up before the first request
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                raise SystemExit("the workers did not start")
            time.sleep(0.1)
        if args.profile and shutil.which("py-spy"):
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            spies = [subprocess.Popen(["py-spy", "record", "--idle", "--rate", "200", "--format", "raw",
                                       "--output", str(Path(args.profile) / f"worker{n}.txt"), "--pid", str(w.pid)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                     for n, w in enumerate(workers)]
            time.sleep(1)  # py-spy attached
        poller = threading.Thread(target=poll, daemon=True)
        poller.start()

        # her first three messages (language, safe, the menu) before the clock starts: what is timed
        # is the request for a counsellor, the message that opens the escalation
        prep = app.test_client()
        for i in range(args.survivors):
            for n, body in enumerate(("hi", "1", "1")):
                prep.post("/twilio/sms", data={"From": f"+9197{i:08d}", "Body": body, "MessageSid": f"SM{i}x{n}"})
        # the senders: processes of their own (each its own app on the same store and Redis), so
        # the requests do not share one interpreter's lock with each other and this process's poller
        start = time.time() + 1.5  # wall clock, as the children see it: time to build their apps
        pipes = []
        for k in range(args.senders):
            mine, theirs = multiprocessing.get_context("fork").Pipe(duplex=False)
            proc = multiprocessing.get_context("fork").Process(
                target=send, args=(k, args.senders, args.survivors, args.rate, start, theirs), daemon=True)
            proc.start()
            pipes.append((proc, mine))
        for proc, mine in pipes:
            their_asked, their_lag = mine.recv()
            asked.update(their_asked)
            lag.extend(their_lag)
            proc.join()
        sent_span = max(asked.values()) - min(asked.values())
        achieved = (len(asked) - 1) / sent_span.total_seconds() if sent_span.total_seconds() else float("inf")
        if args.stall:  # the meter's own check: every worker and scheduler stopped from the first
            # timed step's due time on, so the timers due meanwhile fire about `stall` seconds late
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not any(key[2] in TIMED_STEPS for key in list(due)):
                time.sleep(0.05)
            first_due = min((at for key, at in list(due.items()) if key[2] in TIMED_STEPS), default=datetime.now(UTC))
            time.sleep(max(0.0, (first_due - datetime.now(UTC)).total_seconds() - 0.1))
            for w in workers:
                os.killpg(w.pid, signal.SIGSTOP)
            time.sleep(args.stall)
            for w in workers:
                os.killpg(w.pid, signal.SIGCONT)
        deadline = time.monotonic() + args.settle
        while time.monotonic() < deadline:
            with svc.store.read() as s:
                done = s.scalar(select(func.count()).select_from(Notification).where(
                    Notification.step == max(TIMED_STEPS), Notification.status == "sent"))
            if done >= args.survivors:
                break
            time.sleep(0.25)  # waiting for the chain's timed steps everywhere
        polling.set()
        poller.join()
        with svc.store.read() as s:
            cases = dict(s.execute(select(Case.id, Case.caller_key)).all())
            escalations = dict(s.execute(select(Escalation.id, Escalation.case_id)).all())
            handed = {f"outbox-{i}": at for i, at in s.execute(select(Outbox.id, Outbox.at))}
            notes = s.execute(select(Notification.escalation_id, Notification.round, Notification.step,
                                     Notification.created_at, Notification.transport_id)).all()
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)  # py-spy writes its profile on SIGINT
        for spy in spies:
            spy.wait(30)
        for w in workers:
            with contextlib.suppress(ProcessLookupError):  # already gone
                os.killpg(w.pid, signal.SIGCONT)
            w.terminate()
        for w in workers:
            try:
                w.wait(15)
            except subprocess.TimeoutExpired:
                w.kill()
        if redis_proc:
            redis_server.stop(redis_proc)

    keys = {caller_key(number, "bench"): at for number, at in asked.items()}
    first: dict[int, float] = {}
    ran: dict[tuple[int, int, int], datetime] = {}
    for esc_id, round_, step, created, transport_id in notes:
        key = (esc_id, round_, step)
        ran[key] = min(ran.get(key, aware(created)), aware(created))
        if step == 0 and transport_id in handed:
            first[esc_id] = (aware(handed[transport_id]) - keys[cases[escalations[esc_id]]]).total_seconds()
    latencies = list(first.values())
    late = [(ran[key] - due[key]).total_seconds() for key in ran if key[2] in TIMED_STEPS and key in due]
    unseen = sum(1 for key in ran if key[2] in TIMED_STEPS and key not in due)
    shutil.rmtree(tmp, ignore_errors=True)
    if not latencies:
        raise SystemExit("no alert was handed over")

    p50, p99 = statistics.median(latencies) * 1000, pct(latencies, 99) * 1000
    print(f"{len(latencies)} escalations at {args.rate:g} a second, {args.workers} worker(s) (hotline worker: "
          f"SimpleWorker + RQ scheduler), {database}, {os.cpu_count()} cores shared with the requests"
          + (f"; workers stopped {args.stall:g} s from the first timer's due time" if args.stall else ""))
    print(f"requests: {achieved:.1f} a second achieved ({args.senders} sender processes, Flask test client); "
          f"behind schedule p99 {pct(lag, 99) * 1000:.0f} ms, max {max(lag) * 1000:.0f} ms")
    print(f"request -> first alert handed to the transport: p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   "
          f"max {max(latencies) * 1000:7.1f} ms   (target p99 < 500 ms)")
    if late:
        print(f"timer lateness against the due time ({WAIT} s waits, {len(late)} timers): p50 "
              f"{statistics.median(late) * 1000:6.0f} ms   p99 {pct(late, 99) * 1000:6.0f} ms   max "
              f"{max(late) * 1000:6.0f} ms   earliest {min(late) * 1000:6.0f} ms   (target <= 1000 ms)"
              + (f"; {unseen} due times not seen by the poller" if unseen else ""))
    print("RESULT " + json.dumps({
        "escalations": len(latencies), "survivors": args.survivors, "rate": args.rate,
        "achieved_rate": round(achieved, 1), "sender_lag_p99_ms": round(pct(lag, 99) * 1000, 1),
        "workers": args.workers, "database": database, "stall": args.stall,
        "first_alert_p50_ms": round(p50, 1), "first_alert_p99_ms": round(p99, 1),
        "first_alert_max_ms": round(max(latencies) * 1000, 1), "timers": len(late), "timers_unseen": unseen,
        "timer_late_p50_ms": round(statistics.median(late) * 1000, 1) if late else None,
        "timer_late_p99_ms": round(pct(late, 99) * 1000, 1) if late else None,
        "timer_late_max_ms": round(max(late) * 1000, 1) if late else None,
        "timer_early_max_ms": round(-min(late) * 1000, 1) if late else None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
