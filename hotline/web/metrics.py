"""Prometheus metrics, one registry per app so tests can build many apps in one process.

Under gunicorn with several worker processes each counts in its own memory, so a scrape would
show whichever process answered. With PROMETHEUS_MULTIPROC_DIR set (hotline/web/server.py sets
it for gunicorn, before any worker imports prometheus_client, which chooses then), every process
writes its counts to files in that folder and /metrics sums them across all of them."""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

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

    def render(self) -> bytes:
        folder = os.environ.get(MULTIPROC)
        if folder:  # every process's counts, summed (live and exited workers alike)
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=folder)
            return generate_latest(registry)
        return generate_latest(self.registry)
