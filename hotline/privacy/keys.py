"""One SECRET_KEY, three keys: HKDF (RFC 5869) derives a separate key for each use, so a key
that leaks through one use (a cookie forged offline, a hash table of phone numbers) says
nothing about the others.

- "cookies": Flask's SECRET_KEY (the console's session cookie and its CSRF tokens);
- "phones": the HMAC key of hotline.privacy.phones.caller_key (her keyed hash in Redis and the store);
- "sealing": the Fernet key of the fields the store encrypts (her number, relayed words, notes);
- "pins": the HMAC key of the tag that ties a count of wrong phone PINs to the PIN now set.
- "backups": the Fernet key of `hotline backup`'s files (hotline/store/backup.py).

Rotation (`hotline keys rotate`): set the new SECRET_KEY and the old one in SECRET_KEY_OLD
(several, comma-separated, newest first). Until the command has run, the store still reads what
the old keys sealed (MultiFernet); the command re-encrypts every sealed field with the new key
and re-keys every caller key it can (see rotate()). Before HKDF, the keys were taken from the
secret directly ("legacy"): the command upgrades those too."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PURPOSES = ("cookies", "phones", "sealing", "pins", "backups")


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


def pin_key(secret: str) -> bytes:
    return derive(secret, "pins")


def fernet(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive(secret, "sealing")))


def legacy_fernet(secret: str) -> Fernet:
    """How the sealing key was made before HKDF (read-only: nothing new is sealed with it)."""
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"hotline-contact\0" + secret.encode()).digest()))


def legacy_caller_key(number: str, secret: str) -> str:
    """How a caller's key was made before HKDF: the secret itself as the HMAC key."""
    return hmac.new(secret.encode(), number.encode(), hashlib.sha256).hexdigest()[:32]


def backup_fernet(secret: str, old: list[str] | tuple[str, ...] = ()) -> MultiFernet:
    """Seals a backup with SECRET_KEY's backup key; opens one made under an old key too."""
    return MultiFernet([Fernet(base64.urlsafe_b64encode(derive(s, "backups"))) for s in (secret, *old)])


def sealing(secret: str, old: list[str] | tuple[str, ...] = ()) -> MultiFernet:
    """Seals with the current key; opens what the current, the old and the legacy keys sealed."""
    keys = [fernet(secret)] + [fernet(s) for s in old] + [legacy_fernet(s) for s in (secret, *old)]
    return MultiFernet(keys)
