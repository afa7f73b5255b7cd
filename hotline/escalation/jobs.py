"""The escalation's RQ jobs: plain functions taking ids, safe to run twice."""

from __future__ import annotations

from .. import services
from . import chain, followups, relay


def advance(escalation_id: int, round_: int, step: int) -> str:
    svc = services.current()
    return chain.advance(svc, svc.policies, escalation_id, round_, step)


def notify(notification_id: int) -> str:
    return chain.send_notification(services.current(), notification_id)


def send_relay(relay_id: int) -> str:
    return relay.send(services.current(), relay_id)


def tell(case_id: int, text_id: str, params: dict) -> str:
    return relay.tell(services.current(), case_id, text_id, params)


def window_closed(escalation_id: int) -> str:
    return chain.window_closed(services.current(), escalation_id)


def followup_due(followup_id: int) -> str:
    return followups.due(services.current(), followup_id)
