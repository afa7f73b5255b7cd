"""POST /twilio/voice and its steps: the same flows as SMS, spoken, with keypad and speech.

    /twilio/voice              a new call: the flow's first prompt inside a <Gather>
    /twilio/voice/gather?n=K   the K-th answer (Digits or SpeechResult; neither = no input)
    /twilio/voice/dialed       after a <Dial>: nobody answered -> <Record> a voicemail
    /twilio/voice/recorded     the voicemail is in: the team is alerted
    /twilio/voice/staff/pin    a staff member's call: her PIN, before anything else
    /twilio/voice/staff/case   ... and the alert code of the case to call, when she holds several
"""

from __future__ import annotations

from flask import Response, request
from twilio.twiml.voice_response import VoiceResponse

from hotline.channels import voice
from hotline.conversation.effects import Context, carry_out
from hotline.conversation.inbound import Handled, Inbound
from hotline.engine.effects import Voicemail
from hotline.i18n import detect
from hotline.response.relay import held_by
from hotline.store.idempotency import first_time, forget
from hotline.store.models import EscalationStatus
from hotline.web.twilio.blueprint import bp
from hotline.web.twilio.common import answer, caller, metrics, services
from hotline.web.twilio.signature import absolute


def _xml(body: str, status: int = 200) -> Response:
    metrics().requests.labels("voice", str(status)).inc()
    return Response(body, status=status, mimetype="text/xml")


def _say(texts: list[str], lang: str, then_record: bool = False) -> str:
    cfg = voice.VOICES.get(lang, voice.VOICES["en"])
    response = VoiceResponse()
    for text in texts:
        response.say(text, voice=cfg["voice"], language=cfg["language"])
    if then_record:
        response.record(action=absolute("twilio.voice_recorded", lang=lang), method="POST",
                        max_length=120, play_beep=True)
    response.hangup()
    return str(response)


def _step(n: int, text: str | None, fresh: bool) -> Response:
    svc = services()
    number = caller()  # None: a withheld or unknown caller ID; she gets the flow all the same
    call_sid = request.form.get("CallSid")
    if not call_sid:
        return _xml(str(VoiceResponse()), 400)
    params = {"safe_word": svc.settings.safe_word}

    def render(h: Handled) -> str:
        said = voice.answer(h, svc.catalog, params)
        next_url = absolute("twilio.voice_gather", n=n + 1)
        if said.dial:
            return voice.twiml(said.plan, next_url, dial=said.dial, caller_id=svc.settings.hotline_number,
                               record=absolute("twilio.voice_dialed", lang=h.step.lang))
        if said.record:
            return voice.twiml(said.plan, next_url, record=absolute("twilio.voice_recorded", lang=h.step.lang))
        return voice.twiml(said.plan, next_url)

    def safe(text: str) -> str:
        return _say([text], detect(text) or "en")

    msg = Inbound("voice", number, text, f"voice:{call_sid}:{n}", fresh=fresh, withheld=None if number else call_sid)
    return _xml(answer(msg, render, safe))


@bp.post("/voice")
def voice_call():
    svc = services()
    person = svc.staff.find(caller())
    if person is not None and svc.staff.role_of(person.phone) == "staff":
        return _staff_call(svc, person)
    return _step(0, None, fresh=True)


# -- staff calling through to a survivor --------------------------------------------------------
#
# A call from a counsellor's number proves nothing: caller ID is easy to fake. So she is put
# through only after her PIN (hotline staff set-pin), at most PIN_TRIES a call, to a case she
# holds (she acked it and it is not done), and only when hotline/response/reach.py says the survivor may be
# reached now. What the call has proved so far is kept in Redis under its CallSid for a few
# minutes (the staff member's id, the stage, the tries): never a survivor's number or hash.

STAFF_CALL_TTL = 600  # seconds: a call that has not got through by then starts again
PIN_TRIES = 3  # PINs a call may try; then it is hung up
PIN_LOCK_AFTER = 10  # wrong PINs (over any calls) before her PIN stops working ...
PIN_LOCK_FOR = 24 * 3600  # ... for a day, or until the coordinator sets a new one


