"""POST /twilio/status: delivery and call status callbacks, kept in the audit log."""

from __future__ import annotations

import logging

from flask import Response, request

from hotline.response.chain import FINAL_FAILURES, delivery_failed
from hotline.response.whatsapp import receipt
from hotline.store.idempotency import first_time
from hotline.web.twilio.blueprint import bp
from hotline.web.twilio.common import metrics, services

log = logging.getLogger(__name__)
FAILED = {"failed", "undelivered", "busy", "no-answer", "canceled"}


def _alert(svc, sid: str) -> tuple[int, int] | None:
    """(notification id, staff id) of the alert to staff with this transport id, if it was one."""
    from sqlalchemy import select

    from hotline.store.models import Notification

    if not sid:
        return None
    with svc.store.read() as s:
        row = s.execute(select(Notification.id, Notification.staff_id).where(Notification.transport_id == sid)).first()
    return (row[0], row[1]) if row else None


def _fields() -> dict:
    """Twilio's fields: a form, or a JSON body (signed with bodySHA256, hotline/web/twilio/signature.py)."""
    if request.form:
        return request.form
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def delivery(svc, sid: str, state: str, error: str | None) -> bool:
    """A provider's status of a send (Twilio's here, Exotel's from hotline/web/exotel/status.py):
    audited, and an alert to staff that failed for good moves its escalation on. False: a repeat
    of a status already acted on."""
    if not first_time(svc, f"status:{sid}:{state}" if sid else None):
        return False
    # only an alert to staff keeps its sid (it names no survivor); any other delivery is
    # counted without one, so nothing here links to a woman's messages that DELETE could miss
    alert = _alert(svc, sid)
    detail = {"sid": sid} if alert is not None else {}
    svc.store.audit("delivery." + state, None, staff_id=alert[1] if alert else None, error=error, **detail)
    if alert is None:  # a message relayed to her: delivered, read (WhatsApp), for her counsellor
        receipt(svc, sid, state)
    if alert is not None and state in FINAL_FAILURES:
        # it never reached her (or nobody answered the call): the chain moves on now
        delivery_failed(svc, alert[0], state, error)
    return True


@bp.post("/status")
def status_callback():
    form = _fields()
    sid = form.get("MessageSid") or form.get("CallSid") or ""
    state = form.get("MessageStatus") or form.get("CallStatus") or "unknown"
    if state in FAILED:
        log.warning("delivery %s: %s (error %s)", sid, state, form.get("ErrorCode", "-"))
    try:
        if not delivery(services(), sid, state, form.get("ErrorCode")):
            metrics().requests.labels("status", "204").inc()
            return Response(status=204)  # Twilio's retry of a callback already acted on
    except Exception:  # noqa: BLE001 - a status callback must not fail Twilio's retry budget
        log.exception("could not record status of %s", sid)
    metrics().requests.labels("status", "204").inc()
    return Response(status=204)
