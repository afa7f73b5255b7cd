"""Per-caller state in Redis: the engine's state under a keyed hash, a lock per caller, and
idempotency by MessageSid/CallSid so Twilio's retries are answered the same and processed once."""

from __future__ import annotations

import json
from contextlib import contextmanager, suppress

import redis

PREFIX = "hotline"
STATE_TTL = 7 * 24 * 3600  # the engine expires idle conversations sooner; this only tidies Redis
REPLY_TTL = 24 * 3600  # Twilio retries within minutes; a day is generous
LANG_TTL = 365 * 24 * 3600  # the language a caller chose, remembered for her next conversation
LOCK_TIMEOUT = 10  # a lock outlives a crashed holder by this much at most
LOCK_WAIT = 8  # and a second message waits this long for it (Twilio allows 15 s)


class Busy(Exception):
    """The caller's lock could not be had in time."""


class Conversations:
    def __init__(self, conn: redis.Redis):
        self.redis = conn

    @staticmethod
    def _key(kind: str, ident: str) -> str:
        return f"{PREFIX}:{kind}:{ident}"

    @contextmanager
    def lock(self, key: str):
        """One step at a time per caller: two messages arriving together cannot both read the
        old state and each write their own."""
        lock = self.redis.lock(self._key("lock", key), timeout=LOCK_TIMEOUT, blocking_timeout=LOCK_WAIT)
        if not lock.acquire():
            raise Busy(key)
        try:
            yield
        finally:
            # it may have expired while we worked; the state we wrote is still ours
            with suppress(redis.exceptions.LockError):
                lock.release()

    def read(self, conv_key: str, caller: str, sid: str) -> tuple[str | None, dict | None, str | None]:
        """One round trip for what a step needs: the reply already given under this sid (a retry),
        the conversation's state, and the caller's remembered language."""
        reply, state, lang = self.redis.mget(self._key("sid", sid), self._key("conv", conv_key),
                                             self._key("lang", caller))
        return (reply.decode() if reply else None, json.loads(state) if state else None,
                lang.decode() if lang else None)

    def write(self, conv_key: str, state: dict | None, sid: str, reply: str,
              caller: str | None = None, lang: str | None = None) -> None:
        """One round trip for what a step leaves: the state (or its end), the reply under its sid,
        and the language to remember (when `caller` and `lang` are given)."""
        pipe = self.redis.pipeline(transaction=False)
        if state is None:
            pipe.delete(self._key("conv", conv_key))
        else:
            pipe.set(self._key("conv", conv_key), json.dumps(state, separators=(",", ":")), ex=STATE_TTL)
        pipe.set(self._key("sid", sid), reply, ex=REPLY_TTL)
        if caller and lang:
            pipe.set(self._key("lang", caller), lang, ex=LANG_TTL)
        pipe.execute()

    def forget(self, *keys: str) -> None:
        """Everything held in Redis under these callers' keys (the safe word, DELETE)."""
        names = [self._key(kind, key) for key in keys for kind in ("conv", "lang")]
        if names:
            self.redis.delete(*names)
