"""Do no harm, driven through the SMS webhook as Twilio posts it, on real Redis and both stores.

One test (or more) for each finding of the safety issue:
1. the safe word stops everything: no relay, no "taken" notice, no more pages, no bridge;
2. a counsellor's reply reaches only the woman it is addressed to;
4. one emergency at a time, and her words reach whoever holds her case;
5. codes cannot be guessed, and a staff phone cannot take alerts by sweeping codes;
6. DELETE leaves no trace: the outbox, delivery callbacks, the SQLite files;
7. a closed case closes well, and START in a relay shows no menu.
(3, a call proves nothing, is tests/test_voice_safety.py.)
After the safe word and after DELETE a scan of every table, Redis key, log record and SQLite
file (the write-ahead log included) finds neither her number, nor its hash, nor anyone's words.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from hotline.privacy.phones import caller_key
from hotline.store import Outbox
from hotline.store.models import Audit, Case, Escalation, FollowUp, Notification, Relay

from .helpers import messages, run_worker, sms_form
from .test_actions import everything_in

SURVIVOR, OTHER = "+919876543210", "+919812345678"
KAVITHA, ANJALI, MEENA, PRIYA, RAMESH, REVATHI = (f"+9198400000{n:02d}" for n in (1, 2, 3, 4, 5, 6))
SECRET = "test-secret"


@pytest.fixture
def line(make_app, database_url, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    return app.test_client(), svc


def text(client, number, *bodies) -> list[str]:
    """Each body posted as Twilio would; the reply's messages joined (empty: nothing said)."""
    return ["\n".join(messages(client.post("/twilio/sms", data=sms_form(number, b)).get_data(as_text=True)))
            for b in bodies]


def sent(svc, since=0) -> list[tuple[str, str]]:
    with svc.store.session() as s:
        return [(o.to, o.body or "") for o in s.scalars(select(Outbox).where(Outbox.id > since).order_by(Outbox.id))]


def to(svc, number, since=0) -> list[str]:
    return [body for who, body in sent(svc, since) if who == number]


def mark(svc) -> int:
    with svc.store.session() as s:
        return max([0, *s.scalars(select(Outbox.id))])


def escalations(svc) -> list[Escalation]:
    with svc.store.session() as s:
        return list(s.scalars(select(Escalation).order_by(Escalation.id)))


def own(svc, text_id, lang, **params) -> str:
    return svc.catalog.own(text_id, lang, **params)


def counsellor_holds(client, svc, survivor=SURVIVOR, counsellor=KAVITHA) -> Escalation:
    """She asks for a counsellor (English, safe, counsellor); the first alerted takes it."""
    text(client, survivor, "hi", "1", "1", "1")
    run_worker(svc, burst=True)
    e = escalations(svc)[-1]
    assert to(svc, counsellor), "the counsellor was alerted"
    (reply,) = text(client, counsellor, f"ACK {e.code}")
    assert e.code in reply
    run_worker(svc, burst=True)
    return e


# -- 1. the safe word stops everything -----------------------------------------------------------


def test_after_the_safe_word_nothing_reaches_her_and_everyone_alerted_is_told_neutrally(line):
    client, svc = line
    e = counsellor_holds(client, svc)
    text(client, SURVIVOR, "my husband Ravi burnt my arm")  # relayed to Kavitha
    run_worker(svc, burst=True)
    assert "Ravi" in to(svc, KAVITHA)[-1]

    (reply,) = text(client, SURVIVOR, "recipe")
    assert reply == svc.flows.get("survivor").message("innocuous")  # an ordinary shop's line
    start = mark(svc)
    (answer,) = text(client, KAVITHA, "Are you ok? Reply when safe")  # she was told nothing yet
    text(client, KAVITHA, f"ACK {e.code}")
    run_worker(svc, burst=True)
    assert to(svc, SURVIVOR, start) == []  # no relay, no "a counsellor has your message"
    assert own(svc, "esc_ended", "ta", code=e.code) in to(svc, KAVITHA, start)  # neutral, in her language
    assert "Ravi" not in "".join(to(svc, KAVITHA, start)) + answer
    assert escalations(svc)[-1].status == "ended"
    # a counsellor's call to the hotline is not put through either
    call = client.post("/twilio/voice", data={"From": KAVITHA, "CallSid": "CA9001"}).get_data(as_text=True)
    assert "<Dial" not in call and SURVIVOR not in call


