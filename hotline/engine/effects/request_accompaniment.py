"""request_accompaniment: police ask for an NGO representative on a home visit.

    - request_accompaniment: {area: $area, when: $when, date: $date, case_ref: $case_ref, language: $language}
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.engine.effects.base import Effect, value


@dataclass(frozen=True, kw_only=True)
class RequestAccompaniment(Effect):
    name = "request_accompaniment"
    doc = "police ask for an NGO representative to come on a home visit"
    params = {"area": value, "when": value, "date": value, "case_ref": value, "language": value}
    required = ("area", "when")

    area: str | None = None
    when: str | None = None
    date: str | None = None
    case_ref: str | None = None
    language: str | None = None
