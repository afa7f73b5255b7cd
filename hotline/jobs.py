"""RQ jobs for recorded actions: plain functions taking ids, safe to run twice."""

from __future__ import annotations

import logging

from sqlalchemy import select

from . import services
from .i18n.catalog import OWN
from .phones import mask
from .store import Action

log = logging.getLogger(__name__)


def perform(action_id: int) -> str:
    svc = services.current()
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
    contact = svc.store.unseal(action.contact)
    if not contact:
        return "no contact"
    if svc.store.opted_out(action.caller_key, s):
        return "opted out"
    text_id = f"resources_{action.payload.get('category')}"
    body = svc.catalog.own(text_id if text_id in OWN else "resources_general", action.lang)
    svc.outbound.sms(contact, body, session=s, about=action.caller_key)
    log.info("action %s: resources sent to %s", action.id, mask(contact))
    return "sent"


HANDLERS = {"send_resources": send_resources}
