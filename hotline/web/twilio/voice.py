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
from hotline.conversation import staff_call
from hotline.conversation.inbound import Handled, Inbound, voicemail_left
from hotline.i18n import detect
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


# -- staff calling through to a survivor: her PIN, her case, then she is put through ------------
# (the rules: hotline/conversation/staff_call.py; here only their TwiML)

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
    call_sid = request.form.get("CallSid")
    if not call_sid:
        return _xml(str(VoiceResponse()), 400)
    return _next(staff_call.begin(svc, person, call_sid))


def _next(step: staff_call.Next) -> Response:
    """A staff call's next step as TwiML."""
    if step.dial:
        response = _says(step.texts, step.lang)
        dial = response.dial(caller_id=services().settings.hotline_number, timeout=30)
        dial.number(step.dial)
        return _xml(str(response))
    if step.ask:
        action = absolute("twilio.voice_staff_pin" if step.ask == "pin" else "twilio.voice_staff_case")
        return _xml(_ask_digits(step.texts, step.lang, action))
    return _xml(_say(step.texts, step.lang))


def _hang_up() -> Response:
    response = VoiceResponse()
    response.hangup()
    return _xml(str(response))


@bp.post("/voice/staff/pin")
def voice_staff_pin():
    """Her PIN, typed on the keypad (from the number the call began with)."""
    svc = services()
    person = svc.staff.find(caller())  # a staff call is followed only from the number it began with
    call = staff_call.at(svc, request.form.get("CallSid"), "pin", person) if person else None
    if call is None:
        return _hang_up()
    return _next(staff_call.pin(svc, call, request.form.get("Digits", "")))


@bp.post("/voice/staff/case")
def voice_staff_case():
    """The alert code of the case to call, when she holds more than one."""
    svc = services()
    person = svc.staff.find(caller())  # a staff call is followed only from the number it began with
    call = staff_call.at(svc, request.form.get("CallSid"), "choose", person) if person else None
    if call is None:
        return _hang_up()
    return _next(staff_call.case(svc, call, request.form.get("Digits") or ""))


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
    if not voicemail_left(svc, number, call_sid, recording, request.form.get("RecordingUrl"),
                          request.form.get("RecordingDuration"), lang):
        metrics().fallbacks.labels("voice", "voicemail").inc()
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
    if command == "ack" and e.acked_by != person.id and staff_call.holds(svc, e.id, person.id):
        # the SMS words say "reply here"; on a call she hears how to reach her from this phone
        text = "voice_ack_yours_police" if e.kind == "accompaniment" else "voice_ack_yours"
        reply = svc.catalog.own(text, person.language, code=e.code)
    return _xml(_say([reply], person.language))
