"""Acting once on what Twilio may post again: a retried voicemail callback, a status callback
sent twice. A delivery's natural key (RecordingSid; sid + status) and, where Twilio sends one,
its I-Twilio-Idempotency-Token are claimed in the store, as HMACs under SECRET_KEY, and purged
after KEEP: long past Twilio's retries, and nothing left that names a message of hers."""

from __future__ import annotations

import hashlib
import hmac
from contextlib import suppress
from datetime import timedelta

from flask import request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from hotline.privacy.keys import phone_key
from hotline.store.models import WebhookKey

KEEP = timedelta(days=1)
TOKEN_HEADER = "I-Twilio-Idempotency-Token"


def _hashed(svc, key: str) -> str:
    return hmac.new(phone_key(svc.settings.secret_key), f"webhook:{key}".encode(), hashlib.sha256).hexdigest()[:64]


def _keys(natural: str | None) -> list[str]:
    token = request.headers.get(TOKEN_HEADER)
    return [k for k in (natural, f"token:{token}" if token else None) if k]


def claim(svc, keys: list[str]) -> bool:
    """Claim every key at once: True when none was claimed before (act now), False for a repeat.
    With the store down, True: acting twice is better than not at all."""
    if not keys:
        return True
    hashed = [_hashed(svc, k) for k in keys]
    try:
        with svc.store.session() as s:
            s.execute(delete(WebhookKey).where(WebhookKey.at < svc.now() - KEEP))
            if s.scalars(select(WebhookKey.key).where(WebhookKey.key.in_(hashed))).first():
                return False
            s.add_all(WebhookKey(key=h, at=svc.now()) for h in hashed)
    except IntegrityError:  # the same delivery, at the same moment, on another process
        return False
    except SQLAlchemyError:
        return True
    return True


def first_time(svc, natural: str | None) -> bool:
    """This webhook's natural key and its idempotency token (if any), claimed: False for a repeat."""
    return claim(svc, _keys(natural))


def forget(svc, natural: str | None) -> None:
    """Acting on it failed: a retry from Twilio may act again."""
    with suppress(SQLAlchemyError), svc.store.session() as s:
        s.execute(delete(WebhookKey).where(WebhookKey.key.in_([_hashed(svc, k) for k in _keys(natural)])))
