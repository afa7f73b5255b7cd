"""POST /twilio/sms: an inbound SMS, answered with TwiML <Message>."""

from __future__ import annotations

from flask import Response, request
from twilio.twiml.messaging_response import MessagingResponse

from hotline.channels import sms
from hotline.conversation.inbound import Handled, Inbound
from hotline.web.twilio.blueprint import bp
from hotline.web.twilio.common import answer, caller, metrics, services

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

    def render(h: Handled) -> str:
        if h.text is not None:
            return twiml(h.text)
        return twiml(sms.render(h.step.outputs, h.step.lang, svc.catalog, params))

    def safe(text: str) -> str:
        return twiml(text)

    reply = answer(Inbound("sms", number, text, f"sms:{sid}", withheld=None if number else sid), render, safe)
    metrics().requests.labels("sms", "200").inc()
    return Response(reply, mimetype="text/xml")
