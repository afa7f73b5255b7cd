"""voicemail (voice): record a message for the team. Raised by a flow without a recording (the
call then records); the host raises it again with the recording, which brings a counsellor.

    - voicemail
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.engine.effects.base import Effect


@dataclass(frozen=True, kw_only=True)
class Voicemail(Effect):
    name = "voicemail"
    doc = "voice: record a message for the team"

    recording: str | None = None  # the recording's address, once there is one
    seconds: int | None = None
