"""Prometheus metrics, one registry per app so tests can build many apps in one process.

Under gunicorn with several worker processes each counts in its own memory, so a scrape would
show whichever process answered. With PROMETHEUS_MULTIPROC_DIR set (hotline/web/server.py sets
it for gunicorn, before any worker imports prometheus_client, which chooses then), every process
writes its counts to files in that folder and /metrics sums them across all of them."""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis.exceptions import RedisError

MULTIPROC = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter("hotline_requests", "Webhook requests by channel and HTTP status",
                                ["channel", "status"], registry=self.registry)
        self.step_seconds = Histogram("hotline_step_seconds", "Time of one conversation step (lock to reply)",
                                      ["channel"], registry=self.registry,
                                      buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.fallbacks = Counter("hotline_fallback_replies", "Safe replies given because a part was down",
                                 ["channel", "reason"], registry=self.registry)

    def render(self, queues=()) -> bytes:
        """The counts (summed across gunicorn's workers when it runs several), and how many jobs
        wait in each lane now, read from Redis at the scrape."""
        counts = self.registry
        folder = os.environ.get(MULTIPROC)
        if folder:  # every process's counts, summed (live and exited workers alike)
            counts = CollectorRegistry()
            multiprocess.MultiProcessCollector(counts, path=folder)
        now = CollectorRegistry()  # one a scrape: scrapes run side by side in gunicorn's threads
        now.register(Lanes(queues))
        return generate_latest(counts) + generate_latest(now)


class Lanes(Collector):
    """hotline_queue_jobs{lane}: the jobs waiting in each lane (jobs/enqueue.py), so a backlog
    behind the emergencies shows; nothing when Redis does not answer."""

    def __init__(self, queues):
        self.queues = queues

    def collect(self):
        family = GaugeMetricFamily("hotline_queue_jobs", "Jobs waiting in each lane, emergency first",
                                   labels=["lane"])
        try:
            for queue in self.queues:
                family.add_metric([queue.name], queue.count)
        except RedisError:
            return
        yield family
