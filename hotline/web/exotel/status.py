"""/exotel/status: Exotel's status callbacks of SMS and calls, handled exactly as Twilio's
(hotline/web/twilio/status.py `delivery`: audited, acted on once, a failed alert moves the chain on).

Exotel's words: a call ends completed, failed, busy or no-answer (as Twilio's); an SMS ends sent
or failed, and failed_dnd (also spelt failed-dnd) when the number is on the do-not-disturb list;
`expired` (the carrier gave up within the validity period) and `undelivered` are final failures
too (https://developer.exotel.com/docs/sms-support/sms-status-codes): an alert that expired moves
the chain on as a failed one does."""

from __future__ import annotations

import logging

from flask import Response

from hotline.web.exotel.blueprint import bp
from hotline.web.exotel.common import fields
from hotline.web.twilio.common import metrics, services
from hotline.web.twilio.status import delivery

log = logging.getLogger(__name__)
STATES = {"failed_dnd": "failed", "failed-dnd": "failed", "canceled": "failed", "expired": "failed",
          "undelivered": "failed"}


@bp.route("/status", methods=["GET", "POST"])
def exotel_status():
    form = fields()
    sid = form.get("SmsSid") or form.get("CallSid") or ""
    raw = (form.get("Status") or form.get("CallStatus") or "unknown").strip().lower()
    state = STATES.get(raw, raw)
    error = form.get("DetailedStatus") or form.get("DetailedStatusCode") or (raw if raw != state else None)
    try:
        delivery(services(), sid, state, error)
    except Exception:  # noqa: BLE001 - a callback must be answered: Exotel retries twice, then gives up
        log.exception("could not record the Exotel status of %s", sid)
    metrics().requests.labels("exotel_status", "200").inc()
    return Response(status=200)
