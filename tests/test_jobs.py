"""The slow path's own rules: every job is queued through hotline/jobs/enqueue.py (one job id and
one retry a task), and a message to the survivor is stored before it is queued, so a Redis lost
at that moment delays it but never loses it."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from hotline.response import staff_commands
from hotline.store import Action

from .helpers import last_sent, latest, run_worker, sent, text

ROOT = Path(__file__).resolve().parents[1] / "hotline"
SURVIVOR = "+919876543210"
KAVITHA = "+919840000001"


def test_only_jobs_enqueue_puts_jobs_on_the_queue_and_names_them():
    queueing = re.compile(r"\.enqueue(_at|_call)?\(|job_id=|Retry\(max")  # RQ's Retry, not redis-py's
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in sorted(ROOT.rglob("*.py"))
                 if path != ROOT / "jobs" / "enqueue.py"
                 for n, line in enumerate(path.read_text().splitlines(), 1) if queueing.search(line)]
    assert offenders == []


def test_a_survivor_told_while_redis_is_away_is_told_once_it_is_back(make_app, own_redis, sqlite_url):
    app = make_app(redis_url=own_redis.url, database_url=sqlite_url)
    svc = app.extensions["hotline"]
    client = app.test_client()
    for body in ("hi", "1", "1", "1"):  # she asks for a counsellor
        text(client, SURVIVOR, body)
    run_worker(svc, burst=True)
    e = latest(svc)
    before = last_sent(svc)
    own_redis.stop()
    staff_commands.answer(svc, svc.staff.find(KAVITHA), "ack", e.code)  # "someone is coming" for her: kept
    with svc.store.session() as s:
        (told,) = s.scalars(select(Action).where(Action.kind == "tell")).all()
        assert told.status == "pending" and told.payload["text_id"] == "survivor_taken"
    assert SURVIVOR not in [to for to, _ in sent(svc, before)]
    own_redis.start()
    run_worker(svc, burst=True)  # the sweeper finds it
    run_worker(svc, burst=True)
    assert [to for to, _ in sent(svc, before)].count(SURVIVOR) == 1
    with svc.store.session() as s:
        assert s.get(Action, told.id).status == "done"
