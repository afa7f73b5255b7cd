"""`hotline serve | worker | outbox | staff`: the commands that need the hotline's services."""

from __future__ import annotations

import json
import logging
import os
import sys

from .config import Settings
from .phones import mask


def _logging() -> None:
    """Log lines on standard error, at LOG_LEVEL, and never a phone number or a message body
    (hotline.logfilter: on every handler, RQ's and gunicorn's too)."""
    from .logfilter import install

    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # the schema is brought up to date on every command: say so only when something goes wrong
    # (not ~9 lines of "Context impl …, Will assume transactional DDL, Running upgrade …")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    install()


def serve(host: str, port: int | None) -> int:
    import signal

    from gunicorn.app.base import BaseApplication

    from . import webserver
    from .app import create_app
    from .services import current

    settings = Settings.from_env()
    port = port or settings.port
    app = create_app(settings)
    if not settings.redis_url:
        current().redis  # noqa: B018 - the embedded Redis starts in this (gunicorn's master) process, not a fork
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host

    def when_ready(server):  # listening: only now is the URL worth printing
        from .logfilter import install

        install()
        print(f"hotline is up: phone simulator at http://{shown}:{port}/simulator/", flush=True)
        print(f"staff console at http://{shown}:{port}/console/ (hotline staff set-password NAME first)", flush=True)

    def post_worker_init(worker):
        from .logfilter import install

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
            # hotline/webserver.py: bounded reads (slow clients), keepalive, request limits
            for name, value in webserver.settings(f"{host}:{port}").items():
                self.cfg.set(name, value)
            self.cfg.set("workers", 1)  # the embedded Redis and SQLite: one process serves
            self.cfg.set("when_ready", when_ready)
            self.cfg.set("post_worker_init", post_worker_init)

        def load(self):
            return app

    Server().run()
    return 0


def worker(burst: bool) -> int:
    from .app import refuse_unrotated
    from .services import current
    from .worker import run

    svc = current()
    refuse_unrotated(svc)
    if not svc.settings.redis_url:
        svc.redis  # noqa: B018 - the embedded Redis (started here if the web app has not) before RQ forks its scheduler
    run(svc, burst=burst)
    return 0


def staff_time(svc, at):
    """A stored time (UTC; naive in the store) on the staff's clock: the staff file's timezone."""
    from datetime import UTC

    return (at.replace(tzinfo=UTC) if at.tzinfo is None else at).astimezone(svc.staff.zone)


def outbox(as_json: bool) -> int:
    """What went out, at the staff's time with its zone shown (as the console shows it)."""
    from .services import current

    svc = current()
    for row in svc.outbound.outbox():
        at = staff_time(svc, row.at)
        if as_json:
            item = {"to": row.to, "at": at.isoformat()}
            item.update({"body": row.body} if row.body is not None else {"call": row.call})
            print(json.dumps(item, ensure_ascii=False))
        else:
            print(f"{at:%Y-%m-%d %H:%M:%S} {at.tzname()}  to {row.to}  "
                  f"{row.body if row.body is not None else '[call] ' + row.call}")
    return 0


def staff_import(path: str, replace: bool = False) -> int:
    """Load a staff file into the store (the web app and the worker see it within seconds): adds
    and updates; with `replace`, also removes whoever the file does not list. Says what changed."""
    from .engine.yamlsource import YAMLSourceError
    from .services import current
    from .staff import import_staff, load_staff

    try:
        svc = current()
        staff = load_staff(path, svc.catalog.languages)
    except YAMLSourceError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{path}: nothing imported; fix the lines above and import again", file=sys.stderr)
        return 1
    result = import_staff(svc.store, staff, replace=replace)
    print(f"{path}: {len(staff.people)} people in the file")
    for line in result.lines():
        print(f"  {line}")
    return 0


def since_date(text: str, today):
    """'today', 'yesterday', '30/11/2026' (day first, as in India), '2026-11-30' -> a date; None
    when it is none of these."""
    from datetime import datetime, timedelta

    said = text.strip().lower()
    if said in ("today", "yesterday"):
        return today - timedelta(days=1 if said == "yesterday" else 0)
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(said, pattern).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(said).date()
    except ValueError:
        return None


def audit_export(since: str | None) -> int:
    """The audit log as CSV on standard output: who was notified when, who acknowledged, each
    relay. Callers appear only as their keyed hash; staff by name and masked number."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from . import csvfile
    from .services import current
    from .store.models import Audit

    svc = current()
    staff = svc.staff
    query = select(Audit).order_by(Audit.id)
    if since:
        start = since_date(since, svc.staff.local(svc.now()).date())
        if start is None:
            print(f'--since "{since}": give a day as today, yesterday, 30/11/2026 or 2026-11-30', file=sys.stderr)
            return 2
        # the day as the staff's clock has it, from its midnight, in UTC as the store keeps times
        query = query.where(Audit.at >= datetime.combine(start, datetime.min.time(), svc.staff.zone)
                            .astimezone(UTC).replace(tzinfo=None))
    out = csvfile.writer(sys.stdout)  # a staff name like "=HYPERLINK(…)" is not run as a formula
    out.writerow(["at", "event", "caller", "staff", "staff_number", "detail"])
    with svc.store.session() as s:
        for row in s.scalars(query):
            person = staff.get(row.staff_id)
            # the staff's time with its offset (2026-11-30T19:29:19+05:30), as a spreadsheet reads it
            out.writerow([staff_time(svc, row.at).isoformat(timespec="seconds"), row.event, row.caller_key or "", person.name if person else "",
                          mask(person.phone) if person else "", json.dumps(row.detail, ensure_ascii=False)])
    return 0


def staff_list() -> int:
    from .services import current

    svc = current()
    now = svc.now()
    for person in svc.staff.people:
        here = "on shift" if person.on_shift(svc.staff.local(now)) else "off"
        print(f"{person.name:24} {mask(person.phone):16} {','.join(person.roles):22} "
              f"{','.join(person.languages):8} {here}")
    return 0


def _not_one(who: str, ambiguous: bool) -> int:
    """A staff command's NAME_OR_PHONE that names two people, or nobody: say so, exit 1."""
    if ambiguous:
        print(f'more than one person is called "{who}": give the phone number instead', file=sys.stderr)
    else:
        print(f'nobody on the staff list is "{who}" (hotline staff list shows who is)', file=sys.stderr)
    return 1


