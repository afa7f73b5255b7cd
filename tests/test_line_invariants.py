"""The whole line as a state machine (#26): Hypothesis picks what happens next — a survivor
writing on SMS or WhatsApp (a request, danger, free words, the safe word, DELETE, STOP, START, a
photo with or without a caption), counsellors and an officer acting (ACK, addressed and bare
replies, PASS, DONE, a LAP screen, an officer's addressed words), the coordinator removing a
counsellor from the staff file, the clock jumping a day or past retention, Redis going away and
coming back, a worker run (in burst, or waiting on the queue so that a job runs the moment it is
queued) — and after every step the invariants are checked against everything the line wrote:

- after her safe word, DELETE or STOP nothing reaches her (her control's own reply apart) until
  she writes again (START, after STOP);
- a counsellor's words reach only a woman whose case that counsellor held when she wrote them,
  and for an addressed reply only the woman of the case she named;
- every case someone holds is held by someone on the staff;
- after DELETE nothing of her is anywhere: no table (sealed values opened), no Redis key or value
  (job payloads included), no log line names her number, her keyed hash or her words;
- every webhook answers 200.

`make test` runs it small (HOTLINE_STATEFUL_EXAMPLES, _STEPS); `make faults` larger.

Sends are read where they leave the line: a spy on each provider of the local outbox records
every send as the provider is called (Twilio would have it by then), so an erasure of the
outbox's copy cannot hide one."""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import re
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from rq import Queue
from sqlalchemy import select, text

from hotline.jobs.enqueue import LANES
from hotline.jobs.retention import purge
from hotline.people.staff import import_staff, load_staff
from hotline.privacy.phones import caller_key
from hotline.response.ending import FORGET
from hotline.response.handback import hand_back_all
from hotline.store.models import Base, Case, Escalation, EscalationStatus
from hotline.web.app import create_app

from .conftest import ROOT, RedisProcess, emptied_postgresql, migrated_sqlite
from .helpers import new_sid, run_worker

EXAMPLES = int(os.environ.get("HOTLINE_STATEFUL_EXAMPLES", "12"))
STEPS = int(os.environ.get("HOTLINE_STATEFUL_STEPS", "30"))

WOMEN = {"A": "+919876500011", "B": "+919876500022"}
COUNSELLORS = {"Kavitha": "+919840000001", "Anjali": "+919840000002"}
RAMESH = "+919840000005"
STAFF = ROOT / "tests" / "data" / "staff.yaml"
SAFE_WORD = "RECIPE"
SCREENED_IN = ["LAP", "2", "no", "yes", *["no"] * 9, "1"]  # tests/test_lap.py
FERNET = re.compile(r"gAAAAA[A-Za-z0-9_\-=]{20,}")


@dataclass
class Sent:
    to: str
    body: str
    seq: int


@dataclass
class Woman:
    number: str
    channel: str = "sms"  # the one she writes on
    blocked: str | None = None  # "safe_word" | "deleted" | "stopped": nothing may reach her now
    since: int = 0  # the number of sends when it began
    erased: bool = False  # the safe word or DELETE, and not a word since: nothing of her anywhere
    words: set[str] = field(default_factory=set)  # what she and her counsellors wrote, by marker
    gone: set[str] = field(default_factory=set)  # words of hers erased: never anywhere again


class Spy:
    """Every send the line makes, as the provider is asked to make it."""

    def __init__(self, svc):
        self.sent: list[Sent] = []
        self.seq = itertools.count()
        for provider in {id(p): p for p in svc.outbound.providers.values()}.values():
            self._wrap(provider)

    def _wrap(self, provider) -> None:
        for name in ("text", "whatsapp", "call"):
            original = getattr(provider, name, None)
            if original is None:
                continue

            def spy(to, body=None, *args, _original=original, **kwargs):
                self.sent.append(Sent(to.removeprefix("whatsapp:"), body or "", next(self.seq)))
                return _original(to, body, *args, **kwargs)

            setattr(provider, name, spy)


