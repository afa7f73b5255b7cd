"""POST /twilio/sms: an inbound SMS or WhatsApp message (From `whatsapp:+91…`), answered with
TwiML <Message> on the channel it came on (WhatsApp's fields: hotline/web/twilio/whatsapp.py)."""

from __future__ import annotations

import logging

from flask import Response, request
from twilio.twiml.messaging_response import MessagingResponse

from hotline.channels import sms
from hotline.conversation.inbound import Handled, Inbound
from hotline.privacy.phones import caller_key, mask
from hotline.response.whatsapp import wrote
from hotline.web.twilio import whatsapp
from hotline.web.twilio.blueprint import bp
from hotline.web.twilio.common import answer, caller, metrics, services

log = logging.getLogger(__name__)

MAX_BODY = 1600  # Twilio's own limit for one message; anything longer is not from Twilio


def twiml(body: str) -> str:
    response = MessagingResponse()
    if body:
        response.message(body)
    return str(response)


@bp.post("/sms")
def inbound_sms():
    svc = services()
    number = caller()  # None: withheld, unknown or unparseable; she still gets the flow
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    if not sid:
        metrics().requests.labels("sms", "400").inc()
        return Response(twiml(""), status=400, mimetype="text/xml")
    text = (request.form.get("Body") or "")[:MAX_BODY]
    params = {"safe_word": svc.settings.safe_word}
    channel, items = "sms", None
    if whatsapp.on_whatsapp():
        channel = "whatsapp"
        tapped = whatsapp.button(svc)
        if tapped is not None and tapped.let_through:  # the templates' YES / SHOW: what was held goes
            _wrote(svc, number, channel)
            metrics().requests.labels(channel, "200").inc()
            return Response(twiml(""), mimetype="text/xml")
        text = tapped.text[:MAX_BODY] if tapped is not None else text
        items = whatsapp.media(svc) or None
    # the channel she wrote on is recorded once her message is known not to be one of her
    # controls (conversation/inbound.py): a safe word must not first release what was held

    def render(h: Handled) -> str:
        if h.text is not None:
            return twiml(h.text)
        return twiml(sms.render(h.step.outputs, h.step.lang, svc.catalog, params))

    def safe(text: str) -> str:
        return twiml(text)

    reply = answer(Inbound(channel, number, text, f"sms:{sid}", withheld=None if number else sid, media=items),
                   render, safe)
    metrics().requests.labels(channel, "200").inc()
    return Response(reply, mimetype="text/xml")


def _wrote(svc, number: str | None, channel: str) -> None:
    """The templates' YES / SHOW tapped: her window opens and what was held goes (release asks
    reach). The store down: she is answered all the same."""
    if number is None:
        return
    try:
        wrote(svc, caller_key(number, svc.settings.secret_key), channel)
    except Exception:  # noqa: BLE001 - a survivor must get an answer whatever broke
        log.exception("%s %s: the channel she wrote on was not recorded", channel, mask(number))
