"""erase (DELETE): erase everything held about this number; everything under way for her stops.

    - erase
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.engine.effects.base import Effect


@dataclass(frozen=True, kw_only=True)
class Erase(Effect):
    name = "erase"
    doc = "erase everything held about this number"
    control = True
    sms_only = True
