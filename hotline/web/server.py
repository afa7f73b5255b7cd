"""gunicorn's configuration, one for `hotline serve` and the Procfile (`gunicorn -c
python:hotline.web.server …`), and the worker class that keeps slow clients from holding it.

gunicorn's gthread worker runs each connection's request in one of its threads: it waits up to
5 s for a connection's first byte off the pool, but once a byte has come it reads the request
line, the headers and the body on the thread, with no time limit. Eight connections that send
a request line and headers and then nothing held all eight threads: /healthz and every webhook
waited for as long as they stayed open. `BoundedThreadWorker` gives every read and write on a
connection READ_TIMEOUT seconds; one that stalls longer is closed and its thread freed.

That bounds each stall, not a client that trickles a byte every few seconds: in production the
hotline runs behind a buffering proxy, which reads whole requests before it passes them on
(Caddy: deploy/hotline.caddy, tests/test_caddy.py), and gunicorn listens on loopback only."""

from __future__ import annotations

import os
from pathlib import Path

from gunicorn import glogging
from gunicorn.workers import gthread

READ_TIMEOUT = 5.0  # seconds any one read or write on a client's socket may wait
THREADS = 8


class _BoundedConn(gthread.TConn):
    def init(self):
        super().init()
        # on every request of the connection (init() is called each time, and returns at once
        # after the first): after the worker's setblocking(True), which clears a timeout
        self.sock.settimeout(READ_TIMEOUT)


class BoundedThreadWorker(gthread.ThreadWorker):
    """gthread, with a time limit on every read and write of a client's connection."""

    def accept(self, listener):
        import errno

        try:
            client_sock, client_addr = listener.accept()
            self.nr_conns += 1
            client_sock.setblocking(True)
            self.enqueue_req(_BoundedConn(self.cfg, client_sock, client_addr, listener.getsockname()))
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise


def metrics_folder(instance: str | Path) -> str:
    """Prometheus's multiprocess mode for this gunicorn: PROMETHEUS_MULTIPROC_DIR (the
    operator's, or instance/metrics), emptied (its docs: wiped between runs, or the counts of
    processes long gone are summed in) and set in the environment. Called in the master before
    any app is built: prometheus_client chooses how it counts when it is first imported, so
    `hotline serve` (one process, its app built before gunicorn starts) does not use it."""
    folder = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or Path(instance) / "metrics")
    if folder.is_dir():
        for stale in folder.glob("*.db"):
            stale.unlink()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return str(folder)


def _starting(_server) -> None:
    """gunicorn's on_starting, in the Procfile's master: metrics counted across its workers, and
    the warning `hotline serve` gives when Redis could evict jobs (hotline/store/redis_conn.py)."""
    instance = os.environ.get("HOTLINE_INSTANCE") or "instance"
    metrics_folder(instance)
    if os.environ.get("REDIS_URL"):
        from hotline.store.redis_conn import connect, warn_if_evicting

        warn_if_evicting(connect(os.environ["REDIS_URL"], Path(instance)))


def _worker_gone(_server, worker) -> None:
    """gunicorn's child_exit: a worker that exited (or was killed) leaves its counts, which stay
    in the sums; only its live gauges (none here yet) are dropped."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def settings(bind: str) -> dict:
    """The settings `hotline serve` applies, and this module's names below for the Procfile."""
    return {
        "bind": bind,
        "workers": int(os.environ.get("WEB_CONCURRENCY") or 2),
        "threads": THREADS,
        "worker_class": "hotline.web.server.BoundedThreadWorker",
        "timeout": 30,  # a worker whose main loop is stuck this long is restarted
        "graceful_timeout": 20,
        "keepalive": 2,  # an idle kept-alive connection is closed after 2 s (it holds no thread)
        "worker_connections": 200,  # connections a worker holds at once, idle ones included
        "limit_request_line": 4094,
        "limit_request_fields": 50,
        "limit_request_field_size": 8190,
        "accesslog": None,  # access logs would carry phone numbers in query strings
        # gunicorn's control socket is one per user ($HOME/.gunicorn/gunicorn.ctl): a second
        # hotline (or a test's) would take it over and remove it. Nothing here uses it.
        "control_socket_disable": True,
        "child_exit": _worker_gone,
        "logger_class": "hotline.web.server.Logger",
    }


class Logger(glogging.Logger):
    """gunicorn's own lines ("Listening at …", "Booting worker …") as the hotline's are written:
    the staff's time with its zone, level, logger (not "[… +0000] [pid] [INFO]" beside them)."""

    def setup(self, cfg) -> None:
        from hotline.clock import LOG_FORMAT, StaffClock

        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(StaffClock(LOG_FORMAT))


def _scrubbed_logs(_server_or_worker) -> None:
    from hotline.privacy.logfilter import install

    install()  # gunicorn's error log has its handlers by now


# -- the Procfile's `gunicorn -c python:hotline.web.server` reads these names -----------------
# loopback: Caddy (deploy/) in front is the only way in; a platform that routes to the process
# binds it wider itself (GUNICORN_CMD_ARGS="--bind 0.0.0.0:$PORT")
_own = settings(f"127.0.0.1:{os.environ.get('PORT') or 5000}")
bind = _own["bind"]
workers = _own["workers"]
threads = _own["threads"]
worker_class = _own["worker_class"]
timeout = _own["timeout"]
graceful_timeout = _own["graceful_timeout"]
keepalive = _own["keepalive"]
worker_connections = _own["worker_connections"]
limit_request_line = _own["limit_request_line"]
limit_request_fields = _own["limit_request_fields"]
limit_request_field_size = _own["limit_request_field_size"]
accesslog = _own["accesslog"]
control_socket_disable = _own["control_socket_disable"]
child_exit = _own["child_exit"]
logger_class = _own["logger_class"]
on_starting = _starting  # here only: the app is loaded in each worker, after this
when_ready = _scrubbed_logs
post_worker_init = _scrubbed_logs
