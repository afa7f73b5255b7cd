"""What a user changes from the console. ACK, PASS, DONE and NOTE are the staff commands of
hotline.response.staff_commands, run as the logged-in person exactly as if she had texted them;
follow-ups and the Protection Team's records are rows of the case (the follow-up's alert is the
escalation jobs' to send when it falls due)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from sqlalchemy import select

from hotline.casework.erasure import writable
from hotline.people.staff import Person
from hotline.response import staff_commands as commands
from hotline.store.models import ACTIVE, Case, CaseRecord, Escalation, FollowUp, Note
from hotline.web.console.access import involved, may_view
from hotline.web.console.auth import User
from hotline.web.console.cases import RECORD_KINDS

BUTTONS = ("ack", "pass", "done")
MAX_TEXT = 4000


def person_of(svc, user: User) -> Person:
    """The staff member as the commands know her, answering in English (the console's language)."""
    person = svc.staff.get(user.id)
    if person is None:  # imported seconds ago: the staff cache has not caught up yet
        svc.reload_staff()
        person = svc.staff.get(user.id)
    if person is None:
        raise LookupError(user.id)
    return dataclasses.replace(person, languages=["en"] + [x for x in person.languages if x != "en"])


def run_command(svc, user: User, escalation_id: int, command: str) -> str:
    """ACK / PASS / DONE an escalation from the page; returns the reply the SMS would have had."""
    if command not in BUTTONS:
        raise ValueError(command)
    with svc.store.session() as s:
        e = s.get(Escalation, escalation_id)
        if e is None or not may_view(s, user, s.get(Case, e.case_id)):
            raise LookupError(escalation_id)  # not there, or not hers to see: the same answer
        code, active = e.code, e.status in ACTIVE
    if not active:
        return f"Alert {code} is already closed."
    # a code is unique among the open and taken alerts, so it names this one
    answer = commands.answer(svc, person_of(svc, user), command, code, confirmed=True)
    # the page's own words for what the SMS reply says in commands ("Send DONE 53900"): she is
    # on the page, with its buttons and its reply box (#33)
    for msg_id, words in ON_THE_PAGE.items():
        if answer == svc.catalog.own(msg_id, "en", code=code):
            return words.format(code=code)
    return answer


HOLDS = "Press Done on the case when it is finished."
ON_THE_PAGE = {
    "ack_yours": "You have alert {code}. Write to her from her case page; your number stays hidden. " + HOLDS,
    "ack_yours_police": "You have alert {code}. The officer is told you are coming. Write to the officer from the "
                        "case page. " + HOLDS,
    "ack_yours_lap": "You have alert {code}. Call the hotline from your phone and enter your PIN: you are put "
                     "through to the officer, who hands her the phone if she wants. " + HOLDS,
    "ack_yours_call": "You have alert {code}. Her words cannot go by SMS on her line: call the hotline from your "
                      "phone and enter your PIN to talk with her. " + HOLDS,
}


def reply(svc, user: User, case_id: int, text: str) -> str:
    """A message to the person of a case she holds (her alert taken by her, not done), through
    the relay as `48213 text` by SMS: refused here what reach.py refuses now, and asked again by
    relay.send before it goes."""
    from hotline.response import reach, relay

    text = text.strip()[:MAX_TEXT]
    if not text:
        return "Write something to send."
    held = [h for h in relay.held_by(svc, user.id) if h.case_id == case_id]
    if not held:
        return "Not sent: you do not hold this case. Acknowledge its alert first."
    with svc.store.session() as s:
        may = reach.case(svc, s, s.get(Case, case_id), s.get(Escalation, held[-1].escalation_id))
    if not may:
        return f"Not sent: {REFUSED_REASON.get(may.refused, may.refused)}"
    relay.pass_on(svc, case_id, "to_survivor", text, user.id)
    first = (user.name.split() or [""])[0]
    return f"Sent to alert {held[-1].code}. She reads it as \"{first}: …\"."


REFUSED_REASON = {
    "stopped": "she sent STOP; nothing reaches her until she sends START.",
    "erased": "she ended the conversation (or erased it). Do not contact her.",
    "closed": "her case is closed.",
    "window": "it is outside the time she said it is safe to contact her.",
    "channel": "she writes on WhatsApp and the line cannot send WhatsApp messages now (no WhatsApp sender).",
}


def add_note(svc, user: User, case_id: int, text: str) -> str:
    """NOTE as by SMS, against the case's latest alert; written directly only where that alert's
    code has since been reused by another case (a code names the newest alert of that code), or
    where she may see the case without having been part of that alert."""
    text = text.strip()[:MAX_TEXT]
    if not text:
        raise ValueError("empty note")
    with svc.store.session() as s:
        writable(s, case_id)
        latest = s.scalars(select(Escalation).where(Escalation.case_id == case_id)
                           .order_by(Escalation.id.desc())).first()
        newest_of_code = latest and s.scalars(select(Escalation.id).where(Escalation.code == latest.code)
                                              .order_by(Escalation.id.desc())).first()
        if latest is None or newest_of_code != latest.id or not involved(s, user, latest):
            s.add(Note(case_id=case_id, staff_id=user.id, body=svc.store.seal(text)))
            direct = True
        else:
            code, direct = latest.code, False
    if direct:
        svc.store.audit("staff.note", _caller_key(svc, case_id), staff_id=user.id, case=case_id, via="console")
        return "Note added."
    return commands.answer(svc, person_of(svc, user), "note", code, text)


def add_followup(svc, user: User, case_id: int, due_at: datetime, note: str) -> int:
    with svc.store.session() as s:
        writable(s, case_id)
        # stored in UTC, as every time in the store (SQLite keeps the wall time and drops the zone)
        row = FollowUp(case_id=case_id, staff_id=user.id, due_at=due_at.astimezone(UTC),
                       note=svc.store.seal(note.strip()[:MAX_TEXT]) if note.strip() else None)
        s.add(row)
        s.flush()
        row_id = row.id
    svc.store.audit("case.followup_set", _caller_key(svc, case_id), staff_id=user.id, case=case_id,
                    followup=row_id, due=due_at.isoformat())
    return row_id


def add_record(svc, user: User, case_id: int, kind: str, happened_on: str | None, details: str) -> int:
    if kind not in RECORD_KINDS:
        raise ValueError(kind)
    with svc.store.session() as s:
        writable(s, case_id)
        row = CaseRecord(case_id=case_id, kind=kind, happened_on=happened_on or None, staff_id=user.id,
                         details=svc.store.seal(details.strip()[:MAX_TEXT]) if details.strip() else None)
        s.add(row)
        s.flush()
        row_id = row.id
    svc.store.audit("case.recorded", _caller_key(svc, case_id), staff_id=user.id, case=case_id, kind=kind,
                    record=row_id)
    return row_id


def _caller_key(svc, case_id: int) -> str | None:
    with svc.store.session() as s:
        case = s.get(Case, case_id)
        return case.caller_key if case else None


def lap_outcome(svc, user: User, case_id: int, escalation_id: int | None, outcome: str) -> bool:
    """Record on a screened-in LAP what came of it (spoke, declined, no_counsellor), who said so
    and when; False when that escalation is not this case's LAP."""
    with svc.store.session() as s:
        writable(s, case_id)
        e = s.get(Escalation, escalation_id) if escalation_id else None
        if e is None or e.case_id != case_id or e.kind != "lap":
            return False
        e.details = {**e.details, "outcome": outcome, "outcome_by": user.id, "outcome_at": svc.now().isoformat()}
    svc.store.audit("lap.outcome", None, staff_id=user.id, escalation=escalation_id, outcome=outcome)
    return True


def danger_checklist(svc, user: User, case_id: int, items: list[str]) -> tuple[str, str] | None:
    """The danger indicators a counsellor recorded while talking with her: kept on the case's
    running escalations (else its latest), whose risk level and reasons follow at once. Returns
    (level before, level now), or None when the case has no escalation."""
    from hotline.response import risk

    kept = [i for i in risk.CHECKLIST if i in items]
    with svc.store.session() as s:
        rows = list(s.scalars(select(Escalation).where(Escalation.case_id == case_id).order_by(Escalation.id.desc())
                              .with_for_update()))
        if not rows:
            return None
        writable(s, case_id)  # locked after her escalations: the order end_contact takes them in
        targets = [e for e in rows if e.status in ACTIVE] or rows[:1]
        before = targets[0].risk or "standard"
        for e in targets:
            risk.with_checklist(e, kept)
            e.details = {**e.details, "checklist": {"items": kept, "by": user.id, "at": svc.now().isoformat(),
                                                    "level": e.risk}}
        now = targets[0].risk or "standard"
    svc.store.audit("risk.checklist", None, staff_id=user.id, case=case_id, items=len(kept), level=now)
    return before, now
