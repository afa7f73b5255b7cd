"""WhatsApp on the Messaging webhook (POST /twilio/sms): Twilio posts WhatsApp messages there with
`whatsapp:` addresses and a few fields of their own. Read leniently (Twilio adds fields without
notice; the signature covers them all, hotline/web/twilio/signature.py):

- From `whatsapp:+91…`; ProfileName and WaId are the sender's own words and never identify her:
  she is known by her number, as by SMS, and neither is kept.
- A quick-reply tap: ButtonPayload (the button's id), ButtonText, OriginalRepliedMessageSid (the
  message tapped on). `ACK 48213` / `PASS 48213` are staff commands as if typed; a bare ACK or
  PASS takes its code from the alert it was tapped on; `continue` (the templates' YES / SHOW)
  only lets through what was held for her outside the 24-hour window.
- Media: NumMedia, MediaUrl{N}, MediaContentType{N}: Twilio's own URLs, read back with the
  account's credentials (never a public URL); anything else is not kept.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from flask import request
from sqlalchemy import select

from hotline.response.whatsapp_templates import CONTINUE
from hotline.store.models import Escalation, Notification
from hotline.transport.whatsapp import twilio_media

log = logging.getLogger(__name__)

PREFIX = "whatsapp:"
COMMAND = re.compile(r"^\s*(ack|pass)\s*#?(\d{3,8})?\s*$", re.IGNORECASE)
MAX_MEDIA = 10  # Twilio's most per message


def on_whatsapp() -> bool:
    return (request.form.get("From") or "").strip().lower().startswith(PREFIX)


@dataclass
class Tapped:
    text: str | None  # what the tap stands for, as if typed
    let_through: bool = False  # `continue`: nothing to answer, what was held goes


def button(svc) -> Tapped | None:
    """A quick-reply tap, or None when the message is not one."""
    payload = (request.form.get("ButtonPayload") or "").strip()
    if not payload:
        return None
    if payload.lower() == CONTINUE:
        return Tapped(None, let_through=True)
    found = COMMAND.match(payload)
    if found:
        code = found.group(2) or _code_of(svc, request.form.get("OriginalRepliedMessageSid"))
        return Tapped(f"{found.group(1).upper()} {code}" if code else payload)
    return Tapped(request.form.get("ButtonText") or request.form.get("Body") or payload)


def _code_of(svc, sid: str | None) -> str | None:
    """The code of the alert a button was tapped on (its message's sid)."""
    if not sid:
        return None
    with svc.store.read() as s:
        return s.scalar(select(Escalation.code).join(Notification, Notification.escalation_id == Escalation.id)
                        .where(Notification.transport_id == sid))


def media(svc) -> list[tuple[str, str]]:
    """(URL, content type) of each media item that is this account's Twilio media."""
    try:
        count = min(int(request.form.get("NumMedia") or 0), MAX_MEDIA)
    except ValueError:
        return []
    found = []
    for i in range(count):
        url = (request.form.get(f"MediaUrl{i}") or "").strip()
        kind = (request.form.get(f"MediaContentType{i}") or "application/octet-stream").strip()[:100]
        if twilio_media(url, request.form.get("AccountSid")) and (
                not svc.settings.twilio_account_sid or request.form.get("AccountSid") == svc.settings.twilio_account_sid):
            found.append((url, kind))
        else:
            log.warning("whatsapp: media item %d is not Twilio media of this account: not kept", i)
    return found
