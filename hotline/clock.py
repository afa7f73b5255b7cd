"""The hotline's one clock. Every domain time (a case's times, a timer's due time, a call-back
window, a retention cut-off) comes from the clock on Services, which the store shares, so a test
that moves it moves the whole line. Durations are measured with time.monotonic/perf_counter."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, timedelta

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # every process's log lines, gunicorn's too


class Clock:
    """The wall clock in UTC, unless pinned: tests (and `hotline chat`) set it and move it on."""

    def __init__(self, at: datetime | None = None):
        self._at = at

    def now(self) -> datetime:
        return self._at if self._at is not None else datetime.now(UTC)

    __call__ = now

    def set(self, at: datetime | None) -> None:
        """Pin the clock at `at` (an aware datetime); None lets it run with the wall clock again."""
        if at is not None and at.tzinfo is None:
            raise ValueError("the clock keeps aware datetimes (UTC)")
        self._at = at

    def advance(self, **delta) -> datetime:
        """Move a pinned clock on (timedelta's keywords); a running one is pinned first."""
        self._at = self.now() + timedelta(**delta)
        return self._at


class StaffClock(logging.Formatter):
    """Log times on the staff's clock with its zone named ("2026-12-08 06:35:01,123 IST"), as
    the console, `hotline outbox` and the audit show them; UTC until the process's services, and
    with them the staff's zone, are built. (Bare UTC lines beside IST ones misled whoever compared
    them, #33.) The services are looked up, never imported: `hotline --help` loads none of them."""

    def formatTime(self, record, datefmt=None) -> str:
        built = sys.modules.get("hotline.services")
        at = datetime.fromtimestamp(record.created, (built and built.staff_zone()) or UTC)
        return f"{at:%Y-%m-%d %H:%M:%S},{int(record.msecs):03d} {at:%Z}"
