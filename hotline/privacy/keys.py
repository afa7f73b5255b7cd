"""One SECRET_KEY, three keys: HKDF (RFC 5869) derives a separate key for each use, so a key
that leaks through one use (a cookie forged offline, a hash table of phone numbers) says
nothing about the others.

- "cookies": Flask's SECRET_KEY (the console's session cookie and its CSRF tokens);
- "phones": the HMAC key of hotline.privacy.phones.caller_key (her keyed hash in Redis and the store);
- "sealing": the Fernet key of the fields the store encrypts (her number, relayed words, notes).

Rotation (`hotline keys rotate`): set the new SECRET_KEY and the old one in SECRET_KEY_OLD
(several, comma-separated, newest first). Until the command has run, the store still reads what
the old keys sealed (MultiFernet); the command re-encrypts every sealed field with the new key
and re-keys every caller key it can (see rotate()). Before HKDF, the keys were taken from the
secret directly ("legacy"): the command upgrades those too."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PURPOSES = ("cookies", "phones", "sealing")


@lru_cache(maxsize=64)
def derive(secret: str, purpose: str) -> bytes:
    """32 bytes for `purpose`, derived from `secret` (HKDF-SHA256; the purpose is HKDF's info)."""
    if purpose not in PURPOSES:
        raise ValueError(f"no key is derived for {purpose!r}")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"hotline/" + purpose.encode()).derive(secret.encode())


def cookie_key(secret: str) -> bytes:
    return derive(secret, "cookies")


def phone_key(secret: str) -> bytes:
    return derive(secret, "phones")


def fernet(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive(secret, "sealing")))


def legacy_fernet(secret: str) -> Fernet:
    """How the sealing key was made before HKDF (read-only: nothing new is sealed with it)."""
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"hotline-contact\0" + secret.encode()).digest()))


def legacy_caller_key(number: str, secret: str) -> str:
    """How a caller's key was made before HKDF: the secret itself as the HMAC key."""
    return hmac.new(secret.encode(), number.encode(), hashlib.sha256).hexdigest()[:32]


def old_secrets(raw: str | None) -> list[str]:
    """SECRET_KEY_OLD: comma-separated, newest first; blanks ignored."""
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def sealing(secret: str, old: list[str] | tuple[str, ...] = ()) -> MultiFernet:
    """Seals with the current key; opens what the current, the old and the legacy keys sealed."""
    keys = [fernet(secret)] + [fernet(s) for s in old] + [legacy_fernet(s) for s in (secret, *old)]
    return MultiFernet(keys)


@dataclass
class Rotation:
    """What `hotline keys rotate` changed."""

    resealed: int = 0  # encrypted fields re-encrypted with the current key
    unreadable: int = 0  # encrypted fields no key opens (left as they are)
    rekeyed: int = 0  # rows whose caller key was changed to the current key's
    numbers: int = 0  # distinct numbers known to the store (what caller keys can be re-keyed from)
    unmatched: int = 0  # rows with a caller key that no known number gives (left as they are)
    redis_keys: int = 0  # Redis keys renamed to the current caller key
    tables: dict = field(default_factory=dict)


def rotate(store, secret: str, old: list[str], redis=None) -> Rotation:
    """Re-encrypt every sealed field with the current key and re-key every caller key.

    A caller key is an HMAC of her number: it can be re-keyed only from the number, so the
    numbers come from what the store holds (the sealed contact of cases and actions, the local
    outbox). A row keyed by a number the store no longer holds (an opt-out of someone who never
    had a case) keeps its old key and is counted in `unmatched`. Redis keys holding an old caller
    key (her conversation, language, relay) are renamed when `redis` is given; any missed expire
    on their own within a day. Run it with web and worker stopped; it runs in one transaction."""
    from sqlalchemy import select, update

    from hotline.privacy.phones import caller_key
    from hotline.store.models import (
        CALLER_KEY_COLUMNS,
        ERASED,
        SEALED_COLUMNS,
        Action,
        Case,
        OptOut,
        Outbox,
    )

    result = Rotation()
    with store.session() as s:
        # 1. the numbers the store knows, and what each old way of keying made of them
        numbers: set[str] = set()
        for model in (Case, Action):
            for token in s.scalars(select(model.contact).where(model.contact.is_not(None))):
                number = store.unseal(token)
                if number:
                    numbers.add(number)
        numbers.update(n for n in s.scalars(select(Outbox.to).where(Outbox.about.is_not(None))) if n)
        result.numbers = len(numbers)
        mapping: dict[str, str] = {}
        for number in numbers:
            new = caller_key(number, secret)
            for s_old in (secret, *old):
                for old_key in (caller_key(number, s_old), legacy_caller_key(number, s_old)):
                    if old_key != new:
                        mapping[old_key] = new
        current = {caller_key(n, secret) for n in numbers}
        # 2. every sealed field, with the current key
        for model, column in SEALED_COLUMNS:
            attr = getattr(model, column)
            for row_id, token in s.execute(select(model.id, attr).where(attr.is_not(None))).all():
                try:
                    fresh = store.reseal(token)
                except ValueError:
                    result.unreadable += 1
                    continue
                if fresh != token:
                    s.execute(update(model).where(model.id == row_id).values({column: fresh}))
                    result.resealed += 1
        # 3. every caller key, to the current key's
        for model, column in CALLER_KEY_COLUMNS:
            attr = getattr(model, column)
            changed = 0
            for old_key in list(s.scalars(select(attr).where(attr.is_not(None)).distinct())):
                if old_key == ERASED or old_key in current:
                    continue
                new = mapping.get(old_key)
                if new is None:
                    result.unmatched += s.query(model).filter(attr == old_key).count()
                    continue
                if model is OptOut and s.get(OptOut, new) is not None:  # the primary key: one a caller
                    s.delete(s.get(OptOut, old_key))
                    changed += 1
                    continue
                changed += s.execute(update(model).where(attr == old_key).values({column: new})).rowcount
            result.tables[model.__tablename__] = changed
            result.rekeyed += changed
    if redis is not None and mapping:
        for name in redis.scan_iter(match="hotline:*", count=1000):
            text = name.decode() if isinstance(name, bytes) else name
            head, _, tail = text.rpartition(":")
            if tail in mapping and head:
                redis.rename(text, f"{head}:{mapping[tail]}")
                result.redis_keys += 1
    store.checkpoint()
    return result
