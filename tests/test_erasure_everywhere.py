"""#26 item 5: retention and erasure reach every table and every copy of her."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import JSON, ForeignKey, Text, select

from hotline.jobs.retention import BY_CASE, BY_KEY, KEPT, purge
from hotline.privacy.phones import caller_key
from hotline.store import db, legal
from hotline.store.models import CALLER_KEY_COLUMNS, SEALED_COLUMNS, SEALED_JSON, Base, Escalation
from hotline.web.console import auth

from .helpers import run_worker, sms_form, text
from .test_actions import everything_in

SURVIVOR = "+919876543210"

# Text and JSON columns that hold nothing of hers, each with why; a new one is sealed or named here.
NOT_HERS = {
    ("actions", "kind"), ("actions", "error"), ("actions", "payload"),  # payload: category, district; sealed copies
    ("outbox", "body"), ("outbox", "call"), ("outbox", "variables"),  # the local demo outbox: erased by `about`
    ("audit", "detail"),  # ids and counts, never words (Store.audit_in)
}


def _case_tables() -> set[str]:
    """Every table that hangs off a case (or off a DIR of one): erased with it."""
    return {t.name for t in Base.metadata.sorted_tables
            if any(isinstance(fk, ForeignKey) and fk.column.table.name in ("cases", "dirs")
                   for c in t.columns for fk in c.foreign_keys)}


def test_every_column_that_can_hold_her_is_named_by_erasure_and_by_retention():
    """A table that gains a caller key, a sealed number or her words must be named in the lists
    erasure (store.erase_in / anonymise), key rotation and retention read, or this fails."""
    keyed = {(m.__tablename__, c) for m, c in CALLER_KEY_COLUMNS}
    holding = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns
               if c.name in ("caller_key", "about")}
    assert holding == keyed
    # retention dates every keyed table (or keeps it, saying why)
    dated = {(m.__tablename__, c) for m, c, _ in BY_KEY} | {(m.__tablename__, "caller_key") for m in KEPT}
    assert keyed <= dated, keyed - dated
    # every table on a case is dated by retention and erased by anonymise (or legal.reduce)
    erased_by_case = {t.__tablename__ for t in db.CASE_TABLES} | set(legal.TABLES) | {"escalations"}
    assert _case_tables() <= {m.__tablename__ for m, _ in BY_CASE} | {"dir_forwardings"}
    assert _case_tables() <= erased_by_case, _case_tables() - erased_by_case
    # every free-text or JSON column is sealed, or says why it holds nothing of hers
    sealed = {(m.__tablename__, c) for m, c in SEALED_COLUMNS} | {(m.__tablename__, c) for m, c, _ in SEALED_JSON}
    words = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns
             if isinstance(c.type, Text | JSON) and t.name in {n for n, _ in keyed} | _case_tables()}
    blanked = {("escalations", c) for c in db.BLANKED}
    assert words <= sealed | NOT_HERS | blanked, words - sealed - NOT_HERS - blanked
    # and every table erasure touches is vacuumed after it
    assert {n for n, _ in keyed} | _case_tables() <= set(db.ERASURE_TABLES)


def test_a_woman_who_only_asked_for_a_shelter_list_is_erased_after_the_retention_period(
        make_app, database_url, redis_client):
    """She asked for shelters in Chennai by SMS and never wrote again: once the retention period
    has passed, nothing of her (keyed hash, number, what she asked for) is left in any table."""
    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    client = app.test_client()
    for body in ("hi", "1", "yes", "2", "1", "Chennai"):  # English, safe, information, shelter in Chennai
        client.post("/twilio/sms", data=sms_form(SURVIVOR, body))
    run_worker(svc, burst=True)
    key = caller_key(SURVIVOR, svc.settings.secret_key)
    assert key in everything_in(svc, redis_client)
    days = svc.settings.retention_days

    svc.clock.set(svc.now() + timedelta(days=days - 1))
    assert purge(svc, days) == 0  # within the period: kept
    assert key in everything_in(svc, redis_client)

    svc.clock.set(svc.now() + timedelta(days=2))
    assert purge(svc, days) == 1
    redis_client.flushdb()  # what Redis holds expires on its own; the store is what must be clean
    scan = everything_in(svc, redis_client)
    for trace in (key, SURVIVOR, "9876543210", "Chennai", "shelter"):
        assert trace not in scan, trace


# -- B: an erased case is read-only and shows none of her words ------------------------------------


@pytest.mark.parametrize("control", ["DELETE", "SAFE WORD"])
def test_an_erased_case_page_shows_none_of_her_words_and_takes_no_additions(make_app, database_url, control):
    """After DELETE or the safe word the case page shows no "danger words: …", no ticked checklist,
    no note; notes, checklists, records, follow-ups, a DIR, an order or a contact added to it are
    refused with a clear message, and nothing is written."""
    from hotline.response.risk import CHECKLIST
    from hotline.store.models import (
        CaseRecord,
        CourtOrder,
        DomesticIncidentReport,
        FollowUp,
        Note,
        OfflineContact,
    )

    from .test_console import PASSWORD, ask_for_a_counsellor, form, login, page

    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    for who in ("Kavitha", "Priya"):
        auth.set_password(svc.store, who, PASSWORD)
    e = ask_for_a_counsellor(app, svc)
    kavitha, _ = login(app, "Kavitha")
    case_page = f"/console/cases/{e.case_id}"
    form(kavitha, f"/console/escalations/{e.id}/ack", {})
    text(app.test_client(), SURVIVOR, "he beats me every night")
    run_worker(svc, burst=True)
    form(kavitha, f"{case_page}/checklist", {"item": ["q5"]}, case_page)
    form(kavitha, f"{case_page}/notes", {"text": "Mother-in-law threatens her."}, case_page)
    before = page(kavitha, case_page)
    assert "danger words: beats" in before and f"{CHECKLIST['q5']}" in before and "Mother-in-law" in before

    word = "DELETE" if control == "DELETE" else svc.settings.safe_word
    text(app.test_client(), SURVIVOR, word)
    run_worker(svc, burst=True)

    priya, _ = login(app, "Priya")  # the coordinator, who sees every case
    for viewer in (priya, kavitha):
        shown = page(viewer, case_page)
        for trace in ("danger words", "beats", CHECKLIST["q5"], "Mother-in-law", " checked"):
            assert trace not in shown, trace
        assert "nothing can be added" in shown
    casework = f"/console/cases/{e.case_id}/casework"
    attempts = [(f"{case_page}/notes", {"text": "She is at her sister's in Madurai."}),
                (f"{case_page}/checklist", {"item": ["q1"]}),
                (f"{case_page}/records", {"kind": "incident", "details": "Selvi, Anna Nagar"}),
                (f"{case_page}/followups", {"due": "2030-01-01T10:00", "note": "call Selvi"}),
                (f"/console/cases/{e.case_id}/dir", {"action": "save", "lang": "en", "aggrieved_name": "Selvi"}),
                (f"/console/cases/{e.case_id}/orders", {"kind": "protection", "status": "applied"}),
                (f"/console/cases/{e.case_id}/contacts", {"kind": "walk_in", "happened_at": "2026-11-20T10:00",
                                                          "summary": "Selvi came to the desk"})]
    # nor by SMS: NOTE and FOLLOWUP on her alert's code are told she ended it
    for command in (f"NOTE {e.code} she is at her sister's in Madurai", f"FOLLOWUP {e.code} 3d"):
        (said,) = text(app.test_client(), "+919840000001", command)
        assert said in {svc.catalog.own("esc_ended", lang, code=e.code) for lang in ("en", "ta")}, said
    refused = priya.get(f"/console/cases/{e.case_id}/dir")  # no blank Form I to fill in, either
    assert refused.status_code == 302 and "nothing can be added" in page(priya, refused.headers["Location"])
    for path, data in attempts:
        reply = form(priya, path, data, casework if "/checklist" not in path else case_page)
        assert reply.status_code == 302, path
        assert "nothing can be added" in page(priya, reply.headers["Location"]), path
    with svc.store.session() as s:
        for model in (Note, CaseRecord, FollowUp, DomesticIncidentReport, CourtOrder, OfflineContact):
            assert s.scalars(select(model)).all() == [], model.__tablename__
        assert all(not x.risk_reasons for x in s.scalars(select(Escalation)))


# -- C: media captioned with one of her controls ---------------------------------------------------


@pytest.fixture
def standin():
    from .twilio_standin import StandIn

    server = StandIn()
    yield server
    server.stop()


def _photo(standin, n: int) -> tuple[str, dict]:
    from .test_whatsapp import SID

    path = f"/2010-04-01/Accounts/{SID}/Messages/MM{str(n) * 32}/Media/ME{str(n + 1) * 32}"
    standin.media[path] = (b"\xff\xd8\xff photo", "image/jpeg")
    return path, {"NumMedia": "1", "MediaContentType0": "image/jpeg", "MessageType": "image",
                  "MediaUrl0": "https://api.twilio.com" + path}


@pytest.mark.parametrize("caption", ["DELETE", "SAFE WORD", "STOP"])
def test_a_photo_captioned_with_a_control_word_is_deleted_at_twilio(make_services, standin, database_url, caption):
    """The control is carried out as if typed; the photo is not kept here, and Twilio's copy of it
    is deleted through its REST API (before: Twilio kept it for ever)."""
    from .test_whatsapp import line, wa

    svc, app = line(make_services, standin, database_url=database_url)
    client = app.test_client()
    wa(client, standin, SURVIVOR, "hi")
    path, photo = _photo(standin, 3)
    wa(client, standin, SURVIVOR, svc.settings.safe_word if caption == "SAFE WORD" else caption, **photo)
    run_worker(svc, burst=True)
    assert standin.deleted == [path] and path not in standin.media
    with svc.store.session() as s:
        assert all(not (e.details or {}).get("media") for e in s.scalars(select(Escalation)))


def test_a_photo_captioned_with_danger_goes_with_the_emergency_it_opens(make_services, standin, database_url):
    """"URGENT he hit me" under an injury photo: the emergency it opens carries the photo (sealed),
    so her counsellor sees it; her DELETE afterwards deletes it at Twilio too."""
    import json

    from .helpers import latest
    from .test_whatsapp import line, wa

    svc, app = line(make_services, standin, database_url=database_url)
    client = app.test_client()
    path, photo = _photo(standin, 5)
    wa(client, standin, SURVIVOR, "URGENT he hit me", **photo)
    e = latest(svc)
    assert e.priority == "emergency"
    (item,) = e.details["media"]
    assert path not in item and json.loads(svc.store.unseal(item))["url"].endswith(path)  # sealed
    run_worker(svc, burst=True)
    assert standin.deleted == []  # kept for her counsellor while her case runs
    wa(client, standin, SURVIVOR, "DELETE")
    run_worker(svc, burst=True)
    assert standin.deleted == [path]


# -- D: Twilio's Message and Call records ----------------------------------------------------------


def _twilio_line(make_services, standin, database_url):
    from .test_delivery import SID, TOKEN, _line

    assert TOKEN
    return _line(make_services, standin, database_url), SID


def _texts(client, standin, number: str, *bodies: str) -> list[str]:
    """Her SMSes, each a Message record Twilio keeps; their paths at the stand-in."""
    from .helpers import new_sid

    paths = []
    for body in bodies:
        sid = new_sid()
        paths.append(standin.inbound("Messages", sid))
        client.post("/twilio/sms", data=sms_form(number, body, sid))
    return paths


@pytest.mark.parametrize("control", ["DELETE", "SAFE WORD"])
def test_her_erasure_deletes_twilios_message_records_of_her(make_services, standin, database_url, control):
    """After DELETE or the safe word, the Message records Twilio held of her are deleted there:
    what she texted (the control too), what the line sent her, her words relayed to her counsellor
    and her counsellor's to her. Nothing here names them afterwards."""
    from .helpers import latest

    (svc, client), _ = _twilio_line(make_services, standin, database_url)
    kavitha = "+919840000001"
    hers = _texts(client, standin, SURVIVOR, "hi", "1", "1", "1")  # English, safe, a counsellor
    run_worker(svc, burst=True)
    e = latest(svc)
    client.post("/twilio/sms", data=sms_form(kavitha, f"ACK {e.code}"))
    hers += _texts(client, standin, SURVIVOR, "my husband locked the door")
    client.post("/twilio/sms", data=sms_form(kavitha, f"{e.code} are you safe now?"))
    run_worker(svc, burst=True)
    assert any("locked the door" in r["form"].get("Body", "") for r in standin.requests)
    assert any(r["form"].get("To") == SURVIVOR for r in standin.requests)
    sent = {p for p in standin.records if "/Messages/SM" in p} - set(hers)  # by the line, all about her
    assert standin.deleted_records == []

    hers += _texts(client, standin, SURVIVOR, "DELETE" if control == "DELETE" else svc.settings.safe_word)
    run_worker(svc, burst=True)
    deleted = set(standin.deleted_records)
    assert set(hers) <= deleted  # everything she texted, the control too
    # everything the line sent of her: to her, and her words to Kavitha (the note that tells
    # Kavitha it ended, sent after, names only the alert's code)
    assert sent <= deleted
    with svc.store.session() as s:
        from hotline.store.models import Action, ProviderRecord

        assert s.scalars(select(ProviderRecord)).all() == []
        assert all(not (a.payload or {}).get("copies") for a in s.scalars(select(Action)))


