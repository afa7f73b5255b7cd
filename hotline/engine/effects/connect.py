"""connect (voice): put the caller through to the on-call person of a role.

    - connect: counsellor
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.config import schema
from hotline.config.vocabulary import RESPONDER_ROLES
from hotline.engine.effects.base import Effect


@dataclass(frozen=True, kw_only=True)
class Connect(Effect):
    name = "connect"
    doc = "voice: put the caller through to the on-call person of a role"
    params = {"role": schema.one_of(*RESPONDER_ROLES)}
    main = "role"

    role: str | None = None
