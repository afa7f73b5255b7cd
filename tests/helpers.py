"""Posting to the webhooks as Twilio does: form fields, and a signature of the URL it called."""

from __future__ import annotations

import itertools

import requests
from twilio.request_validator import RequestValidator

_sids = itertools.count(1)


def new_sid(prefix: str = "SM") -> str:
    return f"{prefix}{next(_sids):032d}"


def sms_form(number: str, body: str, sid: str | None = None) -> dict:
    return {"From": number, "To": "+914400000000", "Body": body, "MessageSid": sid or new_sid(),
            "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}


def sign(token: str, url: str, form: dict) -> str:
    return RequestValidator(token).compute_signature(url, form)


def post(base: str, path: str, form: dict, token: str | None = None, signed_url: str | None = None,
         signature: str | None = None) -> requests.Response:
    url = base + path
    headers = {}
    if token:
        headers["X-Twilio-Signature"] = signature or sign(token, signed_url or url, form)
    elif signature:
        headers["X-Twilio-Signature"] = signature
    return requests.post(url, data=form, headers=headers, timeout=20)


def messages(twiml: str) -> list[str]:
    """The bodies of the <Message>s of an SMS TwiML reply."""
    from xml.etree import ElementTree

    return [m.text or "" for m in ElementTree.fromstring(twiml).iter("Message")]
