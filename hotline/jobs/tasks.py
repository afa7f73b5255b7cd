"""The RQ jobs: plain functions taking ids, safe to run twice, each a thin entry point into
response/ (queued by jobs/enqueue.py, by dotted path). A failed send raises DeliveryFailed: RQ's
failure callback (`delivery_failed`, set at enqueue) writes it to the audit log, then RQ retries."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from rq import get_current_job
from rq.job import Job
from sqlalchemy import select

from hotline import services
from hotline.privacy.phones import mask
from hotline.response import chain, followups, held, reach, relay
from hotline.store import Action
from hotline.store.db import FORGET_COPIES
from hotline.store.models import (
    ActionStatus,
    Case,
    Escalation,
    FollowUp,
    Notification,
    Referral,
    Relay,
)
from hotline.transport.outbound import DeliveryFailed

log = logging.getLogger(__name__)


# -- the escalation -----------------------------------------------------------------------------


def advance(escalation_id: int, round_: int, step: int) -> str:
    svc = services.current()
    return chain.advance(svc, svc.policies, escalation_id, round_, step)


def notify(notification_id: int) -> str:
    """Send one alert. A refusal for good (Twilio's 4xx: 21211 …) is audited and never retried:
    the chain moves on and the coordinator is told; any other failure is retried by RQ."""
    svc = services.current()
    try:
        return chain.send_notification(svc, notification_id)
    except DeliveryFailed as exc:
        if not exc.permanent:
            raise  # 429, 5xx, the network: audited by delivery_failed, retried (with jitter), then the sweeper
        current = get_current_job()
        audit_failure("notify", notification_id, current.retries_left if current else None, exc)
        return chain.delivery_failed(svc, notification_id, "refused", str(exc.code or exc.status))


def window_closed(escalation_id: int) -> str:
    return chain.window_closed(services.current(), escalation_id)


def staff_unreachable(staff_id: int, code: str | None) -> str:
    return chain.tell_staff_unreachable(services.current(), staff_id, code)


def pin_locked(staff_id: int, minutes: int) -> str:
    from hotline.conversation.staff_call import tell_pin_locked

    return tell_pin_locked(services.current(), staff_id, minutes)


def send_relay(relay_id: int) -> str:
    svc = services.current()
    return _unless_refused("send_relay", relay_id, lambda: relay.send(svc, relay_id),
                           lambda s: _mark(s, Relay, relay_id))


def tell(action_id: int) -> str:
    svc = services.current()
    return _unless_refused("tell", action_id, lambda: relay.tell(svc, action_id),
                           lambda s: _mark(s, Action, action_id))


def followup_due(followup_id: int) -> str:
    svc = services.current()
    return _unless_refused("followup_due", followup_id, lambda: followups.due(svc, followup_id),
                           lambda s: _mark(s, FollowUp, followup_id))


def _unless_refused(task: str, ident: int, send: Callable[[], str], mark: Callable) -> str:
    """Run a send; a refusal for good (a 4xx but 429: the same request fails the same way) is
    audited and the fact marked failed, never retried. Anything else is raised: RQ retries it."""
    try:
        return send()
    except DeliveryFailed as exc:
        if not exc.permanent:
            raise
        current = get_current_job()
        audit_failure(task, ident, current.retries_left if current else None, exc)
        with services.current().store.session() as s:
            mark(s)
        return f"refused for good ({exc.code or exc.status})"


def _mark(s, model, ident: int) -> None:
    row = s.get(model, ident)
    if row is not None:
        row.status = "failed"  # the sweeper re-queues pending ones only


def release_held(held_id: int) -> str:
    return held.release(services.current(), held_id)


# -- recorded actions ---------------------------------------------------------------------------


def perform(action_id: int) -> str:
    """Carry out a recorded action; a transport failure is raised again (audited, retried)."""
    svc = services.current()

    def carry() -> str:
        with svc.store.session() as s:
            action = s.scalars(select(Action).where(Action.id == action_id).with_for_update()).first()
            if action is None or action.status in (ActionStatus.DONE, ActionStatus.FAILED):
                return ""
            action.attempts += 1
            outcome = HANDLERS[action.kind](svc, s, action)
            if action.status != ActionStatus.FAILED:  # a handler may say it could not finish
                action.status = ActionStatus.DONE
            return outcome

    outcome = _unless_refused("perform", action_id, carry, lambda s: _mark(s, Action, action_id))
    if not outcome:
        return "nothing to do"
    with svc.store.read() as s:
        row = s.get(Action, action_id)
        done, kind, caller_key = row.status == ActionStatus.DONE, row.kind, row.caller_key
    if done:
        svc.store.audit(f"action.{kind}.done", caller_key, action=action_id, outcome=outcome)
    return outcome


def send_resources(svc, s, action: Action) -> str:
    """The referrals of a category, to the survivor who asked (never after STOP). The outbox row
    and the "done" mark are one transaction."""
    may = reach.caller(svc, s, action.caller_key, action.contact)
    if not may:
        return f"not sent: {may.refused}"
    category, district = action.payload.get("category"), action.payload.get("district")
    found = svc.referrals.find(category, district, action.lang)
    if not found:  # nothing listed for this need: the 24-hour helplines, never silence
        found = svc.referrals.find("emergency", None, action.lang)
    body = "\n".join(service.line(action.lang) for service in found)
    reach.sms(svc, s, may, body, about=action.caller_key, lang=action.lang)
    for service in found:
        s.add(Referral(caller_key=action.caller_key, category=category or "", district=district,
                       service=service.name.get("en")))
    log.info("action %s: resources sent to %s", action.id, mask(may.contact))
    return "sent"


def forget_copies(svc, s, action: Action) -> str:
    """After DELETE, the safe word or retention (store.anonymise recorded it): the provider's copies
    of her voicemails and media deleted (a failure is retried), then their addresses too."""
    addresses = {token: _address(svc.store.unseal(token)) for token in action.payload.get("copies", [])}
    unopened = [token for token, url in addresses.items() if url is None]
    deleted = sum(1 for url in addresses.values() if url and _forget(svc, url))
    if unopened:  # never "done" with her copies still at the provider: failed, kept, and
        # `hotline keys rotate` with the key that sealed them opens them and sets it going again
        action.payload = {"copies": unopened}
        action.status, action.error = ActionStatus.FAILED, f"{len(unopened)} address(es) open with no key"
        log.error("forget_copies %s: %d of the provider's copies open with no key (SECRET_KEY_OLD?)",
                  action.id, len(unopened))
    else:
        action.payload = {}
    return f"{deleted} of {len(addresses)} deleted at the provider"


def _address(opened: str | None) -> str | dict | None:
    """A copy's address: a WhatsApp item is sealed as {"url", "type"}, a recording as its URL, a
    Message or Call record (transport/records.py) as {"message": sid} or {"call": sid}."""
    if not opened:
        return None
    if opened.startswith("{"):
        found = json.loads(opened)
        return found.get("url") or {k: v for k, v in found.items() if k in ("message", "call")} or None
    return opened


def _forget(svc, address: str | dict) -> bool:
    if isinstance(address, dict):
        ((kind, sid),) = address.items()
        return svc.outbound.forget_record(kind, sid)
    return svc.outbound.forget(address)


HANDLERS = {"send_resources": send_resources, FORGET_COPIES: forget_copies}


# -- a failed send, in the audit log ------------------------------------------------------------


def _action(s, action_id: int) -> tuple[str | None, int | None]:
    row = s.get(Action, action_id)
    return (row.caller_key if row else None), None


def _notification(s, notification_id: int) -> tuple[str | None, int | None]:
    n = s.get(Notification, notification_id)
    e = s.get(Escalation, n.escalation_id)
    return s.get(Case, e.case_id).caller_key, n.staff_id


def _relay(s, relay_id: int) -> tuple[str | None, int | None]:
    row = s.get(Relay, relay_id)
    case = s.get(Case, row.case_id) if row and row.case_id is not None else None
    return (case.caller_key if case else None), (row.staff_id if row else None)


def _nobody(s, ident: int) -> tuple[str | None, int | None]:
    return None, None


def _tell_case(s, action_id: int) -> int | None:
    row = s.get(Action, action_id)
    return row.payload.get("case_id") if row else None


def _tell(s, case_id: int | None) -> tuple[str | None, int | None]:
    case = s.get(Case, case_id) if case_id is not None else None
    return (case.caller_key if case else None), None


# task -> (the job's name in the audit row, the id it names, (caller key, staff id) for the row, so
# DELETE erases it with the rest of her records)
AUDITED: dict[str, tuple[str, Callable | None, Callable]] = {
    "perform": ("action", None, _action),
    "notify": ("notification", None, _notification),
    "send_relay": ("relay", None, _relay),
    "tell": ("tell", _tell_case, _tell),  # named by her case, as before the tell was a recorded row
    "staff_unreachable": ("staff_unreachable", None, _nobody),
    "pin_locked": ("pin_locked", None, _nobody),
    "followup_due": ("followup", None, _nobody),
    "release_held": ("held", None, _nobody),
}


def delivery_failed(job: Job, connection, exc_type, exc, traceback) -> None:
    """RQ's failure callback (enqueue's `on_failure`): a failed send is written to the audit log
    as `delivery.failed` (the job, its id, what the transport said, the retries RQ has left), then
    RQ retries the job. It runs after the job's own transaction has rolled back."""
    if isinstance(exc, DeliveryFailed):
        audit_failure(job.func_name.rsplit(".", 1)[-1], job.args[0], job.retries_left, exc)


def audit_failure(task: str, first: int, retries_left: int | None, exc: DeliveryFailed) -> None:
    """The `delivery.failed` row of a task's failed send (`first`: the task's first argument)."""
    if task not in AUDITED:
        return
    what, ident_of, about = AUDITED[task]
    try:
        store = services.current().store
        with store.session() as s:
            ident = ident_of(s, first) if ident_of else first
            key, staff_id = about(s, ident)
        store.audit("delivery.failed", key, staff_id=staff_id, job=what, id=ident, **exc.detail(),
                    retries_left=retries_left)
    except Exception:  # noqa: BLE001 - the store down too: the send is still retried
        log.exception("could not record the failed delivery of %s %s", what, first)
