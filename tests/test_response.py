"""The coordinated response end to end, on real Redis and the store (SQLite and PostgreSQL):
police asking for NGO accompaniment, safe call-backs inside her window, follow-ups, referrals,
and the survivor's controls. The test owns the clock: the hotline's and RQ's scheduler's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hotline.jobs.retention import purge
from hotline.people.pin import set_pin
from hotline.store.models import Case, Escalation, FollowUp, Referral, Relay

from .helpers import last_sent, latest, run_worker, sent, texts

SURVIVOR = "+919876543210"
KAVITHA, ANJALI, MEENA, PRIYA, RAMESH, REVATHI = (f"+9198400000{n:02d}" for n in (1, 2, 3, 4, 5, 6))
MORNING = datetime(2026, 11, 25, 4, 30, tzinfo=UTC)  # 10:00 in Asia/Kolkata
A_YEAR_ON = MORNING + timedelta(days=365)  # the same hour a year later: nothing depends on today


class Clock:
    """The hotline's clock (svc.now) and the scheduler's, moved together by the test: each
    scheduled job runs at its own time, as it would have, one after the other."""

    def __init__(self, svc, start: datetime):
        self.svc, self.start = svc, start
        svc.clock.set(start)

    @property
    def at(self) -> datetime:
        return self.svc.clock.now()

    @at.setter
    def at(self, moment: datetime) -> None:
        self.svc.clock.set(moment)

    def to(self, moment: datetime) -> None:
        from rq.registry import ScheduledJobRegistry

        lanes = [ScheduledJobRegistry(queue=queue).key for queue in self.svc.queues]
        while True:
            run_worker(self.svc, burst=True, until=self.at)
            firsts = [f for key in lanes for f in self.svc.redis.zrange(key, 0, 0, withscores=True)]
            first = min((score for _, score in firsts), default=None)
            if first is None or first > moment.timestamp():
                break
            self.at = max(self.at, datetime.fromtimestamp(first, UTC))
        self.at = moment
        run_worker(self.svc, burst=True, until=moment)

    def by(self, **delta) -> None:
        self.to(self.at + timedelta(**delta))


@pytest.fixture
def start() -> datetime:
    """Where the test's clock starts (a test may parametrize it: a year on, say)."""
    return MORNING


@pytest.fixture
def line(make_app, database_url, start):
    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    return app.test_client(), svc, Clock(svc, start)


# -- police and NGO accompaniment -------------------------------------------------------------------


def test_an_officer_asks_for_a_tamil_speaking_ngo_representative_and_is_told_who_is_coming(line):
    client, svc, clock = line
    texts(client, RAMESH, "hello", "1", "Madurai", "1", "CR 114/2026", "1")  # accompany; where; now; ref; Tamil
    clock.by(seconds=1)
    e = latest(svc)
    assert (e.kind, e.role, e.lang, e.details["area"], e.details["case_ref"]) == (
        "accompaniment", "ngo", "ta", "madurai", "CR 114/2026")
    alerts = sent(svc)
    assert [to for to, _ in alerts] == [MEENA]  # the NGO representative on shift who speaks Tamil
    mark = last_sent(svc)
    texts(client, MEENA, f"ACK {e.code}")
    clock.by(seconds=1)
    told = dict(sent(svc, mark))
    assert "Meena" in told[RAMESH] and e.code in told[RAMESH] and MEENA not in told[RAMESH]
    assert f"{e.code} " in told[RAMESH]  # he is told how to write to her: his request's code first
    mark = last_sent(svc)
    texts(client, RAMESH, f"{e.code} We are at the gate, blue house")  # addressed, as staff address theirs
    clock.by(seconds=1)
    assert f"{e.code}: We are at the gate, blue house" in dict(sent(svc, mark))[MEENA]  # through the relay


def test_with_nobody_accepting_the_coordinator_is_alerted_and_the_officer_told(line):
    client, svc, clock = line
    texts(client, RAMESH, "hi", "1", "Salem", "2", "3pm", "0", "3")  # later today, any language
    clock.by(seconds=1)
    clock.by(hours=2)  # the NGO policy runs out
    e = latest(svc)
    assert e.status == "unanswered"
    out = sent(svc)
    assert any(to == PRIYA and e.code in body for to, body in out)
    assert any(to == RAMESH and e.code in body for to, body in out)


def test_police_words_from_an_unregistered_number_get_the_survivor_flow(line):
    client, svc, _ = line
    (reply,) = texts(client, "+919811112222", "accompaniment request CR 114")
    assert "Choose a language" in reply[0] or "மொழி" in reply[0]
    with svc.store.session() as s:
        assert s.scalars(select(Escalation)).all() == []