def _staff_key(call_sid: str) -> str:
    return f"hotline:staffcall:{call_sid}"


def _failures_key(svc, staff_id: int, hashed: str) -> str:
    from hotline.people.pin import generation

    return f"hotline:staffpin:{staff_id}:{generation(svc.settings.secret_key, hashed)}"


def _says(texts: list[str], lang: str, target=None):
    cfg = voice.VOICES.get(lang, voice.VOICES["en"])
    response = target if target is not None else VoiceResponse()
    for text in texts:
        response.say(text, voice=cfg["voice"], language=cfg["language"])
    return response


def _ask_digits(texts: list[str], lang: str, action: str) -> str:
    """A keypad question: the answer (or none, after the timeout) is posted to `action`."""
    response = VoiceResponse()
    gather = response.gather(input="dtmf", action=action, method="POST", timeout=10, finish_on_key="#",
                             action_on_empty_result=True)
    _says(texts, lang, gather)
    response.hangup()
    return str(response)


def _staff_call(svc, person):
    """A counsellor calls the hotline to reach a survivor whose alert she took: first her PIN."""
    from hotline.people.pin import pin_hash

    lang, call_sid = person.language, request.form.get("CallSid")
    if not call_sid:
        return _xml(str(VoiceResponse()), 400)
    hashed = pin_hash(svc.store, person.id)
    if not hashed:
        svc.store.audit("call.pin_refused", staff_id=person.id, reason="no_pin")
        return _xml(_say([svc.catalog.own("voice_staff_pin_not_set", lang)], lang))
    if int(svc.redis.get(_failures_key(svc, person.id, hashed)) or 0) >= PIN_LOCK_AFTER:
        svc.store.audit("call.pin_refused", staff_id=person.id, reason="locked")
        return _xml(_say([svc.catalog.own("voice_staff_pin_locked", lang)], lang))
    key = _staff_key(call_sid)
    with svc.redis.pipeline() as p:
        p.delete(key)
        p.hset(key, mapping={"staff": person.id, "stage": "pin", "tries": 0})
        p.expire(key, STAFF_CALL_TTL)
        p.execute()
    return _xml(_ask_digits([svc.catalog.own("voice_staff_pin_ask", lang)], lang, absolute("twilio.voice_staff_pin")))


def _staff_call_at(svc, stage: str):
    """(the staff member, the call's key) when this call is a staff call at `stage`, else None."""
    call_sid, person = request.form.get("CallSid"), svc.staff.find(caller())
    if not call_sid or person is None:
        return None
    key = _staff_key(call_sid)
    held = {k.decode(): v.decode() for k, v in svc.redis.hgetall(key).items()}
    if held.get("stage") != stage or held.get("staff") != str(person.id):
        return None
    return person, key


def _hang_up() -> Response:
    response = VoiceResponse()
    response.hangup()
    return _xml(str(response))


@bp.post("/voice/staff/pin")
def voice_staff_pin():
    """Her PIN, typed on the keypad. Right: on to her cases. Wrong: again, PIN_TRIES times a call."""
    from hotline.people.pin import check, pin_hash

    svc = services()
    found = _staff_call_at(svc, "pin")
    if found is None:
        return _hang_up()
    person, key = found
    lang, hashed = person.language, pin_hash(svc.store, person.id)
    failures_key = _failures_key(svc, person.id, hashed) if hashed else None
    tries = svc.redis.hincrby(key, "tries", 1)  # counted before the check: no call gets a 4th
    locked = failures_key is not None and int(svc.redis.get(failures_key) or 0) >= PIN_LOCK_AFTER
    if tries <= PIN_TRIES and not locked and check(hashed, request.form.get("Digits", "")):
        svc.redis.hset(key, "stage", "verified")
        svc.redis.delete(failures_key)
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
        return _xml(_say([svc.catalog.own("voice_staff_pin_locked", lang)], lang))
    if tries >= PIN_TRIES:
        svc.redis.delete(key)
        return _xml(_say([svc.catalog.own("voice_staff_pin_refused", lang)], lang))
    return _xml(_ask_digits([svc.catalog.own("voice_staff_pin_wrong", lang), svc.catalog.own("voice_staff_pin_ask", lang)],
                            lang, absolute("twilio.voice_staff_pin")))


