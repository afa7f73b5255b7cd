"""schedule_callback: a counsellor calls back inside the safe window she gave.

    - schedule_callback: {window: $window, code_word: $code_word, day: $day}
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.engine.effects.base import Effect, value


@dataclass(frozen=True, kw_only=True)
class ScheduleCallback(Effect):
    name = "schedule_callback"
    doc = "a counsellor calls back inside the safe window the caller gave"
    params = {"window": value, "code_word": value, "day": value}
    required = ("window",)
    main = "window"

    window: str | None = None
    code_word: str | None = None
    day: str | None = None
