"""/exotel/sms: an inbound SMS to the ExoPhone (Exotel's two-way SMS: SmsSid, From or Sender,
Body or MessageBody), through the same conversation path as Twilio's, acted on once per SmsSid.

Exotel takes no reply in the answer: the reply goes out through the SMS provider, one DLT SMS
for each message of the step (a message and its menu lines are one registered template;
transport/dlt.py), after the conversation has moved on under her lock. One exception, the demo's:
where no Exotel account is set the local outbox stands in for her phone, and the last replies to
her safe word or DELETE, erased from it at once, come back in the answer for the simulator to
show (#33: it never showed them)."""

from __future__ import annotations

import json
import logging

from flask import Response
from sqlalchemy import delete

from hotline.channels import sms
from hotline.conversation.inbound import Handled, Inbound
from hotline.privacy.phones import mask
from hotline.store.idempotency import first_time
from hotline.store.models import Outbox
from hotline.transport.errors import DeliveryFailed
from hotline.transport.outbox import LocalOutbox
from hotline.web.exotel.blueprint import bp
from hotline.web.exotel.common import caller, fields
from hotline.web.twilio.common import answer, metrics, services

log = logging.getLogger(__name__)
MAX_BODY = 2000  # Exotel's own limit for one message


def parts(h: Handled, svc, params: dict) -> list[str]:
    """The step's reply as the separate texts DLT lets us send: each message with its menu lines."""
    if h.text is not None:
        return [h.text] if h.text else []
    return [sms.render([output], h.step.lang, svc.catalog, params) for output in h.step.outputs]


@bp.route("/sms", methods=["GET", "POST"])
def exotel_sms():
    svc = services()
    form = fields()
    number = caller(form, "From", "Sender")
    sid = form.get("SmsSid") or form.get("MessageSid")
    if not sid:
        metrics().requests.labels("exotel_sms", "400").inc()
        return Response(status=400)
    text = (form.get("Body") or form.get("MessageBody") or "")[:MAX_BODY]
    params = {"safe_word": svc.settings.safe_word}

    def render(h: Handled) -> str:
        return json.dumps({"parts": parts(h, svc, params), "forgotten": bool(h.step.forgotten or (h.done and h.done.erased))})

    def safe(said: str) -> str:
        return json.dumps({"parts": [said], "forgotten": False})

    msg = Inbound("sms", number, text, f"exotel-sms:{sid}", withheld=None if number else sid)
    reply = json.loads(answer(msg, render, safe))
    # the reply is sent once, whatever Exotel retries; to her number only (a withheld one gets none)
    if number and first_time(svc, f"exotel-sms-reply:{sid}"):
        about = msg.key(svc.settings.secret_key)
        for part in reply["parts"]:
            try:
                svc.outbound.sms(number, part, about=about)
            except DeliveryFailed as exc:
                log.warning("reply to %s not sent: %s", mask(number), exc.error)
        if reply["forgotten"]:  # the safe word or DELETE: not even the outbox keeps the last line
            with svc.store.session() as s:
                s.execute(delete(Outbox).where(Outbox.about == about))
            if isinstance(svc.outbound.providers.get("sms"), LocalOutbox):  # the demo: nothing was sent
                metrics().requests.labels("exotel_sms", "200").inc()
                return Response(json.dumps({"erased_once_shown": reply["parts"]}), mimetype="application/json")
    metrics().requests.labels("exotel_sms", "200").inc()
    return Response(status=200)