def test_the_safe_word_stops_an_emergency_paging_and_tells_everyone_who_was_paged(line):
    client, svc = line
    text(client, SURVIVOR, "URGENT")
    run_worker(svc, burst=True)
    paged = {who for who, _ in sent(svc)} - {SURVIVOR}
    assert len(paged) >= 2  # an emergency fans out
    text(client, SURVIVOR, "RECIPE")
    start = mark(svc)
    with svc.store.session() as s:  # the chain's next rounds are due
        for row in s.scalars(select(Escalation)):
            row.next_at = svc.now()
    run_worker(svc, burst=True, until=svc.now().replace(year=svc.now().year + 1))
    after = sent(svc, start)
    assert {who for who, _ in after} == paged  # each told once that she ended it; nobody paged again
    assert all("ended the conversation" in body or "உரையாடலை" in body for _, body in after)
    assert SURVIVOR not in {who for who, _ in after}


def test_nothing_of_her_is_left_after_the_safe_word_in_tables_redis_logs_or_the_sqlite_files(
        line, redis_client, caplog, tmp_path, database_url):
    client, svc = line
    e = counsellor_holds(client, svc)
    text(client, SURVIVOR, "my husband Ravi took my jewels")
    text(client, KAVITHA, f"NOTE {e.code} dowry harassment, sister's house in Anna Nagar")
    text(client, KAVITHA, "Go to the Madurai shelter tonight")
    text(client, KAVITHA, f"FOLLOWUP {e.code} 2d")
    run_worker(svc, burst=True)
    key = caller_key(SURVIVOR, SECRET)
    assert key in everything_in(svc, redis_client)

    text(client, SURVIVOR, "RECIPE")
    run_worker(svc, burst=True)
    traces = (SURVIVOR, "9876543210", key, "Ravi", "jewels", "dowry", "Anna Nagar", "Madurai shelter")
    scan = everything_in(svc, redis_client)
    logs = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for trace in traces:
        assert trace not in scan, trace
        assert trace not in logs, trace
    if database_url.startswith("sqlite"):
        files = b"".join(p.read_bytes() for p in Path(tmp_path).glob("hotline.db*"))
        for trace in traces:
            assert trace.encode() not in files, trace


# -- 2. a reply reaches only the woman it is meant for -------------------------------------------


def test_a_counsellor_holding_two_cases_must_say_which_and_a_coded_reply_reaches_only_that_one(line):
    client, svc = line
    a = counsellor_holds(client, svc, SURVIVOR)
    b = counsellor_holds(client, svc, OTHER)
    start = mark(svc)
    (asked,) = text(client, KAVITHA, "Ravi hit you again? Go to the Madurai shelter")
    run_worker(svc, burst=True)
    assert to(svc, SURVIVOR, start) == to(svc, OTHER, start) == []  # no code: sent to nobody
    assert a.code in asked and b.code in asked  # she is shown her cases and how to address one

    (said,) = text(client, KAVITHA, f"Re {a.code}: Ravi hit you again? Go to the Madurai shelter")
    run_worker(svc, burst=True)
    assert said == ""
    assert [m for m in to(svc, SURVIVOR, start) if "Ravi" in m] and to(svc, OTHER, start) == []
    text(client, KAVITHA, f"R{b.code} are you safe tonight?", f"{b.code} call 181 if you need")
    run_worker(svc, burst=True)
    assert len(to(svc, OTHER, start)) == 2 and not any("Ravi" in m for m in to(svc, OTHER, start))


def test_a_code_she_does_not_hold_a_closed_case_and_a_command_typo_are_never_relayed(line):
    client, svc = line
    a = counsellor_holds(client, svc, SURVIVOR)
    b = counsellor_holds(client, svc, OTHER, counsellor=KAVITHA)
    text(client, KAVITHA, f"DONE {b.code}")
    start = mark(svc)
    (not_hers,) = text(client, ANJALI, f"{a.code} this is Anjali")  # Anjali holds nothing
    (closed,) = text(client, KAVITHA, f"{b.code} one more thing")
    typos = text(client, KAVITHA, f"ack{a.code}", f"akc {a.code}", "done180")
    run_worker(svc, burst=True)
    assert to(svc, SURVIVOR, start) == [] and to(svc, OTHER, start)[:1] != ["Kavitha: one more thing"]
    assert not any("one more thing" in m or "Anjali" in m or "ack" in m.lower() for m in
                   to(svc, SURVIVOR, start) + to(svc, OTHER, start))
    assert a.code in not_hers and b.code in closed and all(typos)
    with svc.store.session() as s:
        refused = s.scalars(select(Audit.detail).where(Audit.event == "staff.refused")).all()
    assert any(d.get("reason") == "relay_not_held" for d in refused)


