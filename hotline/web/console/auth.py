"""Console logins: salted password hashes (werkzeug.security), limits on failed logins
(throttle.py: per address and per name, never a lock an outsider could use), and the signed
session's user (Flask-Login).

The password is checked outside any write transaction (scrypt takes ~80 ms; on SQLite a write
transaction holds the one writer's lock, which every webhook waits for): the member is read in
a read session, the hash checked with no transaction open, the outcome written in a short one.

A session names the staff member, a fingerprint of her password hash and her session version:
a new password (`hotline staff set-password`), logging out and "sign out everywhere" (`hotline
staff sign-out`, or a coordinator in the rota) each end every session she has, at once."""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass
from datetime import datetime

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from hotline.config.vocabulary import RESPONDER_ROLES
from hotline.people.staff import Ambiguous, find_member
from hotline.privacy.keys import cookie_key
from hotline.privacy.phones import e164
from hotline.response.permissions import is_coordinator
from hotline.store.models import StaffMember
from hotline.web.console.throttle import Throttle

MIN_PASSWORD = 10
CONSOLE_ROLES = RESPONDER_ROLES  # police use SMS, not the console
# a hash to check against when nobody has that name, so an unknown name takes as long as a known one
_DUMMY_HASH = generate_password_hash("not a password of anyone's")
# scrypt takes a core for a moment: at most this many at once in a process, so a flood of logins
# (from many addresses, past the limits) cannot slow the webhooks a survivor's message waits on;
# a login that waits longer than HASH_WAIT seconds for a turn is refused as throttled
HASHING_AT_ONCE = 2
HASH_WAIT = 5.0
_HASHING = threading.BoundedSemaphore(HASHING_AT_ONCE)


def typed(name_or_phone: str) -> str:
    """The identifier as the login limits count it: a phone number in any form as E.164, a name
    in any case, whether or not anyone has it."""
    text = " ".join((name_or_phone or "").lower().split())
    phone = e164(text) if any(ch.isdigit() for ch in text) else None
    return f"phone:{phone}" if phone else f"name:{text}"


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every one stored is UTC."""
    from datetime import UTC

    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


@dataclass
class User(UserMixin):
    """The logged-in staff member, as the console needs her."""

    id: int
    name: str
    phone: str
    roles: list[str]
    languages: list[str]
    fingerprint: str
    version: int = 0

    @property
    def coordinator(self) -> bool:
        return is_coordinator(self.roles)

    def get_id(self) -> str:
        return f"{self.id}:{self.fingerprint}:{self.version}"


def fingerprint(secret: str, password_hash: str | None) -> str:
    return hmac.new(cookie_key(secret), (password_hash or "").encode(), hashlib.sha256).hexdigest()[:16]


def user_of(member: StaffMember, secret: str) -> User:
    return User(member.id, member.name, member.phone, list(member.roles), list(member.languages),
                fingerprint(secret, member.password_hash), member.session_version or 0)


def load_user(store, secret: str, session_id: str) -> User | None:
    """Flask-Login's user loader, on every request: the session's staff member, while active,
    allowed, holding the password the session was opened with, and not signed out since."""
    staff_id, _, rest = session_id.partition(":")
    print_, _, version = rest.partition(":")
    if not staff_id.isdigit() or not version.isdigit():
        return None
    with store.read() as s:
        member = s.get(StaffMember, int(staff_id))
        if member is None or not member.active or not member.password_hash or not may_use_console(member.roles):
            return None
        user = user_of(member, secret)
    if not hmac.compare_digest(user.fingerprint, print_) or user.version != int(version):
        return None
    return user


def sign_out_everywhere(store, staff_id: int) -> None:
    """Every session of hers ends at its next request (logout, a new password, a coordinator)."""
    with store.session() as s:
        member = s.get(StaffMember, staff_id)
        if member is not None:
            member.session_version = (member.session_version or 0) + 1


def may_use_console(roles: list[str]) -> bool:
    return any(role in CONSOLE_ROLES for role in roles)


def set_password(store, name_or_phone: str, password: str) -> StaffMember:
    """Store a new password's salted hash; unlocks the account and ends its sessions."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password has at least {MIN_PASSWORD} characters")
    with store.session() as s:
        member = find_member(s, name_or_phone)
        if member is None:
            raise LookupError(name_or_phone)
        member.password_hash = generate_password_hash(password)
        member.failed_logins, member.locked_until = 0, None
        member.session_version = (member.session_version or 0) + 1
        s.flush()
        staff_id = member.id
    store.audit("console.password_set", staff_id=staff_id)
    return member


@dataclass
class Attempt:
    user: User | None = None
    throttled: bool = False
    busy: bool = False  # refused unchecked: too many logins being checked at once (HASHING_AT_ONCE)


@dataclass
class _Candidate:
    """What a login needs of a staff member, read before the password is checked."""

    id: int
    password_hash: str


def attempt(store, secret: str, name_or_phone: str, password: str, address: str = "",
            redis=None) -> Attempt:
    """Check a login. Too many failures from `address`, or for the name (throttle.py), and it is
    refused without a check. Unknown names and wrong passwords look and take alike: a hash is
    checked either way, and the failure counts the same. No transaction is open during the check."""
    with store.read() as s:
        try:
            member = find_member(s, name_or_phone)
        except Ambiguous:
            member = None
        found = None
        if member is not None and member.password_hash and may_use_console(member.roles):
            found = _Candidate(member.id, member.password_hash)
    who = typed(name_or_phone)  # what was typed, whoever it names: the limits tell nothing of accounts (#30)
    limits = Throttle(redis, cookie_key(secret)) if redis is not None else None
    if limits is not None and limits.refused(who, address):
        if limits.first_refusal(who, address):  # one audit row a window, not one a try
            store.audit("console.login_throttled", staff_id=found.id if found else None)
        return Attempt(throttled=True)
    if not _HASHING.acquire(timeout=HASH_WAIT):
        return Attempt(throttled=True, busy=True)  # a flood of logins must not starve the webhooks of CPU
    try:
        right = check_password_hash(found.password_hash if found else _DUMMY_HASH, password or "")
    finally:
        _HASHING.release()
    user = None
    if found and right:
        with store.session() as s:
            member = s.get(StaffMember, found.id)
            # the same password and still allowed, now that the check is done
            if member is not None and member.active and member.password_hash == found.password_hash \
                    and may_use_console(member.roles):
                member.failed_logins, member.locked_until = 0, None
                user = user_of(member, secret)
    if limits is not None:
        (limits.succeeded if user else limits.failed)(who, address)
    store.audit("console.login" if user else "console.login_failed", staff_id=found.id if found else None)
    return Attempt(user=user)
