"""/exotel/voice and its steps: the same flows as on Twilio, rendered as ExoML (channels/exoml.py),
keypad only.

    /exotel/voice                 a new call (CallSid, CallFrom, CallTo): the flow's first prompt
    /exotel/voice/gather?n=K      the K-th answer (DigitsPressed; none = no input)
    /exotel/voice/dialed          after a <Dial>: nobody answered -> a voicemail
    /exotel/voice/recorded        the voicemail is in (RecordingUrl): the team is alerted
    /exotel/voice/alert?n=ID      an alert call to staff (placed through Calls/connect): 1 takes it
    /exotel/voice/alert/answer    ... 1: ACK, 2: PASS; taken: her PIN, then she is put through
    /exotel/voice/pin             a staff PIN (an alert call, or her own call to the ExoPhone)
    /exotel/voice/case            ... the alert code, when she holds several cases

A staff member is put through to a survivor only after her PIN, to a case she holds, when
hotline/response/reach.py says the survivor may be reached, with the ExoPhone as caller ID: as on
Twilio (README, "Calls prove nothing by themselves"), and counted against the same PIN lock.
"""

from __future__ import annotations

from flask import request

from hotline.channels import exoml, voice
from hotline.channels.voice import Line
from hotline.conversation.effects import Context, carry_out
from hotline.conversation.inbound import Handled, Inbound
from hotline.engine.effects import Voicemail
from hotline.i18n import detect
from hotline.response.relay import held_by
from hotline.store.idempotency import first_time, forget
from hotline.web.exotel.blueprint import bp
from hotline.web.exotel.common import absolute, caller, digits, fields
from hotline.web.exotel.common import exoml as respond
from hotline.web.twilio.common import answer, metrics, services
from hotline.web.twilio.voice import (
    PIN_LOCK_AFTER,
    PIN_LOCK_FOR,
    PIN_TRIES,
    STAFF_CALL_TTL,
    _failures_key,
)

METHODS = ["GET", "POST"]  # ExoML posts; Exotel's applets call with GET


def _caller(form: dict) -> str | None:
    return caller(form, "CallFrom", "From")


def _lines(svc, texts: list[str], lang: str) -> list[Line]:
    return [Line(text, lang) for text in texts]


def _say(svc, texts: list[str], lang: str, record: str | None = None):
    return respond(exoml.says(_lines(svc, texts, lang), svc.catalog.languages, record=record))


def _step(form: dict, n: int, text: str | None, fresh: bool):
    svc = services()
    number = _caller(form)  # None: a withheld caller ID; she gets the flow all the same
    call_sid = form.get("CallSid")
    if not call_sid:
        return respond(exoml.says([], svc.catalog.languages), 400)
    params = {"safe_word": svc.settings.safe_word}

    def render(h: Handled) -> str:
        said = voice.answer(h, svc.catalog, params)
        next_url = absolute("exotel.voice_gather", n=n + 1)
        if said.dial:
            return exoml.render(said.plan, next_url, dial=said.dial, caller_id=svc.settings.exotel_number,
                                record=absolute("exotel.voice_dialed", lang=h.step.lang))
        if said.record:
            return exoml.render(said.plan, next_url, record=absolute("exotel.voice_recorded", lang=h.step.lang))
        return exoml.render(said.plan, next_url)

    def safe(said: str) -> str:
        return exoml.says([Line(said, detect(said) or "en")], svc.catalog.languages)

    msg = Inbound("voice", number, text, f"exotel-voice:{call_sid}:{n}", fresh=fresh,
                  withheld=None if number else call_sid)
    return respond(answer(msg, render, safe))


@bp.route("/voice", methods=METHODS)
def voice_call():
    svc = services()
    form = fields()
    person = svc.staff.find(_caller(form))
    if person is not None and svc.staff.role_of(person.phone) == "staff":
        return _staff_call(svc, person, form)
    return _step(form, 0, None, fresh=True)


@bp.route("/voice/gather", methods=METHODS)
def voice_gather():
    form = fields()
    return _step(form, request.args.get("n", default=1, type=int), digits(form) or None, fresh=False)


@bp.route("/voice/dialed", methods=METHODS)
def voice_dialed():
    """After the <Dial>: a call that was answered ends; otherwise she can leave a voicemail."""
    svc = services()
    lang = request.args.get("lang", "en")
    if fields().get("DialCallStatus") == "completed":
        return _say(svc, [svc.catalog.own("voice_goodbye", lang)], lang)
    return _say(svc, [svc.catalog.own("voice_leave_message", lang)], lang,
                record=absolute("exotel.voice_recorded", lang=lang))


@bp.route("/voice/recorded", methods=METHODS)
def voice_recorded():
    """A voicemail: the team is alerted (the recording stays with Exotel; we keep its address)."""
    svc = services()
    form = fields()
    lang = request.args.get("lang", "en")
    number, call_sid = _caller(form), form.get("CallSid") or ""
    recording = form.get("RecordingUrl")
    if (number or call_sid) and recording and first_time(svc, f"recording:{form.get('RecordingSid') or recording}"):
        try:
            key = Inbound("voice", number, None, "", withheld=None if number else call_sid).key(svc.settings.secret_key)
            left = Voicemail(lang=lang, recording=recording, seconds=form.get("RecordingDuration"))
            carry_out(svc, [left], Context(key, number, "voice"))
        except Exception:  # noqa: BLE001 - she must still hear the goodbye
            metrics().fallbacks.labels("voice", "voicemail").inc()
            forget(svc, f"recording:{form.get('RecordingSid') or recording}")
    return _say(svc, [svc.catalog.own("voice_goodbye", lang)], lang)


