"""One inbound message or call step: Twilio → engine → reply, under the caller's lock.

The reply is rendered inside the lock and kept under the MessageSid/CallSid, so a retried
delivery gets the very same answer and the conversation advances once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from hotline import engine
from hotline.channels.sms import render as sms_text
from hotline.conversation import media
from hotline.conversation.effects import Context, carry_out
from hotline.engine.effects import Erase, Escalate, Forget, OptOut, StaffCommand, Voicemail
from hotline.i18n import detect
from hotline.privacy.phones import caller_key, mask
from hotline.response import relay, whatsapp
from hotline.response.chain import Caller, Request, open_escalation
from hotline.services import Services
from hotline.store.idempotency import first_time, forget

log = logging.getLogger(__name__)

FLOW_FOR_ROLE = {"survivor": "survivor", "staff": "staff", "police": "police"}
def words_not_a_command(step: engine.Step, text: str | None) -> bool:
    """A staff member's sentence that begins with a command word (NOTE, OK, DONE …) but names no
    code: three words or more, the second not a number. Words for the woman she holds, not a
    command (two words, "ack abc", stay a mistyped command: never relayed)."""
    words = (text or "").split()
    return len(words) >= 3 and not words[1].lstrip("#").isdigit() and bool(step.effects) and all(
        isinstance(e, StaffCommand) for e in step.effects)


def ends_contact(step: engine.Step) -> bool:
    """The safe word, DELETE or STOP: after it nothing may reach her, so nothing of this message
    (the channel she wrote on, her WhatsApp window, releasing what was held) is acted on."""
    return step.forgotten or any(isinstance(e, (Erase, OptOut)) for e in step.effects)


def control(step: engine.Step) -> bool:
    """Is this step one the hotline must act on even while she talks with a counsellor (or while
    the line is degraded)? The safe word, DELETE, STOP, START and danger. Anything else she
    writes in a relay is words for the counsellor: a menu shown then would take her next answer
    and hand it, silently, to the counsellor."""
    return step.forgotten or any(e.is_control() for e in step.effects)


@dataclass
class Inbound:
    channel: str  # sms | whatsapp | voice
    number: str | None  # E.164; None when the caller ID is withheld, unknown or unparseable
    text: str | None  # None: a voice prompt that heard nothing
    sid: str  # what makes a delivery unique (MessageSid, CallSid + step)
    fresh: bool = False  # a new call: begin a new voice conversation
    withheld: str | None = None  # no number: the CallSid (or MessageSid) her conversation is keyed by
    media: list[tuple[str, str]] | None = None  # WhatsApp: (Twilio media URL, content type) of each item

    @property
    def texting(self) -> bool:
        """A text message (SMS or WhatsApp), not a step of a call."""
        return self.channel != "voice"

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
    done: Context | None = None  # what carrying out its effects gave (a call: whom to dial, whether to record)


Render = Callable[[Handled], str]


def handle(svc: Services, msg: Inbound, render: Render, observe=None) -> str:
    key = msg.key(svc.settings.secret_key)
    conv_key = key if msg.texting else f"voice:{key}"  # SMS and WhatsApp: one conversation
    conversations = svc.conversations
    with conversations.turn(conv_key, key, msg.sid) as turn:
        if turn.cached is not None:
            log.info("%s %s: repeated delivery, answered as before", msg.channel, mask(msg.number))
            return turn.cached
        started = time.perf_counter()
        state = None if msg.fresh else turn.state
        role = svc.staff.role_of(msg.number)
        if role == "police" and not msg.texting:
            role = "survivor"  # caller ID proves nothing: the police menu (LAP, visits) is by SMS only
        person = svc.staff.find(msg.number)
        lang = turn.lang or (detect(msg.text) if state is None else None) or (
            person.languages[0] if person and person.languages else None)
        now = svc.now()
        # her relay is live while her case is open and someone holds it (a closed or erased case
        # leaves a stale flag behind when Redis was away: it is not followed)
        # (a survivor's only: an officer is never in a relay; he addresses his requests by code)
        live = bool(turn.relay) and role == "survivor" and relay.holds(svc, turn.relay, key)
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

        def aside(said: str, spoken: str | None = None) -> str:
            """Answered without a step of the flow (a relay, her media, an officer's words, the
            silence after STOP): her conversation stays where it was."""
            reply = render(Handled(engine.Step(state, [], [], spoken or lang or "en"), key, role, [], text=said))
            turn.finish(state, reply)
            return reply
        # her controls first: the step says what this message is before anything of it is acted on
        wrote = msg.texting and msg.number is not None and not ends_contact(result)
        if wrote:
            _wrote(svc, key, msg)
        # a voice message, a photo, a document (WhatsApp): kept on her case, not a step. Unless its
        # caption is one of her controls (the safe word, DELETE, STOP, danger): that is carried out
        # as if she had typed it, then what she sent goes with the emergency it opened, or is
        # deleted at Twilio (media.under_control, after carry_out below).
        if msg.media and msg.number and not (msg.text and control(result)):
            spoken = lang or (state or {}).get("lang") or "en"
            said = media.received(svc, key, msg.number, msg.media, spoken, turn.relay if live else None,
                                  caption=msg.text or None)
            reply = aside(said, spoken)
            _release(svc, key, msg)
            return reply
        # once someone has taken her request, what she texts goes to that person, her controls
        # apart (texts only: on a call her keypad presses and speech are the voice menu's)
        if live and msg.texting and msg.text and not control(result):
            relay.pass_on(svc, turn.relay, "to_staff", msg.text, None)
            reply = aside("")
            _release(svc, key, msg)
            log.info("%s %s (%s): relayed to the counsellor of case %s", msg.channel, mask(msg.number), role,
                     turn.relay)
            return reply
        if role == "police" and msg.texting and msg.text and not control(result) and not \
                engine.keyword(svc.flows, "police", msg.text, facts) and \
                (to := relay.officer_address(svc, key, msg.text)):
            relay.pass_on(svc, to.case_id, "to_staff", to.body, None)  # "48213 on my way": to who holds it
            return aside("")
        if role == "survivor" and msg.texting and msg.number and not control(result) \
                and svc.store.opted_out(key):
            # after STOP nothing reaches her until START: not even the menu a "hello" would get
            # (her controls and danger still act: control() above)
            return aside("")
        ctx = Context(key, msg.number, msg.channel, words=msg.text, person=person)
        if role == "staff" and msg.texting and words_not_a_command(result, msg.text):
            result.effects = []  # "Note that she …", "ok I will call her at 5": her words, not a command
        if role == "staff" and person and msg.texting and msg.text and not result.effects and not \
                engine.keyword(svc.flows, "staff", msg.text, facts) and (to := relay.address(svc, person, msg.text)):
            # free text from staff: relayed only when addressed to a case she holds (relay.address)
            if to.case_id is not None:
                relay.pass_on(svc, to.case_id, "to_survivor", to.body, person.id)
            ctx.said, result.state = to.reply or "", state  # the flow as it was
        carry_out(svc, result.effects, ctx)  # the safe word, DELETE, a staff command … (conversation/effects.py)
        if msg.media and msg.number and msg.text and control(result):  # media captioned with one of her controls
            media.under_control(svc, key, msg.media, ctx.escalated, ended=result.forgotten or ctx.erased)
        reply = render(Handled(result, key, role, ctx.recorded, text=ctx.said, done=ctx))
        # a language chosen on a call holds for that call only (its state), never for her next SMS
        keep = msg.channel != "voice" and msg.number is not None and not (result.forgotten or ctx.erased) \
            and result.lang != turn.lang
        turn.finish(None if result.forgotten else result.state, reply, lang=result.lang if keep else None,
                    forget_lang=result.forgotten)
        if wrote and not ctx.erased:
            _release(svc, key, msg)
        if observe:
            observe(time.perf_counter() - started)
    log.info("%s %s (%s): step to %s, %d action(s)", msg.channel, mask(msg.number), role,
             result.node or "end", len(result.effects))
    return reply


def _wrote(svc: Services, key: str, msg: Inbound) -> None:
    """The channel she wrote on (and on WhatsApp her window), once her message is known not to be
    one of her controls: the replies its effects queue go back on it. The store down: she is
    answered all the same (the flow's reply is TwiML on this very channel)."""
    try:
        whatsapp.wrote(svc, key, msg.channel, release=False)
    except Exception:  # noqa: BLE001 - a survivor must get an answer whatever broke
        log.exception("%s %s: the channel she wrote on was not recorded", msg.channel, mask(msg.number))


def _release(svc: Services, key: str, msg: Inbound) -> None:
    """What was held for her on WhatsApp goes once her message has been carried out (never for
    one of her controls: the caller checks). Redis away: the sweeper releases it later."""
    if msg.channel != "whatsapp" or msg.number is None:
        return
    try:
        whatsapp.queue_held(svc, key)
    except Exception:  # noqa: BLE001 - the sweeper finds them (held.releasable)
        log.exception("%s %s: what was held was not queued", msg.channel, mask(msg.number))


def fallback(svc: Services, msg: Inbound, reason: str) -> str:
    """Redis (or something else) is down, or her previous message still holds her lock: keep what
    the response needs in the store, and return what to say. Her controls work as ever (the pure
    engine says which she used): the safe word gets its ordinary line and erases; DELETE and STOP
    (by SMS) are carried out in the store. Danger, a request, or anything from a woman with a case
    open keeps an escalation (one while she has one: chain.join) with her words; a message from
    someone who asked for nothing keeps nothing. Either way she gets the safe reply with the
    emergency numbers."""
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
        # her own controls: the safe word, and what her phone's SMS may do (DELETE, STOP, START)
        own = [e for e in step.effects if isinstance(e, Forget) or (e.sms_only and msg.texting)]
        if own:
            carry_out(svc, own, Context(key, msg.number, msg.channel))
            said = sms_text(step.outputs, step.lang, svc.catalog, {"safe_word": svc.settings.safe_word})
        else:
            if msg.texting and msg.number is not None:
                _wrote(svc, key, msg)  # what was held goes when the sweeper finds it
            # only a woman who asked: danger, a request in these very words, or a case of hers
            # already open (she was talking to the line). A first "hi" pages nobody and keeps
            # nothing: the line must not reach out to someone who never asked.
            asked = control(step) or any(isinstance(e, Escalate) for e in step.effects) or _has_open_case(svc, key)
            # a call to the line while it is down: the team is told, quietly (nobody contacts her
            # until she writes: response/reach.py), as she could not say whether it is safe
            quiet = not asked and msg.channel == "voice"
            if not asked and not quiet:
                log.warning("%s %s: safe reply given (%s); nothing asked, nothing kept", msg.channel,
                            mask(msg.number), reason)
                return said
            open_escalation(svc, Caller(key, msg.number, msg.channel, step.lang or lang),
                            Request(kind="counsellor", priority="emergency" if control(step) else "high",
                                    role="counsellor",
                                    reason=f"a survivor reached the line while it was degraded ({reason})",
                                    details={"quiet": True} if quiet else {}),
                            queue=False, words=msg.text)
    except Exception:  # noqa: BLE001 - the store down too: the reply still goes out
        log.exception("%s %s: could not record the fallback escalation", msg.channel, mask(msg.number))
    log.warning("%s %s: safe reply given (%s)", msg.channel, mask(msg.number), reason)
    return said


def _has_open_case(svc: Services, key: str) -> bool:
    with svc.store.read() as s:
        return svc.store.open_case(s, key) is not None


def voicemail_left(svc: Services, number: str | None, call_sid: str, recording: str | None, url: str | None,
                   seconds, lang: str) -> bool:
    """A voicemail is in (on any provider): the team is alerted once per recording (a provider's
    retry acts once), the recording staying with the provider, its address kept. A withheld
    caller's voicemail reaches the team all the same. False: it could not be recorded (a retry
    may yet bring it); she hears her goodbye either way."""
    if not (number or call_sid) or not recording or not first_time(svc, f"recording:{recording}"):
        return True
    if not url:  # a recording without its address: nothing to play
        forget(svc, f"recording:{recording}")
        return False
    try:
        key = Inbound("voice", number, None, "", withheld=None if number else call_sid).key(svc.settings.secret_key)
        carry_out(svc, [Voicemail(lang=lang, recording=url, seconds=seconds)], Context(key, number, "voice"))
        return True
    except Exception:  # noqa: BLE001 - she must still hear the goodbye
        log.exception("voicemail of %s not recorded", mask(number))
        forget(svc, f"recording:{recording}")  # the provider's retry may keep it yet
        return False
