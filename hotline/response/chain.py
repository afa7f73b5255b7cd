"""An escalation walks its policy: each step notifies people and waits; the first ACK stops it.

Every fact is in the store before its job is queued. Jobs take ids, run under a row lock, and
check the escalation's state before they act, so a job run twice, or a timer that fires after
an ACK, does nothing. The sweeper puts back on the queue whatever the store says is due.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from sqlalchemy import select

from hotline.jobs.enqueue import (
    enqueue_advance,
    enqueue_notify,
    enqueue_send_relay,
    enqueue_staff_unreachable,
    enqueue_tell,
    enqueue_window_closed,
)
from hotline.response import risk, whatsapp
from hotline.response.policies import Policy, Rung, policy_for
from hotline.store.models import (
    ACTIVE,
    ERASED,
    Action,
    Case,
    Escalation,
    EscalationStatus,
    Notification,
    NotificationStatus,
    Relay,
    StaffMember,
)

if TYPE_CHECKING:  # the services are passed in; only their type is named here
    from hotline.services import Services

log = logging.getLogger(__name__)
# a status callback's final failures: the alert never reached her (a call: nobody took it)
FINAL_FAILURES = frozenset({"undelivered", "failed", "busy", "no-answer"})
# error codes that say the number itself is wrong, not the moment: the coordinator is told
NUMBER_ERRORS = frozenset({"21211", "21214", "21217", "21401", "21407", "21408", "21610", "21612", "21614",
                           "30005", "30006", "13224",
                           "63003", "63024", "63014"})  # WhatsApp: not on WhatsApp, invalid, blocked the sender


# -- opening ------------------------------------------------------------------------------------


CODE_DIGITS = 5  # 90,000 codes; with refusals.MAX_REFUSALS wrong codes an hour, guessing is hopeless
CODE_REST = timedelta(days=30)  # a code is not given again this soon: an old reply cannot reach a new case


def new_code(session, now: datetime) -> str:
    """A code for staff to answer an alert with: random, and not used by any escalation that is
    running or was opened in the last CODE_REST."""
    used = set(session.scalars(select(Escalation.code).where(
        Escalation.status.in_(ACTIVE) | (Escalation.created_at > now - CODE_REST))))
    for _ in range(50):
        code = str(secrets.randbelow(9 * 10 ** (CODE_DIGITS - 1)) + 10 ** (CODE_DIGITS - 1))
        if code not in used:
            return code
    raise RuntimeError("no free escalation code")


RANK = {"normal": 0, "high": 1, "emergency": 2}
# kinds that are "she wants a person now"; a voicemail is not joined: its recording is the alert
MERGES = ("counsellor", "coordinator")


def running_for(s, case_id: int, kind: str) -> Escalation | None:
    """One emergency at a time: the escalation a new request of hers joins instead of opening
    another. One somebody holds comes first (whatever it was for: she is talking to them); else
    one still paging for a person. A call-back waiting for its window is not joined: a request
    now is for now."""
    if kind not in MERGES:
        return None
    rows = s.scalars(select(Escalation).where(Escalation.case_id == case_id, Escalation.status.in_(ACTIVE),
                                              Escalation.kind != "accompaniment")
                     .order_by(Escalation.id.desc()).with_for_update()).all()
    return next((e for e in rows if e.status == EscalationStatus.ACKED), None) or next(
        (e for e in rows if e.kind in MERGES), None)


@dataclass(frozen=True)
class Caller:
    """Who asked: her keyed hash, her number (None when withheld), the channel she used and the
    language she is written to in."""
    key: str
    number: str | None
    channel: str
    lang: str


@dataclass(frozen=True)
class Request:
    """What she (or an officer) asked for: the escalation open_escalation writes."""
    kind: str  # counsellor | coordinator | voicemail | callback | accompaniment | lap
    priority: str
    role: str
    reason: str
    details: dict = field(default_factory=dict)
    lang: str | None = None  # the language the escalation needs, when not hers (an officer may ask for Tamil)
    start_at: datetime | None = None  # a call-back's safe window opens
    own_case: bool = False  # a case of its own, never joined: each of an officer's requests is another woman


def open_escalation(svc: Services, caller: Caller, request: Request, *, queue: bool = True,
                    words: str | None = None) -> int:
    """Write the case and the escalation, then queue its first step, now or at `request.start_at`
    (a callback's safe window), when `queue` and Redis is there; otherwise the sweeper does.

    While she already has an escalation running for a person, a new request joins it (see
    `join`) instead of paging the team again; `words` (what she wrote) go to whoever holds it."""
    caller_key, number, channel, case_lang = caller.key, caller.number, caller.channel, caller.lang
    kind, priority, role, reason, details = request.kind, request.priority, request.role, request.reason, \
        request.details
    lang = request.lang or caller.lang
    start_at = request.start_at if request.start_at and request.start_at > svc.now() else None
    joined = None
    with svc.store.session() as s:
        case = None if request.own_case else svc.store.open_case(s, caller_key)
        if case is None:
            case = Case(caller_key=caller_key, contact=svc.store.seal(number), lang=case_lang, channel=channel)
            s.add(case)
            s.flush()
        running = None if request.own_case else running_for(s, case.id, kind)
        if running is not None:
            joined = join(svc, s, running, priority, words, reason)
        else:
            escalation = Escalation(case_id=case.id, code=new_code(s, svc.now()), kind=kind, priority=priority,
                                    role=role, lang=lang, reason=reason, details=details or {},
                                    policy=policy_for(priority, role), next_at=start_at or svc.now())
            s.add(escalation)
            s.flush()
            risk.assess(s, escalation, caller_key, svc.now(), words)
            escalation_id, code = escalation.id, escalation.code
            if words:  # what she wrote in danger waits for whoever takes it (relay.release_held)
                s.add(Relay(case_id=case.id, staff_id=None, direction="urgent", body=svc.store.seal(words),
                            status="held"))
            # in the same transaction: one commit for the request, not two
            svc.store.audit_in(s, "escalation.opened", caller_key, escalation=escalation_id, code=code,
                               priority=priority, role=role, kind=kind, lang=lang)
    if joined is not None:
        return _after_join(svc, caller_key, joined, queue)
    if queue:
        enqueue_advance(svc, escalation_id, 0, 0, start_at, priority=priority)
        if details and details.get("window_end"):
            enqueue_window_closed(svc, escalation_id, datetime.fromisoformat(details["window_end"]))
    return escalation_id


@dataclass
class Joined:
    escalation_id: int
    code: str
    raised: bool  # its priority went up while nobody held it: the chain pages again, now
    round: int
    relay_id: int | None  # her words, on their way to the person who holds it


def join(svc: Services, s, e: Escalation, priority: str, words: str | None, reason: str = "") -> Joined:
    """A request of hers while `e` runs: raise its priority if this one is higher; if somebody
    holds it, her words go to that person (marked urgent for an emergency); if nobody does and
    the priority rose, the chain starts a new round under the higher policy at once."""
    raised = RANK.get(priority, 0) > RANK.get(e.priority, 0)
    if raised:
        e.priority = priority
        e.policy = policy_for(priority, e.role)
    # her new words (and an emergency now) are reasons too; the level may only go up here
    risk.reassess(e, risk.reasons_for(kind=e.kind, priority=priority, reason=reason, details={}, words=words,
                                      earlier=0))
    relay_id = None
    if words or (raised and e.status == EscalationStatus.ACKED):
        # held until someone takes it (relay.release_held), else on its way to who holds it now
        row = Relay(case_id=e.case_id, staff_id=None, direction="urgent" if priority == "emergency" else "to_staff",
                    body=svc.store.seal(words or ""), status="pending" if e.status == EscalationStatus.ACKED else "held")
        s.add(row)
        s.flush()
        relay_id = row.id if e.status == EscalationStatus.ACKED else None
    page = raised and e.status == EscalationStatus.OPEN
    if page:
        # a new round, counted from here: everyone the higher policy names is alerted afresh
        e.round, e.step, e.next_at = e.round + 1, 0, svc.now()
        e.details = {**e.details, "first_round": e.round}
    return Joined(e.id, e.code, page, e.round, relay_id)


def _after_join(svc: Services, caller_key: str, joined: Joined, queue: bool) -> int:
    svc.store.audit("escalation.joined", caller_key, escalation=joined.escalation_id, code=joined.code,
                    raised=joined.raised)
    if queue and joined.raised:
        enqueue_advance(svc, joined.escalation_id, joined.round, 0)
    if joined.relay_id is not None:
        enqueue_send_relay(svc, joined.relay_id)
    return joined.escalation_id


def window_closed(svc: Services, escalation_id: int) -> str:
    """A callback's window has passed: if nobody took it, the coordinator is told, and the
    survivor is not contacted (she said when it was safe; that time is gone)."""
    staff, when = svc.staff, svc.now()
    with svc.store.session() as s:
        e = s.scalars(select(Escalation).where(Escalation.id == escalation_id).with_for_update()).first()
        if e is None or e.status not in ("open", "unanswered"):
            return "nothing to do"  # taken: the counsellor has it (and the relay keeps to the window)
        e.status, e.next_at, e.closed_at = "expired", None, when
        created = _notify(s, e, e.step, Rung("coordinator", 0), coordinators(staff, when), kind="window")
    for notification_id in created:
        enqueue_notify(svc, notification_id)
    return "expired"


TELL = "tell"  # the Action kind of a message recorded by tell_later


def tell_later(s, case: Case, text_id: str, params: dict, *, closing: bool = False,
               escalation_id: int | None = None) -> int:
    """A message from the hotline to the person who asked (relay.tell sends it), recorded in the
    transaction that decided it, so the sweeper has it if Redis is away. Queue it once committed
    (enqueue_tell)."""
    row = Action(kind=TELL, caller_key=case.caller_key, channel=case.channel, lang=case.lang, status="pending",
                 payload={"case_id": case.id, "text_id": text_id, "params": params, "closing": closing,
                          "escalation_id": escalation_id})
    s.add(row)
    s.flush()
    return row.id


# -- the timer ----------------------------------------------------------------------------------


def choose(staff, when: datetime, step: Rung, escalation: Escalation, asked: set[int], passed: set[int]) -> list:
    """Who a step notifies. A person step takes the next one not asked in this round."""
    role = step.role or escalation.role
    area = escalation.details.get("area")
    if step.notify == "coordinator":
        people = coordinators(staff, when)
    else:
        people = (staff.on_shift(when, role, escalation.lang, area) or staff.on_shift(when, role, None, area)
                  or staff.on_shift(when, role))
    people = [p for p in people if p.id not in passed]
    if step.notify == "person":
        fresh = [p for p in people if p.id not in asked]
        return fresh[:1]
    return people


def advance(svc: Services, policies: dict[str, Policy], escalation_id: int, round_: int, step_index: int) -> str:
    """Run one step of the chain, if the escalation still waits at it; schedule the next."""
    created: list[int] = []
    tell_after = None
    staff, when = svc.staff, svc.now()  # read before the transaction: the staff may come from the store
    with svc.store.session() as s:
        e = s.scalars(select(Escalation).where(Escalation.id == escalation_id).with_for_update()).first()
        if e is None or e.status != EscalationStatus.OPEN or (e.round, e.step) != (round_, step_index):
            return "stale"
        # the step's own time: a timer that fires late does not delay the rest of the chain, and a
        # clock moved on by the tests (or a worker catching up) walks the chain as it would have
        due = aware(e.next_at)
        if due and due > when:
            when = due
        if e.details.get("window_end") and when >= datetime.fromisoformat(e.details["window_end"]):
            return "window closed"  # window_closed() tells the coordinator
        policy = policies.get(e.policy) or policies["counsellor"]
        passed = set(e.details.get("passed", []))
        while True:
            if e.step >= len(policy.steps):
                if e.round - e.details.get("first_round", 0) < policy.repeat:
                    e.round, e.step = e.round + 1, 0
                    continue
                e.status, e.next_at = "unanswered", None
                created += _notify(s, e, e.step, Rung("coordinator", 0), coordinators(staff, when), kind="unanswered")
                if e.kind == "accompaniment":
                    tell_after = tell_later(s, s.get(Case, e.case_id), "police_unanswered", {"code": e.code})
                elif e.kind == "lap":  # the officer must not wait for a call that is not coming
                    tell_after = tell_later(s, s.get(Case, e.case_id), "lap_unanswered", {"code": e.code})
                outcome = "unanswered"
                break
            step = policy.steps[e.step]
            # who was asked in this round, and what this step already wrote (a step run twice
            # writes nothing twice): one read of the round's notifications
            written = s.execute(select(Notification.staff_id, Notification.step, Notification.via).where(
                Notification.escalation_id == e.id, Notification.round == e.round)).all()
            asked = {staff_id for staff_id, _, _ in written}
            people = choose(staff, when, step, e, asked, passed)
            index = e.step
            if not people:
                e.step = index + 1
                continue  # nobody for this step: on to the next at once
            created += _notify(s, e, index, step, people,
                               existing={(i, via) for i, written_step, via in written if written_step == index})
            # the step and its timer in one UPDATE, after the notifications' INSERT
            e.step, e.next_at = index + 1, when + timedelta(seconds=step.wait)
            outcome = f"step {index}: {len(people)} notified"
            break
        next_round, next_step, next_at = e.round, e.step, e.next_at
        status, priority = e.status, e.priority
    for notification_id in created:
        enqueue_notify(svc, notification_id, priority=priority)
    if status == "open":
        enqueue_advance(svc, escalation_id, next_round, next_step, next_at, priority=priority)
    if tell_after is not None:  # Redis gone now: recorded, the sweeper tells the officer
        enqueue_tell(svc, tell_after)
    return outcome


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every one we store is UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def coordinators(staff, when: datetime) -> list:
    return staff.on_shift(when, "coordinator") or [p for p in staff.people if "coordinator" in p.roles]


def _notify(s, e: Escalation, index: int, step: Rung, people: list, kind: str = "alert",
            existing: set[tuple[int, str]] | None = None) -> list[int]:
    """The notifications of a step (one a person and channel), but those already written
    (`existing`: (staff id, via) of this step and round, read here when not given); their ids."""
    if existing is None:
        existing = set(s.execute(select(Notification.staff_id, Notification.via).where(
            Notification.escalation_id == e.id, Notification.step == index, Notification.round == e.round)).all())
    rows, existing = [], set(existing)
    for person in people:
        for via in whatsapp.vias(person, step.via):  # as her channels: allow (the staff file)
            if (person.id, via) not in existing:
                existing.add((person.id, via))
                rows.append(Notification(escalation_id=e.id, staff_id=person.id, step=index, round=e.round, via=via,
                                         kind=kind))
    if rows:
        s.add_all(rows)
        s.flush()  # one INSERT … RETURNING for them all
    return [n.id for n in rows]


# -- sending ------------------------------------------------------------------------------------


def language_name(code: str, in_lang: str) -> str:
    """'ta' as the reader says it: Tamil, தமிழ் (Babel's CLDR names)."""
    try:
        return Locale.parse(code).get_display_name(Locale.parse(in_lang)) or code
    except (ValueError, UnknownLocaleError):
        return code


def say(svc: Services, text_id: str, lang: str, **params) -> str:
    """One of the hotline's own texts (hotline/i18n/texts.yaml) in `lang`."""
    return svc.catalog.own(text_id, lang, **params)


def lead(svc: Services, e: Escalation, lang: str) -> str:
    """What an alert starts with: the risk level when it is high ("HIGH DANGER! "), else the
    priority when it is an emergency ("URGENT! "), else an elevated risk; nothing for the rest."""
    if e.kind == "lap" or e.risk == "high":
        return say(svc, "esc_high_danger", lang)
    if e.priority == "emergency":
        return say(svc, "esc_urgent", lang)
    return say(svc, "esc_elevated", lang) if e.risk == "elevated" else ""


def alert_params(svc: Services, e: Escalation, lang: str) -> dict:
    """What an alert says of an escalation, in the language of the person alerted."""
    from hotline.i18n.catalog import OWN

    what_id = "esc_what_emergency" if e.priority == "emergency" and e.kind == "counsellor" else f"esc_what_{e.kind}"
    if (e.details or {}).get("quiet") and e.priority != "emergency":
        what_id = "esc_what_quiet"  # she said it is not safe to talk: the alert says so first
    details = {k: v if v is not None else "" for k, v in e.details.items()}
    if e.kind == "accompaniment":  # the district and "now" in the reader's words (#33: Latin in Tamil)
        named = svc.flows.lexicon.district_names.get(lang, {}).get(str(details.get("area", "")))
        details["district"] = named or details.get("district", "")
        if details.get("when") == "now":
            details["when"] = say(svc, "esc_when_now", lang)
    return dict(code=e.code, urgent=lead(svc, e, lang),
                who=say(svc, "esc_who_police" if e.kind in ("accompaniment", "lap") else "esc_who_survivor", lang),
                language=language_name(e.lang, lang),
                what=say(svc, what_id if what_id in OWN else "esc_what_counsellor", lang, **details))


def wa_alert_params(svc: Services, e: Escalation, lang: str) -> dict:
    """The WhatsApp alert template's variables: as an SMS alert says it, with the level never
    empty (WhatsApp refuses an empty variable)."""
    params = alert_params(svc, e, lang)
    params["level"] = params.pop("urgent").strip() or say(svc, "esc_level", lang)
    return params


def _lock_notification(s, notification_id: int) -> tuple[Escalation, Notification] | None:
    """A notification and its escalation, locked for the transaction: the escalation's row first,
    then the notification's, the order ACK, the safe word and the chain take them in (on
    PostgreSQL a send and a safe word then wait for each other instead of deadlocking)."""
    escalation_id = s.scalar(select(Notification.escalation_id).where(Notification.id == notification_id))
    if escalation_id is None:
        return None
    e = s.scalars(select(Escalation).where(Escalation.id == escalation_id).with_for_update()).one()
    n = s.scalars(select(Notification).where(Notification.id == notification_id).with_for_update()).one()
    return e, n


def delivery_failed(svc: Services, notification_id: int, state: str, code: str | None) -> str:
    """An alert did not reach its person (refused by Twilio, undelivered, a call busy or not
    answered): marked failed, and when nothing of its step reached anyone, the escalation moves
    on at once to the next person instead of waiting out the step. When the error says the
    number is wrong, the coordinators are told (the staff member named, her number masked)."""
    moved = None
    with svc.store.session() as s:
        locked = _lock_notification(s, notification_id)
        if locked is None:
            return "nothing to do"
        e, n = locked
        escalation_id = e.id
        n.status = NotificationStatus.FAILED
        staff_id, kind = n.staff_id, n.kind
        if kind == "alert" and e.status == EscalationStatus.OPEN and (n.round, n.step) == (e.round, e.step - 1):
            others = s.scalars(select(Notification.status).where(
                Notification.escalation_id == e.id, Notification.round == n.round, Notification.step == n.step,
                Notification.id != n.id)).all()
            if all(status in ("failed", "cancelled") for status in others):
                e.next_at = svc.now()
                moved = (e.round, e.step)
        case_key = s.get(Case, e.case_id).caller_key
    case_key = None if case_key == ERASED else case_key
    svc.store.audit("notification.failed", case_key, staff_id=staff_id, escalation=escalation_id, state=state,
                    code=code, moved_on=moved is not None)
    if moved is not None:  # now, its timer dropped; Redis away: next_at is now, and the sweeper queues it
        enqueue_advance(svc, escalation_id, *moved)
    if code in NUMBER_ERRORS or state == "refused":
        staff_unreachable(svc, staff_id, code)
    return f"failed ({state})" + (": moved on" if moved else "")


def staff_unreachable(svc: Services, staff_id: int, code: str | None) -> None:
    """Tell the coordinators (once a day for a number and an error) that alerts to a staff
    member cannot be delivered."""
    from hotline.store.idempotency import claim

    if not claim(svc, [f"unreachable:{staff_id}:{code}:{svc.now().date()}"]):
        return
    svc.store.audit("staff.unreachable", None, staff_id=staff_id, code=code)
    enqueue_staff_unreachable(svc, staff_id, code)


def tell_staff_unreachable(svc: Services, staff_id: int, code: str | None) -> str:
    from hotline.privacy.phones import mask

    staff, when = svc.staff, svc.now()
    person = staff.get(staff_id)
    if person is None:
        return "no such person"
    told = 0
    for coordinator in coordinators(staff, when):
        if coordinator.id == staff_id:
            continue  # her own number is the one that fails
        body = say(svc, "staff_unreachable", coordinator.language, name=person.name, number=mask(person.phone),
                   code=code or "-")
        with svc.store.session() as s:
            whatsapp.to_staff(svc, s, coordinator, body)
        told += 1
    return f"{told} coordinator(s) told"


def send_notification(svc: Services, notification_id: int) -> str:
    """Send one alert; a transport failure is raised (DeliveryFailed): the job audits it and RQ
    retries it, the notification still pending (the sweeper has it if RQ gives up); a refusal for
    good ends in delivery_failed (jobs/tasks.notify)."""
    staff = svc.staff  # read before the transaction: the staff may come from the store
    with svc.store.session() as s:
        locked = _lock_notification(s, notification_id)
        if locked is None:
            return "nothing to do"
        e, n = locked
        if n.status != NotificationStatus.PENDING:
            return "nothing to do"
        if n.kind == "alert" and e.status != EscalationStatus.OPEN:
            n.status = NotificationStatus.CANCELLED  # taken (or closed) since: a stale alert pages nobody
            return "cancelled"
        person = staff.get(n.staff_id)
        if person is None:
            n.status = NotificationStatus.CANCELLED
            return "no such person"
        lang = person.language
        case_key = s.get(Case, e.case_id).caller_key
        if n.kind == "taken":
            taker = staff.get(e.acked_by)
            body = say(svc, "esc_taken", lang, code=e.code, name=taker.name if taker else "")
        elif n.kind == "ended":
            body = say(svc, "esc_ended", lang, code=e.code)  # neutral: no word of why, or of her
        elif n.kind == "handed_back":  # its holder left the staff (response/handback.py)
            former = s.get(StaffMember, e.details.get("handed_back_from") or 0)
            body = say(svc, "esc_handed_back", lang, **alert_params(svc, e, lang),
                       name=former.name if former is not None else "-")
        else:
            text_id = {"unanswered": "esc_unanswered", "window": "window_closed",
                       "alert": "esc_voice_alert" if n.via == "voice" else "esc_alert"}[n.kind]
            if n.kind == "alert" and n.via == "sms" and n.round > e.details.get("first_round", 0):
                text_id = "alert_reminder"  # the chain's second round: it has waited this long
            minutes = int((svc.now() - aware(e.created_at)).total_seconds() // 60)
            body = say(svc, text_id, lang, **alert_params(svc, e, lang), window=e.details.get("window", ""),
                       count=minutes)
        if n.via == "voice":
            n.transport_id = svc.outbound.call(person.phone, svc.alert_call_url(n.id), session=s)
        elif n.kind == "alert":
            # the outbox row is written in this same transaction: sent and marked sent together
            # `about`: the outbox's copy concerns her, and DELETE erases it with the rest. On
            # WhatsApp: the alert template, with ACK and PASS buttons (response/whatsapp.py)
            n.transport_id, n.via = whatsapp.alert(svc, s, person, body, wa_alert_params(svc, e, lang), about=case_key)
        else:
            n.transport_id = whatsapp.to_staff(svc, s, person, body, about=case_key)
        n.status, n.sent_at = "sent", svc.now()
        # its audit row in the same transaction: one commit a send, not two (and one connection
        # checked out of the pool)
        svc.store.audit_in(s, "notification.sent", None if case_key == ERASED else case_key, staff_id=n.staff_id,
                           escalation=e.id, code=e.code, via=n.via, kind=n.kind, step=n.step, round=n.round)
    return "sent"


# -- what the sweeper finds (jobs/sweeper.py) -----------------------------------------------------


def due_steps(svc: Services) -> list[tuple[tuple, datetime | None]]:
    """The step each open escalation waits at, with its time (None: due now)."""
    with svc.store.session() as s:
        rows = s.execute(select(Escalation.id, Escalation.round, Escalation.step, Escalation.next_at)
                         .where(Escalation.status == EscalationStatus.OPEN)).all()
    now = svc.now()
    return [((i, r, step), aware(at) if at and aware(at) > now else None) for i, r, step, at in rows]


def due_windows(svc: Services) -> list[tuple[tuple, datetime | None]]:
    """The end of each running call-back's safe window."""
    with svc.store.session() as s:
        rows = s.execute(select(Escalation.id, Escalation.details).where(
            Escalation.status.in_(("open", "unanswered")), Escalation.kind == "callback")).all()
    return [((i, ), datetime.fromisoformat(d["window_end"])) for i, d in rows if d.get("window_end")]


def unsent_notifications(svc: Services, grace_seconds: int = 5) -> list[tuple[tuple, datetime | None]]:
    """Notifications written more than `grace_seconds` ago and still not sent."""
    cutoff = svc.now() - timedelta(seconds=grace_seconds)
    with svc.store.session() as s:
        ids = s.scalars(select(Notification.id).where(Notification.status == NotificationStatus.PENDING,
                                                      Notification.created_at < cutoff)).all()
    return [((i, ), None) for i in ids]
