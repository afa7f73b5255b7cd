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

from hotline.jobs.enqueue import enqueue_pin_locked
from hotline.people.pin import check, generation, pin_hash
from hotline.response import reach, whatsapp
from hotline.response.chain import coordinators, say
from hotline.response.relay import held_by
from hotline.store.models import Case, Escalation, EscalationStatus

STAFF_CALL_TTL = 600  # seconds: a call that has not got through by then starts again
PIN_TRIES = 3  # PINs a call may try; then it is hung up
# Wrong PINs are counted per lane and staff member: a call in from her number (caller ID, which
# anyone can fake) and the hotline's own call out to her are two lanes, so someone faking her
# number locks only the first, never the alert calls that reach her own phone (#30).
PIN_LOCK_AFTER = 10  # wrong PINs in a lane (over any calls, within PIN_COUNT_FOR) before it locks ...
PIN_LOCK_FIRST = 15 * 60  # ... for 15 minutes, doubled by each wrong PIN after (a backoff) ...
PIN_LOCK_MAX = 24 * 3600  # ... up to a day, or until the coordinator sets a new PIN
PIN_COUNT_FOR = 24 * 3600  # wrong PINs count over a day from the first; tries while locked never count
LANE_IN, LANE_ALERT = "in", "alert"


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


def _failures_key(svc, lane: str, staff_id: int, hashed: str) -> str:
    return f"hotline:staffpin:{lane}:{staff_id}:{generation(svc.settings.secret_key, hashed)}"


def _lock_key(failures_key: str) -> str:
    return failures_key.replace("hotline:staffpin:", "hotline:staffpinlock:", 1)


def _locked(svc, lane: str, staff_id: int, hashed: str) -> bool:
    return bool(svc.redis.exists(_lock_key(_failures_key(svc, lane, staff_id, hashed))))


def _wrong(svc, failures_key: str, staff_id: int, lane: str) -> bool:
    """Count a wrong PIN; lock the lane past PIN_LOCK_AFTER (the staff member and the coordinators
    told once a lock). True: it is locked now."""
    with svc.redis.pipeline() as p:
        p.set(failures_key, 0, ex=PIN_COUNT_FOR, nx=True).incr(failures_key)  # the window from the first
        failures = p.execute()[1]
    if failures < PIN_LOCK_AFTER:
        return False
    seconds = min(PIN_LOCK_FIRST * 2 ** (failures - PIN_LOCK_AFTER), PIN_LOCK_MAX)
    if svc.redis.set(_lock_key(failures_key), 1, ex=seconds, nx=True):
        svc.store.audit("call.pin_locked", staff_id=staff_id, lane=lane, minutes=seconds // 60)
        enqueue_pin_locked(svc, staff_id, seconds // 60)
    return True


def tell_pin_locked(svc, staff_id: int, minutes: int) -> str:
    """The staff member and the coordinators: her PIN is paused by wrong tries (hers, or someone
    faking her number: then she and the coordinator should know)."""
    person = svc.staff.get(staff_id)
    if person is None:
        return "no such person"
    told = [person] + [c for c in coordinators(svc.staff, svc.now()) if c.id != staff_id]
    with svc.store.session() as s:
        for who in told:
            whatsapp.to_staff(svc, s, who, say(svc, "staff_pin_locked", who.language, name=person.name,
                                               minutes=minutes))
    return f"{len(told)} told"


def begin(svc, person, call_sid: str, escalation_id: int | None = None) -> Next:
    """Her PIN first. `escalation_id`: the alert she has just taken on an alert call (then, her
    PIN right, she is put through to that case)."""
    lang = person.language
    lane = LANE_ALERT if escalation_id else LANE_IN  # an alert call is the hotline's own, to her number
    hashed = pin_hash(svc.store, person.id)
    if not hashed:
        svc.store.audit("call.pin_refused", staff_id=person.id, reason="no_pin")
        return Next([svc.catalog.own("voice_staff_pin_not_set", lang)], lang)
    if _locked(svc, lane, person.id, hashed):
        svc.store.audit("call.pin_refused", staff_id=person.id, reason="locked", lane=lane)
        return Next([svc.catalog.own("voice_staff_pin_locked", lang)], lang)
    key = _key(call_sid)
    with svc.redis.pipeline() as p:
        p.delete(key)
        p.hset(key, mapping={"staff": person.id, "stage": "pin", "tries": 0, "escalation": escalation_id or 0,
                             "lane": lane})
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
    """Right: on to her case. Wrong: again, PIN_TRIES times a call; PIN_LOCK_AFTER wrong PINs in
    the call's lane lock that lane (a backoff: see PIN_LOCK_FIRST)."""
    person, key = call.person, call.key
    lane = call.held.get("lane") or LANE_IN
    lang, hashed = person.language, pin_hash(svc.store, person.id)
    failures_key = _failures_key(svc, lane, person.id, hashed) if hashed else None
    tries = svc.redis.hincrby(key, "tries", 1)  # counted before the check: no call gets a 4th
    locked = failures_key is not None and _locked(svc, lane, person.id, hashed)
    if tries <= PIN_TRIES and not locked and check(hashed, digits):
        svc.redis.hset(key, "stage", "verified")
        svc.redis.delete(failures_key)
        chosen = int(call.held.get("escalation") or 0)
        return _connect(svc, person, key, chosen) if chosen else _her_cases(svc, person, key)
    if failures_key is not None and not locked:  # while locked a try neither counts nor extends it
        locked = _wrong(svc, failures_key, person.id, lane)
    svc.store.audit("call.pin_refused", staff_id=person.id, tries=tries)
    if locked:
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
