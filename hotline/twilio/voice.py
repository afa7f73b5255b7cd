"""POST /twilio/voice and its steps: the same flows as SMS, spoken, with keypad and speech.

    /twilio/voice              a new call: the flow's first prompt inside a <Gather>
    /twilio/voice/gather?n=K   the K-th answer (Digits or SpeechResult; neither = no input)
    /twilio/voice/dialed       after a <Dial>: nobody answered -> <Record> a voicemail
    /twilio/voice/recorded     the voicemail is in: the team is alerted
"""

from __future__ import annotations

from flask import Response, request, url_for
from sqlalchemy import select
from twilio.twiml.voice_response import VoiceResponse

from ..actions import carry_out
from ..channels import voice
from ..inbound import Handled, Inbound
from ..phones import caller_key
from . import bp
from .common import answer, caller, metrics, services


def _xml(body: str, status: int = 200) -> Response:
    metrics().requests.labels("voice", str(status)).inc()
    return Response(body, status=status, mimetype="text/xml")


def _say(texts: list[str], lang: str, then_record: bool = False) -> str:
    cfg = voice.VOICES.get(lang, voice.VOICES["en"])
    response = VoiceResponse()
    for text in texts:
        response.say(text, voice=cfg["voice"], language=cfg["language"])
    if then_record:
        response.record(action=url_for("twilio.voice_recorded", lang=lang), method="POST",
                        max_length=120, play_beep=True)
    response.hangup()
    return str(response)


def _step(n: int, text: str | None, fresh: bool) -> Response:
    svc = services()
    number = caller()
    call_sid = request.form.get("CallSid")
    if not number or not call_sid:
        return _xml(str(VoiceResponse()), 400)
    params = {"safe_word": svc.settings.safe_word}

    def render(h: Handled) -> str:
        outputs = h.step.outputs
        if h.text:  # said instead of the flow's words (a control refused on a call); its question stays
            outputs = [o for o in outputs if o["type"] == "prompt"]
        plan = voice.plan(outputs, h.step.lang, svc.catalog, params)
        if h.text:
            plan.says.insert(0, h.text)
        next_url = url_for("twilio.voice_gather", n=n + 1)
        connect = next((a for a in h.step.actions if a["type"] == "connect"), None)
        if connect:
            people = svc.staff.on_shift(svc.now(), connect.get("role") or "counsellor", h.step.lang)
            if people:
                return voice.twiml(plan, next_url, dial=people[0].phone, caller_id=svc.settings.hotline_number,
                                   record=url_for("twilio.voice_dialed", lang=h.step.lang))
            plan.says.append(svc.catalog.own("voice_leave_message", h.step.lang))
            return voice.twiml(plan, next_url, record=url_for("twilio.voice_recorded", lang=h.step.lang))
        if any(a["type"] == "voicemail" for a in h.step.actions):
            return voice.twiml(plan, next_url, record=url_for("twilio.voice_recorded", lang=h.step.lang))
        return voice.twiml(plan, next_url)

    def safe(lang: str) -> str:
        return _say([svc.catalog.own("safe_reply", lang)], lang)

    return _xml(answer(Inbound("voice", number, text, f"voice:{call_sid}:{n}", fresh=fresh), render, safe))


@bp.post("/voice")
def voice_call():
    svc = services()
    person = svc.staff.find(caller())
    if person is not None and svc.staff.role_of(person.phone) == "staff":
        return _staff_call(svc, person)
    return _step(0, None, fresh=True)


def _staff_call(svc, person):
    """A counsellor calls the hotline to reach the survivor whose alert she took: the hotline
    dials her with its own number as callerId, so neither sees the other's number. Only while
    the case is hers, never after STOP, and for a call-back only inside the safe window."""
    from ..escalation import windows
    from ..escalation.chain import say as esc_say
    from ..escalation.relay import active_case_for_staff
    from ..store.models import Case, Escalation

    lang = person.language
    active = active_case_for_staff(svc, person.id)
    contact, refusal = None, "no_open_case"
    if active:
        with svc.store.session() as s:
            case = s.get(Case, active[0])
            e = s.scalars(select(Escalation).where(Escalation.case_id == case.id, Escalation.status == "acked")
                          .order_by(Escalation.acked_at.desc())).first()
            if svc.store.opted_out(case.caller_key, s):
                refusal = "relay_refused_stop"
            elif e is not None and not windows.inside(e.details, svc.now()):
                refusal = "relay_refused_window"
            else:
                contact = svc.store.unseal(case.contact)
            window = e.details.get("window", "") if e is not None else ""
    if not contact:
        return _xml(_say([esc_say(svc, refusal, lang, window=window if active else "")], lang))
    response = VoiceResponse()
    dial = response.dial(caller_id=svc.settings.hotline_number, timeout=30)
    dial.number(contact)
    svc.store.audit("call.connected", case.caller_key, staff_id=person.id, case=case.id)
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
    number = caller()
    if number and request.form.get("RecordingUrl"):
        try:
            carry_out(svc, [{"type": "voicemail", "lang": lang, "recording": request.form["RecordingUrl"],
                             "seconds": request.form.get("RecordingDuration")}],
                      key=caller_key(number, svc.settings.secret_key), number=number, channel="voice")
        except Exception:  # noqa: BLE001 - she must still hear the goodbye
            metrics().fallbacks.labels("voice", "voicemail").inc()
    return _xml(_say([svc.catalog.own("voice_goodbye", lang)], lang))


# -- alert calls to staff ------------------------------------------------------------------------


def _alert_call(notification_id: int):
    """(notification, escalation, person) of an alert call, or None when it is not one."""
    from ..store.models import Escalation, Notification

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
    from ..escalation.chain import alert_params, say

    svc = services()
    found = _alert_call(request.args.get("n", type=int) or 0)
    if found is None:
        return _xml(str(VoiceResponse()), 404)
    n, e, person = found
    lang = person.language
    cfg = voice.VOICES.get(lang, voice.VOICES["en"])
    response = VoiceResponse()
    gather = response.gather(input="dtmf", num_digits=1, timeout=8, method="POST",
                             action=url_for("twilio.voice_alert_answer", n=n.id))
    gather.say(say(svc, "esc_voice_alert", lang, **alert_params(svc, e, lang)), voice=cfg["voice"],
               language=cfg["language"])
    response.hangup()
    return _xml(str(response))


@bp.post("/voice/alert/answer")
def voice_alert_answer():
    """1: ACK, 2: PASS — the same commands as by SMS, answered aloud."""
    from ..escalation import commands

    svc = services()
    found = _alert_call(request.args.get("n", type=int) or 0)
    if found is None:
        return _xml(str(VoiceResponse()), 404)
    _, e, person = found
    command = {"1": "ack", "2": "pass"}.get(request.form.get("Digits", ""))
    if command is None:
        return _xml(_say([], person.language))
    return _xml(_say([commands.run(svc, person, command, e.code)], person.language))
