"""Console logins: salted password hashes (werkzeug.security), a lock after repeated failures,
and the signed session's user (Flask-Login).

A session names the staff member and a fingerprint of her password hash, so setting a new
password (`hotline staff set-password`) ends every session opened with the old one."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..phones import e164
from ..store.models import StaffMember

MAX_FAILURES = 5  # wrong passwords in a row before the account is locked
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 10
CONSOLE_ROLES = ("counsellor", "ngo", "coordinator")  # police use SMS, not the console
# a hash to check against when nobody has that name, so an unknown name takes as long as a known one
_DUMMY_HASH = generate_password_hash("not a password of anyone's")


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

    @property
    def coordinator(self) -> bool:
        return "coordinator" in self.roles

    def get_id(self) -> str:
        return f"{self.id}:{self.fingerprint}"


def fingerprint(secret: str, password_hash: str | None) -> str:
    return hmac.new(secret.encode(), (password_hash or "").encode(), hashlib.sha256).hexdigest()[:16]


def user_of(member: StaffMember, secret: str) -> User:
    return User(member.id, member.name, member.phone, list(member.roles), list(member.languages),
                fingerprint(secret, member.password_hash))


def load_user(store, secret: str, session_id: str) -> User | None:
    """Flask-Login's user loader: the session's staff member, while active, allowed, and holding
    the password the session was opened with."""
    staff_id, _, print_ = session_id.partition(":")
    if not staff_id.isdigit():
        return None
    with store.session() as s:
        member = s.get(StaffMember, int(staff_id))
        if member is None or not member.active or not member.password_hash or not may_use_console(member.roles):
            return None
        user = user_of(member, secret)
    return user if hmac.compare_digest(user.fingerprint, print_) else None


def may_use_console(roles: list[str]) -> bool:
    return any(role in CONSOLE_ROLES for role in roles)


class Ambiguous(LookupError):
    """More than one active staff member has that name."""


def find_member(session, name_or_phone: str) -> StaffMember | None:
    """An active staff member by phone number (any form) or by name (any case). Raises Ambiguous
    when two people share the name: then the phone number says who."""
    text = (name_or_phone or "").strip()
    if not text:
        return None
    phone = e164(text) if any(ch.isdigit() for ch in text) else None
    if phone:
        found = session.scalars(select(StaffMember).where(StaffMember.phone == phone, StaffMember.active)).first()
        if found:
            return found
    matches = list(session.scalars(select(StaffMember).where(
        func.lower(StaffMember.name) == text.lower(), StaffMember.active)))
    if not matches:  # "Priya" for "Priya (coordinator)", where only one is
        matches = [m for m in session.scalars(select(StaffMember).where(StaffMember.active))
                   if m.name.split(" (")[0].strip().lower() == text.lower()]
    if len(matches) > 1:
        raise Ambiguous(text)
    return matches[0] if matches else None


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
        s.flush()
        staff_id = member.id
    store.audit("console.password_set", staff_id=staff_id)
    return member


@dataclass
class Attempt:
    user: User | None = None
    locked: bool = False


def attempt(store, secret: str, name_or_phone: str, password: str, at: datetime | None = None) -> Attempt:
    """Check a login. A locked account is refused whatever the password; the MAX_FAILURES-th
    wrong password in a row locks it for LOCK_FOR. Unknown names and wrong passwords look alike."""
    at = at or store.clock.now()
    event, staff_id, result = "console.login_failed", None, Attempt()
    with store.session() as s:
        try:
            member = find_member(s, name_or_phone)
        except Ambiguous:
            member = None
        if member is None or not member.password_hash or not may_use_console(member.roles):
            check_password_hash(_DUMMY_HASH, password or "")
        else:
            staff_id = member.id
            if member.locked_until and aware(member.locked_until) > at:
                event, result = "console.login_refused_locked", Attempt(locked=True)
            elif check_password_hash(member.password_hash, password or ""):
                member.failed_logins, member.locked_until = 0, None
                event, result = "console.login", Attempt(user=user_of(member, secret))
            else:
                member.failed_logins = (member.failed_logins or 0) + 1
                if member.failed_logins >= MAX_FAILURES:
                    member.failed_logins, member.locked_until = 0, at + LOCK_FOR
                    event, result = "console.locked", Attempt(locked=True)
    store.audit(event, staff_id=staff_id)
    return result
