"""One inbound message or call step: Twilio → engine → reply, under the caller's lock.

The reply is rendered inside the lock and kept under the MessageSid/CallSid, so a retried
delivery gets the very same answer and the conversation advances once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import engine
from .actions import carry_out
from .casework import erasure
from .channels.sms import render as sms_text
from .channels.voice_rules import REFUSAL_TEXT, voice_controls
from .escalation import commands, relay
from .escalation.chain import open_escalation
from .escalation.ending import end_contact
from .i18n import detect
from .phones import caller_key, mask
from .services import Services

log = logging.getLogger(__name__)

FLOW_FOR_ROLE = {"survivor": "survivor", "staff": "staff", "police": "police"}
CONTROLS = ("erase", "opt_out", "opt_in")  # her controls over what is held and what reaches her


def control(step: engine.Step) -> bool:
    """Is this step one the hotline must act on even while she talks with a counsellor (or while
    the line is degraded)? The safe word, DELETE, STOP, START and danger. Anything else she
    writes in a relay is words for the counsellor: a menu shown then would take her next answer
    and hand it, silently, to the counsellor."""
    return step.forgotten or any(a["type"] in CONTROLS or (a["type"] == "escalate" and a.get("priority") == "emergency")
                                 for a in step.actions)


@dataclass
class Inbound:
    channel: str  # sms | voice
    number: str | None  # E.164; None when the caller ID is withheld, unknown or unparseable
    text: str | None  # None: a voice prompt that heard nothing
    sid: str  # what makes a delivery unique (MessageSid, CallSid + step)
    fresh: bool = False  # a new call: begin a new voice conversation
    withheld: str | None = None  # no number: the CallSid (or MessageSid) her conversation is keyed by

    def key(self, secret: str) -> str:
        """Her keyed hash; without a number, one for this call (or message) alone: nothing of a
        withheld caller is remembered beyond it, and nothing can be sent to her later."""
        return caller_key(self.number or f"withheld:{self.withheld}", secret)


@dataclass
class Handled:
    step: engine.Step
    key: str
    role: str
    recorded: list[int]
    text: str | None = None  # said instead of the flow's outputs (a staff command's answer; "" for a relay)


Render = Callable[[Handled], str]


def handle(svc: Services, msg: Inbound, render: Render, observe=None) -> str:
    key = msg.key(svc.settings.secret_key)
    conv_key = key if msg.channel == "sms" else f"voice:{key}"
    conversations = svc.conversations
    with conversations.turn(conv_key, key, msg.sid) as turn:
        if turn.cached is not None:
            log.info("%s %s: repeated delivery, answered as before", msg.channel, mask(msg.number))
            return turn.cached
        started = time.perf_counter()
        state = None if msg.fresh else turn.state
        role = svc.staff.role_of(msg.number)
        person = svc.staff.find(msg.number)
        lang = turn.lang or (detect(msg.text) if state is None else None) or (
            person.languages[0] if person and person.languages else None)
        now = svc.now()
        # her relay is live while her case is open and someone holds it (a closed or erased case
        # leaves a stale flag behind when Redis was away: it is not followed)
        live = bool(turn.relay) and role != "staff" and relay.holds(svc, turn.relay, key)
        facts = {
            "role": role,
            "channel": msg.channel,
            "safe_word": svc.settings.safe_word,
            "local_time": svc.staff.local(now).strftime("%H:%M"),
            "local_date": svc.staff.local(now).date().isoformat(),
            "on_shift": svc.staff.coverage(now),
            "relay": live,
            "reachable": msg.number is not None,  # no call-back offered to a withheld number
        }
        result = engine.step(svc.flows, state, engine.Event(text=msg.text, at=now.timestamp(),
                                                            flow=FLOW_FOR_ROLE[role], lang=lang, facts=facts))
        # once someone has taken her request, what she texts goes to that person, her controls
        # apart (texts only: on a call her keypad presses and speech are the voice menu's)
        if live and msg.channel == "sms" and msg.text and not control(result):
            relay.pass_on(svc, turn.relay, "to_staff", msg.text, None)
            reply = render(Handled(engine.Step(state, [], [], lang or "en"), key, role, [], text=""))
            turn.finish(state, reply)
            log.info("%s %s (%s): relayed to the counsellor of case %s", msg.channel, mask(msg.number), role,
                     turn.relay)
            return reply
        said = None
        command = next((a for a in result.actions if a["type"] == "staff"), None)
        if command and person:
            said = commands.run(svc, person, command["command"], command.get("code") or "",
                                command.get("text") or command.get("after"))
        elif role == "staff" and person and msg.channel == "sms" and msg.text and not result.actions and not \
                engine.keyword(svc.flows, "staff", msg.text, facts) and (to := relay.address(svc, person, msg.text)):
            # free text from staff: relayed only when addressed to a case she holds (relay.address)
            if to.case_id is not None:
                relay.pass_on(svc, to.case_id, "to_survivor", to.body, person.id)
            said, result.state = to.reply or "", state  # the flow as it was
        if msg.channel == "voice":  # a call proves nothing: DELETE, STOP, START by SMS only (channels/voice_rules.py)
            result.actions, refused = voice_controls(result.actions)
            said = svc.catalog.own(REFUSAL_TEXT, result.lang) if refused else said
        erased = any(a["type"] == "erase" for a in result.actions)
        if erased and said is None and erasure.keeps_a_dir(svc, key):
            said = svc.catalog.own("erased_dir_kept", result.lang)  # told what the law keeps (#18)
        if result.forgotten:
            # the safe word: everything stops and nothing of her stays (escalation/ending.py)
            end_contact(svc, key, "safe_word")
            recorded = []
        else:
            recorded = carry_out(svc, result.actions, key=key, number=msg.number, channel=msg.channel,
                                 words=msg.text)
        reply = render(Handled(result, key, role, recorded, text=said))
        # a language chosen on a call holds for that call only (its state), never for her next SMS
        keep = msg.channel != "voice" and msg.number is not None and not (result.forgotten or erased) \
            and result.lang != turn.lang
        turn.finish(None if result.forgotten else result.state, reply, lang=result.lang if keep else None,
                    forget_lang=result.forgotten)
        if observe:
            observe(time.perf_counter() - started)
    log.info("%s %s (%s): step to %s, %d action(s)", msg.channel, mask(msg.number), role,
             result.node or "end", len(result.actions))
    return reply


def fallback(svc: Services, msg: Inbound, reason: str) -> str:
    """Redis (or something else) is down, or her previous message still holds her lock: keep what
    the response needs in the store, and return what to say. Her controls work as ever (the pure
    engine says which she used): the safe word gets its ordinary line and erases; DELETE and STOP
    (by SMS) are carried out in the store. Anything else keeps an escalation (one while she has
    one: chain.join) with her words, and she gets the safe reply with the emergency numbers."""
    lang = detect(msg.text) or "en"
    said = svc.catalog.own("safe_reply", lang)
    try:
        key = msg.key(svc.settings.secret_key)
        if svc.staff.role_of(msg.number) != "survivor":
            return said
        facts = {"role": "survivor", "channel": msg.channel, "safe_word": svc.settings.safe_word, "relay": False,
                 "reachable": msg.number is not None}
        step = engine.step(svc.flows, None, engine.Event(text=msg.text, at=svc.now().timestamp(), flow="survivor",
                                                         lang=lang, facts=facts))
        controls = [a for a in step.actions if a["type"] in CONTROLS and msg.channel == "sms"]
        if step.forgotten or controls:
            if step.forgotten or any(a["type"] == "erase" for a in controls):
                end_contact(svc, key, "safe_word" if step.forgotten else "deleted")
            for a in controls:
                if a["type"] in ("opt_out", "opt_in"):
                    svc.store.set_opt_out(key, a["type"] == "opt_out")
                    svc.store.audit(f"caller.{a['type']}", key)
            said = sms_text(step.outputs, step.lang, svc.catalog, {"safe_word": svc.settings.safe_word})
        else:
            urgent = control(step)
            open_escalation(svc, caller_key=key, number=msg.number, channel=msg.channel, lang=step.lang or lang,
                            kind="counsellor", priority="emergency" if urgent else "high", role="counsellor",
                            reason=f"a survivor reached the line while it was degraded ({reason})", queue=False,
                            words=msg.text)
    except Exception:  # noqa: BLE001 - the store down too: the reply still goes out
        log.exception("%s %s: could not record the fallback escalation", msg.channel, mask(msg.number))
    log.warning("%s %s: safe reply given (%s)", msg.channel, mask(msg.number), reason)
    return said
