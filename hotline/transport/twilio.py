"""Twilio's REST API, through its SDK: SMS and calls from the hotline's number, WhatsApp messages
from its WhatsApp sender. Only sends; whether anyone may be reached, on which channel and whether
as free text or a template is decided before (hotline/response/reach.py, response/whatsapp.py)."""

from __future__ import annotations

import json
import logging

from hotline.config.settings import Settings
from hotline.privacy.phones import mask
from hotline.transport.errors import DeliveryFailed
from hotline.transport.whatsapp import twilio_media

log = logging.getLogger(__name__)


class Twilio:
    name = "twilio"

    def __init__(self, settings: Settings, client=None):
        self.settings = settings
        self._client = client

    @property
    def client(self):
        if self._client is None:
            from twilio.rest import Client

            self._client = Client(self.settings.twilio_account_sid, self.settings.twilio_auth_token)
        return self._client

    def _status_callback(self) -> str | None:
        return f"{self.settings.public_url}/twilio/status" if self.settings.public_url else None

    def forget(self, url: str) -> bool:
        """Delete Twilio's own copy of what she sent or said: an inbound message's media, or a
        call's recording (their REST resources' DELETE). False: not this account's (nothing sent
        anywhere). Gone already (404) is done. Raises DeliveryFailed to be retried."""
        found = twilio_media(url, self.settings.twilio_account_sid)
        if not found:
            return False
        account = self.client.api.v2010.accounts(found["account"])
        resource = account.recordings(found["recording"]) if found["recording"] else \
            account.messages(found["message"]).media(found["media"])
        try:
            resource.delete()
        except Exception as exc:  # noqa: BLE001 - any transport failure: the job decides
            if getattr(exc, "status", None) == 404:
                return True
            log.warning("Twilio's copy not deleted: %s", type(exc).__name__)
            raise DeliveryFailed("forget", exc) from exc
        return True

    def forget_record(self, kind: str, sid: str) -> bool:
        """Delete a Message or Call record of this account (DELETE /Messages/{sid}.json,
        /Calls/{sid}.json): its body and both numbers go. Gone already (404) is done; one not yet
        complete (20009) or any other failure raises DeliveryFailed, to be retried."""
        resource = self.client.messages(sid) if kind == "message" else self.client.calls(sid)
        try:
            resource.delete()
        except Exception as exc:  # noqa: BLE001 - any transport failure: the job decides
            if getattr(exc, "status", None) == 404:
                return True
            log.warning("Twilio's %s record not deleted: %s", kind, type(exc).__name__)
            raise DeliveryFailed("forget", exc) from exc
        return True

    def text(self, to: str, body: str, *, channel: str, session=None, about: str | None = None) -> str:
        """One message; Twilio's MessageSid. Raises DeliveryFailed so the job is retried (or not)."""
        try:
            message = self.client.messages.create(to=to, from_=self.settings.hotline_number, body=body,
                                                  status_callback=self._status_callback())
        except Exception as exc:  # noqa: BLE001 - any transport failure: the job decides
            log.warning("%s to %s not sent: %s", channel, mask(to), type(exc).__name__)
            raise DeliveryFailed(channel, exc) from exc
        log.info("%s sent to %s (%s)", channel, mask(to), message.sid)
        return message.sid

    def whatsapp(self, to: str, body: str, *, template=None, session=None, about: str | None = None) -> str:
        """One WhatsApp message from HOTLINE_WHATSAPP_NUMBER: free text (`body`), or an approved
        template (`template`: transport.whatsapp.TemplateSend) by its content SID and variables,
        with no Body (Twilio: "remove Body when you send a content template"; error 63016)."""
        args = {"to": f"whatsapp:{to}", "from_": f"whatsapp:{self.settings.whatsapp_number}",
                "status_callback": self._status_callback()}
        if template is not None:
            args.update(content_sid=template.content_sid, content_variables=json.dumps(template.variables))
        else:
            args["body"] = body
        try:
            message = self.client.messages.create(**args)
        except Exception as exc:  # noqa: BLE001 - any transport failure: the job decides
            log.warning("whatsapp to %s not sent: %s", mask(to), type(exc).__name__)
            raise DeliveryFailed("whatsapp", exc) from exc
        log.info("whatsapp %s sent to %s (%s)", template.name if template else "text", mask(to), message.sid)
        return message.sid

    def call(self, to: str, url: str, *, session=None) -> str:
        """Place a call; its final status (completed, busy, no-answer, failed) comes back to
        /twilio/status, where a call nobody answered moves the escalation on."""
        try:
            call = self.client.calls.create(to=to, from_=self.settings.hotline_number, url=url,
                                            status_callback=self._status_callback())
        except Exception as exc:  # noqa: BLE001 - any transport failure: the job decides
            log.warning("call to %s not placed: %s", mask(to), type(exc).__name__)
            raise DeliveryFailed("voice", exc) from exc
        log.info("call placed to %s (%s)", mask(to), call.sid)
        return call.sid
