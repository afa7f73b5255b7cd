"""What the SMS and voice webhooks share: reading the caller, and answering every time."""

from __future__ import annotations

import logging

from flask import current_app, request
from redis.exceptions import RedisError

from hotline.conversation.inbound import Inbound, fallback, handle
from hotline.privacy.phones import e164, mask
from hotline.services import current
from hotline.store.conversations import Busy, LockLost
from hotline.transport import records

log = logging.getLogger(__name__)


def services():
    return current()


def metrics():
    return current_app.extensions["hotline_metrics"]


# what carriers put in From when the caller withheld her number (Twilio passes them on): never
# a number to call back, even where one parses
WITHHELD = frozenset({"anonymous", "restricted", "unknown", "private", "unavailable", "+266696687",
                      "+86282452253", "+8656696", "+2562533", "+7378742833"})


def caller() -> str | None:
    """Her number in E.164, or None when it is withheld, unknown or unparseable: she still gets
    the flow (keyed by the call), never a 4xx."""
    raw = (request.form.get("From") or "").strip()
    if raw.lower().startswith("whatsapp:"):  # WhatsApp through the same webhook: the number after it
        raw = raw[len("whatsapp:"):]
    if raw.lower() in WITHHELD:
        return None
    return e164(raw, current().settings.extra.get("region", "IN"))


def answer(msg: Inbound, render, safe) -> str:
    """The flow's reply, or, when a part is down, a safe reply (never a 5xx): `safe(text)` renders
    what inbound.fallback says."""
    svc = services()
    m = metrics()
    if msg.number is not None and request.path.startswith("/twilio/") and svc.staff.role_of(msg.number) == "survivor":
        # Twilio's record of what she sent: kept first, so the erasure it may ask for deletes it
        records.keep_inbound(svc, msg.key(svc.settings.secret_key), request.form, msg.fresh)
    try:
        return handle(svc, msg, render, observe=m.step_seconds.labels(msg.channel).observe)
    except (RedisError, Busy, LockLost) as exc:
        reason = "redis" if isinstance(exc, RedisError) else "busy"
    except Exception:  # noqa: BLE001 - a survivor must get an answer whatever broke
        log.exception("%s %s: the step failed", msg.channel, mask(msg.number))
        reason = "error"
    m.fallbacks.labels(msg.channel, reason).inc()
    return safe(fallback(svc, msg, reason))
