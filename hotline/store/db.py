"""Opening the store: SQLite under instance/ by default, PostgreSQL (or any SQLAlchemy URL) by
DATABASE_URL."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import InvalidToken
from sqlalchemy import create_engine, delete, event, make_url, select, text, update
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from hotline.clock import Clock
from hotline.store import legal
from hotline.store.models import (
    ACTIVE,
    ERASED,
    Action,
    ActionStatus,
    Audit,
    Case,
    CaseRecord,
    CaseStatus,
    ContactChannel,
    Escalation,
    FollowUp,
    HeldMessage,
    Note,
    OptOut,
    Outbox,
    ProviderRecord,
    Referral,
    Relay,
)

MIGRATIONS = Path(__file__).parent / "migrations"
FORGET_COPIES = "forget_copies"  # the Action that deletes the provider's copies of an erased case's media
# what erase_in and anonymise delete from or blank (legal.reduce's tables too)
ERASURE_TABLES = ("actions", "outbox", "contact_channels", "held_messages", "opt_outs", "audit", "referrals",
                  "provider_records",
                  "cases", "escalations", "relays", "notes", "followups", "case_records", "dirs", "dir_forwardings",
                  "court_orders", "offline_contacts")
# what anonymise blanks on an escalation: the risk level stays for the statistics, its reasons
# ("danger words: …", the ticked checklist), her details and the reason are her words and go
BLANKED = {"details": {}, "reason": "", "risk_reasons": None}
# what anonymise deletes by case_id (legal.TABLES are legal.reduce's; escalations are reduced to a stub)
CASE_TABLES = (Relay, Note, FollowUp, CaseRecord, Referral)


@lru_cache
def _heads(folder: str) -> frozenset[str]:
    """The migrations' head revisions: read once a process (Alembic compiles every script to know)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", folder)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (the driver we install), not psycopg2."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def private_sqlite_file(url: str) -> None:
    """A SQLite file is created readable by its owner only; SQLite gives its -wal and -shm files
    the same permissions."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    path.chmod(0o600)


PING_IDLE = 1.0  # seconds a pooled connection may lie unused and still be handed out without a ping


def _fresh(_dbapi_connection, record, *_args) -> None:
    """Connected, or back in the pool: its idle time starts."""
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(engine):
    """A pool checkout hook: a connection that lay idle in the pool for PING_IDLE seconds or more is
    pinged before use (the dialect's own ping: SELECT 1, outside any transaction); one that does not
    answer is dropped and the pool tries a fresh one (DisconnectionError: SQLAlchemy's recipe for
    pessimistic disconnect handling). A database restart takes longer than PING_IDLE, so every
    connection from before it is pinged; one used a moment ago, as in a burst of jobs, is not (that
    cost a round trip per transaction). A disconnect still met in a statement invalidates the whole
    pool (SQLAlchemy does), so the next checkouts connect afresh."""
    dialect = engine.dialect

    def checkout(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("idle_since", float("-inf")) < PING_IDLE:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 - whatever the driver says, this connection is done
            raise DisconnectionError("a pooled connection did not answer") from exc

    return checkout


class Store:
    def __init__(self, url: str, secret: str, clock: Clock | None = None,
                 old_secrets: tuple[str, ...] | None = None):
        self.clock = clock or Clock()
        self.journal = None  # the erasure journal (hotline/store/journal.py), set by Services
        url = normalise_url(url)
        sqlite = url.startswith("sqlite")
        if sqlite:
            private_sqlite_file(url)
        self.engine = create_engine(
            url,
            connect_args={"timeout": 15, "check_same_thread": False} if sqlite else {"connect_timeout": 3},
            # no ping on every checkout (pool_pre_ping): on PostgreSQL it cost a round trip for each
            # transaction, a tenth of a chain step's time under load (bench/escalation.py --profile),
            # and a connection is pinged only after lying idle in the pool (_ping_if_idle); a SQLite
            # file has no connection to lose, and its ping was 7% of an SMS step (bench/webhook.py)
            pool_pre_ping=False,
            # a database error's text would carry the statement's values (numbers, her words, the
            # local outbox's bodies) into every log line and RQ traceback that shows it
            hide_parameters=True,
        )
        if sqlite:
            # WAL: the web app and the worker share the file from two processes. Every transaction
            # begins IMMEDIATE, taking the write lock up front: SQLite ignores SELECT … FOR UPDATE,
            # and a job that reads "not sent yet" must not let another job read the same.
            @event.listens_for(self.engine, "connect")
            def _pragmas(conn, _record):
                conn.isolation_level = None  # let the "begin" hook below say how to begin
                cur = conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=15000")
                # what DELETE and the safe word remove is overwritten on disk, not just unlinked
                cur.execute("PRAGMA secure_delete=ON")
                cur.close()

            @event.listens_for(self.engine, "begin")
            def _begin(conn):
                # reads (store.read()) begin deferred: in WAL they never wait for a writer
                reading = conn.get_execution_options().get("hotline_read")
                conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

        else:
            event.listen(self.engine, "connect", _fresh)
            event.listen(self.engine, "checkin", _fresh)
            event.listen(self.engine, "checkout", _ping_if_idle(self.engine))

        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.readers = sessionmaker(self.engine.execution_options(hotline_read=True), expire_on_commit=False)
        event.listen(self.sessions, "before_flush", self._stamp)
        from hotline.config.settings import old_secrets as from_env
        from hotline.privacy.keys import fernet, sealing

        if old_secrets is None:  # SECRET_KEY_OLD, as Settings reads it
            old_secrets = tuple(from_env(os.environ.get("SECRET_KEY_OLD")))

        # sealed with the key derived from SECRET_KEY for sealing alone; opened with it, with the
        # keys of SECRET_KEY_OLD and with the pre-HKDF ones, until `hotline keys rotate` has run
        self._fernet = sealing(secret, tuple(old_secrets))
        self._primary = fernet(secret)  # what seals now

    def _stamp(self, session: Session, _context, _instances) -> None:
        """New rows get their stamped times (created_at, at, opened_at …) from the store's clock."""
        at = None
        for row in session.new:
            for column in row.__table__.columns:
                if column.info.get("stamped") and getattr(row, column.key) is None:
                    at = at or self.clock.now()
                    setattr(row, column.key, at)

    def alembic_config(self, connection=None):
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = connection
        return cfg

    def create(self) -> None:
        """Bring the schema up to date (Alembic migrations; a new database gets them all). Called
        by `hotline db upgrade` (hotline.services.upgrade), never as the store is opened."""
        from alembic import command

        if self.up_to_date():  # the usual case at every start: nothing to run
            return
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # two processes starting at once (web and worker) migrate one after the other
                conn.execute(text("SELECT pg_advisory_xact_lock(4242)"))
            command.upgrade(self.alembic_config(conn), "head")

    def up_to_date(self) -> bool:
        """Whether the schema is at Alembic's head (`hotline db upgrade` has run since the last
        migration was added); reads, changes nothing."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads()) == _heads(str(MIGRATIONS))

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session that only reads: safe to open while a write transaction is open elsewhere
        (even in the same thread, as the staff cache may be refreshed inside a job's transaction)."""
        with self.readers() as session, session.begin():
            yield session

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "down" for /healthz
            return False

    # -- contacts: the number, encrypted, only where the response must reach her ----------------
    def seal(self, number: str | None) -> str | None:
        return self._fernet.encrypt(number.encode()).decode() if number else None

    def unseal(self, token: str | None) -> str | None:
        if not token:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return None

    def reseal(self, token: str) -> str:
        """`token` re-encrypted with the current key (hotline keys rotate); ValueError when no
        key opens it."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("no key opens this field") from exc

    def needs_rotation(self, sample: int = 20) -> bool:
        """Whether the newest sealed numbers were sealed with another key than SECRET_KEY's
        (an old key, or the pre-HKDF one): her keyed hash then changed too, and her STOP would
        not be found under it until `hotline keys rotate` has run."""
        with self.read() as s:
            for model in (Case, Action):
                tokens = s.scalars(select(model.contact).where(model.contact.is_not(None))
                                   .order_by(model.id.desc()).limit(sample))
                for token in tokens:
                    try:
                        self._primary.decrypt(token.encode())
                    except InvalidToken:
                        return True
        return False

    # -- actions ---------------------------------------------------------------------------------
    def record_action(self, kind: str, caller_key: str, number: str | None, channel: str, lang: str,
                      payload: dict) -> int:
        with self.session() as s:
            action = Action(kind=kind, caller_key=caller_key, contact=self.seal(number), channel=channel,
                            lang=lang, payload=payload, status="pending")
            s.add(action)
            s.flush()
            s.add(Audit(event=f"action.{kind}", caller_key=caller_key, detail={"action": action.id}))
            return action.id

    def mark(self, action_id: int, status: str, error: str | None = None) -> None:
        with self.session() as s:
            action = s.get(Action, action_id)
            if action is None:
                return
            action.status = status
            action.error = error
            if status == "queued":
                action.queued_at = self.clock.now()
            if status in ("done", "failed"):
                action.done_at = self.clock.now()

    def audit(self, event_name: str, caller_key: str | None = None, staff_id: int | None = None, **detail) -> None:
        with self.session() as s:
            self.audit_in(s, event_name, caller_key, staff_id, **detail)

    @staticmethod
    def audit_in(s: Session, event_name: str, caller_key: str | None = None, staff_id: int | None = None,
                 **detail) -> None:
        """An audit row written in the caller's transaction (committed, or not, with what it records)."""
        s.add(Audit(event=event_name, caller_key=caller_key, staff_id=staff_id, detail=detail))

    # -- a survivor's controls ----------------------------------------------------------------------
    @staticmethod
    def lock_caller(s: Session, caller_key: str | None) -> None:
        """Her lock, for the rest of the caller's transaction: every send to her takes it before
        asking whether she may be reached (response/reach.py), and her controls take it before
        they act (response/ending.py, set_opt_out), so a send and a control never pass each other:
        a send that held it first is out before her control's reply; one that waited finds her
        control. PostgreSQL: a transaction-scoped advisory lock on her keyed hash; SQLite: every
        write transaction already begins IMMEDIATE, one writer at a time."""
        if caller_key and s.get_bind().dialect.name == "postgresql":
            digest = int.from_bytes(hashlib.blake2b(caller_key.encode(), digest_size=8).digest(), "big", signed=True)
            s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": digest})

    @staticmethod
    def open_case(s: Session, caller_key: str) -> Case | None:
        """Her open case (the newest, should there be more): what a new request of hers joins."""
        return s.scalars(select(Case).where(Case.caller_key == caller_key, Case.status == CaseStatus.OPEN)
                         .order_by(Case.id.desc())).first()

    def opted_out(self, caller_key: str, session: Session | None = None) -> bool:
        """STOP in force? Inside a transaction, pass its session: SQLite has one writer at a time,
        and a second session opened inside the first would wait for it."""
        if session is not None:
            return session.get(OptOut, caller_key) is not None
        with self.session() as s:
            return s.get(OptOut, caller_key) is not None

    def set_opt_out(self, caller_key: str, out: bool) -> None:
        with self.session() as s:
            self.lock_caller(s, caller_key)
            existing = s.get(OptOut, caller_key)
            if out and existing is None:
                s.add(OptOut(caller_key=caller_key))
            elif not out and existing is not None:
                s.delete(existing)

    def erase(self, caller_key: str) -> int:
        """DELETE: everything held about a caller goes (see erase_in), then SQLite's write-ahead
        log is folded into the file, whose freed pages secure_delete has zeroed."""
        with self.session() as s:
            gone = self.erase_in(s, caller_key)
        self.checkpoint()
        return gone

    def erase_in(self, s: Session, caller_key: str, *, audit: bool = True) -> int:
        """Erase a caller inside the caller's transaction. What stays, for the line's statistics,
        is an anonymous stub of each case: its escalations' times, priority, language and status,
        and which staff were alerted — no number, no hash, no words of hers or about her.
        `audit=False`: retention, which writes one row for all it erased."""
        if self.journal is not None:  # outside the store: a restore of an older backup erases her again
            self.journal.record(caller_key, self.clock.now())
        gone = s.execute(delete(Action).where(Action.caller_key == caller_key)).rowcount
        gone += s.execute(delete(Outbox).where(Outbox.about == caller_key)).rowcount
        s.execute(delete(ContactChannel).where(ContactChannel.caller_key == caller_key))
        gone += s.execute(delete(HeldMessage).where((HeldMessage.caller_key == caller_key)
                                                    | (HeldMessage.about == caller_key))).rowcount
        s.execute(delete(OptOut).where(OptOut.caller_key == caller_key))
        s.execute(delete(Audit).where(Audit.caller_key == caller_key))
        # Twilio's Message and Call records of her: deleted there too (transport/records.py)
        records = list(s.scalars(select(ProviderRecord.record).where(ProviderRecord.caller_key == caller_key)))
        s.execute(delete(ProviderRecord).where(ProviderRecord.caller_key == caller_key))
        gone += s.execute(delete(Referral).where(Referral.caller_key == caller_key)).rowcount
        case_ids = list(s.scalars(select(Case.id).where(Case.caller_key == caller_key)))
        gone += self.anonymise(s, case_ids, forget=records)
        if audit:
            s.add(Audit(event="caller.erased", caller_key=None, detail={"records": gone, "cases": len(case_ids)}))
        return gone

    def checkpoint(self) -> None:
        """After an erasure. SQLite: move the write-ahead log into the database file and truncate
        it, so words just erased do not linger in the -wal file until SQLite gets round to it.
        PostgreSQL: VACUUM the tables an erasure touches, so her rows do not stay on disk as dead
        tuples until autovacuum comes (erasures are rare; a table another VACUUM holds is skipped)."""
        if self.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table}"' for table in ERASURE_TABLES)
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f"VACUUM (SKIP_LOCKED) {names}"))
            return
        if self.engine.dialect.name != "sqlite":
            return
        raw = self.engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()

    def anonymise(self, s: Session, case_ids: list[int], forget: Iterable[str] = ()) -> int:
        """Reduce cases to their anonymous stub (DELETE, the safe word, and retention): their
        relayed messages, notes, follow-ups, records and referrals go; escalations keep only their
        times, priority, language and status; open ones are closed as erased. Returns the rows
        deleted. `forget`: more of the provider's copies to delete with theirs (sealed tokens:
        her Message and Call records, transport/records.py), in the same one action."""
        self._forget_copies(s, case_ids, list(forget))
        if not case_ids:
            return 0
        now = self.clock.now()
        gone = legal.reduce(s, self, case_ids)  # the legal records: a forwarded DIR is kept, reduced
        for table in CASE_TABLES:
            gone += s.execute(delete(table).where(table.case_id.in_(case_ids))).rowcount
        s.execute(update(Escalation).where(Escalation.case_id.in_(case_ids)).values(**BLANKED, next_at=None))
        s.execute(update(Escalation).where(Escalation.case_id.in_(case_ids), Escalation.status.in_(ACTIVE))
                  .values(status="erased", closed_at=now))
        s.execute(update(Case).where(Case.id.in_(case_ids), Case.status != CaseStatus.CLOSED).values(status="closed", closed_at=now))
        s.execute(update(Case).where(Case.id.in_(case_ids)).values(caller_key=ERASED, contact=None))
        return gone

    def _forget_copies(self, s: Session, case_ids: list[int], copies: list[str]) -> None:
        """What the provider still holds of these cases (voicemail recordings, WhatsApp media: their
        addresses are on the escalations) is to be deleted there too: one recorded action
        (jobs/tasks.py forget_copies), sealed and under no key of hers, kept until it is done."""
        # as sealed as they are: erasure never waits on opening them (forget_copies does)
        for details in s.scalars(select(Escalation.details).where(Escalation.case_id.in_(case_ids or [-1]))):
            details = details or {}
            if details.get("recording"):
                recording = details["recording"]  # sealed since #30; an older one is its address in clear
                copies.append(self.seal(recording) if recording.startswith(("https://", "http://")) else recording)
            copies += list(details.get("media", []))
        if copies:
            s.add(Action(kind=FORGET_COPIES, caller_key=ERASED, channel="", lang="", status="pending",
                         payload={"copies": copies}))

    def due_actions(self, stuck_after_seconds: int = 300, *, kinds: Iterable[str]) -> list[int]:
        """Pending actions of these kinds, and queued ones that never finished (a lost Redis, a
        killed worker): for the sweeper (hotline/jobs/sweeper.py)."""
        from datetime import timedelta

        cutoff = self.clock.now() - timedelta(seconds=stuck_after_seconds)
        with self.session() as s:
            rows = s.execute(
                select(Action.id).where(
                    (Action.status == ActionStatus.PENDING) | ((Action.status == ActionStatus.QUEUED) & (Action.queued_at < cutoff)),
                    Action.kind.in_(tuple(kinds)),
                ).order_by(Action.id)
            )
            return [r[0] for r in rows]
