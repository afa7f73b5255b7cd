"""Putting the slow path's jobs on the queue: one `enqueue_<task>` a task, each owning its job
id (built by `job_id`, here only) and its retry (`retry`, the one policy).

Every fact is in the store before its job is queued, so each function returns False and leaves
the fact pending when Redis is away: the sweeper (jobs/sweeper.py) queues it later. Job ids are
deterministic (one per fact), so queueing again is harmless; `missing_only` (the sweeper's) skips
a job the queue still holds. Tasks are named by their dotted path, so this module imports none of
them: it sits below response/ and conversation/, which call it.

Jobs go into three lanes, which every worker drains in order (RQ takes from the first queue that
holds a job): an emergency's steps and alerts first, then what a person is waiting for now
(other alerts, chain steps, relayed words, the officer's answer), then the rest (follow-up
reminders, resources). `lane_of` is the one rule."""

from __future__ import annotations

import logging
import random
from contextlib import suppress
from datetime import datetime
from typing import Protocol
from uuid import uuid4

from redis.exceptions import RedisError
from rq import Callback, Queue, Retry
from sqlalchemy import select

from hotline.config.vocabulary import Priority
from hotline.jobs.queued import on_queue
from hotline.store import Store
from hotline.store.models import Escalation, Notification

log = logging.getLogger(__name__)

TASKS = "hotline.jobs.tasks"
# a failed send (DeliveryFailed) is written to the audit log before RQ retries it (jobs/tasks.py)
AUDIT_FAILURE = Callback(f"{TASKS}.delivery_failed")
INTERVALS = (5, 15, 60, 120, 300)  # seconds between the tries of a send: Twilio or the network failing
ACTION_TTLS = {"result_ttl": 3600, "failure_ttl": 7 * 24 * 3600}  # a recorded action's job, kept for `rq info`

EMERGENCY, ALERTS, REST = "hotline-emergency", "hotline-alerts", "hotline"  # REST: the one queue of before
LANES = (EMERGENCY, ALERTS, REST)  # the order every worker drains them in
# the tasks of the alerts lane; every other task but an emergency's is the rest
NOW = {"advance", "notify", "window_closed", "staff_unreachable", "send_relay", "tell", "release_held",
       "pin_locked"}


class Queues(Protocol):
    """What enqueueing needs of the hotline's services: the lanes (in LANES' order), and the store
    (recorded actions are marked queued; an escalation's priority is read from it)."""

    queues: tuple[Queue, ...]
    store: Store


def lane_of(task: str, priority: str | None = None) -> str:
    """The lane a task's job goes into: an emergency's steps and alerts first, then what somebody
    is waiting for now, then the rest."""
    if task in ("advance", "notify") and priority == Priority.EMERGENCY:
        return EMERGENCY
    return ALERTS if task in NOW else REST


def lane_queue(queues: tuple[Queue, ...], lane: str) -> Queue:
    """The queue of a lane, among `queues` (in LANES' order)."""
    return queues[LANES.index(lane)]


def _waiting(svc: Queues, jid: str) -> bool:
    """The sweeper's question (missing_only): does the queue, in any lane, still hold this job?"""
    return on_queue(svc.queues[0].connection, jid)


def _priority(svc: Queues, escalation_id: int | None = None, notification_id: int | None = None) -> str | None:
    """An escalation's priority now (a request of hers may have raised it), when the caller did
    not say: one read by primary key."""
    with svc.store.read() as s:
        if notification_id is not None:
            return s.scalar(select(Escalation.priority).join(Notification, Notification.escalation_id == Escalation.id)
                            .where(Notification.id == notification_id))
        return s.scalar(select(Escalation.priority).where(Escalation.id == escalation_id))


def retry() -> Retry:
    """The one retry policy: five more tries, 5 s to 5 min apart, each ±25 % (jitter), so a burst
    of sends that failed together does not retry together."""
    return Retry(max=len(INTERVALS), interval=[max(1, round(i * random.uniform(0.75, 1.25))) for i in INTERVALS])


def job_id(kind: str, *ids: object) -> str:
    """The one place a job id is built: its kind and the ids of its fact ("esc-12-0-1")."""
    return "-".join([kind, *(str(i) for i in ids)])


def _put(svc: Queues, task: str, args: tuple, jid: str, at: datetime | None, missing_only: bool,
         audited: bool = False, priority: str | None = None, **options) -> bool:
    if missing_only and _waiting(svc, jid):
        return False
    queue = lane_queue(svc.queues, lane_of(task, priority))
    func = f"{TASKS}.{task}"
    if audited:
        options["on_failure"] = AUDIT_FAILURE
    try:
        if at is None:
            queue.enqueue(func, *args, job_id=jid, retry=retry(), **options)
        else:
            queue.enqueue_at(at, func, *args, job_id=jid, retry=retry(), **options)
        return True
    except RedisError as exc:
        log.warning("job %s kept for the sweeper: Redis unavailable (%s)", jid, type(exc).__name__)
        return False


