"""The web console over the app's test client, on real Redis and the store (SQLite and
PostgreSQL where it matters): logins and lock-out, CSRF, who sees what, ACK/PASS/DONE from the
page through the staff commands, notes, follow-ups and records, the audit of every case view,
reports with their chart and CSV; and the simulator's own endpoints."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from hotline.store.models import Audit, Case, CaseRecord, Escalation, FollowUp, Note, StaffMember
from hotline.web.console import auth, throttle

from .cli import cli
from .helpers import last_sent, latest, messages, post, run_worker, sent, sms_form, text

SURVIVOR = "+919876543210"
MASKED = "+91•••••••210"
KAVITHA, ANJALI = "+919840000001", "+919840000002"
PASSWORD = "a long enough password"
TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def console(make_app, database_url):
    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    for who in ("Kavitha", "Anjali", "Priya", "SI Ramesh"):
        auth.set_password(svc.store, who, PASSWORD)
    return app, svc


@pytest.fixture
def sqlite_console(make_app, sqlite_url):
    app = make_app(database_url=sqlite_url)
    svc = app.extensions["hotline"]
    for who in ("Kavitha", "Anjali", "Priya"):
        auth.set_password(svc.store, who, PASSWORD)
    return app, svc


def token(client, path="/console/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(app, name, password=PASSWORD, address="127.0.0.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    reply = client.post("/console/login", data={"csrf_token": token(client), "name": name, "password": password})
    return client, reply


def form(client, path, data, page="/console/"):
    return client.post(path, data={"csrf_token": token(client, page), **data})


def ask_for_a_counsellor(app, svc) -> Escalation:
    """An English-speaking survivor asks for a counsellor; Kavitha is alerted first."""
    client = app.test_client()
    for body in ("hi", "1", "1", "1"):
        text(client, SURVIVOR, body)
    run_worker(svc, burst=True)
    return latest(svc)


def events(svc, name):
    with svc.store.session() as s:
        return list(s.scalars(select(Audit).where(Audit.event == name).order_by(Audit.id)))


def page(client, path) -> str:
    reply = client.get(path)
    assert reply.status_code == 200, (path, reply.status_code)
    return reply.get_data(as_text=True)


# -- logging in ---------------------------------------------------------------------------------


def test_pages_need_a_login_then_logout_ends_it(sqlite_console):
    app, svc = sqlite_console
    anonymous = app.test_client()
    for path in ("/console/", "/console/cases", "/console/cases/1", "/console/reports", "/console/live/table"):
        reply = anonymous.get(path)
        assert reply.status_code == 302 and "/console/login" in reply.headers["Location"]
    # asked to log in: a notice, not a green "done" box (#33)
    asked = anonymous.get("/console/cases", follow_redirects=True).get_data(as_text=True)
    assert '<p class="flash info" role="status">Please log in.</p>' in asked
    client, reply = login(app, "kavitha")  # a name in any case, or a phone number in any form
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/console/")
    assert "Kavitha" in page(client, "/console/")
    cookie = reply.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert form(client, "/console/logout", {}).status_code == 302
    assert client.get("/console/").status_code == 302
    other, reply = login(app, "+91 98400 00002")
    assert reply.status_code == 302 and "Anjali" in page(other, "/console/")
    assert [e.staff_id for e in events(svc, "console.login")] and events(svc, "console.logout")


def test_wrong_passwords_are_limited_from_an_address_and_lock_nobody_out(console):
    # (was: five wrong passwords locked the account; issue #20: only real accounts locked, and
    # anyone could keep every account locked. Now failures are limited per address and name.)
    app, svc = console
    for _ in range(throttle.PAIR_FAILURES):
        _, reply = login(app, "Kavitha", "wrong password")
        assert reply.status_code == 401 and "do not match" in reply.get_data(as_text=True)
    _, reply = login(app, "Kavitha")  # the right password, but from here too many failures for her
    assert reply.status_code == 429 and "Too many failed attempts" in reply.get_data(as_text=True)
    assert events(svc, "console.login_throttled")
    _, unknown = login(app, "Nobody at all", "wrong password")  # says no more than a wrong password
    assert unknown.status_code == 401 and "do not match" in unknown.get_data(as_text=True)
    _, elsewhere = login(app, "Kavitha", address="10.0.0.9")  # her own computer: she gets in
    assert elsewhere.status_code == 302
    with svc.store.session() as s:
        member = s.scalars(select(StaffMember).where(StaffMember.name == "Kavitha")).one()
        assert member.locked_until is None and member.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_police_and_people_without_a_password_cannot_log_in(console):
    app, _ = console
    assert login(app, "SI Ramesh")[1].status_code == 401  # police use SMS, not the console
    assert login(app, "Meena", "")[1].status_code == 401  # no password set


def test_a_name_with_its_role_in_brackets_answers_to_the_name_alone(sqlite_console):
    app, svc = sqlite_console
    with svc.store.session() as s:  # as in examples/staff.yaml
        s.scalars(select(StaffMember).where(StaffMember.name == "Priya")).one().name = "Priya (coordinator)"
    assert login(app, "priya")[1].status_code == 302
    assert login(app, "Priya (coordinator)")[1].status_code == 302


def test_a_new_password_ends_the_sessions_opened_with_the_old(sqlite_console):
    app, svc = sqlite_console
    client, _ = login(app, "Kavitha")
    assert client.get("/console/").status_code == 200
    auth.set_password(svc.store, "Kavitha", "another long password")
    assert client.get("/console/").status_code == 302


def test_every_form_needs_its_csrf_token(sqlite_console):
    app, svc = sqlite_console
    escalation = ask_for_a_counsellor(app, svc)
    anonymous = app.test_client()
    assert anonymous.post("/console/login", data={"name": "Kavitha", "password": PASSWORD}).status_code == 400
    client, _ = login(app, "Kavitha")
    for path, data in ((f"/console/escalations/{escalation.id}/ack", {}),
                       (f"/console/cases/{escalation.case_id}/notes", {"text": "hello"}),
                       ("/console/logout", {})):
        refused = client.post(path, data=data)
        assert refused.status_code == 400 and "security token" in refused.get_data(as_text=True)
        forged = client.post(path, data={**data, "csrf_token": "forged"})
        assert forged.status_code == 400
    with svc.store.session() as s:
        assert s.get(Escalation, escalation.id).status == "open"
        assert s.scalars(select(Note)).all() == []
    # the webhooks are Twilio's to sign, not ours: no CSRF token there
    assert text(app.test_client(), SURVIVOR, "MENU")


def test_the_password_command_reads_stdin_and_names_who_it_cannot_find(sqlite_console):
    _, svc = sqlite_console
    done = cli("staff", "set-password", "+91 98400 00003", input="a brand new password\n")
    assert done.exit_code == 0
    assert "Meena" in done.stdout
    with svc.store.session() as s:
        meena = s.scalars(select(StaffMember).where(StaffMember.name == "Meena")).one()
        assert check_password_hash(meena.password_hash, "a brand new password")
    assert cli("staff", "set-password", "Meena", input="short\n").exit_code == 1
    done = cli("staff", "set-password", "Somebody Else", input="long enough password\n")
    assert done.exit_code == 1
    assert "nobody on the staff list" in done.stderr


# -- who sees what ------------------------------------------------------------------------------


def test_a_counsellor_sees_only_her_alerts_and_cases_a_coordinator_sees_all(console):
    app, svc = console
    e = ask_for_a_counsellor(app, svc)
    kavitha, _ = login(app, "Kavitha")
    anjali, _ = login(app, "Anjali")
    priya, _ = login(app, "Priya")
    assert f'data-code="{e.code}"' in page(kavitha, "/console/live/table")  # she was alerted
    assert f'data-code="{e.code}"' not in page(anjali, "/console/live/table")  # not (yet)
    assert f'data-code="{e.code}"' in page(priya, "/console/live/table")
    assert anjali.get(f"/console/cases/{e.case_id}").status_code == 404
    assert f"/console/cases/{e.case_id}" not in page(anjali, "/console/cases")
    assert anjali.post(f"/console/cases/{e.case_id}/notes",
                       data={"csrf_token": token(anjali, "/console/"), "text": "x"}).status_code == 404
    assert kavitha.get(f"/console/cases/{e.case_id}").status_code == 200
    assert priya.get(f"/console/cases/{e.case_id}").status_code == 200
    for path in ("/console/rota", "/console/reports", "/console/reports/escalations.csv"):
        assert kavitha.get(path).status_code == 403
        assert priya.get(path).status_code == 200
    # the survivor's number is masked everywhere
    for client, path in ((priya, "/console/"), (priya, "/console/cases"), (priya, f"/console/cases/{e.case_id}"),
                         (kavitha, f"/console/cases/{e.case_id}"), (priya, "/console/reports/escalations.csv")):
        body = client.get(path).get_data(as_text=True)
        assert SURVIVOR not in body and "9876543210" not in body
    assert MASKED in page(priya, f"/console/cases/{e.case_id}") and MASKED in page(priya, "/console/")


def test_acknowledge_from_the_page_then_relays_show_only_to_her_then_done(console):
    app, svc = console
    e = ask_for_a_counsellor(app, svc)
    kavitha, _ = login(app, "Kavitha")
    priya, _ = login(app, "Priya")
    reply = form(kavitha, f"/console/escalations/{e.id}/ack", {"next": f"/console/cases/{e.case_id}"})
    assert reply.status_code == 302 and reply.headers["Location"].endswith(f"/console/cases/{e.case_id}")
    flashed = re.search(r'<p class="flash[^"]*"[^>]*>([^<]*)<', page(kavitha, f"/console/cases/{e.case_id}")).group(1)
    # the page's words, not the SMS's: no "Send DONE 53900" to a woman with a Done button (#33)
    assert flashed.startswith(f"You have alert {e.code}.") and "Press Done" in flashed and "DONE" not in flashed
    with svc.store.session() as s:
        taken = s.get(Escalation, e.id)
        assert (taken.status, s.get(Case, e.case_id).assigned_to) == ("acked", svc.staff.find(KAVITHA).id)
    mark = last_sent(svc)
    run_worker(svc, burst=True)
    assert SURVIVOR in [to for to, _ in sent(svc, mark)]  # she is told someone has her message

    # the relay goes both ways, as if Kavitha had texted ACK
    client = app.test_client()
    assert text(client, SURVIVOR, "He has gone out. I can talk now.") == []
    assert text(client, KAVITHA, "Are you safe where you are?") == []
    run_worker(svc, burst=True)
    hers = page(kavitha, f"/console/cases/{e.case_id}")
    assert "He has gone out. I can talk now." in hers and "Are you safe where you are?" in hers
    coordinator = page(priya, f"/console/cases/{e.case_id}")
    assert "He has gone out" not in coordinator and "Are you safe" not in coordinator
    assert "shown only to the counsellor" in coordinator and "Relayed from the survivor" in coordinator

    # every view of the case is in the audit log, by whom and which case, with the caller's key
    viewed = events(svc, "case.viewed")
    assert {v.staff_id for v in viewed} == {svc.staff.find(KAVITHA).id, svc.staff.find("+919840000004").id}
    assert all(v.detail["case"] == e.case_id and v.caller_key for v in viewed)

    # a coordinator closes it from the page: Done asks first, and only "Yes, close it" closes
    asked = form(priya, f"/console/escalations/{e.id}/done", {})
    assert asked.status_code == 200 and f"Close alert {e.code}?" in asked.get_data(as_text=True)
    with svc.store.session() as s:
        assert s.get(Escalation, e.id).status == "acked"
    assert form(priya, f"/console/escalations/{e.id}/done", {"confirmed": "yes"}).status_code == 302
    with svc.store.session() as s:
        assert s.get(Escalation, e.id).status == "done" and s.get(Case, e.case_id).status == "closed"
    assert [a.staff_id for a in events(svc, "staff.done")] == [svc.staff.find("+919840000004").id]
    assert f'data-code="{e.code}"' not in page(priya, "/console/live/table")


def test_pass_from_the_page_alerts_the_next_at_once(console):
    app, svc = console
    e = ask_for_a_counsellor(app, svc)
    kavitha, _ = login(app, "Kavitha")
    anjali, _ = login(app, "Anjali")
    # Anjali was not alerted: she cannot even see it
    assert form(anjali, f"/console/escalations/{e.id}/pass", {}).status_code == 404
    mark = last_sent(svc)
    run_worker(svc, burst=True)
    assert sent(svc, mark) == []
    assert form(kavitha, f"/console/escalations/{e.id}/pass", {}).status_code == 302
    run_worker(svc, burst=True)
    assert [to for to, _ in sent(svc, mark)] == [ANJALI]
    assert f'data-code="{e.code}"' in page(anjali, "/console/live/table")


def test_notes_follow_ups_and_records_from_the_case_page(console):
    app, svc = console
    e = ask_for_a_counsellor(app, svc)
    kavitha, _ = login(app, "Kavitha")
    case_page = f"/console/cases/{e.case_id}"
    form(kavitha, f"/console/escalations/{e.id}/ack", {})
    assert form(kavitha, f"{case_page}/notes", {"text": "Mother-in-law threatens her."}, case_page).status_code == 302
    due = (svc.staff.local(svc.now()) + timedelta(days=3)).replace(second=0, microsecond=0)
    form(kavitha, f"{case_page}/followups", {"due": due.strftime("%Y-%m-%dT%H:%M"), "note": "ask about the DIR"},
         case_page)
    form(kavitha, f"{case_page}/records", {"kind": "protection_order", "happened_on": "2026-01-12",
                                           "details": "interim order, Madurai court"}, case_page)
    assert form(kavitha, f"{case_page}/records", {"kind": "nonsense"}, case_page).status_code == 400
    with svc.store.session() as s:
        (note,) = s.scalars(select(Note)).all()
        (followup,) = s.scalars(select(FollowUp)).all()
        (record,) = s.scalars(select(CaseRecord)).all()
        assert note.body != "Mother-in-law threatens her." and svc.store.unseal(note.body) == "Mother-in-law threatens her."
        assert followup.status == "pending" and svc.store.unseal(followup.note) == "ask about the DIR"
        assert abs((auth.aware(followup.due_at) - due).total_seconds()) < 1
        assert (record.kind, record.happened_on) == ("protection_order", "2026-01-12")
        assert svc.store.unseal(record.details) == "interim order, Madurai court"
    assert events(svc, "staff.note")  # the NOTE command, as by SMS
    timeline = page(kavitha, case_page)
    for shown in ("Mother-in-law threatens her.", "ask about the DIR", "Protection order on 2026-01-12",
                  "interim order, Madurai court", f"Alert {e.code} acknowledged"):
        assert shown in timeline


# -- reports ------------------------------------------------------------------------------------


def test_reports_chart_the_median_time_to_acknowledge_and_export_csv(console):
    app, svc = console
    at = svc.now() - timedelta(hours=1)
    kavitha = svc.staff.find(KAVITHA).id  # read before the transaction: SQLite has one writer
    with svc.store.session() as s:
        case = Case(caller_key="k" * 32, contact=svc.store.seal(SURVIVOR), lang="ta", channel="sms")
        voice = Case(caller_key="v" * 32, contact=svc.store.seal("+919800000999"), lang="en", channel="voice")
        s.add_all([case, voice])
        s.flush()
        for i, seconds in enumerate((60, 120, 600)):
            s.add(Escalation(case_id=case.id, code=f"{500 + i}", lang="ta", status="done", created_at=at,
                             acked_at=at + timedelta(seconds=seconds), acked_by=kavitha))
        s.add(Escalation(case_id=voice.id, code="599", lang="en", status="unanswered", created_at=at))
    priya, _ = login(app, "Priya")
    report = page(priya, "/console/reports")
    medians = re.findall(r'class="median" data-seconds="(\d+)"', report)
    assert medians == ["120"]  # one week with acknowledgements: its median, 2 minutes
    assert '<svg class="chart"' in report and report.count('class="ack"') == 3 and ">2m</text>" in report
    assert 'id="median">2m<' in report
    assert "599" in report  # unanswered
    reply = priya.get("/console/reports/escalations.csv")
    assert reply.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True))))
    assert sorted(r["seconds_to_ack"] for r in rows) == ["", "120", "60", "600"]
    assert {(r["channel"], r["language"]) for r in rows} == {("sms", "ta"), ("voice", "en")}
    assert {r["acked_by"] for r in rows} == {"Kavitha", ""}
    body = reply.get_data(as_text=True)
    assert SURVIVOR not in body and "k" * 32 not in body
    assert events(svc, "report.exported")[0].staff_id == svc.staff.find("+919840000004").id


def test_the_rota_shows_who_is_on_shift_by_role_and_language(sqlite_console):
    app, _ = sqlite_console
    priya, _ = login(app, "Priya")
    rota = page(priya, "/console/rota")
    assert "Kavitha" in rota and "Revathi" in rota and "00:00–24:00" in rota
    assert re.search(r'data-role="counsellor" data-lang="ta">Kavitha, Revathi<', rota)


# -- the simulator's endpoints ------------------------------------------------------------------


def test_the_simulator_shows_five_phones_and_each_phone_its_own_outbox(sqlite_console):
    app, svc = sqlite_console
    client = app.test_client()
    sim = page(client, "/simulator/")
    assert sim.count('class="phone"') == 5  # a survivor by SMS and on WhatsApp, a counsellor, the NGO, an officer
    assert 'data-role="whatsapp" data-number="+919876543211" data-whatsapp="yes"' in sim
    assert 'data-number="+919840000001"' in sim and 'data-number="+919840000005"' in sim  # Kavitha, SI Ramesh
    svc.outbound.sms(KAVITHA, "for Kavitha")
    svc.outbound.sms(SURVIVOR, "for her")
    rows = client.get("/simulator/outbox?to=%2B919840000001&after=0").get_json()
    assert [r["body"] for r in rows] == ["for Kavitha"]
    assert client.get(f"/simulator/outbox?to=%2B919840000001&after={rows[0]['id']}").get_json() == []


def test_the_simulator_signs_its_requests_when_a_token_is_set(make_app, live, sqlite_url):
    # a token without an account SID, and HOTLINE_SIMULATOR=1 (issue #20: no longer by default):
    # for a logged-in coordinator, signing only for the survivor's number it made up
    app = make_app(database_url=sqlite_url, twilio_auth_token=TOKEN, simulator=True)
    auth.set_password(app.extensions["hotline"].store, "Priya", PASSWORD)
    server = live(app)
    import requests

    session = requests.Session()
    assert "/console/login" in session.get(server.url + "/simulator/").url  # a login first
    login_page = session.get(server.url + "/console/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    session.post(server.url + "/console/login", data={"csrf_token": csrf, "name": "Priya", "password": PASSWORD})
    sim = session.get(server.url + "/simulator/")
    assert sim.status_code == 200 and sim.text.count('class="phone"') == 1  # no staff phone
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', sim.text).group(1)
    made_up = re.search(r'data-number="(\+9150\d{8})"', sim.text).group(1)
    params = sms_form(made_up, "hello")
    signed = session.post(server.url + "/simulator/sign", json={"path": "/twilio/sms", "params": params},
                          headers={"X-CSRFToken": csrf}).json()["signature"]
    ok = post(server.url, "/twilio/sms", params, signature=signed)
    assert ok.status_code == 200 and messages(ok.text)
    assert post(server.url, "/twilio/sms", sms_form(made_up, "hello")).status_code == 403
    no_csrf = session.post(server.url + "/simulator/sign", json={"path": "/twilio/sms", "params": params})
    assert no_csrf.status_code == 400
    elsewhere = session.post(server.url + "/simulator/sign", json={"path": "/console/", "params": {}},
                             headers={"X-CSRFToken": csrf})
    assert elsewhere.status_code == 400
    for number in (KAVITHA, SURVIVOR):  # a staff member's, or a number it did not make up
        refused = session.post(server.url + "/simulator/sign", json={"path": "/twilio/sms",
                                                                    "params": sms_form(number, "ACK 12345")},
                               headers={"X-CSRFToken": csrf})
        assert refused.status_code == 403


def test_no_simulator_with_a_twilio_account(make_app, sqlite_url):
    app = make_app(database_url=sqlite_url, twilio_account_sid="AC" + "1" * 32, twilio_auth_token=TOKEN)
    assert app.test_client().get("/simulator/").status_code == 404


# -- helpers ------------------------------------------------------------------------------------


# -- the console on a phone: reply box, confirmation, small things (#21) --------------------------


def test_the_reply_box_writes_to_her_only_for_the_one_who_holds_the_case_and_never_past_stop(console):
    app, svc = console
    e = ask_for_a_counsellor(app, svc)
    kavitha, _ = login(app, "Kavitha")
    priya, _ = login(app, "Priya")
    assert "Write to her" not in page(kavitha, f"/console/cases/{e.case_id}")  # not hers yet
    form(kavitha, f"/console/escalations/{e.id}/ack", {})
    run_worker(svc, burst=True)
    assert "Write to her" in page(kavitha, f"/console/cases/{e.case_id}")
    assert "Write to her" not in page(priya, f"/console/cases/{e.case_id}")  # a coordinator holds nothing

    mark = last_sent(svc)
    reply = form(kavitha, f"/console/cases/{e.case_id}/reply", {"text": "Are you safe now?"},
                 page=f"/console/cases/{e.case_id}")
    assert reply.status_code == 302
    run_worker(svc, burst=True)
    assert sent(svc, mark) == [(SURVIVOR, "Kavitha: Are you safe now?")]  # her first name, never "Counsellor:"
    assert "Are you safe now?" in page(kavitha, f"/console/cases/{e.case_id}")

    # the coordinator may see the case but holds it not: nothing is sent
    mark = last_sent(svc)
    form(priya, f"/console/cases/{e.case_id}/reply", {"text": "hello"}, page=f"/console/cases/{e.case_id}")
    assert "do not hold this case" in page(priya, "/console/cases")
    run_worker(svc, burst=True)
    assert sent(svc, mark) == []

    # after her STOP the box refuses, and says why
    text(app.test_client(), SURVIVOR, "STOP")
    mark = last_sent(svc)
    form(kavitha, f"/console/cases/{e.case_id}/reply", {"text": "Still there?"}, page=f"/console/cases/{e.case_id}")
    assert "she sent STOP" in page(kavitha, "/console/cases")
    run_worker(svc, burst=True)
    assert SURVIVOR not in [to for to, _ in sent(svc, mark)]


def test_a_taken_alert_shows_who_took_it_and_no_waiting_clock(console):
    app, svc = console
    e = ask_for_a_counsellor(app, svc)
    kavitha, _ = login(app, "Kavitha")
    assert 'class="waiting"' in page(kavitha, "/console/live/table")
    form(kavitha, f"/console/escalations/{e.id}/ack", {})
    live = page(kavitha, "/console/live/table")
    assert "taken by <strong>Kavitha</strong>" in live and 'class="waiting"' not in live


def test_root_opens_the_console_and_forbidden_is_a_console_page(console):
    app, _ = console
    root = app.test_client().get("/")
    assert root.status_code == 302 and root.headers["Location"].endswith("/console/")
    kavitha, _ = login(app, "Kavitha")
    refused = kavitha.get("/console/rota")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 403 and "console.css" in body and "Log out" in body and "coordinators" in body
    missing = kavitha.get("/console/cases/999999")
    assert missing.status_code == 404 and "console.css" in missing.get_data(as_text=True)


def test_a_voicemail_is_a_player_for_her_counsellor_and_withheld_from_others(console):
    app, svc = console
    e = ask_for_a_counsellor(app, svc)
    with svc.store.session() as s:
        row = s.get(Escalation, e.id)
        row.details = {**(row.details or {}), "recording": "https://api.twilio.com/rec/RE1", "seconds": 20}
    kavitha, _ = login(app, "Kavitha")
    priya, _ = login(app, "Priya")
    form(kavitha, f"/console/escalations/{e.id}/ack", {})
    hers = page(kavitha, f"/console/cases/{e.case_id}")
    # an address kept in clear before #30: played through the console, never handed to the browser
    assert f'<audio controls preload="none" src="/console/cases/{e.case_id}/recording/{e.id}">' in hers
    assert "api.twilio.com" not in hers and "RE1" not in hers and "20 seconds long" in hers
    theirs = page(priya, f"/console/cases/{e.case_id}")
    assert "RE1" not in theirs and "recording: (withheld)" in theirs
    assert "media-src 'self';" in kavitha.get("/console/").headers["Content-Security-Policy"]
