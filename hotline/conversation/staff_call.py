"""A staff member's call through the hotline to a survivor whose case she holds, on any provider.

A call from a counsellor's number proves nothing: caller ID is easy to fake. So she is put
through only after her PIN (hotline staff set-pin), at most PIN_TRIES a call, to a case she holds
(she acked it and it is not done), and only when hotline/response/reach.py says the survivor may
be reached now. What the call has proved so far is kept in Redis under its CallSid for a few
minutes (the staff member's id, the stage, the tries): never a survivor's number or hash.

Each step returns what the call does next (Next); Twilio's and Exotel's views only render it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.people.pin import check, generation, pin_hash
from hotline.response import reach
from hotline.response.relay import held_by
from hotline.store.models import Case, Escalation, EscalationStatus

STAFF_CALL_TTL = 600  # seconds: a call that has not got through by then starts again
PIN_TRIES = 3  # PINs a call may try; then it is hung up
PIN_LOCK_AFTER = 10  # wrong PINs (over any calls) before her PIN stops working ...
PIN_LOCK_FOR = 24 * 3600  # ... for a day, or until the coordinator sets a new one


@dataclass
class Next:
    """What the call does next: say `texts`, then ask for digits (`ask`: "pin" or "choose"), or
    put her through to `dial`, or (neither) end."""
    texts: list[str]
    lang: str
    ask: str | None = None
    dial: str | None = None


@dataclass
class Call:
    person: object  # people.staff.Person
    key: str
    held: dict = field(default_factory=dict)


def holds(svc, escalation_id: int, staff_id: int) -> bool:
    """Whether this staff member holds the escalation now (she acked it and it is not done)."""
    with svc.store.session() as s:
        e = s.get(Escalation, escalation_id)
        return e is not None and e.status == EscalationStatus.ACKED and e.acked_by == staff_id


def _key(call_sid: str) -> str:
    return f"hotline:staffcall:{call_sid}"


def _failures_key(svc, staff_id: int, hashed: str) -> str:
    return f"hotline:staffpin:{staff_id}:{generation(svc.settings.secret_key, hashed)}"


def begin(svc, person, call_sid: str, escalation_id: int | None = None) -> Next:
    """Her PIN first. `escalation_id`: the alert she has just taken on an alert call (then, her
    PIN right, she is put through to that case)."""
    lang = person.language
    hashed = pin_hash(svc.store, person.id)
    if not hashed:
        svc.store.audit("call.pin_refused", staff_id=person.id, reason="no_pin")
        return Next([svc.catalog.own("voice_staff_pin_not_set", lang)], lang)
    if int(svc.redis.get(_failures_key(svc, person.id, hashed)) or 0) >= PIN_LOCK_AFTER:
        svc.store.audit("call.pin_refused", staff_id=person.id, reason="locked")
        return Next([svc.catalog.own("voice_staff_pin_locked", lang)], lang)
    key = _key(call_sid)
    with svc.redis.pipeline() as p:
        p.delete(key)
        p.hset(key, mapping={"staff": person.id, "stage": "pin", "tries": 0, "escalation": escalation_id or 0})
        p.expire(key, STAFF_CALL_TTL)
        p.execute()
    return Next([svc.catalog.own("voice_staff_pin_ask", lang)], lang, ask="pin")


def at(svc, call_sid: str | None, stage: str, person=None) -> Call | None:
    """The staff call at `stage`, or None. `person`: the staff member the caller ID names, who
    must be the one the call began with; without it, the one the call's record names (an alert
    call comes from the hotline's number to her)."""
    if not call_sid:
        return None
    key = _key(call_sid)
    held = {k.decode(): v.decode() for k, v in svc.redis.hgetall(key).items()}
    if held.get("stage") != stage or not held.get("staff", "").isdigit():
        return None
    if person is None:
        person = svc.staff.get(int(held["staff"]))
    elif held["staff"] != str(person.id):
        return None
    return Call(person, key, held) if person is not None else None


