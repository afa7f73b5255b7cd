"""forget (the safe word): end now and keep nothing of this conversation.

    - forget
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.engine.effects.base import Effect


@dataclass(frozen=True, kw_only=True)
class Forget(Effect):
    name = "forget"
    doc = "end now and keep nothing of this conversation (the safe word)"
    control = True
