"""The worker: RQ with its scheduler (for the waits), and the sweeper that re-queues whatever
the store says is due but the queue has lost."""

from __future__ import annotations

import logging
import threading
import time

from redis.exceptions import RedisError
from rq import SimpleWorker

from hotline.jobs.retention import purge
from hotline.jobs.sweeper import sweep
from hotline.services import Services
from hotline.store.redis_conn import describe

log = logging.getLogger(__name__)
SWEEP_EVERY = 10  # seconds: the longest a job lost with a killed worker waits, once its heartbeat is gone
HEARTBEAT_TTL = 10  # seconds a running job stays "started" without a heartbeat from its worker
WATCH_EVERY = 2  # seconds: how soon a lost scheduler is started again, and Redis's return is noticed
RESULT_TTL = 60  # seconds a finished job and its return value stay in Redis (for `rq info`)
PURGE_EVERY = 24 * 3600


class Worker(SimpleWorker):
    """RQ's SimpleWorker (jobs run in this process), which tells the sweeper thread when it tears
    down: from then on the sweeper starts no scheduler, and RQ's teardown stops the one running.

    SimpleWorker marks a job "started" for the job's whole timeout and a minute more (four
    minutes) and says nothing while it runs, so a worker killed mid-job held its job that long
    before anyone could take it again. Here a job is "started" for HEARTBEAT_TTL, renewed by the
    sweeper thread every WATCH_EVERY seconds while it runs (`beat`): a killed worker's job is
    free again within HEARTBEAT_TTL, and the sweeper queues it (jobs/queued.py on_queue)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stopping = threading.Event()
        self.reviving = threading.Lock()

    def get_heartbeat_ttl(self, job) -> int:
        return HEARTBEAT_TTL

    def beat(self) -> None:
        """From the sweeper thread: the running job (if any) is still running. The execution is
        renewed only while it is still registered (xx), so a job that just finished stays so."""
        job, execution = self.get_current_job(), self.execution
        if job is None or execution is None:
            return
        with self.connection.pipeline() as pipe:
            self.heartbeat(HEARTBEAT_TTL, pipeline=pipe)
            execution.heartbeat(job.started_job_registry, HEARTBEAT_TTL, pipeline=pipe)
            pipe.execute()

    def teardown(self) -> None:
        with self.reviving:  # a scheduler being started now is started before RQ stops it
            self.stopping.set()
        super().teardown()


def run(svc: Services, burst: bool = False) -> bool:
    """Run the worker. Burst: sweep once, run what is queued and what RQ's scheduler finds due
    now, then return (the tests run it on their own clock: tests/helpers.py run_worker)."""
    swept = sweep(svc)
    if swept:
        log.info("sweeper: %d recorded action(s) put back on the queue", swept)
    if burst:
        # RQ's scheduler in burst: the jobs due by now onto the queue once, in this process
        return Worker(list(svc.queues), connection=svc.redis).work(burst=True, with_scheduler=True,
                                                              logging_level="WARNING")

    # SimpleWorker: jobs run in this process. They are short (one send); a job killed with the
    # worker is found again by the sweeper because its action is still recorded as queued.
    # RESULT_TTL: RQ keeps each finished job's result (a Redis stream, ~4.7 KB) for 500 s by
    # default; the soak saw them grow Redis by 85 MB in ten minutes. The store says what was done.
    worker = Worker(list(svc.queues), connection=svc.redis, default_result_ttl=RESULT_TTL)
    # RQ waits twice as long after each failed reconnection, up to a minute: after a 30 s outage
    # it could sleep through 30 s more of a working Redis. Try again every WATCH_EVERY seconds.
    worker.max_connection_wait_time = WATCH_EVERY

    # Once the worker stops, the sweeper must not start RQ's scheduler again: one started after
    # the worker's own teardown was never stopped, and the exit then waited on it for ever
    # (multiprocessing joins its children at exit), the embedded Redis with it (Worker.teardown).
    stopping, reviving = worker.stopping, worker.reviving

    def sweeper():
        last_sweep, last_purge = time.monotonic(), float("-inf")  # the first purge at the first sweep
        redis_was_up = True
        while not stopping.wait(WATCH_EVERY):
            try:
                redis_up = _redis_up(svc)
                if redis_up:
                    worker.beat()
                back = redis_up and not redis_was_up
                if redis_up:
                    with reviving:
                        if not stopping.is_set():
                            revive_scheduler(worker)
                redis_was_up = redis_up
                if not redis_up or not (back or time.monotonic() - last_sweep >= SWEEP_EVERY):
                    continue
                # every minute, and at once when Redis is back: what was kept while it was away
                swept = sweep(svc)
                last_sweep = time.monotonic()
                if back:
                    log.warning("Redis is back: %d recorded item(s) put on the queue", swept)
                if time.monotonic() - last_purge > PURGE_EVERY:
                    purged = purge(svc, svc.settings.retention_days)
                    last_purge = time.monotonic()
                    if purged:
                        log.info("retention: %d caller(s) silent past the period erased", purged)
            except Exception:  # noqa: BLE001 - the sweeper must outlive a Redis or DB hiccup
                log.exception("sweeper failed; trying again in %ss", WATCH_EVERY)

    threading.Thread(target=sweeper, name="sweeper", daemon=True).start()
    log.info("worker on %s", describe(svc.redis))
    return worker.work(with_scheduler=True, logging_level="WARNING")


def _redis_up(svc: Services) -> bool:
    try:
        return bool(svc.redis.ping())
    except RedisError:
        return False


def revive_scheduler(worker: SimpleWorker) -> None:
    """RQ runs its scheduler (the timers: the chain's next steps, retries, follow-ups) in a
    process of its own, which exits when Redis goes away; RQ starts it again only at its next
    maintenance, every 10 minutes and later still while the worker is idle. Ask again as soon as
    Redis answers (the fault tests found every timer held up until then): RQ's own
    acquire_locks(auto_start=True) starts it when this worker holds the lock and it is not
    running, and does nothing while another worker's scheduler holds the lock."""
    if worker.scheduler is not None:
        worker.scheduler.acquire_locks(auto_start=True)
