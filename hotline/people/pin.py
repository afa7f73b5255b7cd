"""Staff phone PINs. A call from a counsellor's number proves nothing (caller ID is easy to fake),
so the hotline puts her through to a survivor only after her PIN (hotline/web/twilio/voice.py).

The PIN is 4 to 8 digits, set by the coordinator with `hotline staff set-pin NAME_OR_PHONE`, and
stored as a salted hash (werkzeug.security, as the console's passwords are). A PIN anyone would
try first (0000, 1234, 1212, 2580 …) is refused: a spoofed caller ID gets a few tries."""

from __future__ import annotations

import hashlib
import hmac
import re

from werkzeug.security import check_password_hash, generate_password_hash

from hotline.privacy.keys import pin_key
from hotline.store.models import StaffMember

PIN = re.compile(r"^[0-9]{4,8}$")
# the keypad's middle column, and years and the like that lists of common PINs put near the top
COMMON = frozenset({"2580", "0852", "1004", "2000", "2001", "1999", "6969", "1122", "0007", "5683"})
# a hash to check against when she has none, so every refusal takes as long as a wrong PIN
_DUMMY_HASH = generate_password_hash("not anyone's PIN")


def set_pin(store, name_or_phone: str, pin: str) -> StaffMember:
    """Store a new PIN's salted hash. Raises ValueError (not 4-8 digits), LookupError (nobody
    by that name or number) or people.staff.Ambiguous (two people of that name)."""
    from hotline.people.staff import find_member

    if not PIN.match(pin or ""):
        raise ValueError("a PIN is 4 to 8 digits")
    with store.session() as s:
        member = find_member(s, name_or_phone)
        if member is None:
            raise LookupError(name_or_phone)
        if trivial(pin):
            raise ValueError("that PIN is among the first anyone would try (one digit repeated, a run like 1234 "
                             "or 4321, a repeated pair like 1212, 2580 …): choose another")
        member.pin_hash = generate_password_hash(pin)
        s.flush()
        staff_id = member.id
    store.audit("staff.pin_set", staff_id=staff_id)
    return member


def trivial(pin: str) -> bool:
    """One a guesser tries first: one digit repeated, a run up or down (1234, 8765, 0123), a
    repeated group (1212, 123123), or a common one (COMMON)."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    repeated = any(len(pin) % n == 0 and pin == pin[:n] * (len(pin) // n) for n in (1, 2, 3, 4) if n < len(pin))
    return repeated or steps in ({1}, {9}) or pin in COMMON


def pin_hash(store, staff_id: int | None) -> str | None:
    with store.read() as s:
        member = s.get(StaffMember, staff_id) if staff_id is not None else None
        return member.pin_hash if member is not None and member.active else None


def check(hashed: str | None, digits: str | None) -> bool:
    if not hashed:
        check_password_hash(_DUMMY_HASH, digits or "")
        return False
    return bool(digits) and check_password_hash(hashed, digits)


def generation(secret: str, hashed: str) -> str:
    """A short tag of the PIN now set (not of the PIN: of its salted hash), so the count of wrong
    PINs across calls starts again when a new PIN is set."""
    return hmac.new(pin_key(secret), hashed.encode(), hashlib.sha256).hexdigest()[:12]
