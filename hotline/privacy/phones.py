"""Phone numbers at the edge: E.164 with phonenumbers, keyed hashes inside, masks in logs."""

from __future__ import annotations

import hashlib
import hmac

import phonenumbers

DEFAULT_REGION = "IN"


def e164(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """Any form Twilio or a staff file may give ('+91 98400 00001', '098400 00001') -> E.164."""
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def caller_key(number: str, secret: str) -> str:
    """A caller's key: an HMAC of the E.164 number, so Redis and the store never hold the number.
    Its key is derived from `secret` (SECRET_KEY) for this use alone (hotline.privacy.keys, HKDF)."""
    from hotline.privacy.keys import phone_key

    return hmac.new(phone_key(secret), number.encode(), hashlib.sha256).hexdigest()[:32]


def mask(number: str | None) -> str:
    """'+919840000210' -> '+91•••••••210': enough to tell two callers apart in a log, no more."""
    if not number:
        return "(no number)"
    try:
        code = str(phonenumbers.parse(number, None).country_code)
    except phonenumbers.NumberParseException:
        code = ""
    rest = number[1 + len(code):] if number.startswith("+") and code else number
    if len(rest) <= 3:
        return "•" * len(number)
    return f"+{code}" + "•" * (len(rest) - 3) + rest[-3:] if code else "•" * (len(rest) - 3) + rest[-3:]
