"""Escalation benchmark: from a survivor's request to the first alert handed to the transport,
and how late the chain's timers fire, with a real `hotline worker` (and its RQ scheduler) running.

The transport is the local outbox: "handed over" is the moment the alert's outbox row is
written, in the same transaction that marks the notification sent. Targets (issue 5): p99 of
request → first notification < 0.5 s; timers late by ≤ 2 s.
Run: .venv/bin/python bench/escalation.py [--survivors 200]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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
POLICIES = """policies:
  counsellor: {steps: [{notify: person, times: 2, wait: 3s}, {notify: coordinator, wait: 1h}]}
  emergency: {steps: [{notify: team, wait: 1h}]}
  ngo: {steps: [{notify: team, wait: 1h}]}
  coordinator: {steps: [{notify: coordinator, wait: 1h}]}
"""


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--survivors", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20, help="requests for a counsellor a second")
    parser.add_argument("--database-url", default=None, help="an empty database to use instead of SQLite")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-esc-"))
    (tmp / "staff.yaml").write_text(STAFF)
    (tmp / "policies.yaml").write_text(POLICIES)
    redis_proc = None
    if not os.environ.get("REDIS_URL"):
        redis_proc, os.environ["REDIS_URL"] = redis_server.start(tmp, bind=False)
    else:
        redis_server.wait(os.environ["REDIS_URL"])  # someone else's: up within the same 10 s
    os.environ.update(HOTLINE_INSTANCE=str(tmp), SECRET_KEY="bench", DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'bench.db'}",
                      HOTLINE_STAFF=str(tmp / "staff.yaml"), HOTLINE_POLICIES=str(tmp / "policies.yaml"),
                      LOG_LEVEL="WARNING")
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import redis
    from sqlalchemy import select

    from hotline.services import current, upgrade
    from hotline.store.models import Case, Escalation, Notification, Outbox
    from hotline.web.app import create_app

    conn = redis.Redis.from_url(os.environ["REDIS_URL"])
    conn.flushdb()
    svc = current()
    upgrade(svc)  # `hotline db upgrade`: the store migrated, the bench's staff in, before the worker starts
    app = create_app(services=svc)
    client = app.test_client()
    worker = subprocess.Popen([sys.executable, "-m", "hotline.cli.main", "worker"], cwd=ROOT, env=os.environ.copy())
    asked: dict[str, datetime] = {}
    try:
        from rq import Worker

        deadline = time.monotonic() + 30
        while not Worker.all(queue=svc.queue):  # the worker is up before the first request
            if time.monotonic() > deadline:
                raise SystemExit("the worker did not start")
            time.sleep(0.1)
        for i in range(args.survivors):
            number = f"+9197{i:08d}"
            for n, body in enumerate(("hi", "1", "1", "1")):
                if n == 3:
                    asked[number] = datetime.now(UTC)
                client.post("/twilio/sms", data={"From": number, "Body": body, "MessageSid": f"SM{i}x{n}"})
            time.sleep(1 / args.rate)  # about `rate` requests for a counsellor a second
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with svc.store.session() as s:
                second = s.scalars(select(Notification).where(Notification.step == 1,
                                                              Notification.status == "sent")).all()
            if len(second) >= args.survivors:
                break
            time.sleep(0.25)  # waiting for the chain's second step everywhere
        with svc.store.session() as s:
            cases = dict(s.execute(select(Case.id, Case.caller_key)).all())
            escalations = dict(s.execute(select(Escalation.id, Escalation.case_id)).all())
            handed = {f"outbox-{i}": at for i, at in s.execute(select(Outbox.id, Outbox.at))}
            notes = s.execute(select(Notification.escalation_id, Notification.step, Notification.created_at,
                                     Notification.transport_id)).all()
    finally:
        worker.terminate()
        worker.wait(10)
        if redis_proc:
            redis_server.stop(redis_proc)
    from hotline.privacy.phones import caller_key

    keys = {caller_key(number, "bench"): at for number, at in asked.items()}
    first: dict[int, float] = {}
    step_times: dict[int, dict[int, datetime]] = {}
    for esc_id, step, created, transport_id in notes:
        step_times.setdefault(esc_id, {})[step] = aware(created)
        if step == 0 and transport_id in handed:
            first[esc_id] = (aware(handed[transport_id]) - keys[cases[escalations[esc_id]]]).total_seconds()
    latencies = list(first.values())
    late = [(times[1] - times[0]).total_seconds() - 3.0 for times in step_times.values() if 0 in times and 1 in times]
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(latencies)} escalations at {args.rate:g} a second, one worker (SimpleWorker + RQ scheduler), "
          f"{'SQLite' if not args.database_url else args.database_url.split(':')[0]}, "
          f"{os.cpu_count()} cores shared with the requests")
    print(f"request -> first alert handed to the transport: p50 {statistics.median(latencies) * 1000:7.1f} ms   "
          f"p99 {pct(latencies, 99) * 1000:7.1f} ms   (target p99 < 500 ms)")
    if late:
        print(f"timer lateness (3 s wait):                      p50 {statistics.median(late) * 1000:7.1f} ms   "
              f"max {max(late) * 1000:7.1f} ms   (target <= 2000 ms)")
    print("RESULT " + json.dumps({
        "escalations": len(latencies), "rate": args.rate, "database": "sqlite" if not args.database_url else "other", "first_alert_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "first_alert_p99_ms": round(pct(latencies, 99) * 1000, 1), "timers": len(late),
        "timer_late_p50_ms": round(statistics.median(late) * 1000, 1) if late else None,
        "timer_late_max_ms": round(max(late) * 1000, 1) if late else None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