def test_retention_deletes_twilios_records_of_a_woman_silent_past_the_period(make_services, standin, database_url):
    """She asked for a shelter list and never wrote again: after the retention period her texts'
    and her shelter list's Message records are deleted at Twilio too."""
    (svc, client), _ = _twilio_line(make_services, standin, database_url)
    hers = _texts(client, standin, SURVIVOR, "hi", "1", "yes", "2", "1", "Chennai")
    run_worker(svc, burst=True)
    listed = {p for r in standin.requests if r["form"].get("To") == SURVIVOR for p in standin.records
              if p.endswith(r["sid"])}  # the shelter list
    assert listed
    assert standin.deleted_records == []
    svc.clock.set(svc.now() + timedelta(days=svc.settings.retention_days + 1))
    assert purge(svc, svc.settings.retention_days) == 1
    run_worker(svc, burst=True)
    assert set(hers) <= set(standin.deleted_records)
    assert listed <= set(standin.deleted_records)


def test_her_call_record_is_deleted_at_twilio_when_she_texts_delete(make_services, standin, database_url):
    """She called the line, then texted DELETE: Twilio's Call record of her call (her number, its
    times) is deleted there too."""
    from .helpers import new_sid

    (svc, client), _ = _twilio_line(make_services, standin, database_url)
    call_sid = new_sid("CA")
    call = standin.inbound("Calls", call_sid)
    client.post("/twilio/voice", data={"From": SURVIVOR, "To": "+914400000000", "CallSid": call_sid,
                                       "AccountSid": "AC" + "a" * 32})
    run_worker(svc, burst=True)
    assert standin.deleted_records == []
    (text_sid,) = _texts(client, standin, SURVIVOR, "DELETE")
    run_worker(svc, burst=True)
    assert set(standin.deleted_records) == {call, text_sid}


