"""The worker: RQ with its scheduler (for the waits), and the sweeper that re-queues whatever
the store says is due but the queue has lost."""

from __future__ import annotations

import logging
import threading

from rq import SimpleWorker

from .actions import sweep
from .redis_conn import describe
from .services import Services

log = logging.getLogger(__name__)
SWEEP_EVERY = 60  # seconds


def run(svc: Services, burst: bool = False) -> bool:
    """Run the worker. Burst: sweep once, run what is queued and due, then return."""
    swept = sweep(svc, stuck_after_seconds=0 if burst else 300)
    if swept:
        log.info("sweeper: %d recorded action(s) put back on the queue", swept)
    if burst:
        # jobs whose time has come (retries, timers) are moved to the queue before the run
        from rq.scheduler import RQScheduler

        scheduler = RQScheduler([svc.queue], connection=svc.redis)
        scheduler.acquire_locks()
        scheduler.enqueue_scheduled_jobs()
        scheduler.release_locks()
    else:
        stop = threading.Event()

        def sweeper():
            while not stop.wait(SWEEP_EVERY):
                try:
                    sweep(svc)
                except Exception:  # noqa: BLE001 - the sweeper must outlive a Redis or DB hiccup
                    log.exception("sweeper failed; trying again in %ss", SWEEP_EVERY)

        threading.Thread(target=sweeper, name="sweeper", daemon=True).start()
        log.info("worker on %s", describe(svc.redis))
    # SimpleWorker: jobs run in this process. They are short (one send); a job killed with the
    # worker is found again by the sweeper because its action is still recorded as queued.
    worker = SimpleWorker([svc.queue], connection=svc.redis)
    return worker.work(burst=burst, with_scheduler=not burst, logging_level="WARNING")
