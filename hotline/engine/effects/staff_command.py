"""staff: a staff member's command on an alert (ACK, PASS, DONE, NOTE, FOLLOWUP).

    - staff: {command: ack, code: $code}
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.config import schema
from hotline.engine.effects.base import Effect, value


@dataclass(frozen=True, kw_only=True)
class StaffCommand(Effect):
    name = "staff"
    doc = "a staff command on an alert: ack, pass, done, note, followup"
    params = {"command": schema.one_of("ack", "pass", "done", "note", "followup"), "code": value, "text": value,
              "after": value}
    required = ("command", "code")
    main = "command"

    command: str | None = None
    code: str | None = None
    text: str | None = None
    after: str | None = None