def pin(svc, call: Call, digits: str) -> Next:
    """Right: on to her case. Wrong: again, PIN_TRIES times a call; PIN_LOCK_AFTER wrong PINs over
    any calls lock it for PIN_LOCK_FOR."""
    person, key = call.person, call.key
    lang, hashed = person.language, pin_hash(svc.store, person.id)
    failures_key = _failures_key(svc, person.id, hashed) if hashed else None
    tries = svc.redis.hincrby(key, "tries", 1)  # counted before the check: no call gets a 4th
    locked = failures_key is not None and int(svc.redis.get(failures_key) or 0) >= PIN_LOCK_AFTER
    if tries <= PIN_TRIES and not locked and check(hashed, digits):
        svc.redis.hset(key, "stage", "verified")
        svc.redis.delete(failures_key)
        chosen = int(call.held.get("escalation") or 0)
        return _connect(svc, person, key, chosen) if chosen else _her_cases(svc, person, key)
    failures = 0
    if failures_key is not None:
        with svc.redis.pipeline() as p:
            p.incr(failures_key)
            p.expire(failures_key, PIN_LOCK_FOR)
            failures = p.execute()[0]
    svc.store.audit("call.pin_refused", staff_id=person.id, tries=tries)
    if failures >= PIN_LOCK_AFTER or locked:
        svc.redis.delete(key)
        return Next([svc.catalog.own("voice_staff_pin_locked", lang)], lang)
    if tries >= PIN_TRIES:
        svc.redis.delete(key)
        return Next([svc.catalog.own("voice_staff_pin_refused", lang)], lang)
    return Next([svc.catalog.own("voice_staff_pin_wrong", lang), svc.catalog.own("voice_staff_pin_ask", lang)],
                lang, ask="pin")


def _her_cases(svc, person, key: str) -> Next:
    lang = person.language
    held = [(h.escalation_id, h.code) for h in held_by(svc, person.id)]
    if not held:
        svc.redis.delete(key)
        return Next([svc.catalog.own("no_open_case", lang)], lang)
    if len(held) == 1:
        return _connect(svc, person, key, held[0][0])
    svc.redis.hset(key, "stage", "choose")
    return Next([svc.catalog.own("voice_staff_choose_case", lang)], lang, ask="choose")


def case(svc, call: Call, digits: str) -> Next:
    """The alert code of the case to call, when she holds more than one: only one of hers."""
    person, key = call.person, call.key
    lang, code = person.language, (digits or "").strip()
    chosen = next((h.escalation_id for h in held_by(svc, person.id) if h.code == code), None)
    if chosen is None:
        svc.redis.delete(key)
        svc.store.audit("call.case_refused", staff_id=person.id, reason="not_hers")
        return Next([svc.catalog.own("voice_staff_not_yours", lang, code=code[:8] or "-")], lang)
    return _connect(svc, person, key, chosen)


def _connect(svc, person, key: str, escalation_id: int) -> Next:
    """Put her through (the provider shows the hotline's number, so neither sees the other's)
    when the case is still hers and reach.py says the survivor may be reached now."""
    lang = person.language
    svc.redis.delete(key)  # one call puts her through once
    with svc.store.session() as s:
        e = s.get(Escalation, escalation_id)
        hers = e is not None and e.status == EscalationStatus.ACKED and e.acked_by == person.id
        found_case = s.get(Case, e.case_id) if hers else None
        found = reach.case(svc, s, found_case, e, call=True) if hers else reach.Reach(None, "closed")
        code, window = (e.code, (e.details or {}).get("window", "")) if e is not None else ("", "")
        case_id = found_case.id if found_case is not None else None
        about = found_case.caller_key if found_case is not None and found_case.caller_key != reach.ERASED else None
    if not found:
        refusal = {"stopped": "voice_call_refused_stop", "window": "voice_call_refused_window"}.get(
            found.refused, "voice_call_refused_closed")
        svc.store.audit("call.refused", about, staff_id=person.id, case=case_id, reason=found.refused)
        return Next([svc.catalog.own(refusal, lang, code=code, window=window)], lang)
    svc.store.audit("call.connected", about, staff_id=person.id, case=case_id)
    return Next([svc.catalog.own("voice_staff_connecting", lang, code=code)], lang, dial=found.contact)
