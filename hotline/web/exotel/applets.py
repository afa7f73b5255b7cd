"""A survivor's call through the App Bazaar flow the NGO builds once (README, "Exotel: the flow to
build"): Exotel's applets GET these dynamic URLs with the call's details as query parameters and
an Exotel-Version header. The flow is a loop, so it never changes when flows/ does:

    Passthru GET /exotel/passthru?q=start     the call begins; CustomField (a staff call placed
                                              through Calls/connect) says what it is for; 200
    Gather   GET /exotel/gather               the current prompt as JSON (first visit: the call begins)
    Passthru GET /exotel/passthru             her keys ("digits", quoted): one engine step;
                                              200 = ask again (back to the Gather), 302 = leave the loop
    Passthru GET /exotel/passthru?q=connect   200 = put her through (Connect applet), 302 = not that
    Passthru GET /exotel/passthru?q=voicemail 200 = record her message (Voicemail applet), 302 = hang up
    Connect  GET /exotel/connect              JSON: the counsellor on shift, the ExoPhone as caller ID
    Passthru GET /exotel/passthru?q=unanswered   (Connect's "nobody answered"): 200, asks for a message
    Passthru GET /exotel/recorded             (after Voicemail) RecordingUrl: the team is alerted; 200

Passthru branches on the status only ("200 OK" for choice A, "302 Found" for choice B), gets
`digits` in double quotes and, after a Voicemail applet, RecordingUrl
(https://support.exotel.com/support/solutions/articles/48283-working-with-passthru-applet). The call's place in the loop is kept in Redis by CallSid, so every URL is
safe to call twice: a repeated Passthru does not take a second step, a repeated Gather says the
same prompt. Her keys go through conversation.inbound.handle exactly as a Twilio call's, so her
controls act first there (Exotel's Gather takes keys only, no speech).

Staff calls run through the same loop (`mode`): an alert call (1 takes it, 2 passes), then her
PIN and the survivor put through (conversation/staff_call.py decides; here only the JSON), as in
voice.py's ExoML and Twilio's TwiML.
"""

from __future__ import annotations

import json
import re

from flask import Response, jsonify, request
from redis.exceptions import RedisError

from hotline.channels import exotel_applets as applets
from hotline.channels import voice
from hotline.channels.voice import Line
from hotline.conversation import staff_call
from hotline.conversation.inbound import Handled, Inbound, fallback, voicemail_left
from hotline.i18n import detect
from hotline.services import current
from hotline.web.exotel.blueprint import bp
from hotline.web.exotel.common import caller, digits, fields
from hotline.web.exotel.voice import _alert_of  # one reading of an alert call's notification
from hotline.web.twilio.common import answer, metrics, services

CALL_TTL = 4 * 3600  # seconds: Exotel's longest call; the loop's place is forgotten after it
ALERT = re.compile(r"^/exotel/voice/alert\?n=(\d{1,9})$")  # CustomField of an alert call (transport/exotel.py)


def _key(call_sid: str) -> str:
    return f"hotline:exotel-call:{call_sid}"


def _load(svc, call_sid: str) -> dict | None:
    raw = svc.redis.get(_key(call_sid))
    return json.loads(raw) if raw else None


def _save(svc, call_sid: str, state: dict) -> None:
    svc.redis.set(_key(call_sid), json.dumps(state), ex=CALL_TTL)


def _said(lines: list[Line], then: str, lang: str, n: int, ask: str | None = None, dial: str | None = None,
          mode: str = "survivor", **more) -> dict:
    """The loop's place: the prompt to serve, what follows it (ask, dial, record or end), and
    whose call it is (`mode`: survivor, alert, pin, choose). The number to dial is sealed: on a
    bridge it is the survivor's, and Redis keeps no survivor's number (staff_call.py)."""
    sealed = current().store.seal(dial)
    return {"n": n, "served": False, "then": then, "lang": lang, "dial": sealed, "mode": mode,
            "prompt": applets.prompt(lines, ask if then == "ask" else None), **more}


