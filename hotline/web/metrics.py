"""Prometheus metrics, one registry per app so tests can build many apps in one process.

Under gunicorn with several workers each process counts for itself; for the one-worker default
that is the whole picture (multiprocess mode would need PROMETHEUS_MULTIPROC_DIR)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


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
        return generate_latest(self.registry)
