"""`hotline serve` and `hotline worker`: the hotline's two processes. Each brings the store up
to date first, as `hotline db upgrade` does, so the Procfile's worker and `make run` need no
step of their own."""

from __future__ import annotations

import click

from hotline.cli.common import setup_logging


@click.command(help="the web server")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="default: $PORT, else 5000")
def serve(host: str, port: int | None) -> int:
    import signal

    from gunicorn.app.base import BaseApplication

    from hotline.services import current, upgrade
    from hotline.web import server as webserver
    from hotline.web.app import create_app, simulator_enabled

    setup_logging()
    svc = current()  # the process's, from the environment; the app's too
    upgrade(svc)
    settings = svc.settings
    port = port or settings.port
    redis_checked(svc)  # the embedded Redis, if any, starts here: in gunicorn's master, not a fork
    app = create_app(services=svc)
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host

    def when_ready(server):  # listening: only now is the URL worth printing
        from hotline.privacy.logfilter import install

        install()
        if simulator_enabled(settings):
            print(f"hotline is up: phone simulator at http://{shown}:{port}/simulator/", flush=True)
        else:  # outside the demo there is no simulator to point at
            print(f"hotline is up at http://{shown}:{port}/", flush=True)
        print(f"staff console at http://{shown}:{port}/console/ (hotline staff set-password NAME first)", flush=True)

    def post_worker_init(worker):
        from hotline.privacy.logfilter import install

        install()  # gunicorn's error log has its handlers by now
        # gthread's worker stops on SIGINT/SIGQUIT by shutting its thread pool down inside the
        # signal handler, which deadlocks when the signal lands while its main thread holds the
        # pool's lock (Ctrl-C reaches the master and the worker both, and the master then sends
        # QUIT): the master kills it 30 s later. Stop gracefully instead, as on TERM, which only
        # wakes the worker's loop.
        signal.signal(signal.SIGINT, worker.handle_exit)
        signal.signal(signal.SIGQUIT, worker.handle_exit)

    class Server(BaseApplication):
        def load_config(self):
            # hotline/web/server.py: bounded reads (slow clients), keepalive, request limits
            for name, value in webserver.settings(f"{host}:{port}").items():
                self.cfg.set(name, value)
            self.cfg.set("workers", 1)  # the embedded Redis and SQLite: one process serves
            self.cfg.set("when_ready", when_ready)
            self.cfg.set("post_worker_init", post_worker_init)

        def load(self):
            return app

    Server().run()
    return 0


@click.command(help="the RQ worker with its scheduler")
@click.option("--burst", is_flag=True, help="run what is queued and due, then exit")
def worker(burst: bool) -> int:
    from hotline.jobs.worker import run
    from hotline.services import current, upgrade
    from hotline.web.app import refuse_unrotated

    setup_logging()
    svc = current()
    upgrade(svc)
    refuse_unrotated(svc)
    redis_checked(svc)  # the embedded Redis, if any, started here (unless the web has) before RQ forks its scheduler
    run(svc, burst=burst)
    return 0


def redis_checked(svc) -> None:
    """The process's Redis client made at start: a REDIS_URL that cannot work stops the start in a
    line naming it (never its password); a Redis that may evict jobs is warned of. A Redis that is
    merely down is no reason to stop: the worker waits for it, the web answers without it."""
    from hotline.store.redis_conn import RedisURLError, warn_if_evicting

    try:
        conn = svc.redis
    except RedisURLError as exc:
        raise click.ClickException(str(exc)) from None
    warn_if_evicting(conn)
