"""Cases: the list a user may see, and one case's timeline — escalations (accompaniments among
them), who was alerted, notes, relays, follow-ups, records and referrals, oldest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select

from hotline.privacy.phones import mask
from hotline.response import risk
from hotline.response.permissions import offered
from hotline.store.models import (
    ACTIVE,
    ERASED,
    Case,
    CaseRecord,
    Escalation,
    FollowUp,
    Note,
    Notification,
    NotificationStatus,
    Referral,
    Relay,
)
from hotline.web.console.access import involved, sees_words, visible_case_ids
from hotline.web.console.auth import User, aware
from hotline.web.console.format import duration

KIND_LABEL = {"counsellor": "Counsellor requested", "callback": "Callback requested",
              "voicemail": "Voicemail", "accompaniment": "Accompaniment requested",
              "coordinator": "Coordinator requested", "lap": "Police danger screen (LAP): high danger"}
# what came of a screened-in LAP, as the counsellor records it (#17)
LAP_OUTCOMES = {"spoke": "She spoke with a counsellor", "declined": "She declined to speak",
                "no_counsellor": "No counsellor reached her"}
RECORD_KINDS = {"incident": "Incident", "application": "Application", "protection_order": "Protection order"}
WITHHELD = "(shown only to the counsellor the case is assigned to)"


@dataclass
class CaseRow:
    id: int
    caller: str
    lang: str
    channel: str
    status: str
    opened_at: datetime
    assigned: str | None
    latest: str  # "482 acked"


def case_list(svc, user: User, status: str | None = None, limit: int = 200) -> list[CaseRow]:
    staff = svc.staff
    with svc.store.session() as s:
        query = select(Case)
        visible = visible_case_ids(s, user)
        if visible is not None:
            query = query.where(Case.id.in_(visible))
        if status in ("open", "closed"):
            query = query.where(Case.status == status)
        cases = list(s.scalars(query.order_by(Case.status.desc(), Case.id.desc()).limit(limit)))
        ids = [c.id for c in cases]
        latest: dict[int, Escalation] = {}
        if ids:
            for e in s.scalars(select(Escalation).where(Escalation.case_id.in_(ids)).order_by(Escalation.id)):
                latest[e.case_id] = e
    rows = []
    for c in cases:
        person = staff.get(c.assigned_to)
        e = latest.get(c.id)
        rows.append(CaseRow(c.id, shown_caller(svc, c), c.lang, c.channel, c.status, aware(c.opened_at),
                            person.name if person else None, f"{e.code} {e.status}" if e else ""))
    return rows


def shown_caller(svc, case: Case) -> str:
    return "(erased)" if case.caller_key == "erased" else mask(svc.store.unseal(case.contact))


@dataclass
class Event:
    at: datetime
    kind: str  # escalation | ack | closed | alert | note | relay | followup | record | referral
    title: str
    text: str = ""
    by: str = ""
    private: bool = False  # the survivor's words, withheld from this viewer
    recording: str = ""  # a voicemail's recording, for the one who may hear it
    media: list = field(default_factory=list)  # WhatsApp: (console URL, content type) of each item, for her counsellor


@dataclass
class ActiveEscalation:
    id: int
    code: str
    kind: str
    status: str
    priority: str
    lang: str
    acked_by_id: int | None
    mine: bool
    commands: tuple[str, ...] = ()  # the buttons offered (response/permissions.py)


@dataclass
class CaseView:
    case: Case
    caller: str
    assigned: str | None
    sees_words: bool
    events: list[Event] = field(default_factory=list)
    active: list[ActiveEscalation] = field(default_factory=list)
    latest_code: str | None = None
    latest_escalation_id: int | None = None
    opened_at: datetime | None = None
    screens: list[Escalation] = field(default_factory=list)  # screened-in LAPs: their outcome is recorded here
    risk: str | None = None  # the latest escalation's level and reasons (escalation/risk.py)
    reasons: list[str] = field(default_factory=list)
    checklist: list[str] = field(default_factory=list)  # the danger items a counsellor ticked
    erased: bool = False  # DELETE, the safe word or retention: an anonymous stub, read-only


def load(svc, user: User, case_id: int) -> CaseView | None:
    """One case as `user` may see it; None when she may not (or it does not exist)."""
    from flask import url_for

    from hotline.web.console.access import may_view

    staff = svc.staff

    def name(staff_id):
        person = staff.get(staff_id)
        return person.name if person else ""

    with svc.store.session() as s:
        case = s.get(Case, case_id)
        if case is None or not may_view(s, user, case):
            return None
        words = sees_words(user, case)
        view = CaseView(case, shown_caller(svc, case), name(case.assigned_to) or None, words,
                        opened_at=aware(case.opened_at), erased=case.caller_key == ERASED)
        events = view.events
        escalations = list(s.scalars(select(Escalation).where(Escalation.case_id == case.id).order_by(Escalation.id)))
        for e in escalations:
            created = aware(e.created_at)
            details = _details(e, words)
            # played through the console's route (console/media.py), never its address: sealed since #30
            recording = url_for("console.case_recording", case_id=case.id, escalation_id=e.id) \
                if (e.details or {}).get("recording") else ""
            events.append(Event(created, "escalation", f"{KIND_LABEL.get(e.kind, e.kind)} — alert {e.code}",
                                f"priority {e.priority}, language {e.lang}"
                                + (f"; {details}" if details else "") + (f"; {e.reason}" if e.reason else ""),
                                recording=recording if words else "",
                                media=_media(svc, case.id, e) if words else []))
            alerts = s.scalars(select(Notification).where(Notification.escalation_id == e.id,
                                                          Notification.status == NotificationStatus.SENT,
                                                          Notification.kind == "alert").order_by(Notification.id))
            for n in alerts:
                events.append(Event(aware(n.sent_at or n.created_at), "alert", f"Alert {e.code} sent by {n.via}",
                                    by=name(n.staff_id)))
            if e.acked_at:
                events.append(Event(aware(e.acked_at), "ack", f"Alert {e.code} acknowledged",
                                    f"after {duration((aware(e.acked_at) - created).total_seconds())}",
                                    by=name(e.acked_by)))
            if e.closed_at:
                events.append(Event(aware(e.closed_at), "closed", f"Alert {e.code} {e.status}"))
            if e.kind == "lap":
                view.screens.append(e)
                if e.details.get("outcome_at"):
                    events.append(Event(datetime.fromisoformat(e.details["outcome_at"]), "record",
                                        f"LAP {e.code}: {LAP_OUTCOMES.get(e.details.get('outcome'), '')}",
                                        by=name(e.details.get("outcome_by"))))
            if e.status in ACTIVE:
                mine = involved(s, user, e)
                view.active.append(ActiveEscalation(
                    e.id, e.code, e.kind, e.status, e.priority, e.lang, e.acked_by, mine,
                    offered(e.status, notified=mine, holds=e.acked_by == user.id, coordinator=user.coordinator)))
        if escalations and not view.erased:  # an erased stub keeps no reasons, words or ticks of hers
            view.latest_code, view.latest_escalation_id = escalations[-1].code, escalations[-1].id
            # the running escalation the checklist goes to (changes.danger_checklist), else the latest
            shown = next((e for e in reversed(escalations) if e.status in ACTIVE), escalations[-1])
            view.risk = shown.risk or "standard"
            view.reasons = [risk.describe(r) for r in shown.risk_reasons or []]
            view.checklist = risk.checklist_of(shown)
            for e in escalations:
                ticked = (e.details or {}).get("checklist")
                if ticked and ticked.get("at"):
                    events.append(Event(datetime.fromisoformat(ticked["at"]), "record",
                                        f"Danger checklist (alert {e.code}): risk {ticked.get('level')}",
                                        "; ".join(risk.CHECKLIST[i] for i in ticked.get("items", [])
                                                  if i in risk.CHECKLIST) or "nothing ticked",
                                        by=name(ticked.get("by"))))
        for note in s.scalars(select(Note).where(Note.case_id == case.id)):
            events.append(Event(aware(note.at), "note", "Note", svc.store.unseal(note.body) or "", name(note.staff_id)))
        for relay in s.scalars(select(Relay).where(Relay.case_id == case.id)):
            to_her = relay.direction == "to_survivor"
            title = ("Relayed to the survivor" if to_her else "Relayed from the survivor") + (
                "" if relay.status == "sent" else f" ({relay.status})") + (
                f" — {relay.receipt}" if to_her and relay.receipt else "")  # WhatsApp: read receipts
            events.append(Event(aware(relay.at), "relay", title,
                                (svc.store.unseal(relay.body) or "") if words else WITHHELD,
                                name(relay.staff_id) if to_her else "", private=not words))
        for f in s.scalars(select(FollowUp).where(FollowUp.case_id == case.id)):
            events.append(Event(aware(f.created_at), "followup",
                                f"Follow-up due {f.due_at and _local(svc, aware(f.due_at))} ({f.status})",
                                svc.store.unseal(f.note) or "", name(f.staff_id)))
        for r in s.scalars(select(CaseRecord).where(CaseRecord.case_id == case.id)):
            events.append(Event(aware(r.at), "record", RECORD_KINDS.get(r.kind, r.kind)
                                + (f" on {r.happened_on}" if r.happened_on else ""),
                                svc.store.unseal(r.details) or "", name(r.staff_id)))
        referral_query = select(Referral).where(Referral.case_id == case.id)
        if case.caller_key != "erased":
            referral_query = select(Referral).where(or_(Referral.case_id == case.id,
                                                        Referral.caller_key == case.caller_key))
        for ref in s.scalars(referral_query):
            events.append(Event(aware(ref.at), "referral", f"Referred: {ref.category}",
                                ", ".join(x for x in (ref.service, ref.district) if x)))
    events.sort(key=lambda ev: ev.at)
    return view


def _details(e: Escalation, words: bool) -> str:
    """What an escalation's details say, less the survivor's own words for anyone else."""
    shown = []
    for key in ("area", "when", "case_ref", "window"):
        if e.details.get(key):
            shown.append(f"{key.replace('_', ' ')}: {e.details[key]}")
    screen = e.details.get("screen")
    if screen:
        basis = {"questions_1_3": "a yes to questions 1-3", "four_of_4_11": "four or more yes of questions 4-11",
                 "officer": "the officer's belief"}.get(screen.get("basis"), screen.get("basis") or "")
        shown.append(f"screened in on {basis}; yes to questions {e.details.get('questions', '-')}")
        if screen.get("who"):
            shown.append(f"she fears: {screen['who'].replace('_', ' ')}")
        if screen.get("officer"):
            shown.append(f"officer: {screen['officer']}")
        if screen.get("worry_text"):
            shown.append(f"worries her: {screen['worry_text'] if words else '(withheld)'}")
    if e.details.get("seconds"):
        shown.append(f"{e.details['seconds']} seconds long")
    if e.details.get("code_word"):
        shown.append(f"code word: {e.details['code_word'] if words else '(withheld)'}")
    if e.details.get("recording") and not words:
        shown.append("recording: (withheld)")
    if e.details.get("media"):
        count = len(e.details["media"])
        shown.append(f"{count} {'voice message or file' if count == 1 else 'voice messages or files'} on WhatsApp"
                     + ("" if words else ": (withheld)"))
    return ", ".join(shown)


def _media(svc, case_id: int, e: Escalation) -> list[tuple[str, str]]:
    """(console URL, content type) of each WhatsApp media item of an escalation."""
    import json

    from flask import url_for

    from hotline.web.console.media_types import served_type

    found = []
    for index, sealed in enumerate((e.details or {}).get("media") or []):
        opened = svc.store.unseal(sealed)
        kind = json.loads(opened).get("type", "") if opened else ""
        served = served_type(kind) is not None  # a type the console does not serve gets no link (media.py)
        found.append((url_for("console.case_media", case_id=case_id, escalation_id=e.id, index=index)
                      if served else "", kind))
    return found


def _local(svc, moment: datetime) -> str:
    return moment.astimezone(svc.staff.zone).strftime("%d %b %Y %H:%M")