def _recorded(svc: Queues, task: str, kind: str, action_id: int, at: datetime | None, missing_only: bool) -> bool:
    """A job of a recorded action (the Action table): marked queued, back to pending if Redis is away."""
    jid = job_id(kind, action_id)
    if missing_only and _waiting(svc, jid):
        return False
    svc.store.mark(action_id, "queued")
    if _put(svc, task, (action_id,), jid, at, False, audited=True, **ACTION_TTLS):
        return True
    svc.store.mark(action_id, "pending")
    return False


def enqueue_perform(svc: Queues, action_id: int, at: datetime | None = None, *, missing_only: bool = False) -> bool:
    """A recorded action (send_resources): tasks.perform."""
    return _recorded(svc, "perform", "action", action_id, at, missing_only)


def enqueue_tell(svc: Queues, action_id: int, at: datetime | None = None, *, missing_only: bool = False) -> bool:
    """A recorded message from the hotline to the person who asked (chain.tell_later): tasks.tell."""
    return _recorded(svc, "tell", "tell", action_id, at, missing_only)


def enqueue_advance(svc: Queues, escalation_id: int, round_: int, step: int, at: datetime | None = None, *,
                    missing_only: bool = False, priority: str | None = None) -> bool:
    """A step of an escalation's chain, now or at its time (`priority`: the escalation's, read
    from the store when not given). Now: a timer of the same step (a PASS, a failed delivery
    moved it on) is no longer needed, in whichever lane it waited."""
    jid = job_id("esc", escalation_id, round_, step)
    if at is None and not missing_only:
        with suppress(RedisError), svc.queues[0].connection.pipeline() as pipe:  # the enqueue below fails too
            for queue in svc.queues:
                queue.scheduled_job_registry.remove(jid, pipeline=pipe)
            pipe.execute()
    if missing_only and _waiting(svc, jid):
        return False  # before reading the priority: the sweeper asks this of every open escalation
    priority = priority or _priority(svc, escalation_id=escalation_id)
    return _put(svc, "advance", (escalation_id, round_, step), jid, at, False, priority=priority)


def enqueue_notify(svc: Queues, notification_id: int, at: datetime | None = None, *,
                   missing_only: bool = False, priority: str | None = None) -> bool:
    """One alert (or taken/ended/unanswered line) to a staff member (`priority`: its
    escalation's, read from the store when not given)."""
    jid = job_id("notify", notification_id)
    if missing_only and _waiting(svc, jid):
        return False
    priority = priority or _priority(svc, notification_id=notification_id)
    return _put(svc, "notify", (notification_id,), jid, at, False, audited=True, priority=priority)


def enqueue_window_closed(svc: Queues, escalation_id: int, at: datetime | None = None, *,
                          missing_only: bool = False) -> bool:
    """A call-back's safe window ends (`at`): if nobody took it, the coordinator is told."""
    return _put(svc, "window_closed", (escalation_id,), job_id("window", escalation_id), at, missing_only)


def enqueue_send_relay(svc: Queues, relay_id: int, at: datetime | None = None, *, missing_only: bool = False) -> bool:
    """A relayed message, between her and the person who holds her case."""
    return _put(svc, "send_relay", (relay_id,), job_id("relay", relay_id), at, missing_only, audited=True)


def enqueue_followup_due(svc: Queues, followup_id: int, at: datetime | None = None, *,
                         missing_only: bool = False) -> bool:
    """A follow-up's reminder, at its time."""
    return _put(svc, "followup_due", (followup_id,), job_id("followup", followup_id), at, missing_only,
                audited=True)


def enqueue_staff_unreachable(svc: Queues, staff_id: int, code: str | None, at: datetime | None = None, *,
                              missing_only: bool = False) -> bool:
    """The coordinators told that alerts to a staff member cannot be delivered."""
    return _put(svc, "staff_unreachable", (staff_id, code), job_id("unreachable", staff_id, code), at,
                missing_only, audited=True)


def enqueue_pin_locked(svc: Queues, staff_id: int, minutes: int) -> bool:
    """A staff member and the coordinators told that her phone PIN is paused by wrong tries."""
    return _put(svc, "pin_locked", (staff_id, minutes), job_id("pinlocked", staff_id, uuid4().hex[:8]), None,
                False, audited=True)


def enqueue_release(svc: Queues, held_id: int, at: datetime | None = None, *, missing_only: bool = False) -> bool:
    """A WhatsApp message held outside her 24-hour window, now that she has written again."""
    return _put(svc, "release_held", (held_id,), job_id("held", held_id), at, missing_only, audited=True)
