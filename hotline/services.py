"""The parts of a running hotline, built once per process from Settings: Redis, the store, the
flows, the catalogs, the staff, the queue and outbound. The web app, the worker and the CLI all
use the same object, and reach it one way: `current()`.

Building a Services opens nothing and changes nothing. Bringing the store up to date (Alembic,
and the first staff import) is `upgrade()`, which is `hotline db upgrade`: `make run`, `hotline
serve` and `hotline worker` run it as they start, the tests' fixtures as they build a store."""

from __future__ import annotations

import logging
import time
from datetime import datetime, tzinfo
from functools import cached_property
from pathlib import Path

from flask import current_app, has_app_context
from rq import Queue

from hotline import engine
from hotline.clock import Clock
from hotline.config.settings import SAMPLE_STAFF, Settings
from hotline.config.yamlsource import YAMLSourceError
from hotline.engine.flowset import lexicon_folder
from hotline.i18n import Catalog
from hotline.jobs.enqueue import LANES, REST, lane_queue
from hotline.people.staff import Staff, import_staff, load_staff, staff_from_store
from hotline.response.policies import load_policies
from hotline.response.referrals import load_directory
from hotline.response.whatsapp_templates import Templates, load_templates
from hotline.store import Store
from hotline.store.conversations import Conversations
from hotline.store.journal import Journal, path_for
from hotline.store.redis_conn import connect
from hotline.transport.outbound import Outbound

log = logging.getLogger(__name__)
STAFF_TTL = 10.0


def _files_of(path: str) -> tuple:
    """What the flows are read from, as it stands on disk: the flow files and the lexicons."""
    root = Path(path)
    files = sorted(root.rglob("*.yaml")) if root.is_dir() else [root]
    files += sorted(lexicon_folder(path).glob("*/lexicon.yaml"))
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists())


_read: dict[tuple, object] = {}


def read_once(loader, path: str, files: tuple | None = None):
    """`loader(path)`, once per process while the files it reads are unchanged on disk. Every test,
    CLI command and worker builds Services, and reading (and linting) the flows, the policies and
    the referrals is most of that; what they give is never changed afterwards."""
    if files is None:
        files = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in [Path(path)] if f.exists())
    key = (loader.__module__, loader.__name__, str(Path(path).resolve()), files)
    if key not in _read:
        if len(_read) > 32:  # edited files: their old readings go
            _read.clear()
        _read[key] = loader(path)
    return _read[key]


def load_flows(path: str) -> tuple:
    return read_once(engine.load, path, _files_of(path))


class Services:
    def __init__(self, settings: Settings, twilio_client=None, clock: Clock | None = None):
        self.settings = settings
        self.clock = clock or Clock()  # the one clock: the store stamps its rows from it too
        self.store = Store(settings.database_url, settings.secret_key, self.clock)
        self.store.journal = Journal(path_for(settings.instance))  # every erasure, for a restore (store/backup.py)
        self.catalog = Catalog()
        self.outbound = Outbound(settings, self.store, twilio_client)
        self.flows, problems = load_flows(settings.flows_path)
        for problem in problems:
            log.error("flow problem: %s", problem)
        self.policies = read_once(load_policies, settings.policies_path)  # a broken file stops the start, loudly
        # districts are checked against the flows by `hotline flows check`, not at start
        self.referrals = read_once(load_directory, settings.referrals_path)
        self._staff: Staff | None = None
        self._staff_at = 0.0

    @property
    def staff(self) -> Staff:
        """Who is who, from the store; re-read every STAFF_TTL seconds so an import reaches the
        web app and the worker without a restart."""
        if self._staff is None or time.monotonic() - self._staff_at > STAFF_TTL:
            self._staff = staff_from_store(self.store)
            self._staff_at = time.monotonic()
        return self._staff

    def reload_staff(self) -> None:
        self._staff = None

    def alert_call_url(self, notification_id: int) -> str:
        """The TwiML (or, on Exotel, the ExoML) a staff member's alert call plays, fetched when she answers."""
        base = self.settings.public_url or f"http://127.0.0.1:{self.settings.port}"
        if self.settings.voice_provider == "exotel":
            from hotline.transport.exotel import with_credentials

            return with_credentials(self.settings, f"{base}/exotel/voice/alert?n={notification_id}")
        return f"{base}/twilio/voice/alert?n={notification_id}"

    @cached_property
    def whatsapp_templates(self) -> Templates:
        """whatsapp.yaml (HOTLINE_WHATSAPP_TEMPLATES), read at the first template sent."""
        return read_once(load_templates, self.settings.whatsapp_path)

    @cached_property
    def redis(self):
        return connect(self.settings.redis_url, self.settings.instance)

    @cached_property
    def conversations(self) -> Conversations:
        return Conversations(self.redis)

    @cached_property
    def queues(self) -> tuple[Queue, ...]:
        """The job lanes, in the order workers drain them (jobs/enqueue.py LANES)."""
        return tuple(Queue(name, connection=self.redis) for name in LANES)

    @property
    def queue(self) -> Queue:
        """The last lane (the rest): the one queue of before, which RQ's tools are pointed at."""
        return lane_queue(self.queues, REST)

    def now(self) -> datetime:
        return self.clock.now()


def upgrade(services: Services) -> None:
    """`hotline db upgrade`: the store's schema brought to Alembic's head (a new database gets
    every migration), then, while the store has nobody on its staff, the people of HOTLINE_STAFF
    (the sample on the embedded defaults; outside the demo, never the sample: the start stops).
    A staff file with problems is logged, not fatal: the hotline still starts, and `hotline staff
    import` says what to fix."""
    from hotline.config.production import staff_file_problem

    services.store.create()
    if not staff_from_store(services.store).people:
        problem = staff_file_problem(services.settings)
        if problem:  # outside the demo the sample's made-up staff would be alerted: stop, and say why
            raise SystemExit(problem)
        file = services.settings.staff_file
        try:
            staff = load_staff(file)
            import_staff(services.store, staff)
        except YAMLSourceError as exc:
            for problem in exc.problems:
                log.error("staff file problem: %s", problem)
        else:
            # said once, as it happens (#33: `make run` never told a new user whose numbers the
            # alerts go to); the sample's people are made up, which is worth a warning
            names = ", ".join(p.name for p in staff.people)
            if Path(file).resolve() == SAMPLE_STAFF.resolve():
                log.warning("staff: imported the sample's %d made-up people (%s) from %s; put your own in "
                            "with `hotline staff import FILE --replace`", len(staff.people), names, file)
            else:
                log.info("staff: imported %d people (%s) from %s", len(staff.people), names, file)
    services.reload_staff()


def staff_zone() -> tzinfo | None:
    """The time zone of the process's staff, once its services are built (never builds them):
    the clock log lines are written on (hotline.cli.common)."""
    return _current.staff.zone if _current is not None else None


_current: Services | None = None


def current() -> Services:
    """The hotline's services, the one way every part reaches them. In a Flask app context (a
    request) the app's own, which create_app() keeps in `app.extensions["hotline"]`; elsewhere
    (the worker's jobs, the CLI) the process's: the one `use()` gave, else built once from the
    environment."""
    if has_app_context():
        return current_app.extensions["hotline"]
    global _current
    if _current is None:
        _current = Services(Settings.from_env())
    return _current


def use(services: Services | None) -> Services | None:
    """Make `services` the process's own (None: build it from the environment again at the next
    `current()`). The tests' fixture (conftest.make_services) calls this; nothing else should."""
    global _current
    _current = services
    return services
