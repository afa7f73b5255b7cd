"""Her controls come first (#26): each finding of the adversarial review, driven through the
webhooks. `eager` stands for a worker that is waiting on the queue: RQ's own synchronous queue
(is_async=False) runs every job the moment it is queued, inside the request that queued it — the
interleaving in which a live worker sent what was held for her before her safe word was read."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from rq import Queue
from sqlalchemy import select

from hotline.jobs.enqueue import LANES
from hotline.store.models import Case, Escalation, HeldMessage, Relay
from hotline.web.app import create_app

from .cli import cli
from .helpers import ROOT, last_sent, latest, run_worker, sent, text, texts
from .test_whatsapp import KAVITHA, SURVIVOR, ask_for_a_counsellor, line, to, wa
from .twilio_standin import StandIn


@pytest.fixture
def standin():
    server = StandIn()
    yield server
    server.stop()


SURVIVOR_SMS, ANJALI, PRIYA, KAVITHA_SMS = "+919876500001", "+919840000002", "+919840000004", "+919840000001"


def eager(svc) -> None:
    """Every job runs the moment it is queued (a worker waiting on every lane)."""
    svc.queues = tuple(Queue(name, connection=svc.redis, is_async=False) for name in LANES)


@pytest.mark.parametrize("control", ["RECIPE", "DELETE", "STOP"])
def test_on_whatsapp_her_control_never_releases_what_was_held_for_her(make_services, standin, database_url,
                                                                       control):
    svc, app = line(make_services, standin, database_url=database_url)
    client = app.test_client()
    e = ask_for_a_counsellor(svc, client, standin)
    wa(client, standin, KAVITHA, f"ACK {e.code}")
    run_worker(svc)
    svc.clock.advance(hours=25)  # outside her 24-hour window: his words wait behind a template
    standin.close_window(SURVIVOR)
    wa(client, standin, KAVITHA, "is he beside you?")
    run_worker(svc)
    with svc.store.session() as s:
        assert len(s.scalars(select(HeldMessage)).all()) == 1
    before = len(to(standin, SURVIVOR))

    eager(svc)
    wa(client, standin, SURVIVOR, control)
    run_worker(svc)
    after = to(standin, SURVIVOR)[before:]
    assert not any("beside you" in m.get("Body", "") for m in after), after
    with svc.store.session() as s:
        assert not s.scalars(select(HeldMessage).where(HeldMessage.caller_key != HeldMessage.about)).all() \
            or control == "STOP"


def test_held_words_are_not_released_once_her_case_has_closed(make_services, standin, database_url):
    svc, app = line(make_services, standin, database_url=database_url)
    client = app.test_client()
    e = ask_for_a_counsellor(svc, client, standin)
    wa(client, standin, KAVITHA, f"ACK {e.code}")
    run_worker(svc)
    svc.clock.advance(hours=25)
    standin.close_window(SURVIVOR)
    wa(client, standin, KAVITHA, "is he beside you?")
    run_worker(svc)  # held behind the template
    wa(client, standin, KAVITHA, f"DONE {e.code}")
    run_worker(svc)
    before = len(to(standin, SURVIVOR))
    svc.clock.advance(days=20)
    wa(client, standin, SURVIVOR, "hi")  # twenty days later she writes again: a new conversation
    run_worker(svc)
    assert not any("beside you" in m.get("Body", "") for m in to(standin, SURVIVOR)[before:])


def test_a_counsellor_removed_from_the_staff_hands_back_what_she_held(make_services, database_url, tmp_path):
    svc = make_services(database_url=database_url)
    client = create_app(services=svc).test_client()
    texts(client, SURVIVOR_SMS, "hi", "1", "1", "1")  # English, safe to talk, a counsellor
    run_worker(svc)
    e = latest(svc)
    text(client, KAVITHA, f"ACK {e.code}")
    run_worker(svc)
    assert latest(svc).acked_by == svc.staff.find(KAVITHA).id

    staff = tmp_path / "staff.yaml"
    listed = (ROOT / "tests" / "data" / "staff.yaml").read_text()
    start = listed.index("  - name: Kavitha")
    staff.write_text(listed[:start] + listed[listed.index("  - name: Anjali"):])
    out = cli("staff", "import", str(staff), "--replace").stdout
    assert "removed: Kavitha" in out and "open again" in out
    since = last_sent(svc)
    text(client, SURVIVOR_SMS, "URGENT he has a knife")
    run_worker(svc)
    out = sent(svc, since)
    assert not [body for to_, body in out if to_ == KAVITHA]  # nothing relayed to her now
    assert any(to_ == ANJALI and e.code in body for to_, body in out)  # the team is paged again
    assert any(to_ == PRIYA and "Kavitha" in body and e.code in body for to_, body in out)  # and told
    with svc.store.session() as s:
        assert s.get(Escalation, e.id).status == "open" and s.get(Escalation, e.id).priority == "emergency"


SCREENED_IN = ["LAP", "2", "no", "yes", *["no"] * 9, "1"]  # tests/test_lap.py: in-laws, yes to question 2
RAMESH, REVATHI = "+919840000005", "+919840000006"


def test_one_officer_two_women_two_cases_and_his_words_reach_only_the_case_he_names(make_services, database_url):
    svc = make_services(database_url=database_url)
    client = create_app(services=svc).test_client()
    texts(client, RAMESH, *SCREENED_IN)  # the first woman
    run_worker(svc)
    first = latest(svc)
    text(client, KAVITHA, f"ACK {first.code}")
    run_worker(svc)
    since = last_sent(svc)
    replies = texts(client, RAMESH, *SCREENED_IN)  # another woman, screened in at lethal risk
    run_worker(svc)
    second = latest(svc)
    assert all(replies), replies  # every message of his got an answer: none swallowed by a relay
    assert second.id != first.id and second.case_id != first.case_id and second.kind == "lap"
    assert second.status == "open"
    assert any(to_ in (KAVITHA, REVATHI) and second.code in body for to_, body in sent(svc, since) if body)
    # his words go to the case he names, and only there
    since = last_sent(svc)
    assert text(client, RAMESH, f"{first.code} she is at her mother's house now") == []
    text(client, RAMESH, "new woman Selvi, husband threatened with acid")  # not addressed: not relayed
    run_worker(svc)
    out = sent(svc, since)
    assert any(to_ == KAVITHA and "mother's house" in (body or "") for to_, body in out)
    assert not any("Selvi" in (body or "") for _, body in out)
    with svc.store.session() as s:
        urgent = s.scalars(select(Relay).where(Relay.direction == "urgent")).all()
    assert all(svc.store.unseal(r.body) not in ("1", "2") for r in urgent)  # no keypress as her words


def test_with_redis_down_a_first_hi_pages_nobody_and_danger_still_does(make_services, own_redis, database_url):
    svc = make_services(database_url=database_url, redis_url=own_redis.url)
    client = create_app(services=svc).test_client()
    own_redis.stop()
    (said,) = text(client, "+919876500031", "hi")
    assert "112" in said  # the safe reply, with the emergency numbers
    (said,) = text(client, "+919876500032", "URGENT he is here")
    assert "112" in said
    with svc.store.session() as s:
        cases = s.scalars(select(Case)).all()
    # the woman who asked for nothing: no case, no page; the one in danger: an emergency kept
    assert len(cases) == 1 and latest(svc).priority == "emergency"


def test_after_stop_hello_gets_no_answer_until_start(make_services, database_url):
    svc = make_services(database_url=database_url)
    client = create_app(services=svc).test_client()
    number = "+919876500041"
    assert text(client, number, "STOP")  # the documented confirmation, once
    assert text(client, number, "hello") == []  # nothing: not the language menu
    assert text(client, number, "1") == []
    assert text(client, number, "START")  # messages allowed again
    assert text(client, number, "hello")  # and the line answers


# Until she says it is safe to talk, nothing the line sends may name the line, violence,
# counselling, the police or a helpline, nor explain the safe word (someone else may read it).
GIVEAWAYS = ("helpline", "counsel", "police", "112", "181", "danger", "violence", "recipe", "உதவி மையம்",
             "ஆலோசக", "போலீஸ்", "காவல்", "ஆபத்து", "வன்முறை")


@pytest.mark.parametrize("first", ["hi", "help", "counsellor", "உதவி", "vanakkam"])
@pytest.mark.parametrize("language, no", [("1", "no"), ("2", "இல்லை")])
def test_nothing_she_is_sent_before_she_says_it_is_safe_names_what_the_line_is(make_services, first, language, no):
    svc = make_services()
    client = create_app(services=svc).test_client()
    number = "+919876500051"
    said = text(client, number, first)
    if "English" in said[0]:  # the language menu first (a first message in Tamil skips it)
        said += text(client, number, language)
    said += text(client, number, no)  # not safe to talk
    run_worker(svc)
    said += [body or "" for to_, body in sent(svc) if to_ == number]
    for reply in said:
        assert not any(word in reply.lower() for word in GIVEAWAYS), (said, reply)


def test_not_safe_to_talk_then_a_counsellor_nobody_writes_first_and_the_alert_says_so(make_services, database_url):
    svc = make_services(database_url=database_url)
    client = create_app(services=svc).test_client()
    woman = "+919876500061"
    texts(client, woman, "hi", "1", "2")  # English; not safe to talk
    (said,) = text(client, woman, "1")  # then: a counsellor
    assert "112" not in said and "counsellor" not in said.lower()
    run_worker(svc)
    e = latest(svc)
    alert = [body for to_, body in sent(svc) if to_ == KAVITHA_SMS][-1]
    assert svc.catalog.own("esc_what_quiet", "ta") in alert and e.code in alert  # Kavitha reads Tamil
    since = last_sent(svc)
    text(client, KAVITHA_SMS, f"ACK {e.code}")
    svc.clock.advance(minutes=40)
    run_worker(svc)
    text(client, KAVITHA_SMS, f"{e.code} hello, can you talk?")
    run_worker(svc)
    out = sent(svc, since)
    assert not [body for to_, body in out if to_ == woman]  # no "a counsellor has your message", no words
    assert (KAVITHA_SMS, svc.catalog.own("relay_refused_quiet", "ta")) in out
    texts(client, woman, "I can talk now")  # she writes again: her counsellor may write to her
    run_worker(svc)
    since = last_sent(svc)
    text(client, KAVITHA_SMS, f"{e.code} I am here")
    run_worker(svc)
    assert any(to_ == woman and "I am here" in body for to_, body in sent(svc, since))


def test_a_call_from_an_officers_number_gets_no_police_menu(make_services):
    """Caller ID proves nothing: a call from SI Ramesh's number hears what any caller hears."""
    svc = make_services()
    client = create_app(services=svc).test_client()

    def call(path, **form):
        reply = client.post(path, data={"From": RAMESH, "To": "+914400000000", "CallSid": "CA" + "7" * 32, **form})
        assert reply.status_code == 200
        return " ".join(s.text or "" for s in ElementTree.fromstring(reply.get_data(as_text=True)).iter("Say"))

    heard = call("/twilio/voice") + call("/twilio/voice/gather?n=1", Digits="1")
    police = svc.flows.get("police")
    assert police.message("police_menu") not in heard and "LAP" not in heard
    assert "For English, press 1." in heard  # the language menu any caller hears


@pytest.mark.parametrize("sentence", ["Note that he comes home at 6, do not write after that",
                                      "ok I will call you at 5"])
def test_a_counsellors_sentence_that_begins_like_a_command_still_reaches_her(make_services, sentence):
    svc = make_services()
    client = create_app(services=svc).test_client()
    texts(client, SURVIVOR_SMS, "hi", "1", "1", "1")
    run_worker(svc)
    text(client, KAVITHA_SMS, f"ACK {latest(svc).code}")
    run_worker(svc)
    since = last_sent(svc)
    text(client, KAVITHA_SMS, sentence)
    run_worker(svc)
    assert any(to_ == SURVIVOR_SMS and sentence in body for to_, body in sent(svc, since))
