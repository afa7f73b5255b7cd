"""What the SMS and voice webhooks share: reading the caller, and answering every time."""

from __future__ import annotations

import logging

from flask import current_app, request
from redis.exceptions import RedisError

from ..conversations import Busy, LockLost
from ..inbound import Inbound, fallback, handle
from ..phones import e164, mask

log = logging.getLogger(__name__)


def services():
    return current_app.extensions["hotline"]


def metrics():
    return current_app.extensions["hotline_metrics"]


def caller() -> str | None:
    return e164(request.form.get("From"), current_app.extensions["hotline"].settings.extra.get("region", "IN"))


def answer(msg: Inbound, render, safe) -> str:
    """The flow's reply, or, when a part is down, a safe reply (never a 5xx): `safe(text)` renders
    what inbound.fallback says."""
    svc = services()
    m = metrics()
    try:
        return handle(svc, msg, render, observe=m.step_seconds.labels(msg.channel).observe)
    except (RedisError, Busy, LockLost) as exc:
        reason = "redis" if isinstance(exc, RedisError) else "busy"
    except Exception:  # noqa: BLE001 - a survivor must get an answer whatever broke
        log.exception("%s %s: the step failed", msg.channel, mask(msg.number))
        reason = "error"
    m.fallbacks.labels(msg.channel, reason).inc()
    return safe(fallback(svc, msg, reason))