def _her_cases(svc, person, key: str) -> Response:
    lang = person.language
    held = [(h.escalation_id, h.code) for h in held_by(svc, person.id)]
    if not held:
        svc.redis.delete(key)
        return _xml(_say([svc.catalog.own("no_open_case", lang)], lang))
    if len(held) == 1:
        return _connect(svc, person, key, held[0][0])
    svc.redis.hset(key, "stage", "choose")
    return _xml(_ask_digits([svc.catalog.own("voice_staff_choose_case", lang)], lang,
                            absolute("twilio.voice_staff_case")))


@bp.post("/voice/staff/case")
def voice_staff_case():
    """The alert code of the case to call, when she holds more than one: only one of hers."""
    svc = services()
    found = _staff_call_at(svc, "choose")
    if found is None:
        return _hang_up()
    person, key = found
    lang, code = person.language, (request.form.get("Digits") or "").strip()
    chosen = next((h.escalation_id for h in held_by(svc, person.id) if h.code == code), None)
    if chosen is None:
        svc.redis.delete(key)
        svc.store.audit("call.case_refused", staff_id=person.id, reason="not_hers")
        return _xml(_say([svc.catalog.own("voice_staff_not_yours", lang, code=code[:8] or "-")], lang))
    return _connect(svc, person, key, chosen)


def _connect(svc, person, key: str, escalation_id: int) -> Response:
    """Put her through — with the hotline's number as callerId, so neither sees the other's —
    when the case is still hers and hotline/response/reach.py says the survivor may be reached now."""
    from hotline.response import reach
    from hotline.store.models import Case, Escalation

    lang = person.language
    svc.redis.delete(key)  # one call puts her through once
    with svc.store.session() as s:
        e = s.get(Escalation, escalation_id)
        hers = e is not None and e.status == EscalationStatus.ACKED and e.acked_by == person.id
        case = s.get(Case, e.case_id) if hers else None
        found = reach.case(svc, s, case, e, call=True) if hers else reach.Reach(None, "closed")
        code, window = (e.code, (e.details or {}).get("window", "")) if e is not None else ("", "")
        case_id = case.id if case is not None else None
        about = case.caller_key if case is not None and case.caller_key != reach.ERASED else None
    if not found:
        refusal = {"stopped": "voice_call_refused_stop", "window": "voice_call_refused_window"}.get(
            found.refused, "voice_call_refused_closed")
        svc.store.audit("call.refused", about, staff_id=person.id, case=case_id, reason=found.refused)
        return _xml(_say([svc.catalog.own(refusal, lang, code=code, window=window)], lang))
    response = _says([svc.catalog.own("voice_staff_connecting", lang, code=code)], lang)
    dial = response.dial(caller_id=svc.settings.hotline_number, timeout=30)
    dial.number(found.contact)
    svc.store.audit("call.connected", about, staff_id=person.id, case=case_id)
    return _xml(str(response))


@bp.post("/voice/gather")
def voice_gather():
    n = request.args.get("n", default=1, type=int)
    text = request.form.get("Digits") or request.form.get("SpeechResult") or None
    return _step(n, text, fresh=False)


@bp.post("/voice/dialed")
def voice_dialed():
    """After the <Dial>: a call that was answered ends; otherwise she can leave a voicemail."""
    svc = services()
    lang = request.args.get("lang", "en")
    if request.form.get("DialCallStatus") == "completed":
        return _xml(_say([svc.catalog.own("voice_goodbye", lang)], lang))
    return _xml(_say([svc.catalog.own("voice_leave_message", lang)], lang, then_record=True))