# -- safe call-backs ---------------------------------------------------------------------------------


def ask_callback(client, window="4-6pm"):
    texts(client, SURVIVOR, "hi", "1", "1", "3", window)  # English; safe; call me back; her window


@pytest.mark.parametrize("start", [MORNING, A_YEAR_ON], ids=["today", "a-year-on"])
def test_a_callback_alerts_when_her_window_opens_and_reaches_her_only_inside_it(line):
    client, svc, clock = line
    ask_callback(client)
    e = latest(svc)
    assert (e.kind, e.details["window"]) == ("callback", "16:00-18:00")
    clock.to(clock.start + timedelta(hours=5, minutes=59))  # 15:59: not yet
    assert sent(svc) == []
    clock.to(clock.start + timedelta(hours=6, seconds=1))  # 16:00:01 — the window is open
    assert [to for to, _ in sent(svc)] == [KAVITHA]
    assert e.code in sent(svc)[0][1] and "4-6" in sent(svc)[0][1]  # her window, as Kavitha reads times
    texts(client, KAVITHA, f"ACK {e.code}")
    mark = last_sent(svc)
    texts(client, KAVITHA, "Hello, this is the counsellor. Is now still a good time?")
    clock.by(seconds=1)
    assert [to for to, _ in sent(svc, mark)] == [SURVIVOR]  # inside her window: relayed
    clock.to(clock.start + timedelta(hours=8, minutes=1))  # 18:01: the window has closed
    mark = last_sent(svc)
    texts(client, KAVITHA, "Calling you tomorrow?")
    clock.by(seconds=1)
    assert SURVIVOR not in [to for to, _ in sent(svc, mark)]  # refused, and Kavitha is told why
    with svc.store.session() as s:
        assert s.scalars(select(Relay.status).order_by(Relay.id.desc())).first() == "refused"
    # a counsellor's call to the hotline is not put through outside the window either, PIN or not
    set_pin(svc.store, "Kavitha", "2468")
    client.post("/twilio/voice", data={"From": KAVITHA, "CallSid": "CA77"})
    call = client.post("/twilio/voice/staff/pin", data={"From": KAVITHA, "CallSid": "CA77", "Digits": "2468"}
                       ).get_data(as_text=True)
    assert "<Dial" not in call and SURVIVOR not in call
    assert svc.catalog.own("voice_call_refused_window", "ta", window=e.details["window"]) in call  # and why


def test_a_callback_window_that_passes_unclaimed_tells_the_coordinator_and_not_her(line):
    client, svc, clock = line
    ask_callback(client)
    clock.to(clock.start + timedelta(hours=8, seconds=1))  # 18:00:01, nobody took it
    e = latest(svc)
    assert e.status == "expired"
    out = sent(svc)
    assert any(to == PRIYA and e.code in body for to, body in out)
    assert SURVIVOR not in [to for to, _ in out]


def test_a_callback_case_closed_after_her_window_sends_her_no_closing_line(line):
    client, svc, clock = line
    ask_callback(client)
    clock.to(clock.start + timedelta(hours=6, seconds=1))  # 16:00:01, her window is open
    texts(client, KAVITHA, f"ACK {latest(svc).code}")
    clock.to(clock.start + timedelta(hours=12))  # 22:00, long after it closed
    mark = last_sent(svc)
    texts(client, KAVITHA, f"DONE {latest(svc).code}")
    clock.by(seconds=1)
    assert SURVIVOR not in [to for to, _ in sent(svc, mark)]


def test_a_counsellor_calls_her_through_the_hotline_inside_the_window_with_the_hotlines_number(line):
    client, svc, clock = line
    ask_callback(client)
    clock.to(clock.start + timedelta(hours=6, seconds=1))
    texts(client, KAVITHA, f"ACK {latest(svc).code}")
    set_pin(svc.store, "Kavitha", "2468")  # a call from her number proves nothing by itself: her PIN
    asked = client.post("/twilio/voice", data={"From": KAVITHA, "CallSid": "CA78"}).get_data(as_text=True)
    assert "<Dial" not in asked and svc.catalog.own("voice_staff_pin_ask", "ta") in asked
    call = client.post("/twilio/voice/staff/pin", data={"From": KAVITHA, "CallSid": "CA78", "Digits": "2468"}
                       ).get_data(as_text=True)
    assert svc.catalog.own("voice_staff_connecting", "ta", code=latest(svc).code) in call  # whom, first
    assert f'<Dial callerId="+914400000000" timeout="30"><Number>{SURVIVOR}</Number></Dial>' in call