def test_with_one_case_a_leading_number_that_is_no_code_is_just_words(line):
    client, svc = line
    counsellor_holds(client, svc)
    start = mark(svc)
    assert text(client, KAVITHA, "112 is the police, 181 the women's helpline") == [""]
    run_worker(svc, burst=True)
    assert to(svc, SURVIVOR, start) == [own(svc, "relay_prefix_survivor", "en", name="Kavitha",
                                            text="112 is the police, 181 the women's helpline")]


def test_closing_one_case_tells_the_counsellor_where_her_texts_go_now(line):
    client, svc = line
    a = counsellor_holds(client, svc, SURVIVOR)
    b = counsellor_holds(client, svc, OTHER)
    (done,) = text(client, KAVITHA, f"DONE {a.code}")
    assert done == own(svc, "done_next_one", "ta", code=a.code, next=b.code)
    run_worker(svc, burst=True)  # her case closed: she is told so (test_done_tells_her…)
    start = mark(svc)
    text(client, KAVITHA, "Are you home?")  # one case left: it goes there
    run_worker(svc, burst=True)
    assert to(svc, SURVIVOR, start) == [] and len(to(svc, OTHER, start)) == 1


# -- 4. one emergency at a time ------------------------------------------------------------------


def test_five_urgent_texts_page_the_team_once(line):
    client, svc = line
    text(client, SURVIVOR, "URGENT")
    run_worker(svc, burst=True)
    with svc.store.session() as s:
        once = s.query(Notification).count()
    text(client, SURVIVOR, "URGENT", "URGENT please", "urgent", "URGENT")
    run_worker(svc, burst=True)
    assert len(escalations(svc)) == 1
    with svc.store.session() as s:
        assert s.query(Notification).count() == once


def test_urgent_during_a_relay_reaches_the_counsellor_with_her_words_and_opens_nothing_new(line):
    client, svc = line
    e = counsellor_holds(client, svc)
    start = mark(svc)
    text(client, SURVIVOR, "URGENT he is back with a knife")
    run_worker(svc, burst=True)
    assert len(escalations(svc)) == 1 and escalations(svc)[0].priority == "emergency"
    (alert,) = [m for m in to(svc, KAVITHA, start) if e.code in m]
    assert own(svc, "relay_urgent_staff", "ta", code=e.code, text="URGENT he is back with a knife") == alert


def test_her_words_in_danger_reach_whoever_takes_the_alert(line):
    client, svc = line
    text(client, SURVIVOR, "URGENT he poured kerosene")
    run_worker(svc, burst=True)
    e = escalations(svc)[0]
    start = mark(svc)
    text(client, ANJALI, f"ACK {e.code}")
    run_worker(svc, burst=True)
    assert own(svc, "relay_urgent_staff", "en", code=e.code, text="URGENT he poured kerosene") in to(
        svc, ANJALI, start)


def test_a_counsellor_request_while_one_is_open_opens_no_second(line):
    client, svc = line
    text(client, SURVIVOR, "hi", "1", "1", "1")
    text(client, SURVIVOR, "COUNSELLOR")
    run_worker(svc, burst=True)
    assert len(escalations(svc)) == 1


# -- 5. codes ------------------------------------------------------------------------------------


def test_codes_are_five_digits_and_sweeping_codes_from_a_staff_phone_takes_nothing(line):
    client, svc = line
    for n in range(3):
        text(client, f"+91981000000{n}", "URGENT")
    run_worker(svc, burst=True)
    codes = [e.code for e in escalations(svc)]
    assert all(len(code) == 5 and code.isdigit() for code in codes)
    # a coordinator's phone (Priya) sweeps codes, and one a counsellor was never sent
    for guess in range(10000, 10040):
        text(client, PRIYA, f"ACK {guess}")
    for code in codes:
        text(client, PRIYA, f"ACK {code}", f"ACK {code}")  # even a real code, twice
    assert all(e.status == "open" for e in escalations(svc))
    with svc.store.session() as s:
        refusals = s.query(Audit).filter(Audit.event == "staff.refused").count()
    assert refusals >= 40  # every refusal audited


