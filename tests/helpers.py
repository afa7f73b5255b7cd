"""What the tests share: posting to the webhooks as Twilio does (form fields, and a signature of
the URL it called); reading what the hotline sent and opened; the worker in burst on the test's
clock, a real worker process, and waiting for a redis-server the tests started."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import requests
from rq import SimpleWorker
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from twilio.request_validator import RequestValidator

from hotline.jobs.sweeper import sweep

ROOT = Path(__file__).resolve().parents[1]
_sids = itertools.count(1)


def new_sid(prefix: str = "SM") -> str:
    return f"{prefix}{next(_sids):032d}"


def sms_form(number: str, body: str, sid: str | None = None) -> dict:
    return {"From": number, "To": "+914400000000", "Body": body, "MessageSid": sid or new_sid(),
            "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}


def sign(token: str, url: str, form: dict) -> str:
    return RequestValidator(token).compute_signature(url, form)


def post(base: str, path: str, form: dict, token: str | None = None, signed_url: str | None = None,
         signature: str | None = None) -> requests.Response:
    url = base + path
    headers = {}
    if token:
        headers["X-Twilio-Signature"] = signature or sign(token, signed_url or url, form)
    elif signature:
        headers["X-Twilio-Signature"] = signature
    return requests.post(url, data=form, headers=headers, timeout=20)


def messages(twiml: str) -> list[str]:
    """The bodies of the <Message>s of an SMS TwiML reply."""
    from xml.etree import ElementTree

    return [m.text or "" for m in ElementTree.fromstring(twiml).iter("Message")]


# -- the hotline, as the tests drive and read it ----------------------------------------------------


def text(client, number: str, body: str) -> list[str]:
    """One SMS posted to the app's test client; the bodies of its reply."""
    return messages(client.post("/twilio/sms", data=sms_form(number, body)).get_data(as_text=True))


def texts(client, number: str, *bodies: str) -> list[list[str]]:
    """Several SMSes, one after the other; the reply to each."""
    return [text(client, number, body) for body in bodies]


def sent(svc, since: int = 0) -> list[tuple[str, str]]:
    """(to, body) of what went out through the local outbox after row `since`, in order."""
    from sqlalchemy import select

    from hotline.store import Outbox

    with svc.store.session() as s:
        return [(o.to, o.body) for o in s.scalars(select(Outbox).where(Outbox.id > since).order_by(Outbox.id))]


def last_sent(svc) -> int:
    """The outbox's last row id (0 when empty): `sent(svc, since=...)` from here on."""
    from sqlalchemy import select

    from hotline.store import Outbox

    with svc.store.session() as s:
        return max([0, *s.scalars(select(Outbox.id))])


def latest(svc):
    """The escalation opened last."""
    from sqlalchemy import select

    from hotline.store.models import Escalation

    with svc.store.session() as s:
        return s.scalars(select(Escalation).order_by(Escalation.id.desc())).first()


# -- escalations under load: the fault and scale tests' policy and readings ----------------------

# One step: the English-speaking counsellors on shift (Kavitha and Anjali), then a long wait, so a
# run checks exactly one alert per person per escalation and no timer fires inside the test.
ONE_STEP = """policies:
  counsellor: {steps: [{notify: team, wait: 1h}]}
  emergency: {steps: [{notify: team, via: [sms, voice], wait: 1h}]}
  ngo: {steps: [{notify: team, wait: 1h}]}
  coordinator: {steps: [{notify: coordinator, wait: 1h}]}
"""
ENGLISH_COUNSELLORS = ["+919840000001", "+919840000002"]  # Kavitha, Anjali (tests/data/staff.yaml)


def where_things_stand(svc) -> dict:
    """Notifications and escalations by status, and what RQ holds: for a timeout's message."""
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
    from sqlalchemy import func, select

    from hotline.store.models import Escalation, Notification

    with svc.store.session() as s:
        notes = dict(s.execute(select(Notification.status, func.count()).group_by(Notification.status)).all())
        escalations = dict(s.execute(select(Escalation.step, func.count()).group_by(Escalation.step)).all())
    lanes = svc.queues
    return {"notifications": notes, "escalations by step": escalations, "queued": sum(len(q) for q in lanes),
            "intermediate": sum(len(q.intermediate_queue.get_job_ids()) for q in lanes),
            "started": sum(len(StartedJobRegistry(queue=q)) for q in lanes),
            "scheduled": sum(len(ScheduledJobRegistry(queue=q)) for q in lanes),
            "failed": sum(len(FailedJobRegistry(queue=q)) for q in lanes)}


