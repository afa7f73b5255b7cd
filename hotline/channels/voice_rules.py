"""What a call may not do. A call proves nothing by itself: caller ID is easy to fake, so a call
from her number is not taken as her. On a call, DELETE (erasing her case, relays and records),
STOP and START (cutting her off from her counsellor, or letting messages reach her phone again)
are refused, and she is told to text them from her own phone instead (README, "Controls by
voice"). The language chosen on a call holds for that call only (see hotline/conversation/inbound.py).

One rule in one place: hotline/conversation/inbound.py's handle() passes a call's actions through
voice_controls() before carry_out().
"""

from __future__ import annotations

# the engine's actions that change what is held about her, or whether she may be reached
REFUSED_ON_VOICE = frozenset({"erase", "opt_out", "opt_in"})
REFUSAL_TEXT = "voice_controls_by_sms"  # hotline/i18n/texts.yaml


def voice_controls(actions: list[dict]) -> tuple[list[dict], bool]:
    """(the actions a call may carry out, whether one was refused)."""
    kept = [a for a in actions if a.get("type") not in REFUSED_ON_VOICE]
    return kept, len(kept) != len(actions)
