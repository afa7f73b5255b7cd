"""Exotel's REST API (an Indian carrier: ExoPhones, calls, DLT SMS), through `requests`. Only
sends; whether anyone may be reached is decided before (hotline/response/reach.py).

- SMS: POST /v1/Accounts/<sid>/Sms/send.json with the DLT entity and template of the text
  (transport/dlt.py). A text that is no registered template is refused here, before it leaves:
  India's operators would block it anyway ("scrubbing"), and free text has no template.
  SmsType=transactional (our templates are service-implicit): without it Exotel wants each body
  added on its dashboard too, or may send it as promotional, which waits for 9 a.m. and never
  reaches a do-not-disturb number (https://developer.exotel.com/docs/sms-api/api-reference/send-sms).
- Calls: POST /v1/Accounts/<sid>/Calls/connect.json: Exotel rings `From` (the person) first,
  then runs the App Bazaar flow at `Url` (EXOTEL_FLOW_ID), the only Url Exotel documents
  (https://developer.exotel.com/docs/voice-v1/api-reference/connect-to-flow), with the ExoPhone
  as caller ID; `CustomField` says what the call is for (the flow's first Passthru gets it:
  web/exotel/applets.py). Without a flow id, the old ExoML URL (no documented way reaches it).
- Status: both carry StatusCallback = PUBLIC_URL/exotel/status, with the webhook credentials in
  the URL (hotline/web/exotel/auth.py).

Errors: Exotel says to trust the HTTP status, not its message. 429 and 5xx (503 is its SMS
limit) and the network are retried; any other 4xx, and an SMS Exotel reports `failed` at once,
are not (DeliveryFailed.permanent).
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit, urlunsplit

import requests

from hotline.config.settings import Settings
from hotline.i18n import gsm
from hotline.privacy.phones import e164, mask
from hotline.transport.dlt import NoTemplate, Registry, dlt_fields, registry
from hotline.transport.errors import DeliveryFailed

log = logging.getLogger(__name__)
TIMEOUT = 10  # seconds: a job waits no longer for Exotel (it is retried)
RING_FOR = 30  # seconds a staff phone rings before the alert counts as unanswered
CALL_LIMIT = 3600  # seconds: an alert call put through to a survivor ends after an hour


class ExotelError(Exception):
    """What Exotel answered instead of a send: its HTTP status and, where given, its code."""

    def __init__(self, status: int | None, code: str | None = None):
        super().__init__(f"Exotel answered {status} ({code or '-'})")
        self.status = status
        self.code = code


def with_credentials(settings: Settings, url: str) -> str:
    """`url` with the webhook credentials in it (https://user:password@host/…): how Exotel is
    told to call us back (hotline/web/exotel/auth.py checks them)."""
    if not (settings.exotel_webhook_user and settings.exotel_webhook_password):
        return url
    parts = urlsplit(url)
    auth = f"{quote(settings.exotel_webhook_user, safe='')}:{quote(settings.exotel_webhook_password, safe='')}"
    return urlunsplit(parts._replace(netloc=f"{auth}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")))


def callback(settings: Settings, path: str) -> str | None:
    """PUBLIC_URL + path with the webhook credentials, the URL Exotel calls back; None without
    PUBLIC_URL (nothing could reach us)."""
    return with_credentials(settings, settings.public_url + path) if settings.public_url else None


class Exotel:
    name = "exotel"

    def __init__(self, settings: Settings, session: requests.Session | None = None):
        self.settings = settings
        self.http = session or requests.Session()
        self.http.auth = (settings.exotel_api_key or "", settings.exotel_api_token or "")

    @property
    def templates(self) -> Registry:
        return registry(self.settings.dlt_path)

    def _url(self, what: str) -> str:
        host = self.settings.exotel_subdomain
        base = host if "://" in host else f"https://{host}"
        return f"{base.rstrip('/')}/v1/Accounts/{self.settings.exotel_sid}/{what}"

    def _post(self, what: str, via: str, data: dict, to: str) -> dict:
        try:
            answer = self.http.post(self._url(what), data=data, timeout=TIMEOUT)
        except requests.RequestException as exc:  # the network: retried
            log.warning("%s to %s not sent: %s", via, mask(to), type(exc).__name__)
            raise DeliveryFailed(via, exc) from exc
        if answer.status_code >= 400:
            exc = ExotelError(answer.status_code)
            log.warning("%s to %s not sent: Exotel answered %s", via, mask(to), answer.status_code)
            raise DeliveryFailed(via, exc) from exc
        try:
            return answer.json()
        except ValueError:  # 2xx but not JSON: it was taken; we do not know its id
            return {}

    def text(self, to: str, body: str, *, channel: str, session=None, about: str | None = None) -> str:
        """One DLT SMS from the ExoPhone; Exotel's SmsSid."""
        try:
            dlt = dlt_fields(self.templates, body)
        except NoTemplate as exc:
            log.warning("%s to %s not sent: no DLT template matches the text", channel, mask(to))
            raise DeliveryFailed(channel, exc, permanent=True) from exc
        data = {"From": self.settings.exotel_number, "To": to, "Body": body,
                "DltEntityId": dlt["entity"], "DltTemplateId": dlt["template"], "SmsType": "transactional",
                "EncodingType": "plain" if gsm.is_gsm7(body) else "unicode"}
        if status := callback(self.settings, "/exotel/status"):
            data["StatusCallback"] = status
        message = self._post("Sms/send.json", channel, data, to).get("SMSMessage") or {}
        if message.get("Status") in ("failed", "failed_dnd", "failed-dnd"):
            exc = ExotelError(None, message.get("DetailedStatus") or message.get("Status"))
            log.warning("%s to %s refused by Exotel: %s", channel, mask(to), exc.code)
            raise DeliveryFailed(channel, exc, permanent=True) from exc
        sid = message.get("Sid") or ""
        log.info("%s sent to %s through Exotel (%s, template %s)", channel, mask(to), sid, dlt["template"])
        return sid

    def exophone(self) -> dict | None:
        """The ExoPhone's settings as Exotel's API lists them (GET /v2_beta/Accounts/<sid>/
        IncomingPhoneNumbers, https://developer.exotel.com/api/exophone-details), or None when the
        account lists no such number. Its pages write the fields both as PhoneNumber/VoiceUrl and
        phone_number/voice_url (https://developer.exotel.com/docs/exophones/api-reference/number-details):
        both are read. Raises ExotelError when Exotel does not answer with a list."""
        host = self.settings.exotel_subdomain
        base = host if "://" in host else f"https://{host}"
        url = f"{base.rstrip('/')}/v2_beta/Accounts/{self.settings.exotel_sid}/IncomingPhoneNumbers"
        try:
            answer = self.http.get(url, timeout=TIMEOUT)
            body = answer.json() if answer.status_code < 400 else None
        except (requests.RequestException, ValueError) as exc:
            raise ExotelError(None, type(exc).__name__) from exc
        if body is None:
            raise ExotelError(answer.status_code)
        numbers = body.get("IncomingPhoneNumbers", body.get("incoming_phone_numbers")) if isinstance(body, dict) else body
        ours = e164(self.settings.exotel_number or "", "IN")
        for number in numbers if isinstance(numbers, list) else []:
            given = number.get("PhoneNumber") or number.get("phone_number") or ""
            if ours and e164(given, "IN") == ours:
                return {"voice_url": number.get("VoiceUrl") or number.get("voice_url") or "",
                        "sms_url": number.get("SMSUrl") or number.get("sms_url") or ""}
        return None

    def flow_url(self) -> str | None:
        """The flow's URL as Exotel's API reference writes it, or None without a flow id."""
        if not self.settings.exotel_flow_id:
            return None
        return f"http://my.exotel.com/{self.settings.exotel_sid}/exoml/start_voice/{self.settings.exotel_flow_id}"

    def call(self, to: str, url: str, *, session=None) -> str:
        """Ring `to`, then run the flow (what for: `url`'s path and query, as CustomField; never
        the credentials in it) with the ExoPhone as caller ID; the final status (completed,
        busy, no-answer, failed) comes back to /exotel/status."""
        flow = self.flow_url()
        parts = urlsplit(url)
        data = {"From": to, "CallerId": self.settings.exotel_number, "Url": flow or url, "CallType": "trans",
                "TimeLimit": CALL_LIMIT, "TimeOut": RING_FOR, "StatusCallbackEvents[0]": "terminal"}
        if flow:
            data["CustomField"] = parts.path + (f"?{parts.query}" if parts.query else "")
        if status := callback(self.settings, "/exotel/status"):
            data["StatusCallback"] = status
        call = self._post("Calls/connect.json", "voice", data, to).get("Call") or {}
        sid = call.get("Sid") or ""
        log.info("call placed to %s through Exotel (%s)", mask(to), sid)
        return sid
