"""What every sweeper asks of RQ: is the job for this fact still waiting or running? Job ids
are deterministic (one per fact), so the answer is one look-up, and queueing again is harmless."""

from __future__ import annotations

from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.job import Job

WAITING = ("queued", "started", "scheduled", "deferred")


def on_queue(connection: Redis, job_id: str) -> bool:
    try:
        return Job.fetch(job_id, connection=connection).get_status(refresh=False) in WAITING
    except NoSuchJobError:
        return False