# -- alert calls to staff ------------------------------------------------------------------------


def _alert_of(notification_id: int):
    """(notification, escalation, person) of an alert call, or None when it is not one."""
    from hotline.store.models import Escalation, Notification

    svc = services()
    if not 0 < notification_id < 2**31:
        return None
    with svc.store.session() as s:
        n = s.get(Notification, notification_id)
        e = s.get(Escalation, n.escalation_id) if n else None
    person = svc.staff.get(n.staff_id) if n else None
    return (n, e, person) if n and e and person else None


def _alert(notification_id: int):
    from hotline.response.chain import alert_params, say

    svc = services()
    found = _alert_of(notification_id)
    if found is None:
        return respond(exoml.says([], svc.catalog.languages), 404)
    n, e, person = found
    lang = person.language
    text = say(svc, "esc_voice_alert", lang, **alert_params(svc, e, lang))
    return respond(exoml.ask([Line(text, lang)], svc.catalog.languages,
                             absolute("exotel.voice_alert_answer", n=n.id), num_digits=1, timeout=8))


@bp.route("/voice/alert", methods=METHODS)
def voice_alert():
    """A staff member answers an alert call: she hears the alert and presses 1 to take it."""
    return _alert(request.args.get("n", type=int) or 0)


@bp.route("/voice/alert/answer", methods=METHODS)
def voice_alert_answer():
    """1: ACK, 2: PASS, as by SMS. Taken and hers: her PIN, and she is put through to the caller
    at once (a call-back is what a survivor on the keypad asked for)."""
    from hotline.response import staff_commands as commands

    svc = services()
    form = fields()
    found = _alert_of(request.args.get("n", type=int) or 0)
    if found is None:
        return respond(exoml.says([], svc.catalog.languages), 404)
    _, e, person = found
    command = {"1": "ack", "2": "pass"}.get(digits(form))
    if command is None:
        return _say(svc, [], person.language)
    reply = commands.answer(svc, person, command, e.code)
    if command == "ack" and e.acked_by != person.id and _holds(svc, e.id, person.id) and form.get("CallSid"):
        if e.kind in ("accompaniment",):  # an officer's request: nobody to put through; he is told
            return _say(svc, [svc.catalog.own("voice_ack_yours_police", person.language, code=e.code)],
                        person.language)
        return _ask_pin(svc, person, form["CallSid"], escalation_id=e.id)
    return _say(svc, [reply], person.language)


def _holds(svc, escalation_id: int, staff_id: int) -> bool:
    from hotline.store.models import Escalation

    with svc.store.session() as s:
        e = s.get(Escalation, escalation_id)
        return e is not None and e.status == "acked" and e.acked_by == staff_id


# -- a staff PIN, then the survivor ----------------------------------------------------------------


def _key(call_sid: str) -> str:
    return f"hotline:exotel:staffcall:{call_sid}"


def _staff_call(svc, person, form: dict):
    """A counsellor calls the ExoPhone to reach a survivor whose alert she took: her PIN first."""
    call_sid = form.get("CallSid")
    if not call_sid:
        return respond(exoml.says([], svc.catalog.languages), 400)
    return _ask_pin(svc, person, call_sid)


def _ask_pin(svc, person, call_sid: str, escalation_id: int | None = None):
    from hotline.people.pin import pin_hash

    lang = person.language
    hashed = pin_hash(svc.store, person.id)
    if not hashed:
        svc.store.audit("call.pin_refused", staff_id=person.id, reason="no_pin")
        return _say(svc, [svc.catalog.own("voice_staff_pin_not_set", lang)], lang)
    if int(svc.redis.get(_failures_key(svc, person.id, hashed)) or 0) >= PIN_LOCK_AFTER:
        svc.store.audit("call.pin_refused", staff_id=person.id, reason="locked")
        return _say(svc, [svc.catalog.own("voice_staff_pin_locked", lang)], lang)
    key = _key(call_sid)
    held = {"staff": person.id, "stage": "pin", "tries": 0, "escalation": escalation_id or 0}
    with svc.redis.pipeline() as p:
        p.delete(key)
        p.hset(key, mapping=held)
        p.expire(key, STAFF_CALL_TTL)
        p.execute()
    return _ask(svc, [svc.catalog.own("voice_staff_pin_ask", lang)], lang, "exotel.voice_pin")


def _ask(svc, texts: list[str], lang: str, endpoint: str):
    return respond(exoml.ask(_lines(svc, texts, lang), svc.catalog.languages, absolute(endpoint)))


