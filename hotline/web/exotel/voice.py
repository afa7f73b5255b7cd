"""/exotel/voice and its steps: the same flows as on Twilio, rendered as ExoML (channels/exoml.py),
keypad only.

No documented way brings an ExoPhone's call here (#28): a real line runs through the App Bazaar
flow's applets (applets.py). These stay for the demo's simulator and for alert calls placed
without EXOTEL_FLOW_ID, until the simulator walks the applet loop too.

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
from hotline.conversation import staff_call
from hotline.conversation.inbound import Handled, Inbound, voicemail_left
from hotline.i18n import detect
from hotline.web.exotel.blueprint import bp
from hotline.web.exotel.common import absolute, caller, digits, fields
from hotline.web.exotel.common import exoml as respond
from hotline.web.twilio.common import answer, metrics, services

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
    if not voicemail_left(svc, number, call_sid, form.get("RecordingSid") or recording, recording,
                          form.get("RecordingDuration"), lang):
        metrics().fallbacks.labels("voice", "voicemail").inc()
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
    if command == "ack" and e.acked_by != person.id and staff_call.holds(svc, e.id, person.id) and form.get("CallSid"):
        if e.kind in ("accompaniment",):  # an officer's request: nobody to put through; he is told
            return _say(svc, [svc.catalog.own("voice_ack_yours_police", person.language, code=e.code)],
                        person.language)
        return _ask_pin(svc, person, form["CallSid"], escalation_id=e.id)
    return _say(svc, [reply], person.language)


# -- a staff PIN, then the survivor (the rules: hotline/conversation/staff_call.py; here only ExoML) ---


def _staff_call(svc, person, form: dict):
    """A counsellor calls the ExoPhone to reach a survivor whose alert she took: her PIN first."""
    call_sid = form.get("CallSid")
    if not call_sid:
        return respond(exoml.says([], svc.catalog.languages), 400)
    return _ask_pin(svc, person, call_sid)


def _ask_pin(svc, person, call_sid: str, escalation_id: int | None = None):
    return _next(svc, staff_call.begin(svc, person, call_sid, escalation_id))


def _next(svc, step: staff_call.Next):
    """A staff call's next step as ExoML, the ExoPhone as caller ID."""
    if step.dial:
        lines = _lines(svc, step.texts, step.lang)
        return respond(exoml.connect(lines, svc.catalog.languages, step.dial, svc.settings.exotel_number))
    if step.ask:
        endpoint = "exotel.voice_pin" if step.ask == "pin" else "exotel.voice_case"
        return respond(exoml.ask(_lines(svc, step.texts, step.lang), svc.catalog.languages, absolute(endpoint)))
    return _say(svc, step.texts, step.lang)


@bp.route("/voice/pin", methods=METHODS)
def voice_pin():
    """Her PIN (an alert call from the ExoPhone to her, or her own call to it)."""
    svc = services()
    form = fields()
    call = staff_call.at(svc, form.get("CallSid"), "pin")
    if call is None:
        return _say(svc, [], "en")
    return _next(svc, staff_call.pin(svc, call, digits(form)))


@bp.route("/voice/case", methods=METHODS)
def voice_case():
    """The alert code of the case to call, when she holds more than one."""
    svc = services()
    form = fields()
    call = staff_call.at(svc, form.get("CallSid"), "choose")
    if call is None:
        return _say(svc, [], "en")
    return _next(svc, staff_call.case(svc, call, digits(form)))
