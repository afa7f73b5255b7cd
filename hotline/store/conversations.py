"""Per-caller state in Redis: the engine's state under a keyed hash, one step at a time per
caller, and idempotency by MessageSid/CallSid so Twilio's retries are answered the same and
processed once.

A step costs two round trips: one Lua script takes the caller's lock and reads what the step
needs (an earlier reply under this sid, the state, the remembered language); another writes
what it leaves and releases the lock, but only while the lock is still this step's. redis-py's
Lock would cost two more round trips a step, and the webhook's budget is counted in them.
"""

from __future__ import annotations

import json
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass

import redis

PREFIX = "hotline"
STATE_TTL = 7 * 24 * 3600  # the engine expires idle conversations sooner; this only tidies Redis
REPLY_TTL = 24 * 3600  # Twilio retries within minutes; a day is generous
LANG_TTL = 365 * 24 * 3600  # the language a caller chose, remembered for her next conversation
LOCK_TIMEOUT_MS = 10_000  # a lock outlives a crashed holder by this much at most
LOCK_WAIT = 8.0  # a second message waits this long for the first (Twilio allows 15 s)
LOCK_POLL = 0.01

ACQUIRE_AND_READ = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('get', KEYS[2]), redis.call('get', KEYS[3]), redis.call('get', KEYS[4]),
          redis.call('get', KEYS[5])}
end
return {0}
"""

WRITE_AND_RELEASE = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('del', KEYS[2]) else redis.call('set', KEYS[2], ARGV[2], 'EX', ARGV[3]) end
redis.call('set', KEYS[3], ARGV[4], 'EX', ARGV[5])
if ARGV[6] == '-' then redis.call('del', KEYS[4])
elseif ARGV[6] ~= '' then redis.call('set', KEYS[4], ARGV[6], 'EX', ARGV[7]) end
redis.call('del', KEYS[1])
return 1
"""

RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class Busy(Exception):
    """The caller's lock could not be had in time."""


class LockLost(Exception):
    """The step outlived its lock; what it would have written was not written."""


@dataclass
class Turn:
    """One step's hold on a caller: what it read, and how it writes back."""

    cached: str | None  # the reply already given under this sid: a retried delivery
    state: dict | None
    lang: str | None
    relay: int | None  # the case whose counsellor her messages go to, once someone took it
    _finish: object = None
    finished: bool = False

    def finish(self, state: dict | None, reply: str, lang: str | None = None, forget_lang: bool = False) -> None:
        """Write the state (None: the conversation ended), keep the reply under the sid, remember
        `lang` (or forget the remembered one), and let the caller's next message in."""
        self._finish(state, reply, "-" if forget_lang else (lang or ""))
        self.finished = True


class Conversations:
    def __init__(self, conn: redis.Redis):
        self.redis = conn
        self._acquire = conn.register_script(ACQUIRE_AND_READ)
        self._write = conn.register_script(WRITE_AND_RELEASE)
        self._release = conn.register_script(RELEASE)

    @staticmethod
    def _key(kind: str, ident: str) -> str:
        return f"{PREFIX}:{kind}:{ident}"

    @contextmanager
    def turn(self, conv_key: str, caller: str, sid: str):
        """Hold the caller's lock for one step: two messages arriving together cannot both read
        the old state and each write their own."""
        lock = self._key("lock", conv_key)
        keys = [lock, self._key("sid", sid), self._key("conv", conv_key), self._key("lang", caller),
                self._key("relay", caller)]
        token = secrets.token_hex(8)
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            got = self._acquire(keys=keys, args=[token, LOCK_TIMEOUT_MS])
            if got[0]:
                break
            if time.monotonic() > deadline:
                raise Busy(conv_key)
            time.sleep(LOCK_POLL)  # the caller's previous message is still being answered

        def finish(state, reply, lang):
            encoded = json.dumps(state, separators=(",", ":")) if state is not None else ""
            if not self._write(keys=[lock, keys[2], keys[1], keys[3]],
                               args=[token, encoded, STATE_TTL, reply, REPLY_TTL, lang, LANG_TTL]):
                raise LockLost(conv_key)

        reply, state, lang, relay = got[1], got[2], got[3], got[4]
        turn = Turn(reply.decode() if reply else None, json.loads(state) if state else None,
                    lang.decode() if lang else None, int(relay) if relay else None, finish)
        try:
            yield turn
        finally:
            if not turn.finished:
                self._release(keys=[lock], args=[token])

    def set_relay(self, caller: str, case_id: int | None) -> None:
        """From now on her messages go to the counsellor of this case (None: back to the flow)."""
        if case_id is None:
            self.redis.delete(self._key("relay", caller))
        else:
            self.redis.set(self._key("relay", caller), case_id, ex=STATE_TTL)

    def end(self, caller: str) -> None:
        """Her case closed: her next message starts a fresh conversation (her language is kept)."""
        self.redis.delete(self._key("conv", caller), self._key("conv", f"voice:{caller}"), self._key("relay", caller))

    def forget(self, *keys: str) -> None:
        """Everything held in Redis under these callers' keys (DELETE)."""
        names = [self._key(kind, key) for key in keys for kind in ("conv", "lang", "relay")]
        if names:
            self.redis.delete(*names)
