"""lap_result (police): the result of a danger screen (the Lethality Assessment Program).
Recorded on the case; screened in brings a counsellor who speaks her language, now.

    - lap_result: {result: screened_in, basis: $basis, who: $who, q1: $q1, …, q11: $q11}
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.config import schema
from hotline.engine.effects.base import Effect, value

QUESTIONS = tuple(f"q{i}" for i in range(1, 12))


@dataclass(frozen=True, kw_only=True)
class LapResult(Effect):
    name = "lap_result"
    doc = "police: the result of a danger screen (LAP): recorded on the case; screened_in brings a counsellor now"
    params = {"result": schema.one_of("screened_in", "not_screened_in"), "basis": value, "who": value,
              **{q: value for q in QUESTIONS}, "worry": value, "worry_text": value, "believe": value,
              "language": value}
    required = ("result",)
    main = "result"

    result: str | None = None
    basis: str | None = None
    who: str | None = None
    q1: str | None = None
    q2: str | None = None
    q3: str | None = None
    q4: str | None = None
    q5: str | None = None
    q6: str | None = None
    q7: str | None = None
    q8: str | None = None
    q9: str | None = None
    q10: str | None = None
    q11: str | None = None
    worry: str | None = None
    worry_text: str | None = None
    believe: str | None = None
    language: str | None = None

    def answers(self) -> dict[str, str | None]:
        return {q: getattr(self, q) or None for q in QUESTIONS}
