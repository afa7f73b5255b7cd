"""A survivor's call through the App Bazaar flow the NGO builds once (README, "Exotel: the flow to
build"): Exotel's applets GET these dynamic URLs with the call's details as query parameters and
an Exotel-Version header. The flow is a loop, so it never changes when flows/ does:

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
controls (the safe word's digits, DELETE, STOP) act first there.
"""

from __future__ import annotations

import json

from flask import Response, jsonify, request

from hotline.channels import exotel_applets as applets
from hotline.channels import voice
from hotline.channels.voice import Line
from hotline.conversation.inbound import Handled, Inbound, voicemail_left
from hotline.i18n import detect
from hotline.web.exotel.blueprint import bp
from hotline.web.exotel.common import caller, digits, fields
from hotline.web.twilio.common import answer, metrics, services

CALL_TTL = 4 * 3600  # seconds: Exotel's longest call; the loop's place is forgotten after it


def _key(call_sid: str) -> str:
    return f"hotline:exotel-call:{call_sid}"


def _load(svc, call_sid: str) -> dict | None:
    raw = svc.redis.get(_key(call_sid))
    return json.loads(raw) if raw else None


def _save(svc, call_sid: str, state: dict) -> None:
    svc.redis.set(_key(call_sid), json.dumps(state), ex=CALL_TTL)


def _said(lines: list[Line], then: str, lang: str, n: int, p=None, dial: str | None = None) -> dict:
    """The loop's place: the prompt to serve, and what follows it (ask, dial, record or end)."""
    return {"n": n, "served": False, "then": then, "lang": lang, "dial": dial, "prompt": applets.prompt(lines, p)}


def _step(svc, form: dict, call_sid: str, n: int, text: str | None, fresh: bool) -> dict:
    """One engine step through the same seam as Twilio voice; its answer becomes the loop's place."""
    number = caller(form, "CallFrom", "From")
    params = {"safe_word": svc.settings.safe_word}

    def render(h: Handled) -> str:
        said = voice.answer(h, svc.catalog, params)
        then = "dial" if said.dial else "record" if said.record else "ask" if said.plan.gather else "end"
        return json.dumps(_said(applets.lines(said.plan), then, h.step.lang, n, said.plan, said.dial))

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
    state = _load(svc, call_sid) or _step(svc, form, call_sid, 0, None, fresh=True)
    if not state["served"]:
        state["served"] = True
        _save(svc, call_sid, state)
    metrics().requests.labels("exotel_voice", "200").inc()
    return jsonify(state["prompt"])


@bp.route("/passthru", methods=["GET"])
def applet_passthru():
    svc = services()
    form = fields()
    call_sid = _call_sid(form)
    if not call_sid:
        return _status(400)
    state = _load(svc, call_sid)
    if state is None:  # nothing asked yet on this call: to the Gather, which begins it
        return _status(200)
    question = request.args.get("q", "")
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
        state = _step(svc, form, call_sid, state["n"] + 1, digits(form) or None, fresh=False)
    # a prompt not yet heard (the step's own words before a dial, a goodbye) goes round once more
    return _status(200 if state["then"] == "ask" or not state["served"] else 302)


@bp.route("/connect", methods=["GET"])
def applet_connect():
    svc = services()
    form = fields()
    call_sid = _call_sid(form)
    state = _load(svc, call_sid) if call_sid else None
    number = state["dial"] if state and state["then"] == "dial" else None
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
