"""May we reach her? The one place that decides, for every path that sends anything to the person
who asked for help (a survivor, or an officer on a police request): a relayed reply, a "taken"
notice, a call-back bridge, resources, the line that closes a case.

She may be reached only while all of these hold:
- she has not said STOP (opted out) — until she says START;
- she has not said the safe word or DELETE: both erase her number, so nothing is left to reach;
- her case is open (closing=True is the one line that tells her it closed);
- for a call-back, the moment is inside the window she said was safe;
- she writes on WhatsApp and the line can send WhatsApp (else nothing goes: never an SMS to a
  woman who did not write by SMS).

How it reaches her (the channel she last wrote on; free text or a template by WhatsApp's 24-hour
window) is decided beside this, in hotline/response/whatsapp.py, which `sms()` sends through.

And how free text (a relay: a counsellor's words to her, hers to the counsellor) may reach a
person at all: `free_text`. Where SMS goes through an Indian carrier (Exotel), every SMS must be
a registered DLT template and words are none: the relay then moves to WhatsApp, where she writes
by WhatsApp, or else to a call the hotline puts through (the counsellor's PIN), and both are told.

Every sender asks `case()` (or `caller()` where there is no case yet) inside its own transaction
and sends with `sms()`, which refuses a Reach that was refused. Nothing else in the hotline sends
to her number.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.response import whatsapp, windows
from hotline.store.models import ERASED, Case, CaseStatus, Escalation


@dataclass(frozen=True)
class Reach:
    contact: str | None
    refused: str | None = None  # why not: stopped | erased | closed | window | channel | quiet

    def __bool__(self) -> bool:
        return self.refused is None and bool(self.contact)


def caller(svc, s, caller_key: str, sealed_contact: str | None, *, call: bool = False) -> Reach:
    """A caller with no case to speak of (resources she asked for). `call`: to be put through on a
    call, which WhatsApp's channel rules do not touch. Takes her lock (store.lock_caller) for the
    rest of the transaction: her controls wait for this send, or this send finds them."""
    if caller_key and caller_key != ERASED:
        svc.store.lock_caller(s, caller_key)
    contact = svc.store.unseal(sealed_contact) if caller_key != ERASED else None
    if not contact:
        return Reach(None, "erased")
    if svc.store.opted_out(caller_key, s):
        return Reach(None, "stopped")
    if not call and not whatsapp.reachable(svc, s, caller_key):
        return Reach(None, "channel")
    return Reach(contact)


def case(svc, s, case: Case | None, escalation: Escalation | None = None, *, closing: bool = False,
         call: bool = False) -> Reach:
    """The person of a case: may she be reached now? `escalation`: the one the message is about
    (its call-back window applies); `call`: by a call, not a text."""
    if case is None:
        return Reach(None, "erased")
    if case.caller_key and case.caller_key != ERASED:
        # her lock first, then the case as it stands now: it may have been read before a control of
        # hers committed (PostgreSQL reads what was committed when each statement began)
        svc.store.lock_caller(s, case.caller_key)
        case = s.get(Case, case.id, populate_existing=True)
        if case is None:
            return Reach(None, "erased")
    found = caller(svc, s, case.caller_key, case.contact, call=call)
    if not found:
        return found
    if case.status != CaseStatus.OPEN and not closing:
        return Reach(None, "closed")
    if escalation is not None and not windows.inside(escalation.details or {}, svc.now()):
        return Reach(None, "window")
    if escalation is not None and (escalation.details or {}).get("quiet") and not closing:
        return Reach(None, "quiet")  # she said it is not safe to talk: nothing until she writes again
    return found


def free_text(svc, channel: str | None) -> str:
    """How a relay's words may reach a person who writes by `channel`: "sms", "whatsapp", or
    "call" where they cannot go as text (SMS through Exotel takes DLT templates only). WhatsApp
    is Twilio's whoever carries SMS: her channel is response/whatsapp.py's route()."""
    if channel == "whatsapp":
        return "whatsapp"
    return "call" if svc.settings.sms_provider == "exotel" else "sms"


def sms(svc, s, reach: Reach, body: str, about: str, lang: str = "en", relay_id: int | None = None) -> str:
    """Send to her, in the caller's transaction; only with a Reach that said yes. On the channel
    she last wrote on (`about` is her keyed hash): by SMS (through the SMS provider: Twilio, or
    Exotel's DLT templates), or on WhatsApp (free text in her 24-hour window, else held behind the
    neutral template, in `lang`): response/whatsapp.py."""
    if not reach:
        raise PermissionError(f"refused: {reach.refused}")
    return whatsapp.send(svc, s, about, reach.contact, body, about=about, lang=lang, relay_id=relay_id)
