"""POST /twilio/status: delivery and call status callbacks, kept in the audit log."""

from __future__ import annotations

import logging

from flask import Response, request

from . import bp
from .common import metrics, services

log = logging.getLogger(__name__)
FAILED = {"failed", "undelivered", "busy", "no-answer", "canceled"}


@bp.post("/status")
def status_callback():
    form = request.form
    sid = form.get("MessageSid") or form.get("CallSid") or ""
    state = form.get("MessageStatus") or form.get("CallStatus") or "unknown"
    if state in FAILED:
        log.warning("delivery %s: %s (error %s)", sid, state, form.get("ErrorCode", "-"))
    try:
        services().store.audit("delivery." + state, None, sid=sid, error=form.get("ErrorCode"))
    except Exception:  # noqa: BLE001 - a status callback must not fail Twilio's retry budget
        log.exception("could not record status of %s", sid)
    metrics().requests.labels("status", "204").inc()
    return Response(status=204)
