"""opt_in (START): messages may reach this number again.

    - opt_in
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.engine.effects.base import Effect


@dataclass(frozen=True, kw_only=True)
class OptIn(Effect):
    name = "opt_in"
    doc = "outbound to this number again (START)"
    control = True
    sms_only = True
