"""How the console writes durations and times."""

from __future__ import annotations

from datetime import datetime


def duration(seconds: float | None) -> str:
    """45 -> '45s', 200 -> '3m 20s', 3900 -> '1h 05m', 180000 -> '2d 2h'."""
    if seconds is None:
        return ""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s" if secs else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def local(moment: datetime | None, zone, pattern: str = "%d %b %H:%M") -> str:
    return moment.astimezone(zone).strftime(pattern) if moment else ""
