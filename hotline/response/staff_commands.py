"""Staff answer alerts by SMS: ACK, PASS, DONE, NOTE, FOLLOWUP (`FOLLOWUP 482 3d`).

A command runs inside the webhook's request, under a row lock on the escalation, so the first
ACK wins and the reply says at once who has it. What must reach others (the alert is taken, the
survivor is told someone is coming) is queued.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from sqlalchemy import select

from hotline.config import schema
from hotline.jobs.enqueue import enqueue_advance, enqueue_followup_due, enqueue_notify, enqueue_tell
from hotline.people.staff import Person
from hotline.response import reach, whatsapp
from hotline.response.chain import say, tell_later
from hotline.response.permissions import is_coordinator, may
from hotline.response.refusals import limited, refuse
from hotline.response.relay import release_held
from hotline.store.models import (
    ACTIVE,
    ERASED,
    Audit,
    Case,
    Escalation,
    EscalationStatus,
    FollowUp,
    Note,
    Notification,
    NotificationStatus,
)

if TYPE_CHECKING:  # the services are passed in; only their type is named here
    from hotline.services import Services

log = logging.getLogger(__name__)

CONFIRM_WITHIN = timedelta(minutes=5)  # a coordinator's second ACK of an alert she was not sent


def _confirmed(svc: Services, s, person: Person, e: Escalation) -> bool:
    """A coordinator taking an alert she was not sent: the second ACK within CONFIRM_WITHIN."""
    since = svc.now() - CONFIRM_WITHIN
    asked = s.scalars(select(Audit.id).where(Audit.event == "staff.ack_confirm", Audit.staff_id == person.id,
                                             Audit.at > since)).all()
    for audit_id in asked:
        row = s.get(Audit, audit_id)
        if (row.detail or {}).get("escalation") == e.id:
            return True
    s.add(Audit(event="staff.ack_confirm", staff_id=person.id, detail={"escalation": e.id}))
    return False


def answer(svc: Services, person: Person, command: str, code: str, text: str | None = None,
        confirmed: bool = False) -> str:
    """Carry out one command; returns the reply to the staff member, in her language.
    `confirmed`: the console, where she pressed the button of that very alert after logging in,
    needs no second ACK."""
    lang = person.language
    code = str(code).strip()
    after: list = []
    staff = svc.staff  # read before the transaction: the staff may come from the store
    coordinator = is_coordinator(person.roles)
    if limited(svc, person):
        refuse(svc, person, code, "rate_limited")
        return say(svc, "too_many_refusals", lang)
    # refusals first, outside the write transaction: each is audited in a transaction of its own
    with svc.store.read() as s:
        e = _find(s, code, person, active_only=command in ("ack", "pass", "done"))
        found = (e.id, _involved(s, e, person)) if e is not None else None
    if found is None:
        refuse(svc, person, code, "no_such_alert")
        return say(svc, "no_such_alert", lang, code=code)
    escalation_id, notified = found
    if command in ("ack", "pass") and not may(command, notified=notified, holds=False, coordinator=coordinator):
        refuse(svc, person, code, "not_yours")
        return say(svc, "not_yours", lang, code=code)
    refused = None
    with svc.store.session() as s:
        e = s.scalars(select(Escalation).where(Escalation.id == escalation_id).with_for_update()).one()
        case = s.get(Case, e.case_id)
        if command == "ack" and not (notified or confirmed) and e.status == EscalationStatus.OPEN and not _confirmed(svc, s, person, e):
            reply = say(svc, "ack_confirm", lang, code=e.code)
        elif command == "ack":
            reply = _ack(svc, staff, s, e, case, person, after)
        elif command == "pass":
            reply = _pass(svc, s, e, case, person, after)
        elif command == "done":
            if not may("done", notified=notified, holds=e.acked_by == person.id, coordinator=coordinator):
                reply, refused = say(svc, "done_not_yours", lang, code=code), "done_not_yours"
            else:
                reply = _done(svc, s, e, case, person, after)
        elif command in ("note", "followup") and case.caller_key == ERASED:
            # her erased case is read-only: a note or follow-up would be out of reach of her next DELETE
            reply, refused = say(svc, "esc_ended", lang, code=e.code), "erased"
        elif command == "note":
            if not may("note", notified=notified, holds=e.acked_by == person.id, coordinator=coordinator):
                reply, refused = say(svc, "not_yours", lang, code=code), "not_yours"
            else:
                s.add(Note(case_id=case.id, staff_id=person.id, body=svc.store.seal(text or "")))
                reply = say(svc, "note_added", lang, code=code)
        elif command == "followup":
            reply, refused = _followup(svc, s, e, case, person, text, after)
        else:
            reply = say(svc, "no_such_alert", lang, code=code)
        caller_key, escalation_id = case.caller_key, e.id
    if refused:  # after the transaction: the audit row is a transaction of its own
        refuse(svc, person, code, refused)
        return reply
    svc.store.audit(f"staff.{command}", caller_key, staff_id=person.id, escalation=escalation_id, code=code)
    for item in after:
        _then(svc, item)
    return reply


def _done(svc, s, e: Escalation, case: Case, person: Person, after: list) -> str:
    """Close an alert. When it was her last, the case closes: she is told in one neutral line
    (if she may be reached), and her next message starts a fresh conversation. The one who
    closed it is told where her own texts go now."""
    e.status, e.closed_at, e.next_at = "done", svc.now(), None
    e.details = {**e.details, "closed_by": person.id}  # relay.left_her_hands: closed by its holder or not
    others = s.scalars(select(Escalation).where(Escalation.case_id == case.id, Escalation.id != e.id,
                                                Escalation.status.in_(ACTIVE))).all()
    if not others:
        case.status, case.closed_at = "closed", svc.now()
        if e.kind not in ("accompaniment", "lap"):  # an officer's case: no closing line to her
            after.append(("tell", tell_later(s, case, "survivor_closed", {}, closing=True, escalation_id=e.id)))
        after.append(("end_conversation", case.caller_key))
    elif not any(o.status == "acked" for o in others):
        after.append(("unrelay", case.caller_key))
    still = s.scalars(select(Escalation.code).where(Escalation.acked_by == person.id, Escalation.status == EscalationStatus.ACKED,
                                                    Escalation.id != e.id).order_by(Escalation.acked_at)).all()
    lang = person.language
    if not still:
        return say(svc, "done_none_left", lang, code=e.code)
    if len(still) == 1:
        return say(svc, "done_next_one", lang, code=e.code, next=still[0])
    return say(svc, "done_next_many", lang, code=e.code, codes=", ".join(still))


def _involved(s, e: Escalation, person: Person) -> bool:
    return e.acked_by == person.id or person.id in set(
        s.scalars(select(Notification.staff_id).where(Notification.escalation_id == e.id)))


def _find(s, code: str, person: Person, active_only: bool) -> Escalation | None:
    """The escalation a code means. Codes are reused once an alert is closed, so NOTE and
    FOLLOWUP (which come after DONE too) take the most recent one this person was part of."""
    query = select(Escalation).where(Escalation.code == code)
    if active_only:
        query = query.where(Escalation.status.in_(ACTIVE))
    candidates = s.scalars(query.order_by(Escalation.id.desc()).limit(20)).all()
    if active_only or is_coordinator(person.roles):
        return candidates[0] if candidates else None
    return next((e for e in candidates if _involved(s, e, person)), None)


def _followup(svc, s, e: Escalation, case: Case, person: Person, after_text: str | None,
              after: list) -> tuple[str, str | None]:
    """FOLLOWUP 48213 3d: (the reply, why it was refused, if it was)."""
    from babel.dates import format_datetime

    if not may("followup", notified=_involved(s, e, person), holds=e.acked_by == person.id,
               coordinator=is_coordinator(person.roles)):
        return say(svc, "not_yours", person.language, code=e.code), "not_yours"
    seconds = schema.seconds(str(after_text or "").strip().lower())
    if not seconds:
        return say(svc, "followup_bad_time", person.language, code=e.code), None
    due = svc.now() + timedelta(seconds=seconds)
    row = FollowUp(case_id=case.id, staff_id=person.id, due_at=due)
    s.add(row)
    s.flush()
    after.append(("followup", row.id, due))
    when = format_datetime(due.astimezone(svc.staff.zone), "d MMM HH:mm", locale=person.language)
    return say(svc, "followup_set", person.language, code=e.code, when=when), None


def _ack(svc, staff, s, e: Escalation, case: Case, person: Person, after: list) -> str:
    lang = person.language
    if e.status == EscalationStatus.ACKED:
        if e.acked_by == person.id:
            return say(svc, "ack_already_yours", lang, code=e.code)
        taker = staff.get(e.acked_by)
        return say(svc, "ack_taken", lang, code=e.code, name=taker.name if taker else "")
    e.status, e.acked_by, e.acked_at, e.next_at = "acked", person.id, svc.now(), None
    case.assigned_to = person.id
    # the others who were alerted are told it is taken; alerts not yet sent are not sent
    others = set()
    for n in s.scalars(select(Notification).where(Notification.escalation_id == e.id)):
        if n.status == NotificationStatus.PENDING:
            n.status = NotificationStatus.CANCELLED
        if n.staff_id != person.id and n.status == NotificationStatus.SENT and n.kind == "alert":
            others.add(n.staff_id)
    for staff_id in sorted(others):
        n = Notification(escalation_id=e.id, staff_id=staff_id, step=-1, round=e.round, via="sms", kind="taken")
        s.add(n)
        s.flush()
        after.append(("notify", n.id))
    if e.kind == "accompaniment":
        after.append(("tell", tell_later(s, case, "police_taken", {"name": person.name, "code": e.code})))
    elif e.kind == "lap":
        after.append(("tell", tell_later(s, case, "lap_taken", {"name": person.name, "code": e.code})))
    elif e.kind in ("counsellor", "voicemail"):
        # where words cannot go by SMS (Exotel's DLT), she is told to expect a call (reach.free_text)
        by_call = reach.free_text(svc, whatsapp.route(svc, s, case.caller_key).channel) == "call"
        after.append(("tell", tell_later(s, case, "survivor_taken_call" if by_call else "survivor_taken", {})))
    if e.kind not in OFFICERS:  # an officer is never put in a survivor's relay: he writes "48213 text"
        after.append(("relay", case.caller_key, case.id))
    after.append(("release_held", case.id))
    if e.kind == "lap":
        return say(svc, "ack_yours_lap", lang, code=e.code)
    if e.kind != "accompaniment" and reach.free_text(svc, whatsapp.route(svc, s, case.caller_key).channel) == "call":
        return say(svc, "ack_yours_call", lang, code=e.code)
    return say(svc, "ack_yours_police" if e.kind == "accompaniment" else "ack_yours", lang, code=e.code)


def _pass(svc, s, e: Escalation, case: Case, person: Person, after: list) -> str:
    passed = list(e.details.get("passed", []))
    if person.id not in passed:
        e.details = {**e.details, "passed": passed + [person.id]}
    if e.status == EscalationStatus.ACKED and e.acked_by == person.id:
        e.status, e.acked_by, e.acked_at = "open", None, None  # she hands it back: ask again
        case.assigned_to = None
        after.append(("unrelay", case.caller_key))
    if e.status == EscalationStatus.OPEN:
        e.next_at = svc.now()
        after.append(("advance", e.id, e.round, e.step))
    return say(svc, "passed", person.language, code=e.code)


OFFICERS = ("accompaniment", "lap")  # requests made by a police officer, each its own case


def _then(svc: Services, item: tuple) -> None:
    """After the commit: queue what the command set going (the sweeper covers a lost Redis)."""
    try:
        if item[0] == "notify":
            enqueue_notify(svc, item[1])
        elif item[0] == "advance":
            enqueue_advance(svc, item[1], item[2], item[3])
        elif item[0] == "tell":  # recorded in the command's transaction (chain.tell_later)
            enqueue_tell(svc, item[1])
        elif item[0] == "relay":
            svc.conversations.set_relay(item[1], item[2])
        elif item[0] == "unrelay":
            svc.conversations.set_relay(item[1], None)
        elif item[0] == "end_conversation":
            svc.conversations.end(item[1])
        elif item[0] == "release_held":

            release_held(svc, item[1])
        elif item[0] == "followup":
            enqueue_followup_due(svc, item[1], at=item[2])
    except RedisError:
        log.warning("after a staff command: %s not queued (Redis unavailable)", item[0])
