"""The escalation's RQ jobs: plain functions taking ids, safe to run twice."""

from __future__ import annotations

from hotline import services
from hotline.response import chain, followups, relay


def advance(escalation_id: int, round_: int, step: int) -> str:
    svc = services.current()
    return chain.advance(svc, svc.policies, escalation_id, round_, step)


def notify(notification_id: int) -> str:
    return chain.send_notification(services.current(), notification_id)


def _case_key(svc, case_id: int | None):
    from hotline.store.models import Case

    with svc.store.session() as s:
        case = s.get(Case, case_id) if case_id is not None else None
        return (case.caller_key if case else None), None


def send_relay(relay_id: int) -> str:
    from hotline.store.models import Relay
    from hotline.transport.outbound import failures_audited

    svc = services.current()

    def about():
        with svc.store.session() as s:
            row = s.get(Relay, relay_id)
        return _case_key(svc, row.case_id if row else None)[0], row.staff_id if row else None

    with failures_audited(svc.store, "relay", relay_id, about):  # a failed send: audited, retried
        return relay.send(svc, relay_id)


def tell(case_id: int, text_id: str, params: dict, closing: bool = False, escalation_id: int | None = None) -> str:
    from hotline.transport.outbound import failures_audited

    svc = services.current()
    with failures_audited(svc.store, "tell", case_id, lambda: _case_key(svc, case_id)):
        return relay.tell(svc, case_id, text_id, params, closing=closing, escalation_id=escalation_id)


def staff_unreachable(staff_id: int, code: str | None) -> str:
    from hotline.transport.outbound import failures_audited

    svc = services.current()
    with failures_audited(svc.store, "staff_unreachable", staff_id):
        return chain.tell_staff_unreachable(svc, staff_id, code)


def window_closed(escalation_id: int) -> str:
    return chain.window_closed(services.current(), escalation_id)


def followup_due(followup_id: int) -> str:
    from hotline.transport.outbound import failures_audited

    svc = services.current()
    with failures_audited(svc.store, "followup", followup_id):
        return followups.due(svc, followup_id)
