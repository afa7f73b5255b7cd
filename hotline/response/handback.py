"""Nobody holds a case the line cannot reach.

A case is held by the staff member who took it (ACK). When she is no longer on the staff (a
`staff import --replace` left her out), the line cannot page her, relay to her or hear her DONE:
every escalation she holds is handed back — open again, paged from the chain's first step as if
she had passed it, what the survivor writes no longer relayed to her but read as the flow reads
it (so an URGENT is an emergency again) — and the coordinators are told which alert it is.

Found at once by `hotline staff import` and, for any change the import did not see (a restart
on another staff file, Redis away at the time), by the sweeper (jobs/sweeper.py)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from sqlalchemy import select

from hotline.jobs.enqueue import enqueue_advance, enqueue_notify
from hotline.store.models import Case, Escalation, EscalationStatus, Notification

if TYPE_CHECKING:  # the services are passed in; only their type is named here
    from hotline.services import Services

log = logging.getLogger(__name__)

HANDED_BACK = "handed_back"  # the coordinators' notification kind (chain.send_notification)
STEP = -3  # a notification outside the chain's steps (-2: "she ended it")


def orphaned(svc: Services) -> list[int]:
    """Escalations held (acked) by someone who is not on the staff now."""
    staff = svc.staff
    with svc.store.read() as s:
        held = s.execute(select(Escalation.id, Escalation.acked_by).where(
            Escalation.status == EscalationStatus.ACKED)).all()
    return [e_id for e_id, holder in held if holder is None or staff.get(holder) is None]


def hand_back(svc: Services, escalation_id: int) -> str:
    """One orphaned escalation back to the team; its coordinators told. Safe to run twice."""
    from hotline.response.chain import coordinators

    staff, now = svc.staff, svc.now()
    with svc.store.session() as s:
        e = s.scalars(select(Escalation).where(Escalation.id == escalation_id).with_for_update()).first()
        if e is None or e.status != EscalationStatus.ACKED or (e.acked_by and staff.get(e.acked_by) is not None):
            return "held"
        former = e.acked_by
        passed = list(e.details.get("passed", []))
        e.details = {**e.details, "passed": passed + [former] if former and former not in passed else passed,
                     "handed_back_from": former}
        e.status, e.acked_by, e.acked_at, e.next_at = EscalationStatus.OPEN, None, None, now
        case = s.get(Case, e.case_id)
        if case is not None:
            case.assigned_to = None
        told = []
        for person in coordinators(staff, now):
            n = Notification(escalation_id=e.id, staff_id=person.id, step=STEP, round=e.round, via="sms",
                             kind=HANDED_BACK)
            s.add(n)
            s.flush()
            told.append(n.id)
        where = (e.id, e.round, e.step, e.priority, case.caller_key if case is not None else None)
        svc.store.audit_in(s, "escalation.handed_back", None, staff_id=former, escalation=e.id, code=e.code)
    e_id, round_, step, priority, caller = where
    try:
        if caller:
            svc.conversations.set_relay(caller, None)  # her texts are the flow's again, not his
        enqueue_advance(svc, e_id, round_, step, priority=priority)
        for notification_id in told:
            enqueue_notify(svc, notification_id, priority=priority)
    except RedisError:  # the sweeper pages and notifies (due steps, unsent notifications)
        log.warning("escalation %s handed back; Redis unavailable: the sweeper queues it", e_id)
    log.info("escalation %s handed back: its holder is no longer on the staff", e_id)
    return "handed back"


def hand_back_all(svc: Services) -> int:
    """Every orphaned escalation handed back; how many."""
    return sum(hand_back(svc, e_id) == "handed back" for e_id in orphaned(svc))
