"""POST /twilio/fallback: what Twilio calls when the main webhook failed (an error, a timeout).

Configured as the number's Fallback URL for both messaging and voice (README, "Twilio setup").
It answers with the hotline's words and the emergency numbers, from the catalogs loaded at start,
and touches neither Redis nor the database: whatever broke the main webhook cannot break this.
Nothing of her is kept; the reply says nothing was (error_reply), not that someone will answer."""

from __future__ import annotations

import logging

from flask import Response, request
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from hotline.channels import voice
from hotline.i18n import detect
from hotline.web.twilio.blueprint import bp
from hotline.web.twilio.common import metrics, services

log = logging.getLogger(__name__)
TEXT = "error_reply"  # "Sorry, something went wrong. In danger? Call Police 112. Women Helpline 181."
SPOKEN_IN = ("ta", "en")  # a call tells no language: said in Tamil, then English


@bp.post("/fallback")
def fallback():
    catalog = services().catalog
    form = request.form
    log.warning("fallback webhook: %s failed with %s", form.get("ErrorUrl", "the main webhook"),
                form.get("ErrorCode", "-"))
    if form.get("CallSid") and not (form.get("MessageSid") or form.get("SmsSid")):
        response = VoiceResponse()
        for lang in SPOKEN_IN:
            cfg = voice.VOICES.get(lang, voice.VOICES["en"])
            response.say(catalog.own(TEXT, lang), voice=cfg["voice"], language=cfg["language"])
        response.hangup()
        metrics().fallbacks.labels("voice", "fallback_url").inc()
        return Response(str(response), mimetype="text/xml")
    response = MessagingResponse()
    response.message(catalog.own(TEXT, detect(form.get("Body")) or "en"))
    metrics().fallbacks.labels("sms", "fallback_url").inc()
    return Response(str(response), mimetype="text/xml")
