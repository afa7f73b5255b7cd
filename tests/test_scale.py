"""More than one machine's worth of processes, as production runs them: the Procfile's gunicorn
with two web processes (WEB_CONCURRENCY=2) and two `hotline worker`s, on one Redis and one
PostgreSQL. A burst of survivors asks for a counsellor over real HTTP while one worker is killed
with SIGKILL; nothing is lost, nobody is alerted twice for a step, and /metrics gives the sum
of both web processes whichever of them answers the scrape.

Sized for CI (HOTLINE_SCALE_SURVIVORS, 40 by default): what is proved (a job lost with its
worker comes back, two web processes count as one) does not depend on the count, only on the
kill landing while alerts are going out. Every wait is a bounded poll on a condition."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import func, select

from hotline.store import Outbox
from hotline.store.models import Escalation, Notification

from .conftest import free_port
from .helpers import (
    ENGLISH_COUNSELLORS,
    ROOT,
    count,
    kill,
    messages,
    one_step_policies,
    post,
    sms_form,
    until,
    where_things_stand,
    worker_process,
)

SURVIVORS = int(os.environ.get("HOTLINE_SCALE_SURVIVORS", 40))
TOKEN = "scale-test-token"
ASK = ("hi", "1", "1", "1")  # English, safe to talk, talk to a counsellor, now
REQUESTS = re.compile(r'^hotline_requests_total\{channel="sms",status="200"\} (\S+)$', re.M)


def procfile_web(svc, tmp_path: Path, port: int) -> subprocess.Popen:
    """The Procfile's web line (its gunicorn and configuration), on loopback, two processes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "PROMETHEUS_"))}
    env.update(REDIS_URL=svc.settings.redis_url, DATABASE_URL=svc.settings.database_url,
               SECRET_KEY=svc.settings.secret_key, HOTLINE_STAFF=svc.settings.staff_file,
               HOTLINE_POLICIES=svc.settings.policies_path, HOTLINE_INSTANCE=str(tmp_path / "web"),
               WEB_CONCURRENCY="2", PORT=str(port), LOG_LEVEL="WARNING",
               TWILIO_AUTH_TOKEN=TOKEN)  # on PostgreSQL it is no demo: unsigned webhooks are refused
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:hotline.web.server",
                             "--bind", f"127.0.0.1:{port}", "hotline.web.app:create_app()"],
                            env=env, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def scraped(base: str) -> float:
    """hotline_requests_total for answered SMS, from one scrape on a new connection."""
    with requests.Session() as fresh:
        return float(REQUESTS.search(fresh.get(f"{base}/metrics", timeout=5).text).group(1))


def test_two_web_processes_and_two_workers_lose_nothing_when_a_worker_is_killed(
        make_app, _database_url, own_redis, tmp_path):
    database_url = _database_url("postgresql")  # the production store; skipped (and said) without one
    app = make_app(redis_url=own_redis.url, database_url=database_url, policies_path=one_step_policies(tmp_path))
    svc = app.extensions["hotline"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = procfile_web(svc, tmp_path, port)
    workers = [worker_process(svc, tmp_path / name) for name in ("a", "b")]
    expected = SURVIVORS * len(ENGLISH_COUNSELLORS)
    replies, killed_at = [], {}
    try:
        from rq import Worker

        until(lambda: healthy(base) and len(children(web.pid)) == 2, 60, "two web processes answering")
        until(lambda: len(Worker.all(queue=svc.queue)) == 2, 60, "both workers to register")

        def kill_when_some_are_out():
            until(lambda: count(svc, select(func.count(Outbox.id))) >= expected // 5, 120, "the first alerts", 0.02)
            kill(workers[0])  # it and its scheduler, mid-burst
            killed_at["outbox"] = count(svc, select(func.count(Outbox.id)))

        def survivor(i: int) -> list:
            number = f"+9197{i:08d}"
            return [post(base, "/twilio/sms", sms_form(number, body), token=TOKEN) for body in ASK]

        killer = threading.Thread(target=kill_when_some_are_out)
        killer.start()
        with ThreadPoolExecutor(8) as pool:
            for answers in pool.map(survivor, range(SURVIVORS)):
                replies += answers
        killer.join(150)
        assert not killer.is_alive() and workers[0].returncode == -signal.SIGKILL
        assert killed_at["outbox"] < expected, "the kill came after every alert was out"

        # the other worker takes up what the dead one held: its job's heartbeat stops, and the
        # sweeper queues the alert again (hotline/jobs/worker.py, jobs/queued.py)
        sent = select(func.count(Notification.id)).where(Notification.status == "sent")
        until(lambda: count(svc, sent) >= expected, 90, "every alert, after the kill", every=0.25,
              state=lambda: where_things_stand(svc))

        # /metrics: every scrape, whichever web process answers it, counts both processes' requests
        assert [scraped(base) for _ in range(6)] == [float(len(replies))] * 6
        pids = {int(m.group(1)) for f in (tmp_path / "web" / "metrics").iterdir()
                if (m := re.search(r"_(\d+)\.db$", f.name))}
        assert set(children(web.pid)) <= pids  # both web processes served, and are counted
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        for worker in workers:
            kill(worker)
        web.wait(30)

    # every request answered, with the flow's words (never a 5xx, never the degraded reply)
    assert [r.status_code for r in replies] == [200] * len(replies)
    assert all(messages(r.text) for r in replies)
    with svc.store.session() as s:
        escalations = set(s.scalars(select(Escalation.id)))
        notes = s.execute(select(Notification.escalation_id, Notification.staff_id, Notification.step,
                                 Notification.round, Notification.via, Notification.status)).all()
        outbox = Counter((o.to, o.body) for o in s.scalars(select(Outbox)))
    assert len(escalations) == SURVIVORS  # one each
    # none lost: each escalation's step reached both English-speaking counsellors …
    assert Counter(n.escalation_id for n in notes if n.status == "sent") == dict.fromkeys(escalations, 2)
    # … once: one row per person, step and round, and one SMS each in the transport
    assert set(Counter(tuple(n[:5]) for n in notes).values()) == {1}
    assert len(outbox) == expected and set(outbox.values()) == {1}