def _staff(step: staff_call.Next, n: int) -> dict:
    """A staff call's next step (conversation/staff_call.py) as the loop's place."""
    lines = [Line(text, step.lang) for text in step.texts]
    if step.dial:
        return _said(lines, "dial", step.lang, n, dial=step.dial, mode="bridge")
    if step.ask:
        return _said(lines, "ask", step.lang, n, "digits", mode=step.ask)  # a PIN, a code: ended by #
    return _said(lines, "end", step.lang, n, mode="staff")


def _alert(svc, notification_id: int, n: int) -> dict:
    """An alert call as she answers it: the alert, 1 to take it, 2 to pass."""
    from hotline.response.chain import alert_params, say

    found = _alert_of(notification_id)
    if found is None:
        return _said([], "end", "en", n, mode="staff")
    _, e, person = found
    lang = person.language
    text = say(svc, "esc_voice_alert", lang, **alert_params(svc, e, lang))
    return _said([Line(text, lang)], "ask", lang, n, "key", mode="alert", notification=notification_id)


def _alert_answer(svc, state: dict, call_sid: str, keys: str) -> dict:
    """1: ACK, 2: PASS, as by SMS. Taken and hers: her PIN, then she is put through."""
    from hotline.response import staff_commands as commands

    n = state["n"] + 1
    found = _alert_of(state.get("notification") or 0)
    command = {"1": "ack", "2": "pass"}.get(keys)
    if found is None or command is None:
        return _said([], "end", state["lang"], n, mode="staff")
    _, e, person = found
    reply = commands.answer(svc, person, command, e.code)
    if command == "ack" and e.acked_by != person.id and staff_call.holds(svc, e.id, person.id):
        if e.kind in ("accompaniment",):  # an officer's request: nobody to put through; he is told
            said = svc.catalog.own("voice_ack_yours_police", person.language, code=e.code)
            return _said([Line(said, person.language)], "end", person.language, n, mode="staff")
        return _staff(staff_call.begin(svc, person, call_sid, escalation_id=e.id), n)
    return _said([Line(reply, person.language)], "end", person.language, n, mode="staff")


def _answered(svc, form: dict, call_sid: str, state: dict) -> dict:
    """Her keys to the prompt she heard: one step of whoever's call this is."""
    keys = digits(form)
    n = state["n"] + 1
    mode = state.get("mode", "survivor")
    if mode == "survivor":
        return _step(svc, form, call_sid, n, keys or None, fresh=False)
    if mode == "alert":
        state = _alert_answer(svc, state, call_sid, keys)
    elif mode in ("pin", "choose"):
        call = staff_call.at(svc, call_sid, mode)
        advance = staff_call.pin if mode == "pin" else staff_call.case
        state = _staff(advance(svc, call, keys), n) if call else _said([], "end", state["lang"], n, mode="staff")
    else:
        state = _said([], "end", state["lang"], n, mode="staff")
    _save(svc, call_sid, state)
    return state


def _begin(svc, form: dict, call_sid: str) -> dict:
    """A call's first prompt: a staff member calling in is asked her PIN; anyone else, the flow."""
    person = svc.staff.find(caller(form, "CallFrom", "From"))
    if person is not None and svc.staff.role_of(person.phone) == "staff":
        state = _staff(staff_call.begin(svc, person, call_sid), 0)
        _save(svc, call_sid, state)
        return state
    return _step(svc, form, call_sid, 0, None, fresh=True)


def _step(svc, form: dict, call_sid: str, n: int, text: str | None, fresh: bool) -> dict:
    """One engine step through the same seam as Twilio voice; its answer becomes the loop's place."""
    number = caller(form, "CallFrom", "From")
    params = {"safe_word": svc.settings.safe_word}

    def render(h: Handled) -> str:
        said = voice.answer(h, svc.catalog, params)
        then = "dial" if said.dial else "record" if said.record else "ask" if said.plan.gather else "end"
        return json.dumps(_said(applets.lines(said.plan), then, h.step.lang, n, applets.asks(said.plan), said.dial))

    def safe(text: str) -> str:  # a part is down: the fallback's words, then the call ends
        return json.dumps(_said([Line(text, detect(text) or "en")], "end", "en", n))

    msg = Inbound("voice", number, text, f"exotel-applet:{call_sid}:{n}", fresh=fresh,
                  withheld=None if number else call_sid)
    state = json.loads(answer(msg, render, safe))
    _save(svc, call_sid, state)
    return state


