"""She ends it: the safe word and DELETE.

Both stop everything at once and keep nothing of her: her open escalations close (nobody is paged
again, nothing queued reaches her), everyone who was alerted about her or holds her case is told
in one neutral line not to contact her, and her records are erased to the anonymous stub DELETE
leaves (store.erase_in), in one transaction. Redis forgets her conversation, language and relay.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from hotline.jobs.enqueue import enqueue_notify
from hotline.store.models import RUNNING, Case, Escalation, Notification, NotificationStatus

if TYPE_CHECKING:  # the services are passed in; only their type is named here
    from hotline.services import Services

log = logging.getLogger(__name__)

FORGET = "forget_redis"  # an Action kind: Redis was away when she was erased
STATUS = {"safe_word": "ended", "deleted": "erased"}  # how her running escalations are closed


def forget_in_redis(svc: Services, caller_key: str) -> None:
    """Her conversation, language and relay in Redis. With Redis away, her key is kept in the
    store (the one thing kept of her) only until the sweeper has forgotten them (forget_pending)."""
    try:
        svc.conversations.forget(caller_key, f"voice:{caller_key}")
    except RedisError:
        from hotline.store.models import Action

        with svc.store.session() as s:  # no audit row: it would name her key after her erasure
            s.add(Action(kind=FORGET, caller_key=caller_key, payload={}, status="pending"))
        log.warning("erased in the store; Redis unavailable: its copy is forgotten when it is back")


def forget_pending(svc: Services) -> int:
    """The sweeper, once Redis answers: forget what an erasure could not reach, then the note."""
    from sqlalchemy import delete

    from hotline.store.models import Action

    with svc.store.session() as s:
        keys = list(s.scalars(select(Action.caller_key).where(Action.kind == FORGET)))
    for key in keys:
        svc.conversations.forget(key, f"voice:{key}")  # a RedisError stops the sweep: next time
        with svc.store.session() as s:
            s.execute(delete(Action).where(Action.kind == FORGET, Action.caller_key == key))
    return len(keys)


def end_contact(svc: Services, caller_key: str, why: str) -> int:
    """The safe word (why="safe_word") or DELETE (why="deleted"). Returns the rows erased.

    Under her lock (store.lock_caller), as every send to her is: a send that holds it goes out
    before this commits (and so before her control's reply); one that waits finds her erased.
    Two transactions that lock in different orders can deadlock on PostgreSQL; the database then
    ends one of them: if it is this one, it runs again (her control is never the one lost)."""
    for attempt in range(DEADLOCK_TRIES):
        try:
            return _end_contact(svc, caller_key, why)
        except DBAPIError as exc:
            if attempt + 1 == DEADLOCK_TRIES or "deadlock" not in str(exc.orig).lower():
                raise
            log.warning("contact ended (%s): deadlock with a send, tried again", why)
    raise AssertionError("unreachable")


DEADLOCK_TRIES = 5


def _end_contact(svc: Services, caller_key: str, why: str) -> int:
    told: list[int] = []
    with svc.store.session() as s:
        # her escalations first (the order an ACK or a chain step locks them in), then her lock
        running = s.scalars(select(Escalation).join(Case, Case.id == Escalation.case_id).where(
            Case.caller_key == caller_key, Escalation.status.in_(RUNNING)).with_for_update()).all()
        svc.store.lock_caller(s, caller_key)
        for e in running:
            people = {e.acked_by} if e.acked_by else set()
            for n in s.scalars(select(Notification).where(Notification.escalation_id == e.id).with_for_update()):
                if n.status == NotificationStatus.PENDING:
                    n.status = NotificationStatus.CANCELLED  # an alert not yet sent pages nobody now
                elif n.status == NotificationStatus.SENT:
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
    forget_in_redis(svc, caller_key)
    for notification_id in told:
        enqueue_notify(svc, notification_id)  # Redis away: the sweeper sends them
    log.info("contact ended (%s): %d escalation(s) closed, %d staff told", why, len(running), len(told))
    return gone
