"""Carrying out what the engine raised. A survivor's controls (erase, opt-out) take effect at
once, inside the request. Whatever reaches a person is written to the store first and then
queued, so a lost Redis or a dead worker delays it but never loses it: requests for a person
become escalations (hotline/response/); resources to send become recorded actions."""

from __future__ import annotations

import logging
from datetime import date

from hotline.jobs.enqueue import enqueue_perform
from hotline.response import windows
from hotline.response.chain import open_escalation
from hotline.response.ending import end_contact
from hotline.services import Services

log = logging.getLogger(__name__)

QUEUED = {"send_resources"}
LAP_QUESTIONS = tuple(f"q{i}" for i in range(1, 12))


def escalation_of(action: dict, lang: str) -> dict | None:
    """The escalation an engine action asks for, if it asks for a person."""
    kind = action["type"]
    if kind == "escalate":
        role = action.get("role") or "counsellor"
        return dict(kind="coordinator" if role == "coordinator" else "counsellor",
                    priority=action.get("priority") or "normal", role=role, reason=action.get("reason") or "",
                    details={})
    if kind == "voicemail":
        return dict(kind="voicemail", priority="high", role="counsellor", reason="voicemail",
                    details={k: action.get(k) for k in ("recording", "seconds")})
    if kind == "schedule_callback":
        return dict(kind="callback", priority="normal", role="counsellor", reason="callback requested",
                    details={"window": action.get("window"), "code_word": action.get("code_word"),
                             "day": action.get("day")})
    if kind == "lap_result" and action.get("result") == "screened_in":
        # the officer is the caller: a counsellor who speaks her language calls his phone at once
        screen = lap_screen(action)
        questions = ", ".join(str(q) for q in screen["yes"]) or "-"
        if screen["basis"] == "officer":
            questions += " + officer"
        return dict(kind="lap", priority="emergency", role="counsellor", reason="LAP screened in",
                    details={"screen": screen, "questions": questions},
                    lang=action.get("language") if action.get("language") in ("en", "ta") else lang)
    if kind == "request_accompaniment":
        details = {k: action.get(k) for k in ("area", "when", "date", "case_ref", "language")}
        area = str(details.get("area") or "")
        details["district"] = area.replace("_", " ").title()  # the key matches staff areas; people read the name
        if details.get("date") and details.get("when") not in (None, "", "now"):
            day = date.fromisoformat(str(details["date"]))
            details["when"] = f"{day:%d/%m/%Y} {details['when']}"  # the day too: a visit another day keeps it
        return dict(kind="accompaniment", priority="high", role="ngo", reason="accompaniment requested",
                    details=details,
                    lang=action.get("language") if action.get("language") in ("en", "ta") else lang)
    return None


def lap_screen(action: dict) -> dict:
    """A danger screen (LAP) as recorded: the result, its basis, who she fears, each answer
    (yes, no, or None when not answered) and the questions she said yes to."""
    answers = {q: action.get(q) or None for q in LAP_QUESTIONS}
    return {"result": action.get("result"), "basis": action.get("basis") or None, "who": action.get("who") or None,
            "answers": answers, "yes": [int(q[1:]) for q, a in answers.items() if a == "yes"],
            "worry": action.get("worry") or None, "worry_text": action.get("worry_text") or None,
            "officer_believes": action.get("believe") or None, "language": action.get("language") or None}


def record_lap(svc: Services, action: dict, *, key: str, number: str | None, channel: str,
               lang: str) -> tuple[int, dict]:
    """Every screen is kept, screened in or not: the answers, the basis, the officer, the time."""
    officer = svc.staff.find(number)
    payload = {**lap_screen(action), "officer_id": officer.id if officer else None,
               "officer": officer.name if officer else None, "at": svc.now().isoformat()}
    action_id = svc.store.record_action("lap_screen", key, number, channel, lang, payload)
    svc.store.mark(action_id, "done")
    return action_id, payload


def carry_out(svc: Services, actions: list[dict], *, key: str, number: str | None, channel: str,
              words: str | None = None) -> list[int]:
    """Apply immediate actions; record and queue the rest. Returns the recorded ids. `words`: the
    message that raised them, passed on to whoever already holds her case when it is an
    emergency (chain.join)."""
    recorded = []
    for action in actions:
        kind = action["type"]
        lang = action.get("lang", "en")
        screen_id, screen = record_lap(svc, action, key=key, number=number, channel=channel,
                                       lang=lang) if kind == "lap_result" else (None, None)
        wanted = escalation_of(action, lang)
        if wanted is not None and screen_id is not None:
            wanted["details"].update(screen=screen, screen_id=screen_id)  # with the officer and the time
        if wanted is not None:
            case_lang, lang = lang, wanted.pop("lang", lang)
            start_at = None
            if wanted["kind"] == "callback" and wanted["details"].get("window"):
                # the alert goes out when her safe window opens; nobody reaches her outside it
                start_at, end = windows.bounds(wanted["details"]["window"], svc.now(), svc.staff.zone,
                                               tomorrow=wanted["details"].get("day") == "tomorrow")
                wanted["details"].update(window_start=start_at.isoformat(), window_end=end.isoformat())
            recorded.append(open_escalation(svc, caller_key=key, number=number, channel=channel, lang=lang,
                                            case_lang=case_lang, start_at=start_at,
                                            words=words if wanted["priority"] == "emergency" else None, **wanted))
        elif screen_id is not None:
            recorded.append(screen_id)
        elif kind in QUEUED:
            payload = {k: v for k, v in action.items() if k != "type"}
            action_id = svc.store.record_action(kind, key, number, channel, lang, payload)
            enqueue_perform(svc, action_id)
            recorded.append(action_id)
        elif kind == "erase":
            end_contact(svc, key, "deleted")  # as the safe word: everything stops, nothing of her stays
        elif kind in ("opt_out", "opt_in"):
            svc.store.set_opt_out(key, kind == "opt_out")
            svc.store.audit(f"caller.{kind}", key)
        # forget (the safe word), connect (a <Dial>) and staff commands are the channel's to carry out
    return recorded

