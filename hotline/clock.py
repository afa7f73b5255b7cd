"""The hotline's one clock. Every domain time (a case's times, a timer's due time, a call-back
window, a retention cut-off) comes from the clock on Services, which the store shares, so a test
that moves it moves the whole line. Durations are measured with time.monotonic/perf_counter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


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
