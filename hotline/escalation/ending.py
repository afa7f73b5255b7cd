"""She ends it: the safe word and DELETE.

Both stop everything at once and keep nothing of her: her open escalations close (nobody is paged
again, nothing queued reaches her), everyone who was alerted about her or holds her case is told
in one neutral line not to contact her, and her records are erased to the anonymous stub DELETE
leaves (store.erase_in), in one transaction. Redis forgets her conversation, language and relay.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from sqlalchemy import select

from ..services import Services
from ..store.models import Case, Escalation, Notification
from .chain import queue_notification

log = logging.getLogger(__name__)

STATUS = {"safe_word": "ended", "deleted": "erased"}  # how her running escalations are closed
RUNNING = ("open", "acked", "unanswered")


def end_contact(svc: Services, caller_key: str, why: str) -> int:
    """The safe word (why="safe_word") or DELETE (why="deleted"). Returns the rows erased."""
    told: list[int] = []
    with svc.store.session() as s:
        running = s.scalars(select(Escalation).join(Case, Case.id == Escalation.case_id).where(
            Case.caller_key == caller_key, Escalation.status.in_(RUNNING)).with_for_update()).all()
        for e in running:
            people = {e.acked_by} if e.acked_by else set()
            for n in s.scalars(select(Notification).where(Notification.escalation_id == e.id)):
                if n.status == "pending":
                    n.status = "cancelled"  # an alert not yet sent pages nobody now
                elif n.status == "sent":
                    people.add(n.staff_id)
            e.status, e.next_at, e.closed_at = STATUS[why], None, svc.now()
            for staff_id in sorted(people):
                n = Notification(escalation_id=e.id, staff_id=staff_id, step=-2, round=e.round, via="sms",
                                 kind="ended")
                s.add(n)
                s.flush()
                told.append(n.id)
        gone = svc.store.erase_in(s, caller_key)
    svc.store.checkpoint()
    try:
        svc.conversations.forget(caller_key, f"voice:{caller_key}")
    except RedisError:
        log.warning("erased in the store; Redis unavailable, her conversation there expires on its own")
    for notification_id in told:
        queue_notification(svc, notification_id)  # Redis away: the sweeper sends them
    log.info("contact ended (%s): %d escalation(s) closed, %d staff told", why, len(running), len(told))
    return gone
