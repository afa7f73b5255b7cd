"""opt_out (STOP): nothing more is sent to this number.

    - opt_out
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.engine.effects.base import Effect


@dataclass(frozen=True, kw_only=True)
class OptOut(Effect):
    name = "opt_out"
    doc = "no more outbound to this number (STOP)"
    control = True
    sms_only = True
