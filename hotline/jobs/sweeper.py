"""The sweeper: whatever the store says is due and the queue does not hold goes back on the
queue (after Redis came back, after a worker died, after RQ gave up retrying). Every fact is in
the store before its job is queued, so this table is the whole of the slow path's memory: what is
pending in the store -> the function that queues its job."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from redis.exceptions import RedisError

from hotline.jobs import enqueue
from hotline.jobs.tasks import HANDLERS
from hotline.response import chain, ending, followups, handback, held, relay
from hotline.services import Services

log = logging.getLogger(__name__)

STUCK_AFTER = 300  # seconds a recorded action may stay queued before it is queued again

Due = Callable[[Services], Iterable[tuple[tuple, datetime | None]]]  # (the job's ids, when) of each pending fact


def recorded_actions(svc: Services) -> list[tuple[tuple, None]]:
    """Actions the engine raised (send_resources …) not queued, or queued and never done."""
    return [((i, ), None) for i in svc.store.due_actions(STUCK_AFTER, kinds=HANDLERS)]


PENDING: list[tuple[str, Due, Callable[..., bool]]] = [
    ("call-back windows", chain.due_windows, enqueue.enqueue_window_closed),
    ("escalation steps", chain.due_steps, enqueue.enqueue_advance),
    ("alerts", chain.unsent_notifications, enqueue.enqueue_notify),
    ("relayed messages", relay.unsent, enqueue.enqueue_send_relay),
    ("tells", relay.untold, enqueue.enqueue_tell),
    ("follow-ups", followups.overdue, enqueue.enqueue_followup_due),
    ("recorded actions", recorded_actions, enqueue.enqueue_perform),
    ("held WhatsApp messages", held.releasable, enqueue.enqueue_release),
]


def sweep(svc: Services) -> int:
    """Queue everything pending that the queue does not hold; returns how many. First, forget in
    Redis what an erasure could not reach while it was away (response/ending.py)."""
    count = 0
    try:
        count += ending.forget_pending(svc)
        count += handback.hand_back_all(svc)  # nobody holds a case the line cannot reach
        for _what, due, put in PENDING:
            for ids, at in due(svc):
                if put(svc, *ids, at=at, missing_only=True):
                    count += 1
    except RedisError:
        pass  # Redis went away again: the next sweep goes on
    return count
