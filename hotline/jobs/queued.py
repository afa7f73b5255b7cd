"""What every sweeper asks of RQ: is the job for this fact still waiting or running? Job ids
are deterministic (one per fact), so the answer is one look-up, and queueing again is harmless."""

from __future__ import annotations

from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import StartedJobRegistry

WAITING = ("queued", "started", "scheduled", "deferred")


def on_queue(connection: Redis, job_id: str) -> bool:
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return False
    status = job.get_status(refresh=False)
    if status == "started":
        # a worker killed mid-job leaves its job "started" for good: it is running only while its
        # worker keeps its execution alive in the started registry (jobs/worker.py beats for it;
        # a dead worker's entry expires within HEARTBEAT_TTL, on whatever machine it ran)
        registry = StartedJobRegistry(job.origin, connection=connection)
        return job_id in registry and job_id not in registry.get_expired_job_ids()
    if status == "queued":
        # a worker killed between taking a job and starting it leaves it "queued" but off the
        # queue (in RQ's intermediate queue, recovered only a minute later): it waits only while
        # the queue holds it. Queueing it again at worst runs it twice, which every job survives.
        return Queue(job.origin, connection=connection).get_job_position(job_id) is not None
    return status in WAITING
