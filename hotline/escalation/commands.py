"""Staff answer alerts by SMS: ACK, PASS, DONE, NOTE, FOLLOWUP (`FOLLOWUP 482 3d`).

A command runs inside the webhook's request, under a row lock on the escalation, so the first
ACK wins and the reply says at once who has it. What must reach others (the alert is taken, the
survivor is told someone is coming) is queued.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from redis.exceptions import RedisError
from sqlalchemy import select

from ..engine import schema
from ..services import Services
from ..staff import Person
from ..store.models import Case, Escalation, FollowUp, Note, Notification
from .chain import RETRY, queue_notification, say, schedule_advance

log = logging.getLogger(__name__)


def run(svc: Services, person: Person, command: str, code: str, text: str | None = None) -> str:
    """Carry out one command; returns the reply to the staff member, in her language."""
    lang = person.language
    code = str(code).strip()
    after: list = []
    staff = svc.staff  # read before the transaction: the staff may come from the store
    coordinator = "coordinator" in person.roles
    with svc.store.session() as s:
        e = _find(s, code, person, active_only=command in ("ack", "pass", "done"))
        if e is None:
            return say(svc, "no_such_alert", lang, code=code)
        notified = _involved(s, e, person)
        case = s.get(Case, e.case_id)
        if command in ("ack", "pass") and not (notified or coordinator):
            reply = say(svc, "not_yours", lang, code=code)
        elif command == "ack":
            reply = _ack(svc, staff, s, e, case, person, after)
        elif command == "pass":
            reply = _pass(svc, s, e, case, person, after)
        elif command == "done":
            if e.acked_by != person.id and not coordinator:
                reply = say(svc, "done_not_yours", lang, code=code)
            else:
                e.status, e.closed_at, e.next_at = "done", svc.now(), None
                still_open = s.scalars(select(Escalation.id).where(
                    Escalation.case_id == case.id, Escalation.id != e.id, Escalation.status.in_(("open", "acked")))).first()
                if not still_open:
                    case.status, case.closed_at = "closed", svc.now()
                after.append(("unrelay", case.caller_key))
                reply = say(svc, "done", lang, code=code)
        elif command == "note":
            if not (notified or coordinator or e.acked_by == person.id):
                reply = say(svc, "not_yours", lang, code=code)
            else:
                s.add(Note(case_id=case.id, staff_id=person.id, body=svc.store.seal(text or "")))
                reply = say(svc, "note_added", lang, code=code)
        elif command == "followup":
            reply = _followup(svc, s, e, case, person, text, after)
        else:
            reply = say(svc, "no_such_alert", lang, code=code)
        caller_key, escalation_id = case.caller_key, e.id
    svc.store.audit(f"staff.{command}", caller_key, staff_id=person.id, escalation=escalation_id, code=code)
    for item in after:
        _then(svc, item)
    return reply


def _involved(s, e: Escalation, person: Person) -> bool:
    return e.acked_by == person.id or person.id in set(
        s.scalars(select(Notification.staff_id).where(Notification.escalation_id == e.id)))


def _find(s, code: str, person: Person, active_only: bool) -> Escalation | None:
    """The escalation a code means. Codes are reused once an alert is closed, so NOTE and
    FOLLOWUP (which come after DONE too) take the most recent one this person was part of."""
    query = select(Escalation).where(Escalation.code == code)
    if active_only:
        query = query.where(Escalation.status.in_(("open", "acked")))
    candidates = s.scalars(query.order_by(Escalation.id.desc()).limit(20).with_for_update()).all()
    if active_only or "coordinator" in person.roles:
        return candidates[0] if candidates else None
    return next((e for e in candidates if _involved(s, e, person)), None)


def _followup(svc, s, e: Escalation, case: Case, person: Person, after_text: str | None, after: list) -> str:
    from babel.dates import format_datetime

    seconds = schema.seconds(str(after_text or "").strip().lower())
    if not seconds or not (_involved(s, e, person) or "coordinator" in person.roles):
        return say(svc, "followup_bad_time" if not seconds else "not_yours", person.language, code=e.code)
    due = svc.now() + timedelta(seconds=seconds)
    row = FollowUp(case_id=case.id, staff_id=person.id, due_at=due)
    s.add(row)
    s.flush()
    after.append(("followup", row.id, due))
    when = format_datetime(due.astimezone(svc.staff.zone), "d MMM HH:mm", locale=person.language)
    return say(svc, "followup_set", person.language, code=e.code, when=when)


def _ack(svc, staff, s, e: Escalation, case: Case, person: Person, after: list) -> str:
    lang = person.language
    if e.status == "acked":
        if e.acked_by == person.id:
            return say(svc, "ack_already_yours", lang, code=e.code)
        taker = staff.get(e.acked_by)
        return say(svc, "ack_taken", lang, code=e.code, name=taker.name if taker else "")
    e.status, e.acked_by, e.acked_at, e.next_at = "acked", person.id, svc.now(), None
    case.assigned_to = person.id
    # the others who were alerted are told it is taken; alerts not yet sent are not sent
    others = set()
    for n in s.scalars(select(Notification).where(Notification.escalation_id == e.id)):
        if n.status == "pending":
            n.status = "cancelled"
        if n.staff_id != person.id and n.status == "sent" and n.kind == "alert":
            others.add(n.staff_id)
    for staff_id in sorted(others):
        n = Notification(escalation_id=e.id, staff_id=staff_id, step=-1, round=e.round, via="sms", kind="taken")
        s.add(n)
        s.flush()
        after.append(("notify", n.id))
    if e.kind == "accompaniment":
        after.append(("tell", case.id, "police_taken", {"name": person.name, "code": e.code}))
    elif e.kind in ("counsellor", "voicemail"):
        after.append(("tell", case.id, "survivor_taken", {}))
    after.append(("relay", case.caller_key, case.id))
    return say(svc, "ack_yours_police" if e.kind == "accompaniment" else "ack_yours", lang, code=e.code)


def _pass(svc, s, e: Escalation, case: Case, person: Person, after: list) -> str:
    passed = list(e.details.get("passed", []))
    if person.id not in passed:
        e.details = {**e.details, "passed": passed + [person.id]}
    if e.status == "acked" and e.acked_by == person.id:
        e.status, e.acked_by, e.acked_at = "open", None, None  # she hands it back: ask again
        case.assigned_to = None
        after.append(("unrelay", case.caller_key))
    if e.status == "open":
        e.next_at = svc.now()
        after.append(("advance", e.id, e.round, e.step))
    return say(svc, "passed", person.language, code=e.code)


def _then(svc: Services, item: tuple) -> None:
    """After the commit: queue what the command set going (the sweeper covers a lost Redis)."""
    from . import jobs

    try:
        if item[0] == "notify":
            queue_notification(svc, item[1])
        elif item[0] == "advance":
            schedule_advance(svc, item[1], item[2], item[3], None)
        elif item[0] == "tell":
            svc.queue.enqueue(jobs.tell, item[1], item[2], item[3], retry=RETRY)
        elif item[0] == "relay":
            svc.conversations.set_relay(item[1], item[2])
        elif item[0] == "unrelay":
            svc.conversations.set_relay(item[1], None)
        elif item[0] == "followup":
            svc.queue.enqueue_at(item[2], jobs.followup_due, item[1], job_id=f"followup-{item[1]}", retry=RETRY)
    except RedisError:
        log.warning("after a staff command: %s not queued (Redis unavailable)", item[0])