def test_a_coordinator_takes_an_alert_she_was_not_sent_only_after_confirming(line):
    client, svc = line
    text(client, SURVIVOR, "hi", "1", "1", "1")  # a normal request: the first counsellor is alerted
    run_worker(svc, burst=True)
    e = escalations(svc)[0]
    (first,) = text(client, PRIYA, f"ACK {e.code}")
    assert escalations(svc)[0].status == "open" and first == own(svc, "ack_confirm", "ta", code=e.code)
    (not_hers,) = text(client, ANJALI, f"ACK {e.code}")  # a counsellor who was not sent it
    assert not_hers == own(svc, "not_yours", "en", code=e.code)
    text(client, PRIYA, f"ACK {e.code}")
    assert escalations(svc)[0].status == "acked"


# -- 6. DELETE leaves no trace -------------------------------------------------------------------


def test_delete_erases_the_followup_reminder_in_the_outbox_and_delivery_callbacks_name_no_message(
        line, redis_client, tmp_path, database_url):
    client, svc = line
    e = counsellor_holds(client, svc)
    text(client, KAVITHA, f"NOTE {e.code} husband Ravi's threats, sister's house in Anna Nagar")
    with svc.store.session() as s:  # a follow-up due now, holding her story
        s.add(FollowUp(case_id=e.case_id, staff_id=None, due_at=svc.now(),
                       note=svc.store.seal("husband Ravi's threats, sister's house in Anna Nagar")))
    run_worker(svc, burst=True)
    assert any("Anna Nagar" in body for _, body in sent(svc))
    relayed = text(client, SURVIVOR, "thank you")
    assert relayed == [""]
    client.post("/twilio/status", data={"MessageSid": "SM" + "7" * 32, "MessageStatus": "delivered"})
    text(client, SURVIVOR, "DELETE")
    run_worker(svc, burst=True)
    scan = everything_in(svc, redis_client)
    for trace in ("Anna Nagar", "Ravi", "SM" + "7" * 32, caller_key(SURVIVOR, SECRET), SURVIVOR):
        assert trace not in scan, trace
    if database_url.startswith("sqlite"):
        with svc.store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        files = b"".join(p.read_bytes() for p in Path(tmp_path).glob("hotline.db*"))
        assert b"Anna Nagar" not in files and caller_key(SURVIVOR, SECRET).encode() not in files


# -- 7. closing well -----------------------------------------------------------------------------


def test_done_tells_her_one_neutral_line_and_her_next_message_starts_afresh(line):
    client, svc = line
    e = counsellor_holds(client, svc)
    start = mark(svc)
    text(client, KAVITHA, f"DONE {e.code}")
    run_worker(svc, burst=True)
    assert to(svc, SURVIVOR, start) == [own(svc, "survivor_closed", "en")]
    (reply,) = text(client, SURVIVOR, "thank you")
    assert "did not understand" not in reply
    flows = svc.flows.get("survivor")
    assert flows.message("choose_language") in reply or flows.message("safe_to_talk") in reply


def test_done_after_stop_sends_her_nothing(line):
    client, svc = line
    e = counsellor_holds(client, svc)
    text(client, SURVIVOR, "STOP")
    start = mark(svc)
    text(client, KAVITHA, f"DONE {e.code}")
    run_worker(svc, burst=True)
    assert to(svc, SURVIVOR, start) == []


def test_start_in_a_relay_shows_no_menu_and_her_next_text_still_reaches_the_counsellor(line):
    client, svc = line
    counsellor_holds(client, svc)
    (reply,) = text(client, SURVIVOR, "START")
    flows = svc.flows.get("survivor")
    assert flows.message("relay_goes_on") in reply and flows.message("choose_language") not in reply
    start = mark(svc)
    assert text(client, SURVIVOR, "1") == [""]  # relayed, not taken as a menu answer
    run_worker(svc, burst=True)
    assert any(": 1" in m for m in to(svc, KAVITHA, start))


def test_a_case_closed_elsewhere_stops_her_relay_even_if_redis_still_says_so(line):
    client, svc = line
    e = counsellor_holds(client, svc)
    with svc.store.session() as s:  # closed while Redis was away: the relay flag stayed behind
        s.get(Case, e.case_id).status = "closed"
    start = mark(svc)
    text(client, SURVIVOR, "are you there")
    run_worker(svc, burst=True)
    assert to(svc, KAVITHA, start) == []
    with svc.store.session() as s:
        assert s.query(Relay).filter(Relay.direction == "to_staff", Relay.status == "pending").count() == 0


# -- the same rules while the line is degraded (Redis away, or her lock still held) --------------


