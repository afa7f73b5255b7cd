"""Issue #30, "Security, third pass": one test (or a few) for each finding, each of which failed on
the code before its fix. Through the app's test client, the worker in burst and Twilio's stand-in,
on real Redis, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re

import pytest
from cryptography.fernet import InvalidToken
from sqlalchemy import select

from hotline.privacy.keys import fernet
from hotline.store.models import Action, Base, Case, Escalation, StaffMember
from hotline.web.console import auth

from .cli import cli
from .helpers import latest, run_worker
from .test_browser import browser  # noqa: F401 - the fixture: Chromium, as the browser tests run it
from .test_whatsapp import KAVITHA, PASSWORD, SID, line, signed, wa
from .twilio_standin import StandIn

OLD, NEW = "the old secret", "the new secret"
TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_\-]+=*")  # what Fernet seals looks like
FIRST, SECOND, THIRD, FOURTH = "+919876543210", "+919876543211", "+919876543212", "+919876543213"


@pytest.fixture
def standin():
    server = StandIn()
    yield server
    server.stop()


def media_path(n: int) -> str:
    return f"/2010-04-01/Accounts/{SID}/Messages/MM{str(n) * 32}/Media/ME{str(n) * 32}"


def send_media(client, standin, number: str, n: int, kind: str = "audio/ogg", body: bytes = b"OggS\x00voice"):
    standin.media[media_path(n)] = (body, kind)
    return wa(client, standin, number, "", NumMedia="1", MediaUrl0="https://api.twilio.com" + media_path(n),
              MediaContentType0=kind, MessageType="audio" if kind.startswith("audio/") else "image")


def sealed_values(store) -> list[tuple[str, str]]:
    """(table.column, token) of every sealed value anywhere in the store: every text and JSON
    column of every table, JSON searched all through. Not from a list of where things are sealed:
    a place the list misses is found all the same."""
    found = []
    with store.read() as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(select(table)).mappings():
                for column, value in row.items():
                    text = json.dumps(value) if isinstance(value, dict | list) else value
                    if isinstance(text, str):
                        found += [(f"{table.name}.{column}", t) for t in TOKEN.findall(text)]
    return found


def opens_under(secret: str, token: str) -> bool:
    try:
        fernet(secret).decrypt(token.encode())
        return True
    except InvalidToken:
        return False


# -- 1. key rotation re-seals everything, and erasure never waits on opening a sealed value --------


def test_1_after_rotation_and_a_restart_on_the_new_key_alone_delete_safe_word_media_and_forgetting_work(
        make_services, standin, database_url, monkeypatch):
    svc, app = line(make_services, standin, database_url=database_url, secret_key=OLD)
    auth.set_password(svc.store, "Kavitha", PASSWORD)
    client = app.test_client()
    send_media(client, standin, FIRST, 1)  # her voice note: a voicemail, its media sealed in its details
    first = latest(svc)
    send_media(client, standin, SECOND, 2)
    wa(client, standin, SECOND, "DELETE")  # a forget_copies of her voice note, pending through the rotation
    send_media(client, standin, THIRD, 3, "image/jpeg", b"\xff\xd8\xff photo")
    third = latest(svc)
    recording = f"/2010-04-01/Accounts/{SID}/Recordings/RE{'7' * 32}"  # a voicemail by call: its address sealed
    standin.media[recording] = (b"RIFF voicemail", "audio/x-wav")
    signed(client, "/twilio/voice/recorded?lang=en", {"From": FOURTH, "CallSid": "CA" + "7" * 32,
                                                      "RecordingSid": f"RE{'7' * 32}", "RecordingDuration": "9",
                                                      "RecordingUrl": "https://api.twilio.com" + recording})
    voicemail = latest(svc)
    assert standin.deleted == [] and any(place == "escalations.details" for place, _ in sealed_values(svc.store))
    svc.store.engine.dispose()

    monkeypatch.setenv("SECRET_KEY_OLD", OLD)
    svc = make_services(database_url=database_url, secret_key=NEW)  # web and worker stopped
    done = cli("keys", "rotate")
    assert done.exit_code == 0, done.stderr
    svc.store.engine.dispose()

    monkeypatch.delenv("SECRET_KEY_OLD")  # restarted on the new key alone
    svc, app = line(make_services, standin, database_url=database_url, secret_key=NEW)
    left = [(place, t) for place, t in sealed_values(svc.store) if not opens_under(NEW, t)]
    assert not left, left  # no sealed column nor JSON field missed
    auth.set_password(svc.store, "Kavitha", PASSWORD)
    client = app.test_client()
    run_worker(svc)
    wa(client, standin, KAVITHA, f"ACK {first.code}")  # alerted on the new key, she takes it

    from .test_console import login

    kavitha, _ = login(app, "Kavitha")
    played = kavitha.get(f"/console/cases/{first.case_id}/media/{first.id}/0")
    assert played.status_code == 200 and played.data == b"OggS\x00voice"
    wa(client, standin, KAVITHA, f"ACK {voicemail.code}")
    heard = kavitha.get(f"/console/cases/{voicemail.case_id}/recording/{voicemail.id}")
    assert heard.status_code == 200 and heard.data == b"RIFF voicemail"
    run_worker(svc)  # the pending forget_copies: Twilio's copy of the second woman's voice is deleted
    assert standin.deleted == [media_path(2)]

    (erased,) = wa(client, standin, FIRST, "DELETE")
    assert erased == "Everything we held about this number has been erased."
    (innocuous,) = wa(client, standin, THIRD, "RECIPE")  # the safe word
    assert innocuous.startswith("Thank you for shopping with us!")
    run_worker(svc)
    assert sorted(standin.deleted) == [media_path(1), media_path(2), media_path(3)]
    with svc.store.read() as s:
        assert {s.get(Case, e.case_id).caller_key for e in (first, third)} == {"erased"}
        assert not s.scalars(select(Action).where(Action.status != "done", Action.kind == "forget_copies")).all()


def lost_key(svc, e: Escalation) -> None:
    """Her media re-sealed under a key nobody kept (as if SECRET_KEY_OLD missed one)."""
    with svc.store.session() as s:
        row = s.get(Escalation, e.id)
        row.details = {**row.details, "media": [fernet("a key nobody kept").encrypt(b'{"url": "x"}').decode()]}


def test_1_rotation_refuses_to_finish_while_a_sealed_value_opens_with_no_key_given(make_services, standin,
                                                                                    sqlite_url, monkeypatch):
    svc, app = line(make_services, standin, database_url=sqlite_url, secret_key=OLD)
    send_media(app.test_client(), standin, FIRST, 1)
    lost_key(svc, latest(svc))
    svc.store.engine.dispose()
    monkeypatch.setenv("SECRET_KEY_OLD", OLD)
    svc = make_services(database_url=sqlite_url, secret_key=NEW)
    with svc.store.read() as s:
        before = s.scalars(select(Escalation.details)).all(), s.scalars(select(Case.contact)).all()
    done = cli("keys", "rotate")
    assert done.exit_code == 1 and "not rotated" in done.stderr and "escalations.details.media" in done.stderr
    with svc.store.read() as s:  # nothing changed: her number is still under the old key, to be rotated
        assert (s.scalars(select(Escalation.details)).all(), s.scalars(select(Case.contact)).all()) == before


def test_1_delete_erases_her_even_when_her_media_opens_with_no_key(make_services, standin, sqlite_url):
    """Erasure never opens a sealed value: DELETE works whatever the key; what could not be opened
    is kept for forget_copies, failed, never "done" with nothing deleted."""
    svc, app = line(make_services, standin, database_url=sqlite_url)
    client = app.test_client()
    send_media(client, standin, FIRST, 1)
    lost_key(svc, latest(svc))
    (erased,) = wa(client, standin, FIRST, "DELETE")
    assert erased == "Everything we held about this number has been erased."
    run_worker(svc)
    with svc.store.read() as s:
        assert s.scalars(select(Case.caller_key)).all() == ["erased"]
        (forget,) = s.scalars(select(Action).where(Action.kind == "forget_copies")).all()
        assert forget.status == "failed" and len(forget.payload["copies"]) == 1


# -- 2. her media cannot run script in the console ------------------------------------------------


def test_2_media_sent_as_a_web_page_with_a_script_runs_nothing_in_the_counsellors_browser(
        make_services, standin, sqlite_url, live, browser):  # noqa: F811 - the fixture imported above
    """In Chromium: a WhatsApp "photo" that is an HTML page loading a second attachment as its
    script. Opened by her counsellor, it must not run in the console (her session: read every
    case, post a reply as her)."""
    from playwright.sync_api import expect

    from .test_browser import log_in

    svc, app = line(make_services, standin, database_url=sqlite_url)
    auth.set_password(svc.store, "Kavitha", PASSWORD)
    client = app.test_client()
    standin.media[media_path(5)] = (b'<html><head><title>photo</title><script src="1"></script></head>'
                                    b"<body>photo</body></html>", "text/html")
    standin.media[media_path(6)] = (b'document.title = "taken over";', "text/javascript")
    wa(client, standin, FIRST, "", NumMedia="2", MessageType="image",
       MediaUrl0="https://api.twilio.com" + media_path(5), MediaContentType0="text/html",
       MediaUrl1="https://api.twilio.com" + media_path(6), MediaContentType1="text/javascript")
    e = latest(svc)
    run_worker(svc)
    wa(client, standin, KAVITHA, f"ACK {e.code}")
    server = live(app)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url + "/console/login")
        log_in(page, "Kavitha")
        expect(page.get_by_role("link", name="Cases")).to_be_visible()
        page.goto(server.url + f"/console/cases/{e.case_id}")
        expect(page.get_by_text("A file of a type the console does not open (text/html)")).to_be_visible()
        page.goto(server.url + f"/console/cases/{e.case_id}/media/{e.id}/0")  # "load": its scripts have run
        assert page.title() != "taken over"
        page.goto(server.url + f"/console/cases/{e.case_id}/media/{e.id}/1")
        assert "taken over" not in page.content()
    finally:
        context.close()


def test_2_a_photo_is_shown_in_a_sandbox_a_pdf_only_downloaded(make_services, standin, sqlite_url):
    svc, app = line(make_services, standin, database_url=sqlite_url)
    auth.set_password(svc.store, "Kavitha", PASSWORD)
    client = app.test_client()
    send_media(client, standin, FIRST, 7, "image/jpeg", b"\xff\xd8\xff photo")
    e = latest(svc)
    send_media(client, standin, FIRST, 8, "application/pdf", b"%PDF-1.4 FIR copy")
    run_worker(svc)
    wa(client, standin, KAVITHA, f"ACK {e.code}")

    from .test_console import login

    kavitha, _ = login(app, "Kavitha")
    photo, pdf = (kavitha.get(f"/console/cases/{e.case_id}/media/{e.id}/{i}") for i in (0, 1))
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg" and photo.headers["Content-Disposition"] == "inline"
    assert pdf.status_code == 200 and pdf.headers["Content-Disposition"].startswith("attachment")
    for served in (photo, pdf):
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Content-Security-Policy"].startswith("sandbox")
    console = kavitha.get("/console/").headers["Content-Security-Policy"]
    assert "form-action 'self'" in console and "unsafe-inline" not in console and "api.twilio.com" not in console


# -- 6. a voicemail's recording: sealed, and played through the console -------------------------


def test_6_a_voicemail_recording_is_sealed_and_played_through_the_console_never_its_url(
        make_services, standin, sqlite_url):
    svc, app = line(make_services, standin, database_url=sqlite_url)
    auth.set_password(svc.store, "Kavitha", PASSWORD)
    recording = f"/2010-04-01/Accounts/{SID}/Recordings/RE{'5' * 32}"
    standin.media[recording] = (b"RIFF voicemail", "audio/x-wav")
    signed(app.test_client(), "/twilio/voice/recorded?lang=en", {
        "From": FIRST, "CallSid": "CA" + "1" * 32, "RecordingSid": f"RE{'5' * 32}",
        "RecordingUrl": "https://api.twilio.com" + recording, "RecordingDuration": "20"})
    e = latest(svc)
    assert e.kind == "voicemail" and "RE" + "5" * 32 not in json.dumps(e.details)  # sealed
    run_worker(svc)
    wa(app.test_client(), standin, KAVITHA, f"ACK {e.code}")

    from .test_console import login, page

    kavitha, _ = login(app, "Kavitha")
    hers = page(kavitha, f"/console/cases/{e.case_id}")
    assert f'src="/console/cases/{e.case_id}/recording/{e.id}"' in hers and "api.twilio.com" not in hers
    played = kavitha.get(f"/console/cases/{e.case_id}/recording/{e.id}")
    assert played.status_code == 200 and played.data == b"RIFF voicemail" and played.mimetype.startswith("audio/")


# -- 3. the walk-in form tells nobody which numbers have a case ------------------------------------


def test_3_a_walk_in_for_a_number_with_a_case_she_cannot_see_creates_nothing_in_it_and_reveals_nothing(
        make_app, sqlite_url):
    from hotline.casework import contacts
    from hotline.store.models import FollowUp

    from .test_casework import her_case
    from .test_casework import login as casework_login
    from .test_casework import post as casework_post

    app = make_app(database_url=sqlite_url)
    svc = app.extensions["hotline"]
    auth.set_password(svc.store, "Meena", PASSWORD)  # an NGO representative
    hidden = her_case(svc, assigned="Kavitha")  # the survivor's open case, not Meena's to see
    meena, _ = casework_login(app, "Meena")
    assert meena.get(f"/console/cases/{hidden}").status_code == 404

    def walk_in(number: str):
        return casework_post(meena, "/console/contacts/new", {
            "kind": "walk_in", "happened_at": "2026-12-02T11:30", "place": "NGO desk", "number": number,
            "summary": "asked about a residence order", "lang": "ta"})

    known, unknown = walk_in("98765 43210"), walk_in("98765 00000")  # her number; a number with no case
    assert known.status_code == unknown.status_code == 302
    went = int(known.headers["Location"].split("/")[-2])
    assert went != hidden and meena.get(known.headers["Location"]).status_code == 200  # a case of her own
    assert contacts.of_case(svc, hidden) == []  # nothing of Meena's text in the case she cannot see
    with svc.store.read() as s:  # the coordinators are told, on the open case, to join the two
        (told,) = s.scalars(select(FollowUp).where(FollowUp.case_id == hidden)).all()
        assert told.staff_id is None and f"#{went}" in svc.store.unseal(told.note)


# -- 4. the simulator signs only the forms it builds itself ---------------------------------------


def test_4_the_simulator_signs_no_form_that_reads_as_another_from_a_staff_number(make_app, sqlite_url):
    """Twilio's signature joins key and value with no separator: {Body: "hiFrom+91…", From: own}
    signs the same string as {Body: "hi", From: "+91…", "From+9150…": …}, a message as Kavitha."""
    from twilio.request_validator import RequestValidator

    from .test_console import login

    token = "0123456789abcdef0123456789abcdef"
    app = make_app(database_url=sqlite_url, twilio_auth_token=token, simulator=True)
    svc = app.extensions["hotline"]
    auth.set_password(svc.store, "Priya", PASSWORD)
    coordinator, _ = login(app, "Priya")
    page = coordinator.get("/simulator/").get_data(as_text=True)
    own = re.search(r'data-number="(\+9150\d{8})"', page).group(1)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def sign(params):
        return coordinator.post("/simulator/sign", json={"path": "/twilio/sms", "params": params},
                                headers={"X-CSRFToken": csrf})

    sid = "SM" + "a" * 32
    base = {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "NumMedia": "0", "To": svc.settings.hotline_number}
    fine = sign({**base, "From": own, "Body": "hello"})
    assert fine.status_code == 200 and fine.get_json()["signature"]
    forged = {**base, "Body": "ACK 787", "From": KAVITHA, f"From{own}": ""}
    smuggled = {**base, "Body": f"ACK 787From{KAVITHA}", "From": own}
    validator = RequestValidator(token)
    url = "http://localhost/twilio/sms"
    assert validator.compute_signature(url, forged) == validator.compute_signature(url, smuggled)  # the trick
    assert sign(smuggled).status_code == 403
    assert sign({**base, "From": own, "Body": "hi", "X-Extra": "1"}).status_code == 403  # a key it never builds
    assert sign({**base, "From": own, "To": KAVITHA, "Body": "hi"}).status_code == 403  # to another number


# -- 5. the login limits tell nobody which names and numbers have accounts ------------------------


def test_5_failures_under_two_forms_of_one_identity_are_answered_as_for_nobody(make_app, sqlite_url):
    from hotline.store.models import Audit
    from hotline.web.console import throttle

    from .test_security import login

    app = make_app(database_url=sqlite_url)
    svc = app.extensions["hotline"]
    auth.set_password(svc.store, "Kavitha", PASSWORD)
    answers = {}
    for who, (name, number), address in (("real", ("Kavitha", "+91 98400 00001"), "10.0.0.1"),
                                         ("nobody", ("Nobody at all", "+91 98400 09999"), "10.0.0.2")):
        half = throttle.PAIR_FAILURES // 2 + 1  # under the limit for each form, over it for the two together
        answers[who] = [login(app, typed, "wrong password", address=address)[1].status_code
                        for typed in [name] * half + [number] * half]
    assert answers["real"] == answers["nobody"]
    for _ in range(10):  # a flood past the limit: one audit row, not one a try
        login(app, "Nobody at all", "wrong password", address="10.0.0.2")
    with svc.store.read() as s:
        assert len(s.scalars(select(Audit).where(Audit.event == "console.login_throttled")).all()) == 1


def test_5_no_more_passwords_are_hashed_at_once_than_the_cap(make_app, sqlite_url, monkeypatch):
    """A flood of logins from everywhere cannot take every core from the webhooks: past the cap,
    a login waits its turn (here: none) and is refused as throttled."""
    import threading

    from .test_security import login

    app = make_app(database_url=sqlite_url)
    auth.set_password(app.extensions["hotline"].store, "Kavitha", PASSWORD)
    monkeypatch.setattr(auth, "HASH_WAIT", 0)
    monkeypatch.setattr(auth, "_HASHING", threading.BoundedSemaphore(1))
    hashing, release = threading.Event(), threading.Event()
    real = auth.check_password_hash

    def slow(*args):
        hashing.set()
        release.wait()
        return real(*args)

    monkeypatch.setattr(auth, "check_password_hash", slow)
    first = threading.Thread(target=login, args=(app, "Kavitha"), kwargs={"address": "10.0.0.3"})
    first.start()
    hashing.wait()  # one login is hashing: the cap of one is reached
    try:
        assert login(app, "Kavitha", address="10.0.0.4")[1].status_code == 429
    finally:
        release.set()
        first.join()


# -- 7. a faked caller ID cannot lock a counsellor out, nor guess an obvious PIN -----------------


def test_7_wrong_pins_from_her_faked_number_lock_only_that_lane_and_she_and_the_coordinator_are_told(
        make_app, sqlite_url):
    from hotline.conversation import staff_call as calls
    from hotline.people.pin import generation, set_pin
    from hotline.privacy.keys import legacy_caller_key

    from .test_voice_safety import KAVITHA as HER
    from .test_voice_safety import MORNING, Clock, asks_counsellor, own, said
    from .test_voice_safety import staff_call as call_in

    app = make_app(database_url=sqlite_url)
    svc = app.extensions["hotline"]
    client, clock = app.test_client(), Clock(svc, MORNING)
    for trivial in ("0000", "1234", "4321", "1212", "2580"):  # the first anyone would try
        with pytest.raises(ValueError, match="first anyone would try"):
            set_pin(svc.store, "Kavitha", trivial)
    set_pin(svc.store, "Kavitha", "2468")
    asks_counsellor(client, clock)
    e = latest(svc)
    client.post("/twilio/sms", data={"From": HER, "To": "+914400000000", "Body": f"ACK {e.code}",
                                     "MessageSid": "SM" + "e" * 32})
    before = len(svc.outbound.outbox())
    for n in range(4):  # someone faking her caller ID: 3 + 3 + 3 + 1 wrong PINs
        replies = call_in(client, f"CA{n:032d}", *["9753"] * (3 if n < 3 else 1))
    assert said(replies[-1]) == [own(svc, "voice_staff_pin_locked")]
    run_worker(svc)
    told = {row.to for row in svc.outbound.outbox()[before:]}
    assert {HER, "+919840000004"} <= told  # Kavitha, and Priya the coordinator
    # the hotline's own call to her number (an alert call) is another lane: her PIN still works there
    person = svc.staff.find(HER)
    assert calls.begin(svc, person, "CA" + "f" * 32, escalation_id=e.id).ask == "pin"
    call = calls.at(svc, "CA" + "f" * 32, "pin")
    assert calls.pin(svc, call, "2468").dial is not None
    with svc.store.read() as s:  # the tag of her PIN is keyed by a key derived for it, not the secret itself
        hashed = s.get(StaffMember, person.id).pin_hash
    assert generation(svc.settings.secret_key, hashed) != legacy_caller_key(hashed, svc.settings.secret_key)[:12]


# -- 8. a DIR and the outreach card: their owner's only, never through a symbolic link ----------


def test_8_the_dir_pdf_and_the_card_are_written_0600_and_never_through_a_symlink(make_services, tmp_path):
    import os
    import stat

    from hotline.casework import dir_form
    from hotline.store.models import DomesticIncidentReport

    svc = make_services()
    with svc.store.session() as s:
        case = Case(caller_key="offline-1", contact=None, status="open")
        s.add(case)
        s.flush()
        s.add(DomesticIncidentReport(case_id=case.id, lang="en", content=dir_form.seal(svc.store, {"name": "Lakshmi"})))
    previous = os.umask(0o022)  # as a shell's usual umask
    try:
        for command in (["case", "dir", str(case.id)], ["outreach"]):
            out = tmp_path / f"{command[0]}.pdf"
            assert cli(*command, "--output", str(out)).exit_code == 0
            assert stat.S_IMODE(out.stat().st_mode) == 0o600, command
            theirs = tmp_path / f"{command[0]}-theirs"
            theirs.write_bytes(b"someone else's file")
            link = tmp_path / f"{command[0]}-link.pdf"
            link.symlink_to(theirs)
            refused = cli(*command, "--output", str(link))
            assert refused.exit_code == 1 and "symbolic link" in refused.stderr
            assert theirs.read_bytes() == b"someone else's file"
    finally:
        os.umask(previous)


# -- 9. the low ones ----------------------------------------------------------------------------


def test_9_a_redis_password_a_redirect_and_numbers_without_a_plus_reach_no_log_and_no_fetch(tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from hotline.privacy.logfilter import scrub
    from hotline.store.redis_conn import connect
    from hotline.transport.whatsapp import fetch_media

    # a password with "/" in REDIS_URL: the error says what to do and shows none of it
    with pytest.raises(ValueError) as refused:
        connect("redis://:s3cr/etword@127.0.0.1:6379/0", tmp_path)
    shown, error = [], refused.value  # what a traceback prints of the error and those chained to it
    while error is not None:
        shown.append(str(error))
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    assert "percent-encode" in shown[0] and not any("s3cr" in m or "etword" in m for m in shown), shown

    # Twilio's redirect is followed only to https on a public host: not file://, not a private address
    asked = []

    class Redirects(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            asked.append(self.path)
            self.send_response(302)
            self.send_header("Location", self.server.place)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Redirects)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for place in ("file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "https://10.0.0.1/media",
                      "https://localhost/media"):
            server.place = place
            with pytest.raises(OSError):
                fetch_media("https://api.twilio.com" + media_path(1), SID, "token",
                            api=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
    assert len(asked) == 4  # each stopped at the redirect, nothing fetched from where it pointed

    # numbers without a + (Exotel's 0…, WhatsApp's WaId) and the bodies of Exotel and of speech
    line = scrub("CallFrom=09876543210&WaId=919876543210&MessageBody=he+took+my+phone&SpeechResult=help+me")
    assert "9876543210" not in line and "took" not in line and "help" not in line