@bp.post("/voice/recorded")
def voice_recorded():
    """A voicemail: the team is alerted (the recording stays with Twilio; we keep its address)."""
    svc = services()
    lang = request.args.get("lang", "en")
    number = caller()  # None: a withheld number; her voicemail reaches the team all the same
    call_sid = request.form.get("CallSid") or ""
    recording = request.form.get("RecordingSid") or request.form.get("RecordingUrl")
    if (number or call_sid) and recording and first_time(svc, f"recording:{recording}"):
        try:
            key = Inbound("voice", number, None, "", withheld=None if number else call_sid).key(svc.settings.secret_key)
            left = Voicemail(lang=lang, recording=request.form["RecordingUrl"],
                             seconds=request.form.get("RecordingDuration"))
            carry_out(svc, [left], Context(key, number, "voice"))
        except Exception:  # noqa: BLE001 - she must still hear the goodbye
            metrics().fallbacks.labels("voice", "voicemail").inc()
            forget(svc, f"recording:{recording}")  # Twilio's retry may keep it yet
    return _xml(_say([svc.catalog.own("voice_goodbye", lang)], lang))


# -- alert calls to staff ------------------------------------------------------------------------


def _alert_call(notification_id: int):
    """(notification, escalation, person) of an alert call, or None when it is not one."""
    from hotline.store.models import Escalation, Notification

    svc = services()
    if not 0 < notification_id < 2**31:  # no id the store holds (PostgreSQL refuses the query: a 500)
        return None
    with svc.store.session() as s:
        n = s.get(Notification, notification_id)
        e = s.get(Escalation, n.escalation_id) if n else None
    person = svc.staff.get(n.staff_id) if n else None
    return (n, e, person) if n and e and person else None


@bp.post("/voice/alert")
def voice_alert():
    """A staff member answers an alert call: she hears the alert and presses 1 to take it."""
    from hotline.response.chain import alert_params, say

    svc = services()
    found = _alert_call(request.args.get("n", type=int) or 0)
    if found is None:
        return _xml(str(VoiceResponse()), 404)
    n, e, person = found
    lang = person.language
    cfg = voice.VOICES.get(lang, voice.VOICES["en"])
    response = VoiceResponse()
    gather = response.gather(input="dtmf", num_digits=1, timeout=8, method="POST",
                             action=absolute("twilio.voice_alert_answer", n=n.id))
    gather.say(say(svc, "esc_voice_alert", lang, **alert_params(svc, e, lang)), voice=cfg["voice"],
               language=cfg["language"])
    response.hangup()
    return _xml(str(response))


@bp.post("/voice/alert/answer")
def voice_alert_answer():
    """1: ACK, 2: PASS — the same commands as by SMS, answered aloud."""
    from hotline.response import staff_commands as commands

    svc = services()
    found = _alert_call(request.args.get("n", type=int) or 0)
    if found is None:
        return _xml(str(VoiceResponse()), 404)
    _, e, person = found
    command = {"1": "ack", "2": "pass"}.get(request.form.get("Digits", ""))
    if command is None:
        return _xml(_say([], person.language))
    reply = commands.answer(svc, person, command, e.code)
    if command == "ack" and e.acked_by != person.id and _holds(svc, e.id, person.id):
        # the SMS words say "reply here"; on a call she hears how to reach her from this phone
        text = "voice_ack_yours_police" if e.kind == "accompaniment" else "voice_ack_yours"
        reply = svc.catalog.own(text, person.language, code=e.code)
    return _xml(_say([reply], person.language))


def _holds(svc, escalation_id: int, staff_id: int) -> bool:
    from hotline.store.models import Escalation

    with svc.store.session() as s:
        e = s.get(Escalation, escalation_id)
        return e is not None and e.status == EscalationStatus.ACKED and e.acked_by == staff_id