def test_retention_keeps_her_stop_and_nothing_else(make_app, database_url, redis_client):
    """She asked for a shelter list, then sent STOP, and never wrote again: after the retention
    period everything of her goes but her STOP, which stands until she sends START."""
    from hotline.store.models import OptOut

    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    client = app.test_client()
    for body in ("hi", "1", "yes", "2", "1", "Chennai", "STOP"):
        client.post("/twilio/sms", data=sms_form(SURVIVOR, body))
    run_worker(svc, burst=True)
    key = caller_key(SURVIVOR, svc.settings.secret_key)
    svc.clock.set(svc.now() + timedelta(days=svc.settings.retention_days + 1))
    assert purge(svc, svc.settings.retention_days) == 1
    redis_client.flushdb()
    with svc.store.session() as s:
        assert s.get(OptOut, key) is not None
        s.query(OptOut).delete()
    scan = everything_in(svc, redis_client)
    for trace in (key, SURVIVOR, "9876543210", "Chennai", "shelter"):
        assert trace not in scan, trace


def test_a_photo_captioned_with_danger_while_her_counsellor_holds_her_case_goes_to_that_case(
        make_services, standin, database_url):
    """Kavitha holds her case; "URGENT he is back" under a photo: the danger is carried out as ever,
    and the photo goes with the request it joins (sealed), where Kavitha can open it."""
    import json

    from .test_whatsapp import KAVITHA, ask_for_a_counsellor, line, wa

    svc, app = line(make_services, standin, database_url=database_url)
    client = app.test_client()
    e = ask_for_a_counsellor(svc, client, standin)
    wa(client, standin, KAVITHA, f"ACK {e.code}")
    run_worker(svc, burst=True)
    path, photo = _photo(standin, 7)
    wa(client, standin, SURVIVOR, "URGENT he is back", **photo)
    run_worker(svc, burst=True)
    with svc.store.session() as s:
        items = [svc.store.unseal(m) for x in s.scalars(select(Escalation)) for m in (x.details or {}).get("media", [])]
    assert [json.loads(m)["url"] for m in items] == ["https://api.twilio.com" + path]
    assert standin.deleted == []