class Logs(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # a record that cannot be formatted is not evidence
            self.lines.append(self.format(record))


class Line(RuleBasedStateMachine):
    """One hotline, fresh for each example (its own store and Redis)."""

    factory = None  # set by the test: () -> (svc, redis process, logs)

    def __init__(self):
        super().__init__()
        self.svc, self.redis, self.logs = Line.factory()
        self.client = create_app(services=self.svc).test_client()
        self.spy = Spy(self.svc)
        self.women = {name: Woman(number) for name, number in WOMEN.items()}
        self.markers = itertools.count(1)
        self.allowed: dict[str, set[str]] = {}  # a counsellor's words (marker) -> numbers they may reach
        self.redis_up = True
        self.removed = False

    # -- how the line is driven ----------------------------------------------------------------

    def post(self, number: str, body: str, channel: str = "sms", **fields) -> str:
        frm = f"whatsapp:{number}" if channel == "whatsapp" else number
        to = "whatsapp:+914400000000" if channel == "whatsapp" else "+914400000000"
        form = {"From": frm, "To": to, "Body": body, "MessageSid": new_sid(), "AccountSid": "AC" + "0" * 32,
                "NumMedia": "0", **fields}
        reply = self.client.post("/twilio/sms", data=form)
        assert reply.status_code == 200, (reply.status_code, body)
        return reply.get_data(as_text=True)

    def marker(self, prefix: str) -> str:
        return f"{prefix}{next(self.markers):04d}"

    def codes(self) -> list[tuple[str, int, str | None]]:
        """(code, case id, whose number) of every escalation, newest first."""
        with self.svc.store.read() as s:
            rows = s.execute(select(Escalation.code, Escalation.case_id, Case.contact).join(
                Case, Case.id == Escalation.case_id).order_by(Escalation.id.desc())).all()
        return [(code, case_id, self.svc.store.unseal(contact)) for code, case_id, contact in rows]

    def held(self, staff_number: str) -> list[tuple[str, str | None]]:
        """(code, whose number) of what a staff member holds now."""
        person = self.svc.staff.find(staff_number)
        if person is None:
            return []
        with self.svc.store.read() as s:
            rows = s.execute(select(Escalation.code, Case.contact).join(Case, Case.id == Escalation.case_id).where(
                Escalation.acked_by == person.id, Escalation.status == EscalationStatus.ACKED)).all()
        return [(code, self.svc.store.unseal(contact)) for code, contact in rows]

    def wrote(self, who: str, control: str | None = None, mark: int | None = None) -> None:
        """What her message does to what may reach her: the safe word and DELETE end everything
        (and erase her, her STOP with the rest) until she writes again; STOP until START."""
        woman = self.women[who]
        if control in ("safe_word", "deleted"):
            woman.blocked, woman.since, woman.erased = control, mark, True
            woman.gone |= woman.words
            woman.words = set()
            return
        woman.erased = False  # anything else she sends is hers to keep again (a STOP is kept)
        if control == "stopped":
            woman.blocked, woman.since = control, mark
        elif control == "start" or woman.blocked in ("safe_word", "deleted"):
            woman.blocked = None

    # -- the survivors ---------------------------------------------------------------------------

    women_names = st.sampled_from(sorted(WOMEN))

    # (Hypothesis tries the first of each list most: WhatsApp, and the scenes where most can go wrong)
    @initialize(a=st.sampled_from(["whatsapp", "sms"]), b=st.sampled_from(["sms", "whatsapp"]),
                scene=st.sampled_from(["Kavitha's words wait for A", "A is talking to Kavitha", "a new day"]))
    def a_day_on_the_line(self, a, b, scene):
        """Each woman writes on one channel (SMS or WhatsApp), as women do; a worker waits on the
        queue, as in production (a rule runs it in bursts instead); and the day may begin with A
        talking to Kavitha, or with A silent for a day since and Kavitha's last words to her
        waiting (on WhatsApp: held behind the template, outside her 24-hour window)."""
        self.women["A"].channel, self.women["B"].channel = a, b
        self.worker(waiting=True)
        if scene != "a new day":
            self.asks_for_a_counsellor("A", english=True)
            self.acks("Kavitha", 0)
            if scene == "Kavitha's words wait for A":
                self.svc.clock.advance(hours=25)
                self.replies("Kavitha", 0, addressed=False)

    @rule(who=women_names, english=st.booleans())
    def asks_for_a_counsellor(self, who, english):
        woman = self.women[who]
        for body in ("hi", "1" if english else "2", "1", "1"):
            if self.redis_up or body == "hi":
                self.post(woman.number, body, woman.channel)
        self.wrote(who)

    @rule(who=women_names, urgent=st.booleans())
    def writes(self, who, urgent):
        woman = self.women[who]
        words = self.marker("W")
        self.post(woman.number, f"URGENT he has a knife {words}" if urgent else f"{words} are you there",
                  woman.channel)
        self.wrote(who)
        woman.words.add(words)

    @rule(who=women_names, word=st.sampled_from([SAFE_WORD, "DELETE", "STOP", "START"]))
    def control(self, who, word):
        mark = len(self.spy.sent)  # from the moment she sends it: nothing of her request's own may go
        self.post(self.women[who].number, word, self.women[who].channel)
        self.wrote(who, {SAFE_WORD: "safe_word", "DELETE": "deleted", "STOP": "stopped", "START": "start"}[word], mark)

    @rule(who=women_names, caption=st.sampled_from(["", SAFE_WORD, "DELETE", "URGENT he hit me"]))
    def sends_a_photo(self, who, caption):
        mark = len(self.spy.sent)
        url = f"https://api.twilio.com/2010-04-01/Accounts/AC{'0' * 32}/Messages/MM{next(self.markers):032d}/Media/ME{'1' * 32}"
        self.post(self.women[who].number, caption, "whatsapp", NumMedia="1", MediaUrl0=url,
                  MediaContentType0="image/jpeg")
        self.wrote(who, {SAFE_WORD: "safe_word", "DELETE": "deleted"}.get(caption), mark)

    # -- the staff ---------------------------------------------------------------------------------

    counsellors = st.sampled_from(sorted(COUNSELLORS))

    @rule(who=counsellors, pick=st.integers(0, 3))
    def acks(self, who, pick):
        codes = self.codes()
        if codes:
            self.post(COUNSELLORS[who], f"ACK {codes[pick % len(codes)][0]}")

    @rule(who=counsellors, pick=st.integers(0, 3), addressed=st.booleans())
    def replies(self, who, pick, addressed):
        number = COUNSELLORS[who]
        held = self.held(number)
        words = self.marker("M")
        if addressed:
            codes = self.codes()
            if not codes:
                return
            code = codes[pick % len(codes)][0]
            self.allowed[words] = {n for c, n in held if c == code and n}
            self.post(number, f"{code} {words} is he beside you?")
        else:
            self.allowed[words] = {n for _, n in held if n} if len({n for _, n in held}) == 1 else set()
            self.post(number, f"{words} is he beside you?")
        for woman in self.women.values():
            if woman.number in self.allowed[words]:
                woman.words.add(words)

    @rule(who=counsellors, pick=st.integers(0, 3), command=st.sampled_from(["DONE", "PASS"]))
    def closes_or_passes(self, who, pick, command):
        codes = self.codes()
        if codes:
            self.post(COUNSELLORS[who], f"{command} {codes[pick % len(codes)][0]}")

    @rule(pick=st.integers(0, 3), screens=st.booleans())
    def officer(self, pick, screens):
        """SI Ramesh screens another woman (LAP), or writes to the one holding a request of his."""
        codes = [c for c, _, n in self.codes() if n == RAMESH]
        if screens or not codes:
            for body in SCREENED_IN:
                self.post(RAMESH, body)
        else:
            self.post(RAMESH, f"{codes[pick % len(codes)]} {self.marker('P')} she is at her mother's")

    @precondition(lambda self: not self.removed)
    @rule()
    def coordinator_removes_kavitha(self):
        listed = STAFF.read_text()
        start, end = listed.index("  - name: Kavitha"), listed.index("  - name: Anjali")
        path = self.svc.settings.instance / "staff-without-kavitha.yaml"
        path.write_text(listed[:start] + listed[end:])
        import_staff(self.svc.store, load_staff(str(path)), replace=True)
        self.svc.reload_staff()
        hand_back_all(self.svc)  # as `hotline staff import` does (Redis away: the store is enough)
        self.removed = True

    # -- time, Redis, the worker -------------------------------------------------------------------

    @rule(hours=st.sampled_from([25, 24 * 200]))
    def time_passes(self, hours):
        self.svc.clock.advance(hours=hours)
        purge(self.svc, self.svc.settings.retention_days)

    @rule()
    def redis_goes_away_or_comes_back(self):
        if self.redis_up:
            self.redis.stop()
        else:
            self.redis.start()
        self.redis_up = not self.redis_up

    @precondition(lambda self: self.redis_up)
    @rule(waiting=st.booleans())
    def worker(self, waiting):
        """The worker: one run in burst now (jobs wait for the next run from here on), or a worker
        waiting on every lane, so that each job runs the moment it is queued (RQ's own synchronous
        queue)."""
        run_worker(self.svc)
        self.svc.queues = tuple(Queue(name, connection=self.svc.redis, is_async=not waiting) for name in LANES)

    # -- what must hold after every step -----------------------------------------------------------

    @invariant()
    def nothing_reaches_her_after_her_control(self):
        for woman in self.women.values():
            if woman.blocked:
                late = [s for s in self.spy.sent[woman.since:] if s.to == woman.number]
                assert not late, f"after {woman.blocked}, the line sent her {[s.body for s in late]}"

    @invariant()
    def a_counsellors_words_reach_only_the_woman_they_were_for(self):
        for s in self.spy.sent:
            for words in re.findall(r"M\d{4}", s.body):
                if s.to in WOMEN.values():
                    assert s.to in self.allowed.get(words, set()), f"{words} reached {s.to}: {s.body}"

    @invariant()
    def every_held_case_is_held_by_someone_on_the_staff(self):
        with self.svc.store.read() as s:
            holders = s.scalars(select(Escalation.acked_by).where(Escalation.status == EscalationStatus.ACKED)).all()
        assert all(self.svc.staff.get(h) is not None for h in holders), holders

    @invariant()
    def nothing_of_her_is_left_after_delete(self):
        for woman in self.women.values():
            needles = set(woman.gone)
            if woman.erased:
                needles |= {woman.number, woman.number[3:], caller_key(woman.number, self.svc.settings.secret_key)}
            if not needles:
                continue
            found = [(where, n) for where, value in self.everything() for n in needles if n in value]
            assert not found, f"after DELETE, still here: {found[:5]}"

    @invariant()
    def no_log_line_names_a_number(self):
        for line in self.logs.lines:
            for number in (*WOMEN.values(), *COUNSELLORS.values(), RAMESH):
                assert number[3:] not in line, line

    def everything(self):
        """(where, text) of every value the line holds: each table's rows (sealed values opened),
        each Redis key and value."""
        store = self.svc.store
        with store.read() as s:
            for table in Base.metadata.sorted_tables:
                for row in s.execute(text(f"SELECT * FROM {table.name}")).mappings().all():  # noqa: S608
                    if row.get("kind") == FORGET:
                        continue  # her key, kept while Redis is away to forget her there (response/ending.py)
                    for value in row.values():
                        if value is None:
                            continue
                        value = str(value)
                        yield table.name, value
                        for token in FERNET.findall(value):
                            yield f"{table.name} (sealed)", store.unseal(token) or ""
        if self.redis_up:
            r = self.svc.redis
            for k in r.scan_iter(count=1000):
                yield "redis key", k.decode(errors="replace")
                kind = r.type(k).decode()
                values = {"string": lambda k=k: [r.get(k)], "hash": lambda k=k: list(r.hgetall(k).values()),
                          "list": lambda k=k: r.lrange(k, 0, -1), "set": lambda k=k: list(r.smembers(k)),
                          "zset": lambda k=k: r.zrange(k, 0, -1)}.get(kind, lambda: [])()
                for value in values:
                    if value is not None:
                        yield f"redis {kind}", value.decode(errors="replace") if isinstance(value, bytes) else str(value)

    def teardown(self):
        if not self.redis_up:
            self.redis.start()


def run_line(make_services, database_url, tmp_path, kind, _sqlite_template):
    examples = itertools.count()
    redis_server = RedisProcess(tmp_path / "redis")
    (tmp_path / "redis").mkdir()
    redis_server.start()
    logs = Logs()
    root = logging.getLogger()

    def factory():
        n = next(examples)
        if kind == "sqlite":
            url = migrated_sqlite(_sqlite_template, tmp_path / f"line-{n}.db")
        else:
            url = database_url
            emptied_postgresql(url)
        if not redis_server.proc:
            redis_server.start()
        import redis as redis_py

        redis_py.Redis.from_url(redis_server.url).flushdb()
        svc = make_services(database_url=url, redis_url=redis_server.url, safe_word=SAFE_WORD,
                            instance=tmp_path / f"instance-{n}")
        logs.lines.clear()
        return svc, redis_server, logs

    Line.factory = staticmethod(factory)
    root.addHandler(logs)
    try:
        run_state_machine_as_test(Line, settings=settings(
            max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=True,
            suppress_health_check=list(HealthCheck)))
    finally:
        root.removeHandler(logs)
        redis_server.stop()


def test_the_line_keeps_her_controls_over_any_interleaving(make_services, database_url, tmp_path, _sqlite_template):
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    run_line(make_services, database_url, tmp_path, kind, _sqlite_template)


