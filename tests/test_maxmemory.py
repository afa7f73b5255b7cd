"""A Redis that may evict keys (maxmemory set, any maxmemory-policy but noeviction) is warned of
when `hotline worker` and `hotline serve` start, and only warned of: the start goes on, and a
Redis that is down is no reason to stop either. Real redis-servers, each started with the policy
under test."""

from __future__ import annotations

import logging
import subprocess
import time

import pytest
import redis

from hotline.store.redis_conn import connect, warn_if_evicting

from .cli import cli
from .conftest import free_port, redis_server_binary
from .helpers import wait_for_redis

WARNED = "set maxmemory-policy noeviction"


@pytest.fixture
def start_redis(tmp_path):
    """start(*args): a redis-server of the test's own started with `args`; its URL."""
    procs = []

    def start(*args: str) -> str:
        port = free_port()
        proc = subprocess.Popen([redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", str(tmp_path), *args],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        wait_for_redis(redis.Redis(port=port, socket_connect_timeout=0.2), 10, proc)
        return f"redis://127.0.0.1:{port}/0"

    yield start
    for proc in procs:
        proc.kill()
        proc.wait(10)


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and WARNED in r.getMessage()]


@pytest.mark.parametrize("policy", ["allkeys-lru", "volatile-lru", "volatile-ttl"])
def test_a_redis_that_evicts_under_maxmemory_is_warned_of(policy, start_redis, caplog):
    url = start_redis("--maxmemory", "100mb", "--maxmemory-policy", policy)
    with caplog.at_level(logging.WARNING):
        found = warn_if_evicting(redis.Redis.from_url(url))
    assert found and policy in found and "jobs" in found
    assert warnings(caplog) == [found]


@pytest.mark.parametrize("args", [("--maxmemory", "100mb", "--maxmemory-policy", "noeviction"),
                                  ("--maxmemory", "0", "--maxmemory-policy", "allkeys-lru")],
                         ids=["noeviction", "no-maxmemory"])
def test_a_redis_that_never_evicts_is_not_warned_of(args, start_redis, caplog):
    url = start_redis(*args)
    with caplog.at_level(logging.WARNING):
        assert warn_if_evicting(redis.Redis.from_url(url)) is None
    assert warnings(caplog) == []


@pytest.mark.parametrize("scheme", ["redis", "redis+sentinel"])
def test_a_redis_that_is_down_is_no_reason_to_stop_nor_to_wait(scheme, tmp_path, caplog):
    nowhere = f"127.0.0.1:{free_port()}"  # nothing listens there
    down = connect(f"{scheme}://{nowhere}/mymaster" if "sentinel" in scheme else f"{scheme}://{nowhere}/0", tmp_path)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        assert warn_if_evicting(down) is None
    assert time.monotonic() - started < 3  # a refused connection is not tried again and again
    assert warnings(caplog) == []


def test_hotline_worker_and_serve_warn_as_they_start_and_start(start_redis, make_services, caplog, monkeypatch):
    from gunicorn.app.base import BaseApplication

    make_services(redis_url=start_redis("--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"))
    with caplog.at_level(logging.WARNING):
        assert cli("worker", "--burst").exit_code == 0  # warned, and ran what was queued (nothing)
    assert len(warnings(caplog)) == 1

    caplog.clear()
    served = []
    monkeypatch.setattr(BaseApplication, "run", lambda self: served.append(self))  # not gunicorn's loop
    with caplog.at_level(logging.WARNING):
        assert cli("serve", "--port", str(free_port())).exit_code == 0
    assert len(warnings(caplog)) == 1 and len(served) == 1  # warned, and went on to serve


def test_hotline_serve_on_a_redis_that_never_evicts_says_nothing_of_it(start_redis, make_services, caplog,
                                                                      monkeypatch):
    from gunicorn.app.base import BaseApplication

    make_services(redis_url=start_redis("--maxmemory", "100mb", "--maxmemory-policy", "noeviction"))
    monkeypatch.setattr(BaseApplication, "run", lambda self: None)
    with caplog.at_level(logging.WARNING):
        assert cli("serve", "--port", str(free_port())).exit_code == 0
    assert warnings(caplog) == []



def test_the_procfiles_gunicorn_warns_as_it_starts(start_redis, tmp_path, monkeypatch, caplog):
    """The Procfile's web runs gunicorn itself, not `hotline serve`: its master warns as it starts."""
    from hotline.web import server

    monkeypatch.setenv("REDIS_URL", start_redis("--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"))
    monkeypatch.setenv("HOTLINE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))  # set by it, and undone after
    with caplog.at_level(logging.WARNING):
        server.on_starting(None)
    assert len(warnings(caplog)) == 1