def _at(svc, form: dict, stage: str):
    """(staff member, the call's key, what it holds) when this call is a staff call at `stage`.
    The staff member is the one the call's record names: an alert call comes from the ExoPhone
    to her, her own call from her number."""
    call_sid = form.get("CallSid")
    if not call_sid:
        return None
    key = _key(call_sid)
    held = {k.decode(): v.decode() for k, v in svc.redis.hgetall(key).items()}
    person = svc.staff.get(int(held["staff"])) if held.get("staff", "").isdigit() else None
    if held.get("stage") != stage or person is None:
        return None
    return person, key, held


@bp.route("/voice/pin", methods=METHODS)
def voice_pin():
    """Her PIN. Right: on to the case. Wrong: again, PIN_TRIES times a call; the lock is Twilio's too."""
    from hotline.people.pin import check, pin_hash

    svc = services()
    form = fields()
    found = _at(svc, form, "pin")
    if found is None:
        return _say(svc, [], "en")
    person, key, held = found
    lang, hashed = person.language, pin_hash(svc.store, person.id)
    failures_key = _failures_key(svc, person.id, hashed) if hashed else None
    tries = svc.redis.hincrby(key, "tries", 1)
    locked = failures_key is not None and int(svc.redis.get(failures_key) or 0) >= PIN_LOCK_AFTER
    if tries <= PIN_TRIES and not locked and check(hashed, digits(form)):
        svc.redis.hset(key, "stage", "verified")
        svc.redis.delete(failures_key)
        chosen = int(held.get("escalation") or 0)
        if chosen:
            return _connect(svc, person, key, chosen)
        return _her_cases(svc, person, key)
    failures = 0
    if failures_key is not None:
        with svc.redis.pipeline() as p:
            p.incr(failures_key)
            p.expire(failures_key, PIN_LOCK_FOR)
            failures = p.execute()[0]
    svc.store.audit("call.pin_refused", staff_id=person.id, tries=tries)
    if failures >= PIN_LOCK_AFTER or locked:
        svc.redis.delete(key)
        return _say(svc, [svc.catalog.own("voice_staff_pin_locked", lang)], lang)
    if tries >= PIN_TRIES:
        svc.redis.delete(key)
        return _say(svc, [svc.catalog.own("voice_staff_pin_refused", lang)], lang)
    return _ask(svc, [svc.catalog.own("voice_staff_pin_wrong", lang), svc.catalog.own("voice_staff_pin_ask", lang)],
                lang, "exotel.voice_pin")


def _her_cases(svc, person, key: str):
    lang = person.language
    held = [(h.escalation_id, h.code) for h in held_by(svc, person.id)]
    if not held:
        svc.redis.delete(key)
        return _say(svc, [svc.catalog.own("no_open_case", lang)], lang)
    if len(held) == 1:
        return _connect(svc, person, key, held[0][0])
    svc.redis.hset(key, "stage", "choose")
    return _ask(svc, [svc.catalog.own("voice_staff_choose_case", lang)], lang, "exotel.voice_case")


@bp.route("/voice/case", methods=METHODS)
def voice_case():
    """The alert code of the case to call, when she holds more than one: only one of hers."""
    svc = services()
    form = fields()
    found = _at(svc, form, "choose")
    if found is None:
        return _say(svc, [], "en")
    person, key, _ = found
    lang, code = person.language, digits(form)
    chosen = next((h.escalation_id for h in held_by(svc, person.id) if h.code == code), None)
    if chosen is None:
        svc.redis.delete(key)
        svc.store.audit("call.case_refused", staff_id=person.id, reason="not_hers")
        return _say(svc, [svc.catalog.own("voice_staff_not_yours", lang, code=code[:8] or "-")], lang)
    return _connect(svc, person, key, chosen)


def _connect(svc, person, key: str, escalation_id: int):
    """Put her through, the ExoPhone as caller ID, when the case is still hers and
    hotline/response/reach.py says the survivor may be reached now."""
    from hotline.response import reach
    from hotline.store.models import Case, Escalation

    lang = person.language
    svc.redis.delete(key)  # one call puts her through once
    with svc.store.session() as s:
        e = s.get(Escalation, escalation_id)
        hers = e is not None and e.status == "acked" and e.acked_by == person.id
        case = s.get(Case, e.case_id) if hers else None
        found = reach.case(svc, s, case, e) if hers else reach.Reach(None, "closed")
        code, window = (e.code, (e.details or {}).get("window", "")) if e is not None else ("", "")
        case_id = case.id if case is not None else None
        about = case.caller_key if case is not None and case.caller_key != reach.ERASED else None
    if not found:
        refusal = {"stopped": "voice_call_refused_stop", "window": "voice_call_refused_window"}.get(
            found.refused, "voice_call_refused_closed")
        svc.store.audit("call.refused", about, staff_id=person.id, case=case_id, reason=found.refused)
        return _say(svc, [svc.catalog.own(refusal, lang, code=code, window=window)], lang)
    svc.store.audit("call.connected", about, staff_id=person.id, case=case_id)
    line = Line(svc.catalog.own("voice_staff_connecting", lang, code=code), lang)
    return respond(exoml.connect([line], svc.catalog.languages, found.contact, svc.settings.exotel_number))
