"""Limits on failed console logins, kept in Redis, that an outsider cannot turn against staff.

Only failures count, per identifier as typed (a name in any case, a number in any form: see
auth.typed), never per account: an unknown name counts exactly as a real one, and two ways of
naming one account count apart, so the limits say nothing about who has an account. Within WINDOW:

- an address with ADDRESS_FAILURES failures is refused, whatever name it tries;
- a name with PAIR_FAILURES failures from one address is refused from that address;
- a name with NAME_FAILURES failures from everywhere (a guess spread over many addresses) is
  refused only from addresses it has not logged in from in KNOWN_FOR: the staff member at her
  usual computer still gets in while someone elsewhere guesses.

Nothing locks an account. Names and addresses are kept as keyed hashes. Redis down: the limits
are not applied (the console must work in an outage; scrypt keeps each guess slow) and the log
says so.

Hand-written rather than Flask-Limiter: that counts requests per route, where this counts only
failed checks, per identifier as typed and per address, and needs the "known address" exception; it is forty lines on the
Redis the hotline already has."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta

from redis.exceptions import RedisError

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=15)
ADDRESS_FAILURES = 20
PAIR_FAILURES = 5
NAME_FAILURES = 30
KNOWN_FOR = timedelta(days=30)
PREFIX = "hotline:login"


class Throttle:
    def __init__(self, redis, key: bytes):
        self.redis = redis
        self.key = key

    def _h(self, *parts: str) -> str:
        return hmac.new(self.key, "\0".join(parts).encode(), hashlib.sha256).hexdigest()[:24]

    def _keys(self, who: str, address: str) -> dict[str, str]:
        return {"address": f"{PREFIX}:addr:{self._h('a', address)}",
                "pair": f"{PREFIX}:pair:{self._h('p', who, address)}",
                "name": f"{PREFIX}:name:{self._h('n', who)}",
                "known": f"{PREFIX}:known:{self._h('n', who)}",
                "member": self._h("a", address)}

    def refused(self, who: str, address: str) -> bool:
        """Whether a login for `who` (a staff member's id, or the name as typed) from `address`
        is refused without checking the password."""
        k = self._keys(who, address)
        try:
            pipe = self.redis.pipeline()
            pipe.get(k["address"]).get(k["pair"]).get(k["name"]).sismember(k["known"], k["member"])
            by_address, by_pair, by_name, known = pipe.execute()
        except RedisError:
            log.warning("console login limits not applied: Redis is unreachable")
            return False
        if int(by_address or 0) >= ADDRESS_FAILURES or int(by_pair or 0) >= PAIR_FAILURES:
            return True
        return int(by_name or 0) >= NAME_FAILURES and not known

    def first_refusal(self, who: str, address: str) -> bool:
        """True once a WINDOW for `who` from `address`: the one throttled attempt to audit (a
        flood wrote a row for each)."""
        try:
            return bool(self.redis.set(f"{PREFIX}:audited:{self._h('p', who, address)}", 1,
                                       ex=int(WINDOW.total_seconds()), nx=True))
        except RedisError:
            return True

    def failed(self, who: str, address: str) -> None:
        k = self._keys(who, address)
        seconds = int(WINDOW.total_seconds())
        try:
            pipe = self.redis.pipeline()
            for name in ("address", "pair", "name"):
                pipe.set(k[name], 0, ex=seconds, nx=True).incr(k[name])  # the window from the first
            pipe.execute()
        except RedisError:
            log.warning("console login failure not counted: Redis is unreachable")

    def succeeded(self, who: str, address: str) -> None:
        k = self._keys(who, address)
        try:
            pipe = self.redis.pipeline()
            pipe.delete(k["pair"]).sadd(k["known"], k["member"]).expire(k["known"], int(KNOWN_FOR.total_seconds()))
            pipe.execute()
        except RedisError:
            log.warning("console login not remembered: Redis is unreachable")
