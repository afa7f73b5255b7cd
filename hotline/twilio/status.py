"""POST /twilio/status: delivery and call status callbacks, kept in the audit log."""

from __future__ import annotations

import logging

from flask import Response, request

from . import bp
from .common import metrics, services

log = logging.getLogger(__name__)
FAILED = {"failed", "undelivered", "busy", "no-answer", "canceled"}


def _alert_to(svc, sid: str) -> int | None:
    """The staff member an alert with this transport id went to, if it was an alert."""
    from sqlalchemy import select

    from ..store.models import Notification

    if not sid:
        return None
    with svc.store.read() as s:
        return s.scalars(select(Notification.staff_id).where(Notification.transport_id == sid)).first()


@bp.post("/status")
def status_callback():
    form = request.form
    sid = form.get("MessageSid") or form.get("CallSid") or ""
    state = form.get("MessageStatus") or form.get("CallStatus") or "unknown"
    if state in FAILED:
        log.warning("delivery %s: %s (error %s)", sid, state, form.get("ErrorCode", "-"))
    try:
        svc = services()
        # only an alert to staff keeps its sid (it names no survivor); any other delivery is
        # counted without one, so nothing here links to a woman's messages that DELETE could miss
        staff_id = _alert_to(svc, sid)
        detail = {"sid": sid} if staff_id is not None else {}
        svc.store.audit("delivery." + state, None, staff_id=staff_id, error=form.get("ErrorCode"), **detail)
    except Exception:  # noqa: BLE001 - a status callback must not fail Twilio's retry budget
        log.exception("could not record status of %s", sid)
    metrics().requests.labels("status", "204").inc()
    return Response(status=204)