def _call_sid(form: dict) -> str | None:
    return form.get("CallSid") or None


def _status(code: int) -> Response:
    metrics().requests.labels("exotel_voice", str(code)).inc()
    return Response(status=code)


@bp.route("/gather", methods=["GET"])
def applet_gather():
    svc = services()
    form = fields()
    call_sid = _call_sid(form)
    if not call_sid:
        return _status(400)
    try:
        state = _load(svc, call_sid) or _begin(svc, form, call_sid)
        if not state["served"]:
            state["served"] = True
            _save(svc, call_sid, state)
        prompt = state["prompt"]
    except RedisError:  # the loop cannot keep its place: the safe reply (kept in the store), then 302s end the call
        number = caller(form, "CallFrom", "From")
        msg = Inbound("voice", number, None, f"exotel-applet:{call_sid}:down", withheld=None if number else call_sid)
        said = fallback(svc, msg, "redis")
        metrics().fallbacks.labels("voice", "redis").inc()
        prompt = applets.prompt([Line(said, detect(said) or "en")])
    metrics().requests.labels("exotel_voice", "200").inc()
    return jsonify(prompt)


@bp.route("/passthru", methods=["GET"])
def applet_passthru():
    svc = services()
    form = fields()
    call_sid = _call_sid(form)
    if not call_sid:
        return _status(400)
    question = request.args.get("q", "")
    try:
        return _passthru(svc, form, call_sid, question)
    except RedisError:  # nowhere to keep the loop's place: out of it, to the hang-up (the Gather said the safe reply)
        return _status(302)


def _passthru(svc, form: dict, call_sid: str, question: str) -> Response:
    state = _load(svc, call_sid)
    if question == "start" and state is None and (alert := ALERT.match(form.get("CustomField") or "")):
        _save(svc, call_sid, _alert(svc, int(alert.group(1)), 0))  # an alert call, answered
        return _status(200)
    if state is None or question == "start":  # nothing asked yet on this call: to the Gather, which begins it
        return _status(200)
    if question == "connect":
        return _status(200 if state["then"] == "dial" else 302)
    if question == "voicemail":
        return _status(200 if state["then"] == "record" else 302)
    if question == "unanswered":  # nobody took the call: she may leave a message, in her language
        if state["then"] == "dial":
            lang = state["lang"]
            _save(svc, call_sid, _said([Line(svc.catalog.own("voice_leave_message", lang), lang)], "record",
                                       lang, state["n"]))
        return _status(200)
    if state["then"] == "ask" and state["served"]:  # her answer to the prompt she heard: one step
        state = _answered(svc, form, call_sid, state)
    # a prompt not yet heard (the step's own words before a dial, a goodbye) goes round once more
    return _status(200 if state["then"] == "ask" or not state["served"] else 302)


@bp.route("/connect", methods=["GET"])
def applet_connect():
    svc = services()
    form = fields()
    call_sid = _call_sid(form)
    try:
        state = _load(svc, call_sid) if call_sid else None
    except RedisError:
        state = None  # nobody to dial: the applet's "not answered" branch
    number = svc.store.unseal(state["dial"]) if state and state["then"] == "dial" else None
    metrics().requests.labels("exotel_voice", "200").inc()
    return jsonify(applets.connect(number, svc.settings.exotel_number))


@bp.route("/recorded", methods=["GET"])
def applet_recorded():
    """After the Voicemail applet: the team is alerted once (the recording stays with Exotel; we
    keep its address), and she hears goodbye in her language."""
    svc = services()
    form = fields()
    call_sid = _call_sid(form)
    if not call_sid:
        return _status(400)
    state = _load(svc, call_sid) or {"lang": "en", "n": 0}
    lang = state["lang"]
    recording = form.get("RecordingUrl")
    if not voicemail_left(svc, caller(form, "CallFrom", "From"), call_sid, recording, recording,
                          form.get("RecordingDuration"), lang):
        metrics().fallbacks.labels("voice", "voicemail").inc()
    _save(svc, call_sid, _said([Line(svc.catalog.own("voice_goodbye", lang), lang)], "end", lang, state["n"]))
    return _status(200)
