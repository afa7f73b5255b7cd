"""The masked relay: once someone has taken an alert, what she texts the hotline reaches the
person who holds it (from the hotline's number), and back. Neither sees the other's number.
Bodies are stored encrypted, for the assigned counsellor's view of the case.

A staff member's reply is addressed: it goes to a case only when it is unmistakably that case's
(see `address`), and reaches the survivor only if hotline/response/reach.py says she may be reached.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import select

from hotline.jobs.enqueue import enqueue_send_relay
from hotline.people.staff import Person
from hotline.response import reach, whatsapp
from hotline.response.chain import CODE_DIGITS, TELL, say
from hotline.response.refusals import refuse
from hotline.store.models import Action, Case, CaseStatus, Escalation, EscalationStatus, Relay

if TYPE_CHECKING:  # the services are passed in; only their type is named here
    from hotline.services import Services

log = logging.getLogger(__name__)

# "48213 text", "R48213 text", "Re 48213: text", "#48213 - text": a reply addressed to a case
ADDRESSED = re.compile(r"^\s*(?:re?\s*[:#-]?\s*)?#?(\d{3,6})(?!\d)[\s:.,-]*(.*)$", re.IGNORECASE | re.DOTALL)
COMMAND_WORDS = ("ack", "accept", "pass", "decline", "done", "close", "closed", "note", "followup")
REFUSED = {"stopped": "relay_refused_stop", "window": "relay_refused_window", "erased": "relay_refused_ended",
           "closed": "relay_refused_closed", "not_held": "relay_refused_closed", "channel": "relay_refused_channel",
           "quiet": "relay_refused_quiet"}


@dataclass
class Addressed:
    """Where a staff member's text goes: a case (`case_id`, `code`, `body`), or nowhere, with
    `reply` telling her why and how to address it."""

    case_id: int | None = None
    code: str | None = None
    body: str | None = None
    reply: str | None = None


class Held(NamedTuple):
    case_id: int
    code: str
    escalation_id: int


def held_by(svc: Services, staff_id: int) -> list[Held]:
    """The cases a staff member holds now, each by the latest alert of it she took, the earliest
    taken first. Her replies (relay.address) and her calls (twilio/voice.py) reach only these."""
    with svc.store.read() as s:
        rows = s.execute(select(Escalation.case_id, Escalation.code, Escalation.id).where(
            Escalation.acked_by == staff_id, Escalation.status == EscalationStatus.ACKED).order_by(Escalation.acked_at)).all()
    latest: dict[int, Held] = {}
    for case_id, code, escalation_id in rows:
        latest.pop(case_id, None)  # the case stands where she last took one of its alerts
        latest[case_id] = Held(case_id, code, escalation_id)
    return list(latest.values())


LEFT_HER_HANDS = timedelta(hours=2)


def left_her_hands(svc: Services, staff_id: int) -> bool:
    """Did a case of hers close lately without her closing it (the woman's safe word or DELETE,
    a coordinator's DONE)? Then she may still think of it as hers: a reply must name its case."""
    since = svc.now() - LEFT_HER_HANDS
    with svc.store.read() as s:
        rows = s.execute(select(Escalation.status, Escalation.details).where(
            Escalation.acked_by == staff_id, Escalation.status != EscalationStatus.ACKED, Escalation.closed_at > since)).all()
    return any(status != "done" or (details or {}).get("closed_by") != staff_id for status, details in rows)


def command_typo(text: str) -> bool:
    """A command mistyped, never words for her: a word glued to a number ('ack180', 'DONE48213'),
    or a word a letter or two from a command and a number, nothing else ('akc 48213')."""
    words = text.strip().lower().split()
    if len(words) == 1:
        return bool(re.fullmatch(r"[a-z]+#?\d+", words[0]))
    if len(words) == 2 and re.fullmatch(r"#?\d+", words[1]) and words[0].isalpha():
        return bool(difflib.get_close_matches(words[0], COMMAND_WORDS, n=1, cutoff=0.6))
    return False


def officer_address(svc: Services, caller_key: str, text: str) -> Addressed | None:
    """An officer's text to the staff member holding one of his requests: only when it starts
    with that request's code ("48213 on my way"), as staff address theirs. Anything else is the
    police flow's (LAP, MENU, cancel stay his commands at every moment)."""
    found = ADDRESSED.match(text)
    if not found or len(found.group(1)) != CODE_DIGITS or not found.group(2).strip():
        return None
    with svc.store.read() as s:
        case_id = s.scalar(select(Escalation.case_id).join(Case, Case.id == Escalation.case_id).where(
            Escalation.code == found.group(1), Case.caller_key == caller_key, Case.status == CaseStatus.OPEN,
            Escalation.status == EscalationStatus.ACKED))
    return Addressed(case_id, found.group(1), found.group(2).strip()) if case_id is not None else None


def address(svc: Services, person: Person, text: str) -> Addressed | None:
    """Where her free text goes. None: not a reply to anyone (she holds no case and named none),
    and the staff flow answers as it would.

    - a code first ("48213 text"): to that case, if she holds it; any other code is refused;
    - no code, one case held: to it, unless a case of hers closed lately without her closing it
      (she may think she still writes to that woman); two or more: not sent, she is asked which;
    - a mistyped command is never relayed."""

    lang = person.language
    if command_typo(text):
        return None
    held = held_by(svc, person.id)
    codes = ", ".join(h.code for h in held)
    found = ADDRESSED.match(text)
    # a leading number is a code when it is one of hers or has a code's length ("112 is the
    # police" to her one case is words, not an address)
    if found and (found.group(1) in {h.code for h in held} or len(found.group(1)) == CODE_DIGITS):
        code, body = found.group(1), found.group(2).strip()
        mine = [h.case_id for h in held if h.code == code]
        if not mine:
            refuse(svc, person, code, "relay_not_held")
            return Addressed(reply=say(svc, "relay_not_held", lang, code=code, codes=codes or "-"))
        if not body:
            return Addressed(reply=say(svc, "relay_which", lang, code=code, codes=codes))
        return Addressed(mine[0], code, body)
    if not held:
        return None
    if len(held) > 1 or left_her_hands(svc, person.id):
        return Addressed(reply=say(svc, "relay_which", lang, code=held[-1].code, codes=codes))
    return Addressed(held[0].case_id, held[0].code, text.strip())


def holds(svc: Services, case_id: int, caller_key: str) -> bool:
    """Is her relay still live: her case open, and someone the line knows holding it? (A holder
    no longer on the staff holds nothing: response/handback.py gives the case back.)"""
    with svc.store.read() as s:
        case = s.get(Case, case_id)
        held = case and case.caller_key == caller_key and case.status == CaseStatus.OPEN \
            and active_escalation_for_case(s, case_id)
        return bool(held and held.acked_by is not None and svc.staff.get(held.acked_by) is not None)


def active_escalation_for_case(s, case_id: int) -> Escalation | None:
    return s.scalars(select(Escalation).where(Escalation.case_id == case_id, Escalation.status == EscalationStatus.ACKED)
                     .order_by(Escalation.acked_at.desc())).first()


def pass_on(svc: Services, case_id: int, direction: str, text: str, staff_id: int | None) -> int:
    """Record a relayed message (encrypted), then queue its sending."""
    with svc.store.session() as s:
        row = Relay(case_id=case_id, staff_id=staff_id, direction=direction, body=svc.store.seal(text))
        s.add(row)
        s.flush()
        relay_id = row.id
    enqueue_send_relay(svc, relay_id)
    return relay_id


def release_held(svc: Services, case_id: int) -> int:
    """What she wrote while nobody held her case (an URGENT, say) goes to the one who took it."""
    with svc.store.session() as s:
        rows = s.scalars(select(Relay).where(Relay.case_id == case_id, Relay.status == "held")).all()
        for row in rows:
            row.status = "pending"
        ids = [row.id for row in rows]
    for relay_id in ids:
        enqueue_send_relay(svc, relay_id)
    return len(ids)


def send(svc: Services, relay_id: int) -> str:
    staff_list = svc.staff  # read before the transaction: it may read the store itself
    with svc.store.session() as s:
        row = s.scalars(select(Relay).where(Relay.id == relay_id).with_for_update()).first()
        if row is None or row.status != "pending":
            return "nothing to do"
        case = s.get(Case, row.case_id)
        escalation = active_escalation_for_case(s, case.id) if case else None
        text = svc.store.unseal(row.body) or ""
        if row.direction == "to_survivor":
            staff = staff_list.get(row.staff_id)
            may = reach.case(svc, s, case, escalation)
            refused = may.refused or (None if escalation and escalation.acked_by == row.staff_id else "not_held")
            if refused:
                row.status = "refused"
                if staff:
                    window = escalation.details.get("window", "") if escalation else ""
                    whatsapp.to_staff(svc, s, staff, say(svc, REFUSED[refused], staff.language, window=window,
                                                         code=escalation.code if escalation else ""))
                return f"refused: {refused}"
            # her first name, not "Counsellor:": someone may read the survivor's phone
            name = (staff.name.split() or [""])[0] if staff else ""
            # her words go on the channel she writes on: WhatsApp (whoever carries SMS), or SMS,
            # unless that is DLT SMS (Exotel), which takes no words: a call instead
            if reach.free_text(svc, whatsapp.route(svc, s, case.caller_key).channel) == "call":
                row.status = "by_call"
                if staff:
                    whatsapp.to_staff(svc, s, staff, say(svc, "relay_by_call", staff.language, code=escalation.code))
                # told once a day (in Redis: a second store transaction here would wait on this one's lock)
                if svc.redis.set(f"hotline:relay-by-call:{case.id}", 1, nx=True, ex=24 * 3600):
                    reach.sms(svc, s, may, say(svc, "relay_by_call_survivor", case.lang, name=name),
                              about=case.caller_key, lang=case.lang)
                return "by call"
            sid = reach.sms(svc, s, may, say(svc, "relay_prefix_survivor", case.lang, name=name, text=text),
                            about=case.caller_key, lang=case.lang, relay_id=row.id)
            if sid != whatsapp.HELD:
                row.transport_id = sid  # its delivery and read receipts, for her counsellor (whatsapp.receipt)
        else:
            if escalation is not None and (escalation.details or {}).get("quiet"):
                # she writes again: her counsellor may write to her now
                escalation.details = {**escalation.details, "quiet": False}
            staff = staff_list.get(escalation.acked_by) if escalation else None
            if staff is None:
                row.status = "held" if case and case.status == CaseStatus.OPEN else "refused"
                return "nobody holds it yet" if row.status == "held" else "nobody to relay to"
            # "media": she sent a voice message or a file (conversation/media.py): look in the console
            text_id = {"urgent": "relay_urgent_staff", "media": "relay_media_staff"}.get(row.direction,
                                                                                         "relay_prefix_staff")
            if row.direction != "media" and reach.free_text(svc, whatsapp.staff_route(svc, s, staff).channel) == "call":
                # her words cannot go by DLT SMS (the counsellor's texts are not on WhatsApp): the console has them
                text_id = "relay_urgent_waiting" if row.direction == "urgent" else "relay_waiting"
            whatsapp.to_staff(svc, s, staff, say(svc, text_id, staff.language, code=escalation.code, text=text,
                                                 case=case.id), about=case.caller_key)
        row.status = "sent"
        row.at = svc.now()
        caller_key = case.caller_key
    svc.store.audit("relay.sent", caller_key, relay=relay_id, direction=row.direction, staff_id=row.staff_id)
    return "sent"


def tell(svc: Services, action_id: int) -> str:
    """A message from the hotline to the person who asked (recorded by chain.tell_later), if she
    may be reached (reach.py). `closing`: the one line that tells her a closed case has closed;
    `escalation_id`: the one it is about (its call-back window holds even once it is done), else
    the one held now. Sent and marked done in one transaction."""
    with svc.store.session() as s:
        row = s.scalars(select(Action).where(Action.id == action_id, Action.kind == TELL).with_for_update()).first()
        if row is None or row.status in ("done", "failed"):
            return "nothing to do"
        row.attempts += 1
        row.status, row.done_at = "done", svc.now()
        told = row.payload
        case_id, escalation_id = told["case_id"], told.get("escalation_id")
        case = s.get(Case, case_id)
        escalation = (s.get(Escalation, escalation_id) if escalation_id is not None
                      else active_escalation_for_case(s, case_id) if case else None)
        may = reach.case(svc, s, case, escalation, closing=told.get("closing", False))
        if not may:
            return f"not contacted: {may.refused}"
        reach.sms(svc, s, may, say(svc, told["text_id"], case.lang, **told["params"]), about=case.caller_key,
                  lang=case.lang)
    return "sent"


# -- what the sweeper finds (jobs/sweeper.py) -----------------------------------------------------


def unsent(svc: Services) -> list[tuple[tuple, None]]:
    """Relays recorded but not sent (Redis was away when they were queued)."""
    with svc.store.session() as s:
        ids = s.scalars(select(Relay.id).where(Relay.status == "pending")).all()
    return [((i, ), None) for i in ids]


def untold(svc: Services, stuck_after_seconds: int = 300) -> list[tuple[tuple, None]]:
    """Tells recorded but not queued, or queued and never done (a lost Redis, a killed worker)."""
    return [((i, ), None) for i in svc.store.due_actions(stuck_after_seconds, kinds=(TELL, ))]