def one_step_policies(tmp_path: Path) -> str:
    path = tmp_path / "policies.yaml"
    path.write_text(ONE_STEP)
    return str(path)


def count(svc, query) -> int:
    with svc.store.session() as s:
        return s.scalar(query) or 0


# -- processes: a real worker, a real redis-server ----------------------------------------------------


def until(condition, seconds: float, what: str, every: float = 0.05, state=None):
    """Poll `condition` until it is true, for `seconds` at most; `state()` says where it stood."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out after {seconds} s waiting for {what}" + (
            f": {state()}" if state else "")
        time.sleep(every)  # a bounded poll of the store, Redis or a process, not a guess at timing


def wait_for_redis(client, seconds: float = 10, proc: subprocess.Popen | None = None) -> None:
    """Until `client` (a redis.Redis) answers PING: a server just started accepting connections.
    With `proc` (the server's process), its exiting is a failure at once, not after `seconds`."""
    import redis

    deadline = time.monotonic() + seconds
    while True:
        try:
            client.ping()
            return
        except redis.ConnectionError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with status {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer within {seconds} s") from None
            time.sleep(0.02)  # waiting for a server we started to accept connections


def promote_due(svc, until: datetime) -> int:
    """Move scheduled jobs (retries, timers) due by `until` onto the queue, as RQ's scheduler
    does when their time comes by the wall clock; the tests' clock is their own."""
    moved = 0
    for queue in svc.queues:  # every lane, as the scheduler does
        registry = ScheduledJobRegistry(queue=queue)
        job_ids = registry.get_jobs_to_schedule(int(until.timestamp()))
        for job_id in job_ids:
            with contextlib.suppress(NoSuchJobError):  # a job deleted since: only its registry entry is left
                queue.enqueue_job(Job.fetch(job_id, connection=svc.redis))
            registry.remove(job_id)
        moved += len(job_ids)
    return moved


def run_worker(svc, burst: bool = True, until: datetime | None = None, rounds: int = 20) -> bool:
    """`hotline worker --burst` on the test's clock: sweep once, run what is queued and what is due
    by `until` (svc.now() by default), again until nothing is left (a retry may fall due within
    `until`)."""
    assert burst, "the tests run the worker in burst; a real one is worker_process"
    sweep(svc)
    worker = SimpleWorker(list(svc.queues), connection=svc.redis)  # the lanes in order, as `hotline worker`
    clock = until or svc.now()
    # a job whose worker died mid-run (SIGKILL) is abandoned once its execution expires: RQ
    # retries it; by `clock`, as the worker's own registry maintenance would
    for queue in svc.queues:
        StartedJobRegistry(queue=queue).cleanup(timestamp=clock.timestamp())
    for _ in range(rounds):
        promote_due(svc, clock)
        if not any(len(queue) for queue in svc.queues):
            break
        worker.work(burst=True, logging_level="WARNING")
    return True


def worker_process(svc, tmp_path: Path) -> subprocess.Popen:
    """A real `hotline worker` (RQ worker + scheduler + sweeper) on the test's Redis, store,
    staff and policies, from the project's folder."""
    env = dict(os.environ, REDIS_URL=svc.settings.redis_url, DATABASE_URL=svc.settings.database_url,
               SECRET_KEY=svc.settings.secret_key, HOTLINE_STAFF=svc.settings.staff_file,
               HOTLINE_POLICIES=svc.settings.policies_path, HOTLINE_INSTANCE=str(tmp_path / "worker"),
               LOG_LEVEL="WARNING")
    # its own process group: RQ's scheduler runs in a child process, which a SIGKILL of the worker
    # alone would leave running, promoting other tests' jobs by the wall clock
    return subprocess.Popen([sys.executable, "-m", "hotline.cli.main", "worker"], env=env, cwd=ROOT,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill(worker: subprocess.Popen) -> None:
    """SIGKILL to the worker and its scheduler at once, as when its machine or container dies."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(10)
