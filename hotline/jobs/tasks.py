"""RQ jobs for recorded actions: plain functions taking ids, safe to run twice."""

from __future__ import annotations

import logging

from sqlalchemy import select

from hotline import services
from hotline.privacy.phones import mask
from hotline.response import reach
from hotline.store import Action
from hotline.store.models import Referral

log = logging.getLogger(__name__)


def perform(action_id: int) -> str:
    """Carry out a recorded action; a transport failure is audited and raised again (RQ retries)."""
    from hotline.transport.outbound import failures_audited

    svc = services.current()

    def about():
        with svc.store.session() as s:
            return s.get(Action, action_id).caller_key, None

    with failures_audited(svc.store, "action", action_id, about):
        return _perform(svc, action_id)


def _perform(svc, action_id: int) -> str:
    with svc.store.session() as s:
        action = s.scalars(select(Action).where(Action.id == action_id).with_for_update()).first()
        if action is None or action.status in ("done", "failed"):
            return "nothing to do"
        action.attempts += 1
        outcome = HANDLERS[action.kind](svc, s, action)
        action.status = "done"
        caller_key = action.caller_key
    svc.store.audit(f"action.{action.kind}.done", caller_key, action=action_id, outcome=outcome)
    return outcome


def send_resources(svc, s, action: Action) -> str:
    """The referrals of a category, to the survivor who asked (never after STOP). The outbox row
    and the "done" mark are one transaction."""
    may = reach.caller(svc, s, action.caller_key, action.contact)
    if not may:
        return f"not sent: {may.refused}"
    category, district = action.payload.get("category"), action.payload.get("district")
    services = svc.referrals.find(category, district, action.lang)
    if not services:  # nothing listed for this need: the 24-hour helplines, never silence
        services = svc.referrals.find("emergency", None, action.lang)
    body = "\n".join(service.line(action.lang) for service in services)
    reach.sms(svc, s, may, body, about=action.caller_key)
    for service in services:
        s.add(Referral(caller_key=action.caller_key, category=category or "", district=district,
                       service=service.name.get("en")))
    log.info("action %s: resources sent to %s", action.id, mask(may.contact))
    return "sent"


HANDLERS = {"send_resources": send_resources}