# -- follow-ups -------------------------------------------------------------------------------------


def test_followup_by_sms_comes_back_when_the_clock_reaches_it(line):
    client, svc, clock = line
    texts(client, SURVIVOR, "hi", "1", "1", "1")
    clock.by(seconds=1)
    e = latest(svc)
    texts(client, KAVITHA, f"ACK {e.code}")
    texts(client, KAVITHA, f"DONE {e.code}")  # a follow-up comes after the case is closed, too
    (set_reply,) = texts(client, KAVITHA, f"FOLLOWUP {e.code} 3d")
    assert e.code in set_reply[0] and "28" in set_reply[0]  # 28 Nov, as Kavitha reads dates
    clock.by(seconds=1)  # what the ACK set going (she is told a counsellor has her message)
    mark = last_sent(svc)
    clock.by(days=3, seconds=-61)
    assert sent(svc, mark) == []
    clock.by(seconds=61)
    ((to, body),) = sent(svc, mark)
    assert to == KAVITHA and e.code in body
    with svc.store.session() as s:
        assert s.scalars(select(FollowUp.status)).one() == "sent"


def test_a_followup_written_by_the_console_is_alerted_by_the_sweeper(line):
    client, svc, clock = line
    texts(client, SURVIVOR, "hi", "1", "1", "1")
    clock.by(seconds=1)
    with svc.store.session() as s:
        case = s.scalars(select(Case)).one()
        s.add(FollowUp(case_id=case.id, staff_id=None, due_at=MORNING + timedelta(hours=1),
                       note=svc.store.seal("check the protection order hearing")))
    mark = last_sent(svc)
    clock.by(hours=1, seconds=1)
    due = [to for to, body in sent(svc, mark) if body and "protection order hearing" in body]
    assert due == [PRIYA]  # nobody set it by name: the coordinator


# -- referrals --------------------------------------------------------------------------------------


def test_referrals_of_her_district_in_her_language(line):
    client, svc, clock = line
    texts(client, SURVIVOR, "வணக்கம்", "1", "2", "4", "சென்னை")  # Tamil; safe; information; one-stop; Chennai
    clock.by(seconds=1)
    (body,) = [body for to, body in sent(svc) if to == SURVIVOR]
    assert body.splitlines()[0].startswith("சகி ஒருங்கிணைந்த சேவை மையம், சென்னை: 181")
    with svc.store.session() as s:
        assert [(r.category, r.district) for r in s.scalars(select(Referral))][0] == ("one_stop", "chennai")


# -- the survivor's controls ----------------------------------------------------------------------------


def test_stop_holds_every_outbound_until_start(line):
    client, svc, clock = line
    texts(client, SURVIVOR, "hi", "1", "1", "1")
    clock.by(seconds=1)
    e = latest(svc)
    texts(client, KAVITHA, f"ACK {e.code}")
    texts(client, SURVIVOR, "STOP")
    mark = last_sent(svc)
    texts(client, KAVITHA, "Are you there?")
    clock.by(seconds=1)
    assert SURVIVOR not in [to for to, _ in sent(svc, mark)]
    texts(client, SURVIVOR, "START")
    texts(client, KAVITHA, "Are you there now?")
    clock.by(seconds=1)
    assert SURVIVOR in [to for to, _ in sent(svc, mark)]


@pytest.mark.parametrize("start", [MORNING, A_YEAR_ON], ids=["today", "a-year-on"])
def test_retention_purges_closed_cases_after_the_period(line, redis_client):
    from .test_actions import everything_in

    client, svc, clock = line
    texts(client, SURVIVOR, "hi", "1", "1", "1")
    clock.by(seconds=1)
    e = latest(svc)
    texts(client, KAVITHA, f"ACK {e.code}")
    texts(client, SURVIVOR, "my mother-in-law took my jewels")
    texts(client, KAVITHA, f"NOTE {e.code} dowry harassment, wants legal aid")
    texts(client, KAVITHA, f"DONE {e.code}")
    clock.by(seconds=1)
    assert purge(svc, days=30) == 0  # closed today: kept
    clock.by(days=31)
    assert purge(svc, days=30) == 1
    redis_client.flushdb()  # what Redis holds expires on its own; the store is what must be clean
    scan = everything_in(svc, redis_client)
    for trace in ("jewels", "dowry", SURVIVOR, "9876543210"):
        assert trace not in scan
