"""A survivor's safe window ("16:00-18:00", the hotline's local time): when it next opens and
closes, and whether a moment falls inside it. Nobody contacts her outside it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def bounds(window: str, now: datetime, zone: ZoneInfo, tomorrow: bool = False) -> tuple[datetime, datetime]:
    """The next occurrence of the window that has not ended yet, as UTC datetimes. A window that
    has begun is the current one ("now" is inside it). `tomorrow`: she said tomorrow (நாளை), so
    not today's, even when today's is still ahead."""
    start_text, end_text = window.split("-")
    start_t = time.fromisoformat(start_text)
    end_t = time.max if end_text == "24:00" else time.fromisoformat(end_text)
    local = now.astimezone(zone)
    for offset in (1, 2) if tomorrow else (-1, 0, 1):
        day = local.date() + timedelta(days=offset)
        start = datetime.combine(day, start_t, zone)
        end = datetime.combine(day if end_t > start_t else day + timedelta(days=1), end_t, zone)
        if end > local:
            return start.astimezone(UTC), end.astimezone(UTC)
    raise ValueError(window)  # unreachable: tomorrow's window always ends after now


def inside(details: dict, moment: datetime) -> bool:
    """Is `moment` inside the window recorded on a callback escalation?"""
    start, end = details.get("window_start"), details.get("window_end")
    if not start or not end:
        return True  # not a callback: no window to keep
    return datetime.fromisoformat(start) <= moment < datetime.fromisoformat(end)
