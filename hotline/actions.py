"""Carrying out what the engine raised. A survivor's controls (erase, opt-out) take effect at
once, inside the request; everything that reaches a person is written to the store first and
then queued, so a lost Redis or a dead worker delays it but never loses it."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rq import Retry

from .services import Services

log = logging.getLogger(__name__)

QUEUED = {"escalate", "send_resources", "schedule_callback", "request_accompaniment", "staff", "voicemail"}
RETRY = Retry(max=5, interval=[5, 15, 60, 120, 300])  # transport errors: Twilio or the network


def carry_out(svc: Services, actions: list[dict], *, key: str, number: str | None, channel: str) -> list[int]:
    """Apply immediate actions; record and queue the rest. Returns the recorded action ids."""
    recorded = []
    for action in actions:
        kind = action["type"]
        if kind in QUEUED:
            payload = {k: v for k, v in action.items() if k != "type"}
            action_id = svc.store.record_action(kind, key, number, channel, action.get("lang", "en"), payload)
            enqueue(svc, action_id)
            recorded.append(action_id)
        elif kind == "erase":
            svc.store.erase(key)
            svc.conversations.forget(key, f"voice:{key}")
        elif kind in ("opt_out", "opt_in"):
            svc.store.set_opt_out(key, kind == "opt_out")
            svc.store.audit(f"caller.{kind}", key)
        # forget (end and keep nothing) and connect (a <Dial>) are the channel's to carry out
    return recorded


def enqueue(svc: Services, action_id: int) -> bool:
    """Queue the job of a recorded action; False (and still pending) when Redis is away."""
    from .jobs import perform

    svc.store.mark(action_id, "queued")
    try:
        svc.queue.enqueue(perform, action_id, job_id=f"action-{action_id}", retry=RETRY,
                          result_ttl=3600, failure_ttl=7 * 24 * 3600)
        return True
    except RedisError as exc:
        svc.store.mark(action_id, "pending")
        log.warning("action %s kept for later: Redis unavailable (%s)", action_id, type(exc).__name__)
        return False


def sweep(svc: Services, stuck_after_seconds: int = 300) -> int:
    """Queue every recorded action that is not on the queue: after Redis came back, after a
    worker died mid-job. The job id is the action's, so a job still queued is not doubled."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    count = 0
    for action_id in svc.store.due_actions(stuck_after_seconds):
        try:
            job = Job.fetch(f"action-{action_id}", connection=svc.redis)
            if job.get_status(refresh=False) in ("queued", "started", "scheduled", "deferred"):
                continue
        except NoSuchJobError:
            pass
        except RedisError:
            return count
        if enqueue(svc, action_id):
            count += 1
    return count
