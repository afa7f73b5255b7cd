"""The RQ jobs: plain functions taking ids, safe to run twice.

Until the escalation machinery (policies, timers, acknowledgements) lands, an escalation alerts
every on-shift person of the asked role who speaks the caller's language, else the coordinator.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from . import services
from .i18n.catalog import OWN
from .phones import mask
from .store import Action

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"en": "English", "ta": "Tamil"}


def perform(action_id: int) -> str:
    svc = services.current()
    with svc.store.session() as s:
        action = s.scalars(select(Action).where(Action.id == action_id).with_for_update()).first()
        if action is None or action.status in ("done", "failed"):
            return "nothing to do"
        action.attempts += 1
        kind, payload, lang = action.kind, dict(action.payload), action.lang
        contact = svc.store.unseal(action.contact)
        caller_key = action.caller_key
    outcome = HANDLERS[kind](svc, action_id, payload, lang, contact)
    svc.store.mark(action_id, "done")
    svc.store.audit(f"action.{kind}.done", caller_key, action=action_id, outcome=outcome)
    return outcome


def _alert(svc, action_id: int, role: str, lang: str, text_id: str, **params) -> str:
    """Alert the on-shift people of a role who speak `lang`; else anyone of the role; else the
    coordinator. Each gets the alert in her own first language, with the code to reply to."""
    now = svc.now()
    people = (svc.staff.on_shift(now, role, lang) or svc.staff.on_shift(now, role)
              or svc.staff.on_shift(now, "coordinator") or [p for p in svc.staff.people if "coordinator" in p.roles])
    for person in people:
        own = person.languages[0] if person.languages else "en"
        body = svc.catalog.own(text_id, own, code=action_id, language=LANGUAGE_NAMES.get(lang, lang), **params)
        svc.outbound.sms(person.phone, body)
    log.info("action %s: alerted %d %s(s)", action_id, len(people), role)
    return f"alerted {len(people)}"


def escalate(svc, action_id, payload, lang, contact):
    text_id = "alert_emergency" if payload.get("priority") == "emergency" else "alert_escalate"
    return _alert(svc, action_id, payload.get("role") or "counsellor", lang, text_id,
                  reason=payload.get("reason", ""))


def send_resources(svc, action_id, payload, lang, contact):
    if not contact:
        return "no contact"
    if svc.store.opted_out(svc_key(svc, contact)):
        return "opted out"
    text_id = f"resources_{payload.get('category')}"
    body = svc.catalog.own(text_id if text_id in OWN else "resources_general", lang)
    svc.outbound.sms(contact, body)
    log.info("action %s: resources sent to %s", action_id, mask(contact))
    return "sent"


def schedule_callback(svc, action_id, payload, lang, contact):
    return _alert(svc, action_id, "counsellor", lang, "alert_callback", window=payload.get("window") or "")


def request_accompaniment(svc, action_id, payload, lang, contact):
    return _alert(svc, action_id, "ngo", payload.get("language") if payload.get("language") in LANGUAGE_NAMES
                  else lang, "alert_accompany", area=payload.get("area") or "", when=payload.get("when") or "")


def voicemail(svc, action_id, payload, lang, contact):
    return _alert(svc, action_id, "counsellor", lang, "alert_voicemail")


def staff(svc, action_id, payload, lang, contact):
    """A staff command on an alert. Acknowledgement and relay arrive with the escalation issue;
    until then the command is written to the audit log and confirmed to its sender."""
    if contact:
        svc.outbound.sms(contact, svc.catalog.own("staff_noted", lang, command=str(payload.get("command", "")).upper(),
                                                  code=payload.get("code", "")))
    return f"{payload.get('command')} {payload.get('code')}"


def svc_key(svc, number: str) -> str:
    from .phones import caller_key

    return caller_key(number, svc.settings.secret_key)


def sweeper() -> int:
    """Re-queue what is due and not queued; the worker runs it at start and every minute."""
    from .actions import sweep

    return sweep(services.current())


HANDLERS = {
    "escalate": escalate,
    "send_resources": send_resources,
    "schedule_callback": schedule_callback,
    "request_accompaniment": request_accompaniment,
    "voicemail": voicemail,
    "staff": staff,
}