def _set_secret(who: str, what: str, setter, done: str) -> int:
    """`staff set-password` and `staff set-pin`: the first line of standard input when it is not
    a terminal (scripts), else asked twice without echo; `setter(store, who, secret)` stores it."""
    import getpass

    from .console.auth import Ambiguous
    from .services import current

    if sys.stdin.isatty():
        secret = getpass.getpass(f"New {what} for {who}: ")
        if getpass.getpass("Again: ") != secret:
            print(f"the two {what}s differ; nothing changed", file=sys.stderr)
            return 1
    else:
        secret = sys.stdin.readline().rstrip("\r\n")
    try:
        member = setter(current().store, who, secret)
    except Ambiguous:
        return _not_one(who, ambiguous=True)
    except LookupError:
        return _not_one(who, ambiguous=False)
    except ValueError as exc:
        print(f"{exc}; nothing changed", file=sys.stderr)
        return 1
    print(f"{what} set for {member.name} ({mask(member.phone)}); {done}")
    return 0


def staff_set_password(who: str) -> int:
    """A console password: unlocks the account and ends its sessions."""
    from .console import auth

    return _set_secret(who, "console password", auth.set_password, "log in at /console/")


def staff_set_pin(who: str) -> int:
    """A phone PIN, without which a call is never put through to a survivor."""
    from .staff_pin import set_pin

    return _set_secret(who, "phone PIN", lambda store, name, pin: set_pin(store, name, pin.strip()),
                       "she enters it when she calls the hotline")


def staff_sign_out(who: str) -> int:
    """Every console session of a staff member ends at its next request."""
    from .console.auth import Ambiguous, find_member, sign_out_everywhere
    from .services import current

    store = current().store
    try:
        with store.read() as s:
            member = find_member(s, who)
    except Ambiguous:
        return _not_one(who, ambiguous=True)
    if member is None:
        return _not_one(who, ambiguous=False)
    sign_out_everywhere(store, member.id)
    store.audit("console.signed_out", staff_id=member.id, by="command")
    print(f"{member.name} ({mask(member.phone)}) is signed out of every console session")
    return 0


def keys_rotate() -> int:
    """Re-encrypt every sealed field with the key of SECRET_KEY and re-key every caller key
    (hotline.keys.rotate); the old secrets come from SECRET_KEY_OLD."""
    from .keys import rotate
    from .services import current

    svc = current()
    done = rotate(svc.store, svc.settings.secret_key, list(svc.settings.old_secret_keys), redis=svc.redis)
    print(f"{done.resealed} encrypted field(s) re-encrypted with the current key; {done.rekeyed} row(s) re-keyed "
          f"from {done.numbers} known number(s); {done.redis_keys} Redis key(s) renamed")
    if done.unreadable:
        print(f"{done.unreadable} encrypted field(s) open with no key given (is SECRET_KEY_OLD complete?): "
              "left as they are", file=sys.stderr)
    if done.unmatched:
        print(f"{done.unmatched} row(s) keyed by a number the store no longer holds: left under the old key "
              "(an opt-out of someone with no case among them: she is asked again by STOP)", file=sys.stderr)
    return 0


def run(args) -> int:
    _logging()
    if args.command == "keys":
        return keys_rotate()
    if args.command == "serve":
        return serve(args.host, args.port)
    if args.command == "worker":
        return worker(args.burst)
    if args.command == "outbox":
        return outbox(args.json)
    if args.command == "staff":
        if args.staff_command == "set-password":
            return staff_set_password(args.who)
        if args.staff_command == "set-pin":
            return staff_set_pin(args.who)
        if args.staff_command == "sign-out":
            return staff_sign_out(args.who)
        return staff_import(args.file, args.replace) if args.staff_command == "import" else staff_list()
    if args.command == "audit":
        return audit_export(args.since)
    if args.command in ("case", "outreach"):  # the legal casework (#18): hotline/casework/cli.py
        from .casework import cli as casework
        from .services import current

        if args.command == "case":
            return casework.case_dir(current(), args.case_id, args.output, args.lang)
        from .config import Settings
        from .i18n import Catalog

        return casework.outreach_material(Settings.from_env(), Catalog(), args.output, args.press_release)
    raise SystemExit(f"unknown command {args.command}")
