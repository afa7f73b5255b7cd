"""The masked relay: once someone has taken an alert, what she texts the hotline reaches the
person who asked (survivor or officer) from the hotline's number, and back. Neither sees the
other's number. Bodies are stored encrypted, for the assigned counsellor's view of the case."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from sqlalchemy import select

from ..queueing import on_queue
from ..services import Services
from ..store.models import Case, Escalation, Relay
from . import windows
from .chain import RETRY, say

log = logging.getLogger(__name__)


def active_case_for_staff(svc: Services, staff_id: int) -> tuple[int, str] | None:
    """The case a staff member most recently took and has not closed: (case id, code)."""
    with svc.store.session() as s:
        row = s.execute(select(Escalation.case_id, Escalation.code).where(
            Escalation.acked_by == staff_id, Escalation.status == "acked").order_by(Escalation.acked_at.desc())).first()
    return (row[0], row[1]) if row else None


def active_escalation_for_case(s, case_id: int) -> Escalation | None:
    return s.scalars(select(Escalation).where(Escalation.case_id == case_id, Escalation.status == "acked")
                     .order_by(Escalation.acked_at.desc())).first()


def pass_on(svc: Services, case_id: int, direction: str, text: str, staff_id: int | None) -> int:
    """Record a relayed message (encrypted), then queue its sending."""
    from . import jobs

    with svc.store.session() as s:
        row = Relay(case_id=case_id, staff_id=staff_id, direction=direction, body=svc.store.seal(text))
        s.add(row)
        s.flush()
        relay_id = row.id
    try:
        svc.queue.enqueue(jobs.send_relay, relay_id, job_id=f"relay-{relay_id}", retry=RETRY)
    except RedisError:
        log.warning("relay %s kept for the sweeper (Redis unavailable)", relay_id)
    return relay_id


def send(svc: Services, relay_id: int) -> str:
    staff_list = svc.staff  # read before the transaction: it may read the store itself
    with svc.store.session() as s:
        row = s.scalars(select(Relay).where(Relay.id == relay_id).with_for_update()).first()
        if row is None or row.status != "pending":
            return "nothing to do"
        case = s.get(Case, row.case_id)
        escalation = active_escalation_for_case(s, case.id)
        text = svc.store.unseal(row.body) or ""
        if row.direction == "to_survivor":
            contact = svc.store.unseal(case.contact)
            staff = staff_list.get(row.staff_id)
            if not contact or svc.store.opted_out(case.caller_key, s):
                row.status = "refused"
                if staff:
                    svc.outbound.sms(staff.phone, say(svc, "relay_refused_stop", staff.language), session=s)
                return "refused"
            if escalation and not windows.inside(escalation.details, svc.now()):
                row.status = "refused"  # a callback: only inside the window she said was safe
                if staff:
                    svc.outbound.sms(staff.phone, say(svc, "relay_refused_window", staff.language,
                                                      window=escalation.details.get("window", "")), session=s)
                return "outside her window"
            svc.outbound.sms(contact, say(svc, "relay_prefix_survivor", case.lang, text=text), session=s,
                             about=case.caller_key)
        else:
            staff = staff_list.get(escalation.acked_by) if escalation else None
            if staff is None:
                row.status = "refused"
                return "nobody to relay to"
            svc.outbound.sms(staff.phone, say(svc, "relay_prefix_staff", staff.language, code=escalation.code,
                                              text=text), session=s, about=case.caller_key)
        row.status = "sent"
        row.at = svc.now()
        caller_key = case.caller_key
    svc.store.audit("relay.sent", caller_key, relay=relay_id, direction=row.direction, staff_id=row.staff_id)
    return "sent"


def tell(svc: Services, case_id: int, text_id: str, params: dict) -> str:
    """A message from the hotline to the person who asked (never to one who said STOP)."""
    with svc.store.session() as s:
        case = s.get(Case, case_id)
        if case is None:
            return "no case"
        contact = svc.store.unseal(case.contact)
        if not contact or svc.store.opted_out(case.caller_key, s):
            return "not contacted"
        svc.outbound.sms(contact, say(svc, text_id, case.lang, **params), session=s, about=case.caller_key)
    return "sent"


def sweep(svc: Services) -> int:
    """Relays recorded but not sent (Redis was away when they were queued)."""
    from . import jobs

    with svc.store.session() as s:
        ids = list(s.scalars(select(Relay.id).where(Relay.status == "pending")))
    count = 0
    for relay_id in ids:
        if not on_queue(svc.redis, f"relay-{relay_id}"):
            svc.queue.enqueue(jobs.send_relay, relay_id, job_id=f"relay-{relay_id}", retry=RETRY)
            count += 1
    return count
