"""escalate: bring in a person.

    - escalate: {priority: emergency, reason: danger keyword, role: counsellor}
    - escalate: {priority: high, reason: counsellor requested, role: counsellor, quiet: true}
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.config import schema
from hotline.config.vocabulary import PRIORITIES, RESPONDER_ROLES, Priority
from hotline.engine.effects.base import Effect


@dataclass(frozen=True, kw_only=True)
class Escalate(Effect):
    name = "escalate"
    doc = "bring in a person: priority emergency|high|normal, the reason, the role to reach"
    params = {"priority": schema.one_of(*PRIORITIES), "reason": schema.text, "role": schema.one_of(*RESPONDER_ROLES),
              "quiet": schema.boolean}
    required = ("priority", "reason")
    main = "priority"

    priority: str | None = None
    reason: str | None = None
    role: str | None = None
    quiet: bool = False  # she said it is not safe to talk: nobody contacts her until she writes again

    def is_control(self) -> bool:
        return self.priority == Priority.EMERGENCY  # danger is heard whatever else is going on
