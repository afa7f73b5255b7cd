"""May we reach her? The one place that decides, for every path that sends anything to the person
who asked for help (a survivor, or an officer on a police request): a relayed reply, a "taken"
notice, a call-back bridge, resources, the line that closes a case.

She may be reached only while all of these hold:
- she has not said STOP (opted out) — until she says START;
- she has not said the safe word or DELETE: both erase her number, so nothing is left to reach;
- her case is open (closing=True is the one line that tells her it closed);
- for a call-back, the moment is inside the window she said was safe.

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

from hotline.response import windows
from hotline.store.models import ERASED, Case, CaseStatus, Escalation


@dataclass(frozen=True)
class Reach:
    contact: str | None
    refused: str | None = None  # why not: stopped | erased | closed | window

    def __bool__(self) -> bool:
        return self.refused is None and bool(self.contact)


def caller(svc, s, caller_key: str, sealed_contact: str | None) -> Reach:
    """A caller with no case to speak of (resources she asked for)."""
    contact = svc.store.unseal(sealed_contact) if caller_key != ERASED else None
    if not contact:
        return Reach(None, "erased")
    if svc.store.opted_out(caller_key, s):
        return Reach(None, "stopped")
    return Reach(contact)


def case(svc, s, case: Case | None, escalation: Escalation | None = None, *, closing: bool = False) -> Reach:
    """The person of a case: may she be reached now? `escalation`: the one the message is about
    (its call-back window applies)."""
    if case is None:
        return Reach(None, "erased")
    found = caller(svc, s, case.caller_key, case.contact)
    if not found:
        return found
    if case.status != CaseStatus.OPEN and not closing:
        return Reach(None, "closed")
    if escalation is not None and not windows.inside(escalation.details or {}, svc.now()):
        return Reach(None, "window")
    return found


def free_text(svc, channel: str | None) -> str:
    """How a relay's words may reach a person who writes by `channel`: "sms", "whatsapp", or
    "call" where they cannot go as text (SMS through Exotel takes DLT templates only)."""
    if channel == "whatsapp":
        return "whatsapp"
    return "call" if svc.settings.sms_provider == "exotel" else "sms"


def sms(svc, s, reach: Reach, body: str, about: str) -> str:
    """Send to her, in the caller's transaction; only with a Reach that said yes."""
    if not reach:
        raise PermissionError(f"refused: {reach.refused}")
    return svc.outbound.sms(reach.contact, body, session=s, about=about)
