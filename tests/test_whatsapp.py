"""WhatsApp through Twilio (#14), end to end: signed webhooks (From `whatsapp:+91…`) on the app's
test client, the worker in burst, and Twilio's REST reached through the real SDK against the
stand-in (tests/twilio_standin.py), which refuses free text outside a number's 24-hour window
(63016) and serves media only with the account's credentials.

A survivor on WhatsApp is answered on WhatsApp (never by SMS), in free text within her window and
by an approved template outside it; staff on WhatsApp get the alert template and answer with its
buttons; a voice note is a voicemail her counsellor alone can play; the safe word ends the relay."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from hotline.privacy.phones import caller_key
from hotline.store.models import (
    Action,
    ContactChannel,
    Escalation,
    HeldMessage,
    Notification,
    Relay,
)
from hotline.web.app import create_app
from hotline.web.console import auth

from .cli import cli
from .helpers import latest, messages, new_sid, run_worker, sign
from .twilio_standin import StandIn

SURVIVOR = "+919876543210"
KAVITHA, PRIYA = "+919840000001", "+919840000004"
WA_NUMBER = "+914400000001"
SID, TOKEN = "AC" + "a" * 32, "b" * 32
STAFF = str(Path(__file__).parent / "data" / "staff_whatsapp.yaml")
PASSWORD = "a long enough password"
TEMPLATES = {"survivor_message": {"en": "HX00000000000000000000000000000001",
                                  "ta": "HX00000000000000000000000000000002"},
             "staff_alert": {"en": "HX00000000000000000000000000000003", "ta": "HX00000000000000000000000000000004"}}


@pytest.fixture
def standin():
    server = StandIn()
    yield server
    server.stop()


def line(make_services, standin, **overrides):
    svc = make_services(twilio_client=standin.client(SID, TOKEN), twilio_account_sid=SID, twilio_auth_token=TOKEN,
                        whatsapp_number=WA_NUMBER, staff_file=STAFF, extra={"twilio_api": standin.base}, **overrides)
    return svc, create_app(services=svc)


def signed(client, path: str, form: dict):
    reply = client.post(path, data=form, headers={"X-Twilio-Signature": sign(TOKEN, "http://localhost" + path, form)})
    assert reply.status_code in (200, 204), reply.status_code
    return reply


def wa(client, standin, number: str, body: str = "", **fields) -> list[str]:
    """One WhatsApp message from `number`, signed as Twilio signs it; the bodies of the reply."""
    form = {"From": f"whatsapp:{number}", "To": f"whatsapp:{WA_NUMBER}", "Body": body, "MessageSid": new_sid(),
            "AccountSid": SID, "NumMedia": "0", "ProfileName": "Selvi", "WaId": number[1:], **fields}
    standin.open_window(number)  # as WhatsApp does: her message opens her window
    return messages(signed(client, "/twilio/sms", form).get_data(as_text=True))


def to(standin, number: str) -> list[dict]:
    """Every message the stand-in accepted for `number`, on any channel."""
    return [r["form"] for r in standin.requests if r["path"].endswith("/Messages.json")
            and r["form"].get("To", "").endswith(number)]


def key(svc, number: str) -> str:
    return caller_key(number, svc.settings.secret_key)


def ask_for_a_counsellor(svc, client, standin, number: str = SURVIVOR) -> Escalation:
    """In English: the language, safe to talk, a counsellor; the first alert sent."""
    for body in ("hi", "1", "1", "1"):
        wa(client, standin, number, body)
    run_worker(svc)
    return latest(svc)


def test_a_tamil_survivor_on_whatsapp_reaches_a_counsellor_on_whatsapp_and_is_answered_there(
        make_services, standin, database_url, caplog):
    caplog.set_level(logging.DEBUG)
    svc, app = line(make_services, standin, database_url=database_url)
    client = app.test_client()
    (asked,) = wa(client, standin, SURVIVOR, "எனக்கு உதவி வேண்டும்")  # Tamil at once: is it safe to talk?
    assert asked and not asked.isascii()
    (tips,) = wa(client, standin, SURVIVOR, "ஆம்")  # safe to talk: how to clear the chat, then the menu
    assert "Clear chat" in tips and "RECIPE" in tips and "அரட்டையை அழி" in tips
    wa(client, standin, SURVIVOR, "1")  # a counsellor
    run_worker(svc)
    e = latest(svc)
    (alert,) = to(standin, KAVITHA)  # the Tamil counsellor, on WhatsApp: the alert template, no Body
    assert alert["To"] == f"whatsapp:{KAVITHA}" and alert["From"] == f"whatsapp:{WA_NUMBER}"
    assert alert["ContentSid"] == TEMPLATES["staff_alert"]["ta"] and "Body" not in alert
    assert json.loads(alert["ContentVariables"])["1"] == e.code

    (answer,) = wa(client, standin, KAVITHA, "ACK", ButtonPayload=f"ACK {e.code}", ButtonText="ACK",
                   MessageType="button", OriginalRepliedMessageSid="SM" + "0" * 32)
    assert e.code in answer
    run_worker(svc)
    (taken,) = to(standin, SURVIVOR)  # "a counsellor has your message": on WhatsApp, in Tamil
    assert taken["To"] == f"whatsapp:{SURVIVOR}" and taken["From"] == f"whatsapp:{WA_NUMBER}"
    assert taken["Body"] == svc.catalog.own("survivor_taken", "ta")

    assert wa(client, standin, KAVITHA, "நான் கவிதா, நீங்கள் பாதுகாப்பாக இருக்கிறீர்களா?") == []
    assert wa(client, standin, SURVIVOR, "ஆம், நன்றி") == []  # her reply goes to Kavitha
    run_worker(svc)
    relayed = to(standin, SURVIVOR)[-1]
    assert relayed["To"] == f"whatsapp:{SURVIVOR}" and relayed["Body"].startswith("Kavitha: நான் கவிதா")
    assert KAVITHA not in relayed["Body"]
    back = to(standin, KAVITHA)[-1]
    assert back["To"] == f"whatsapp:{KAVITHA}" and "ஆம், நன்றி" in back["Body"] and SURVIVOR not in back["Body"]

    with svc.store.session() as s:  # the counsellor sees that she read it
        relay = s.scalars(select(Relay).where(Relay.direction == "to_survivor")).one()
        assert relay.transport_id
    signed(client, "/twilio/status", {"MessageSid": relay.transport_id, "MessageStatus": "read", "AccountSid": SID,
                                      "ChannelPrefix": "whatsapp", "To": f"whatsapp:{SURVIVOR}"})
    signed(client, "/twilio/status", {"MessageSid": relay.transport_id, "MessageStatus": "delivered",
                                      "AccountSid": SID, "To": f"whatsapp:{SURVIVOR}"})  # late: read stays
    with svc.store.session() as s:
        assert s.get(Relay, relay.id).receipt == "read"
        assert s.get(ContactChannel, key(svc, SURVIVOR)).channel == "whatsapp"  # the store knows her channel

    assert all(r["To"].startswith("whatsapp:") for r in to(standin, SURVIVOR))  # never an SMS to her
    assert not standin.failures  # nothing provoked 63016
    logged = caplog.text
    assert "9876543210" not in logged and "நன்றி" not in logged and "கவிதா" not in logged and "உதவி" not in logged


def test_outside_her_24_hours_a_neutral_template_goes_and_what_waits_follows_her_answer(make_services, standin,
                                                                                       sqlite_url):
    svc, app = line(make_services, standin, database_url=sqlite_url)
    client = app.test_client()
    e = ask_for_a_counsellor(svc, client, standin)
    (alert,) = to(standin, KAVITHA)
    with svc.store.session() as s:
        alert_sid = s.scalars(select(Notification.transport_id).where(Notification.staff_id == 1)).one()
    assert alert["ContentSid"] == TEMPLATES["staff_alert"]["ta"]
    # a bare ACK button: its code is the alert's it was tapped on
    wa(client, standin, KAVITHA, "ACK", ButtonPayload="ACK", ButtonText="ACK", OriginalRepliedMessageSid=alert_sid)
    run_worker(svc)
    assert latest(svc).status == "acked"
    before = len(to(standin, SURVIVOR))

    svc.clock.advance(hours=25)  # a day and an hour since she last wrote
    standin.close_window(SURVIVOR)
    wa(client, standin, KAVITHA, "Are you safe to talk today?")
    wa(client, standin, KAVITHA, "I can call you at 5.")
    run_worker(svc)
    (template,) = to(standin, SURVIVOR)[before:]  # one template for both, nothing else
    assert template["ContentSid"] == TEMPLATES["survivor_message"]["en"] and "Body" not in template
    assert json.loads(template["ContentVariables"]) == {}
    assert not standin.failures  # no free text was tried outside her window (no 63016)
    with svc.store.session() as s:
        assert len(s.scalars(select(HeldMessage)).all()) == 2
        assert all("safe" not in (row.body or "") for row in s.scalars(select(HeldMessage)))  # sealed

    assert wa(client, standin, SURVIVOR, "YES", ButtonPayload="continue", ButtonText="YES") == []
    run_worker(svc)
    first, second = to(standin, SURVIVOR)[before + 1:]
    assert first["Body"] == "Kavitha: Are you safe to talk today?" and second["Body"] == "Kavitha: I can call you at 5."
    assert first["To"] == f"whatsapp:{SURVIVOR}" and "ContentSid" not in first
    with svc.store.session() as s:
        assert not s.scalars(select(HeldMessage)).all()
    assert not standin.failures and e.code


def test_a_voice_note_is_a_voicemail_her_counsellor_alone_plays_and_delete_erases_it(make_services, standin,
                                                                                   sqlite_url):
    svc, app = line(make_services, standin, database_url=sqlite_url)
    for who in ("Kavitha", "Priya"):
        auth.set_password(svc.store, who, PASSWORD)
    client = app.test_client()
    path = f"/2010-04-01/Accounts/{SID}/Messages/MM{'1' * 32}/Media/ME{'2' * 32}"
    standin.media[path] = (b"OggS\x00voice", "audio/ogg")
    (said,) = wa(client, standin, SURVIVOR, "", NumMedia="1", MediaUrl0="https://api.twilio.com" + path,
                 MediaContentType0="audio/ogg", MessageType="audio")
    assert said == svc.catalog.own("whatsapp_voice_received", "en")
    e = latest(svc)
    assert (e.kind, e.priority) == ("voicemail", "high") and path not in json.dumps(e.details)  # sealed
    run_worker(svc)
    (alert,) = to(standin, KAVITHA)
    assert svc.catalog.own("esc_what_voicemail", "ta") in json.loads(alert["ContentVariables"]).values()
    wa(client, standin, KAVITHA, "", ButtonPayload=f"ACK {e.code}", ButtonText="ACK")

    from .test_console import login, page

    kavitha, _ = login(app, "Kavitha")
    media = f"/console/cases/{e.case_id}/media/{e.id}/0"
    hers = page(kavitha, f"/console/cases/{e.case_id}")
    assert f'<audio controls preload="none" src="{media}">' in hers and "api.twilio.com" not in hers
    played = kavitha.get(media)
    assert played.status_code == 200 and played.data == b"OggS\x00voice" and played.mimetype == "audio/ogg"
    asked, fetched = standin.media_requests
    assert asked["path"] == path and asked["auth"].startswith("Basic ")  # with the account's credentials
    assert fetched["host"].startswith("localhost") and fetched["auth"] is None  # never sent elsewhere
    priya, _ = login(app, "Priya")  # the coordinator: the case, not her words
    theirs = page(priya, f"/console/cases/{e.case_id}")
    assert media not in theirs and "(withheld)" in theirs and priya.get(media).status_code == 404

    wa(client, standin, SURVIVOR, "DELETE")
    with svc.store.session() as s:
        assert s.get(Escalation, e.id).details == {}
        assert s.get(ContactChannel, key(svc, SURVIVOR)) is None
    assert kavitha.get(media).status_code == 404
    # and Twilio's own copy of her voice goes too, through its REST API; then nothing names it here
    run_worker(svc)
    assert standin.deleted == [path] and path not in standin.media
    with svc.store.session() as s:
        assert all("copies" not in (a.payload or {}) or not a.payload["copies"] for a in s.scalars(select(Action)))


def test_the_safe_word_on_whatsapp_ends_the_relay_and_nothing_more_reaches_her(make_services, standin,
                                                                                 sqlite_url):
    svc, app = line(make_services, standin, database_url=sqlite_url)
    client = app.test_client()
    e = ask_for_a_counsellor(svc, client, standin)
    (answer,) = wa(client, standin, KAVITHA, f"ACK {e.code}")  # typed, as by SMS
    assert e.code in answer
    run_worker(svc)
    (innocuous,) = wa(client, standin, SURVIVOR, "recipe")
    assert innocuous.startswith("Thank you for shopping with us!")
    run_worker(svc)
    ended = to(standin, KAVITHA)[-1]
    assert ended["To"] == f"whatsapp:{KAVITHA}" and ended["Body"] == svc.catalog.own("esc_ended", "ta", code=e.code)
    before = len(to(standin, SURVIVOR))
    wa(client, standin, KAVITHA, f"{e.code} are you there?")
    run_worker(svc)
    assert len(to(standin, SURVIVOR)) == before  # nothing reaches her
    with svc.store.session() as s:
        assert s.get(ContactChannel, key(svc, SURVIVOR)) is None
        assert not s.scalars(select(Relay).where(Relay.status == "sent", Relay.direction == "to_survivor")).all()


def test_the_local_outbox_shows_a_template_as_one(make_services, redis_client):
    svc = make_services(staff_file=STAFF)  # the demo: no Twilio account, WhatsApp goes to the outbox
    client = create_app(services=svc).test_client()
    for body in ("hi", "1", "1", "1"):
        client.post("/twilio/sms", data={"From": f"whatsapp:{SURVIVOR}", "To": f"whatsapp:{WA_NUMBER}", "Body": body,
                                         "MessageSid": new_sid(), "NumMedia": "0"})
    run_worker(svc)
    e = latest(svc)
    rows = [json.loads(line) for line in cli("outbox", "--json").stdout.splitlines()]
    (alert,) = [r for r in rows if r["to"] == KAVITHA]
    assert alert["channel"] == "whatsapp" and alert["template"] == "staff_alert"
    assert alert["variables"]["1"] == e.code and alert["body"].startswith(f"உதவி மையம் {e.code}")
    assert f"to {KAVITHA}  [whatsapp template staff_alert {{\"1\": \"{e.code}\"" in cli("outbox").stdout
    # the simulator shows it as WhatsApp would: the template, and its buttons, which answer
    (shown,) = client.get(f"/simulator/outbox?to=%2B{KAVITHA[1:]}&after=0").get_json()
    assert shown["template"] == "staff_alert" and shown["channel"] == "whatsapp"
    assert shown["buttons"] == [{"payload": f"ACK {e.code}", "title": "ACK"}, {"payload": f"PASS {e.code}", "title": "PASS"}]
    client.post("/twilio/sms", data={"From": f"whatsapp:{KAVITHA}", "To": f"whatsapp:{WA_NUMBER}", "Body": "ACK",
                                     "ButtonText": "ACK", "ButtonPayload": shown["buttons"][0]["payload"],
                                     "MessageSid": new_sid(), "NumMedia": "0"})
    assert latest(svc).status == "acked"


def test_the_templates_and_staff_channels_are_checked_with_file_and_line(tmp_path):
    from hotline.config.yamlsource import YAMLSourceError
    from hotline.people.staff import load_staff
    from hotline.response.whatsapp_templates import load_templates

    shipped = load_templates(str(Path(__file__).parents[1] / "whatsapp.yaml"), languages={"en", "ta"})
    assert shipped["staff_alert"].sid("hi") == TEMPLATES["staff_alert"]["en"]  # no Hindi copy: the English one
    bad = tmp_path / "whatsapp.yaml"
    bad.write_text("templates:\n  - name: staff_alert\n    stands_for: whatsapp_staff_alert\n"
                   "    content_sid: {en: HX12}\n    variables: [code, lvl]\n")
    with pytest.raises(YAMLSourceError) as found:
        load_templates(str(bad), languages={"en", "ta"})
    problems = [str(p) for p in found.value.problems]
    assert f"{bad}:4: template \"staff_alert\": \"HX12\" is not a content SID" in problems[0]
    assert any(p.startswith(f"{bad}:5:") and '"lvl"' in p for p in problems)
    staff = tmp_path / "staff.yaml"
    staff.write_text('staff:\n  - name: Kavitha\n    phone: "+91 98400 00001"\n    roles: [counsellor]\n'
                     "    channels: [whatsap, sms]\n")
    with pytest.raises(YAMLSourceError) as found:
        load_staff(str(staff))
    assert str(found.value.problems[0]).startswith(f"{staff}:5: Kavitha: unknown channel \"whatsap\"")
    assert load_staff(STAFF).find(KAVITHA).channels == ["whatsapp", "voice"]
    assert load_staff(STAFF).find("+919840000002").channels == ["sms", "voice"]  # the default


def test_with_sms_on_exotel_a_survivor_on_whatsapp_still_gets_her_counsellors_words_on_whatsapp(
        make_services, standin):
    # SMS and calls on Exotel (no account: the outbox stands in for it, DLT templates only), WhatsApp
    # on Twilio: reach.free_text says "whatsapp" for her, so the relay is not moved to a call
    svc, app = line(make_services, standin, sms_provider="exotel", voice_provider="exotel")
    client = app.test_client()
    e = ask_for_a_counsellor(svc, client, standin)
    wa(client, standin, KAVITHA, "ACK", ButtonPayload=f"ACK {e.code}", ButtonText="ACK", MessageType="button")
    run_worker(svc)
    assert to(standin, SURVIVOR)[-1]["Body"] == svc.catalog.own("survivor_taken", "en")  # not "will call you"
    wa(client, standin, KAVITHA, "I can meet you at the bus stand at 4")
    wa(client, standin, SURVIVOR, "he took my phone")
    run_worker(svc)
    relayed = to(standin, SURVIVOR)[-1]
    assert relayed["To"] == f"whatsapp:{SURVIVOR}" and relayed["Body"] == "Kavitha: I can meet you at the bus stand at 4"
    assert "he took my phone" in to(standin, KAVITHA)[-1]["Body"]
    with svc.store.session() as s:
        assert s.scalars(select(Relay.status)).all() == ["sent", "sent"]
    assert all(r["To"].startswith("whatsapp:") for r in to(standin, SURVIVOR))
    assert not any("bus stand" in (r.body or "") for r in svc.outbound.outbox())  # nothing by (DLT) SMS


def test_a_photo_captioned_with_the_safe_word_is_the_safe_word_and_a_caption_reaches_her_counsellor(
        make_services, standin, sqlite_url):
    """A caption is her words: the safe word in it ends the relay as if typed, and nothing she sent
    with it is kept; any other caption goes to the counsellor with the photo."""
    svc, app = line(make_services, standin, database_url=sqlite_url)
    client = app.test_client()
    e = ask_for_a_counsellor(svc, client, standin)
    wa(client, standin, KAVITHA, f"ACK {e.code}")
    run_worker(svc)
    photo = {"NumMedia": "1", "MediaContentType0": "image/jpeg", "MessageType": "image",
             "MediaUrl0": f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages/MM{'3' * 32}/Media/ME{'4' * 32}"}
    wa(client, standin, SURVIVOR, "he did this last night", **photo)
    run_worker(svc)
    assert any("he did this last night" in m.get("Body", "") for m in to(standin, KAVITHA)[-2:])

    (innocuous,) = wa(client, standin, SURVIVOR, "Recipe", **photo)  # the safe word, under a photo
    assert innocuous.startswith("Thank you for shopping with us!")
    run_worker(svc)
    assert to(standin, KAVITHA)[-1]["Body"] == svc.catalog.own("esc_ended", "ta", code=e.code)
    with svc.store.session() as s:
        kept = s.get(Escalation, e.id).details.get("media", [])
    assert len(kept) <= 1  # the first photo at most (the safe word forgets her case's details): never the second