@pytest.fixture
def degraded(monkeypatch):
    """Every webhook step fails as it does when Redis is away: the fallback answers."""
    from redis.exceptions import ConnectionError as RedisDown

    import hotline.web.twilio.common as common

    real = common.handle

    def down(*_args, **_kwargs):
        raise RedisDown("Redis is away")

    monkeypatch.setattr(common, "handle", down)
    yield
    monkeypatch.setattr(common, "handle", real)


def test_stop_and_delete_work_while_degraded_and_page_nobody(line, degraded, monkeypatch, redis_client):
    client, svc = line
    (stopped,) = text(client, SURVIVOR, "STOP")
    assert stopped == svc.flows.get("survivor").message("stopped")
    assert escalations(svc) == []
    with svc.store.session() as s:
        from hotline.store.models import OptOut
        assert s.get(OptOut, caller_key(SURVIVOR, SECRET)) is not None
    text(client, OTHER, "hi")  # another woman: kept for the team
    (erased,) = text(client, OTHER, "DELETE")
    assert erased == svc.flows.get("survivor").message("erased")
    assert caller_key(OTHER, SECRET) not in everything_in(svc, redis_client)


def test_her_words_in_a_relay_reach_the_counsellor_while_degraded(line, monkeypatch):
    client, svc = line
    e = counsellor_holds(client, svc)
    from redis.exceptions import ConnectionError as RedisDown

    import hotline.web.twilio.common as common

    monkeypatch.setattr(common, "handle", lambda *a, **k: (_ for _ in ()).throw(RedisDown("away")))
    start = mark(svc)
    text(client, SURVIVOR, "he found the phone, do not text me")
    monkeypatch.undo()
    run_worker(svc, burst=True)
    assert any("he found the phone, do not text me" in m for m in to(svc, KAVITHA, start))
    assert len(escalations(svc)) == 1 and escalations(svc)[0].id == e.id


def test_the_safe_word_while_degraded_is_ordinary_and_redis_forgets_her_once_back(line, monkeypatch,
                                                                                  redis_client):
    client, svc = line
    counsellor_holds(client, svc)
    key = caller_key(SURVIVOR, SECRET)
    from redis.exceptions import ConnectionError as RedisDown

    import hotline.web.twilio.common as common

    monkeypatch.setattr(common, "handle", lambda *a, **k: (_ for _ in ()).throw(RedisDown("away")))
    monkeypatch.setattr(svc.conversations, "forget", lambda *a: (_ for _ in ()).throw(RedisDown("away")))
    (reply,) = text(client, SURVIVOR, "recipe")
    assert reply == svc.flows.get("survivor").message("innocuous")
    assert escalations(svc)[0].status == "ended"
    monkeypatch.undo()
    assert redis_client.exists(f"hotline:lang:{key}")  # Redis was away: its copy waits
    run_worker(svc, burst=True)  # the sweeper, Redis back
    assert key not in everything_in(svc, redis_client)


# -- what the review found -----------------------------------------------------------------------


def test_a_case_closed_by_the_coordinator_makes_its_counsellor_name_the_case_she_writes_to(line):
    client, svc = line
    a = counsellor_holds(client, svc, SURVIVOR)
    counsellor_holds(client, svc, OTHER)
    text(client, PRIYA, f"DONE {a.code}")  # Kavitha is not the one who closed it
    run_worker(svc, burst=True)
    start = mark(svc)
    (asked,) = text(client, KAVITHA, "Is he still there? Hide the phone")
    run_worker(svc, burst=True)
    assert to(svc, OTHER, start) == [] and to(svc, SURVIVOR, start) == []
    assert asked.startswith(own(svc, "relay_which", "ta", code="", codes="")[:10])


def test_help_or_a_language_word_in_a_relay_goes_to_the_counsellor_and_shows_no_menu(line):
    client, svc = line
    counsellor_holds(client, svc)
    start = mark(svc)
    assert text(client, SURVIVOR, "help", "Tamil", "counsellor") == ["", "", ""]
    run_worker(svc, burst=True)
    got = to(svc, KAVITHA, start)
    assert [m for m in got if ": help\n" in m] and [m for m in got if ": Tamil\n" in m]
    assert len(escalations(svc)) == 1


def test_a_counsellors_words_reach_her_under_a_first_name_never_a_role(line):
    client, svc = line
    counsellor_holds(client, svc)
    start = mark(svc)
    text(client, KAVITHA, "Are you safe to talk?")
    run_worker(svc, burst=True)
    assert to(svc, SURVIVOR, start) == ["Kavitha: Are you safe to talk?"]  # not "Counsellor: …"
