"""send_resources: the referrals of a category (and district) by SMS.

    - send_resources: {category: shelter, district: $district}
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.config import schema
from hotline.engine.effects.base import Effect, value


@dataclass(frozen=True, kw_only=True)
class SendResources(Effect):
    name = "send_resources"
    doc = "send the referrals of a category (shelter, legal, medical, one_stop, police, emergency)"
    params = {"category": schema.ident, "district": value}
    required = ("category",)
    main = "category"

    category: str | None = None
    district: str | None = None
