"""The worker: RQ with its scheduler (for the waits), and the sweeper that re-queues whatever
the store says is due but the queue has lost."""

from __future__ import annotations

import logging
import threading
import time
from contextlib import suppress
from datetime import datetime

from rq import SimpleWorker
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from .actions import sweep
from .redis_conn import describe
from .retention import purge
from .services import Services

log = logging.getLogger(__name__)
SWEEP_EVERY = 60  # seconds
PURGE_EVERY = 24 * 3600


def promote_due(svc: Services, until: datetime) -> int:
    """Move scheduled jobs (retries, timers) due by `until` onto the queue, as RQ's scheduler
    does when their time comes. `hotline worker --burst` and the tests call it with a clock."""
    registry = ScheduledJobRegistry(queue=svc.queue)
    job_ids = registry.get_jobs_to_schedule(int(until.timestamp()))
    for job_id in job_ids:
        with suppress(NoSuchJobError):  # a job deleted since: only its registry entry is left
            svc.queue.enqueue_job(Job.fetch(job_id, connection=svc.redis))
        registry.remove(job_id)
    return len(job_ids)


def run(svc: Services, burst: bool = False, until: datetime | None = None, rounds: int = 20) -> bool:
    """Run the worker. Burst: sweep once, run what is queued and what is due by `until` (now by
    default), again until nothing is left (a retry may fall due within `until`), then return."""
    swept = sweep(svc)
    if swept:
        log.info("sweeper: %d recorded action(s) put back on the queue", swept)
    if burst:
        worker = SimpleWorker([svc.queue], connection=svc.redis)
        clock = until or svc.now()
        # a job whose worker died mid-run (SIGKILL) is abandoned once its execution expires: RQ
        # retries it; by `clock`, as the worker's own registry maintenance would
        StartedJobRegistry(queue=svc.queue).cleanup(timestamp=clock.timestamp())
        for _ in range(rounds):
            promote_due(svc, clock)
            if not len(svc.queue):
                break
            worker.work(burst=True, logging_level="WARNING")
        return True

    def sweeper():
        last_purge = 0.0
        while not threading.Event().wait(SWEEP_EVERY):
            try:
                sweep(svc)
                if time.monotonic() - last_purge > PURGE_EVERY:
                    purged = purge(svc, svc.settings.retention_days)
                    last_purge = time.monotonic()
                    if purged:
                        log.info("retention: %d closed case(s) anonymised", purged)
            except Exception:  # noqa: BLE001 - the sweeper must outlive a Redis or DB hiccup
                log.exception("sweeper failed; trying again in %ss", SWEEP_EVERY)

    threading.Thread(target=sweeper, name="sweeper", daemon=True).start()
    log.info("worker on %s", describe(svc.redis))
    # SimpleWorker: jobs run in this process. They are short (one send); a job killed with the
    # worker is found again by the sweeper because its action is still recorded as queued.
    worker = SimpleWorker([svc.queue], connection=svc.redis)
    return worker.work(with_scheduler=True, logging_level="WARNING")
