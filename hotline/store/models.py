"""Tables. A caller is known by her keyed hash; her number, where the response needs it to reach
her, is kept encrypted (Fernet, keyed from SECRET_KEY) and erased with DELETE. Relayed message
bodies and notes are encrypted the same way: the console shows them to the assigned counsellor,
and nobody reading the database file can."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ERASED = "erased"  # a case's caller_key once DELETE, the safe word or retention has erased it


class EscalationStatus(StrEnum):
    OPEN = "open"  # paging people
    ACKED = "acked"  # somebody holds it
    DONE = "done"
    UNANSWERED = "unanswered"  # every step and repeat passed with nobody taking it
    ENDED = "ended"  # she said the safe word
    ERASED = "erased"  # she said DELETE


ACTIVE = (EscalationStatus.OPEN, EscalationStatus.ACKED)  # somebody is being paged, or holds it
RUNNING = (*ACTIVE, EscalationStatus.UNANSWERED)  # what her safe word or DELETE closes


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"


class ActionStatus(StrEnum):
    PENDING = "pending"  # not yet on the queue
    QUEUED = "queued"
    DONE = "done"
    FAILED = "failed"


def stamped():
    """A time the row is given when it is first written, from the store's clock (the one clock on
    Services: never the wall clock behind its back). Store fills it in before each flush."""
    return mapped_column(DateTime(timezone=True), info={"stamped": True})


# SQLite gives a deleted row's id to the next row unless the table says AUTOINCREMENT: then an
# erased DIR's number went to the next woman's DIR (the audit naming hers), and the simulator,
# asking for messages `after` the last id it saw, never showed the next ones. Ids never come
# back (PostgreSQL's sequences never reuse one). Migration 0010 rebuilt the existing tables; a
# model with its own __table_args__ adds AUTOINCREMENT to them (Notification), and a migration
# creating a table passes sqlite_autoincrement=True (tests/test_ids.py checks both).
AUTOINCREMENT = {"sqlite_autoincrement": True}


class Base(DeclarativeBase):
    __table_args__ = AUTOINCREMENT


class Action(Base):
    """An action the engine raised (or the outage fallback recorded), written before it is queued.

    status: pending (not yet on the queue) -> queued -> done | failed. The sweeper re-queues
    whatever is pending or stuck, so nothing raised is ever lost between the store and Redis.
    """

    __tablename__ = "actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    caller_key: Mapped[str] = mapped_column(String(64), index=True)
    contact: Mapped[str | None] = mapped_column(Text)  # encrypted E.164
    channel: Mapped[str] = mapped_column(String(10), default="sms")
    lang: Mapped[str] = mapped_column(String(10), default="en")
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = stamped()
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Outbox(Base):
    """The local outbox: what would have gone through Twilio when no account is configured."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to: Mapped[str] = mapped_column(String(20), index=True)
    about: Mapped[str | None] = mapped_column(String(64), index=True)  # the caller it concerns: DELETE erases it
    body: Mapped[str | None] = mapped_column(Text)
    call: Mapped[str | None] = mapped_column(Text)  # the TwiML URL of an outbound call
    at: Mapped[datetime] = stamped()
    channel: Mapped[str | None] = mapped_column(String(10))  # sms | whatsapp | voice (None: before #14, sms)
    # which provider would have sent it (twilio | exotel; WhatsApp is Twilio's) and, for a DLT SMS,
    # its template id and variables (migration 0008: a list), for a WhatsApp template its name
    # (whatsapp.yaml) and ContentVariables (a dict; widened to 60 by 0009): the demo shows what a
    # deployment would send. Not sealed: `body` already reads as they do.
    provider: Mapped[str | None] = mapped_column(String(10))
    template: Mapped[str | None] = mapped_column(String(60))
    variables: Mapped[list | dict | None] = mapped_column(JSON)


class OptOut(Base):
    """STOP: no outbound to this caller until START."""

    __tablename__ = "opt_outs"
    caller_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = stamped()


class Audit(Base):
    """Append-only: what happened, to which keyed caller, never a number or a message body."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = stamped()
    event: Mapped[str] = mapped_column(String(60))
    caller_key: Mapped[str | None] = mapped_column(String(64), index=True)
    staff_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


# -- staff and rota ---------------------------------------------------------------------------


class StaffMember(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # E.164: staff numbers are not secret
    roles: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    areas: Mapped[list] = mapped_column(JSON, default=list)  # districts an NGO representative covers
    timezone: Mapped[str] = mapped_column(String(60), default="Asia/Kolkata")
    shifts: Mapped[list] = mapped_column(JSON, default=list)  # weekly patterns: "mon-fri 09:00-17:00"
    overrides: Mapped[list] = mapped_column(JSON, default=list)  # one-off: {from, to, on}
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the file: who is asked first
    # the web console: a salted hash (werkzeug.security), and a lock after repeated failures
    password_hash: Mapped[str | None] = mapped_column(String(256))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # calls: a counsellor is put through to a survivor only after this PIN (4-8 digits, hashed
    # like the password; `hotline staff set-pin`). Caller ID alone proves nothing.
    pin_hash: Mapped[str | None] = mapped_column(String(256))
    # the console: a session carries the version it was opened under; logging out, a new
    # password and "sign out everywhere" raise it, which ends every session she has at once
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # how she is reached (the staff file's channels:): whatsapp, sms, voice; None: sms and voice
    channels: Mapped[list | None] = mapped_column(JSON)


# -- cases and escalations ----------------------------------------------------------------------


class Case(Base):
    """One survivor's contact with the response: its escalations, notes and relays."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    caller_key: Mapped[str] = mapped_column(String(64), index=True)
    contact: Mapped[str | None] = mapped_column(Text)  # encrypted E.164
    lang: Mapped[str] = mapped_column(String(10), default="en")
    channel: Mapped[str] = mapped_column(String(10), default="sms")
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)  # open | closed
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    opened_at: Mapped[datetime] = stamped()
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Escalation(Base):
    """A request for a person, walked through its policy's steps until someone takes it.

    status: open -> acked -> done, or open -> unanswered (every step and repeat passed).
    (step, round) is where the chain stands; a timer job for another (step, round) is stale.
    """

    __tablename__ = "escalations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    code: Mapped[str] = mapped_column(String(8), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="counsellor")  # counsellor | accompaniment | voicemail | callback
    priority: Mapped[str] = mapped_column(String(12), default="normal")
    role: Mapped[str] = mapped_column(String(20), default="counsellor")
    lang: Mapped[str] = mapped_column(String(10), default="en")
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # area, when, window, recording …
    policy: Mapped[str] = mapped_column(String(40), default="counsellor")
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    step: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    acked_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = stamped()
    acked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # high | elevated | standard, and why (escalation/risk.py): the live queue's order; never the priority
    risk: Mapped[str | None] = mapped_column(String(12))
    risk_reasons: Mapped[list | None] = mapped_column(JSON)


class Notification(Base):
    """One alert to one person for one step of an escalation: written before its job is queued,
    and at most one per person, step, round and channel."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("escalation_id", "staff_id", "step", "round", "via"), AUTOINCREMENT)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    step: Mapped[int] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer, default=0)
    via: Mapped[str] = mapped_column(String(8), default="sms")  # sms | voice
    kind: Mapped[str] = mapped_column(String(12), default="alert")  # alert | taken | unanswered | window | followup
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)  # pending | sent | cancelled
    created_at: Mapped[datetime] = stamped()
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    transport_id: Mapped[str | None] = mapped_column(String(64))


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    body: Mapped[str] = mapped_column(Text)  # encrypted
    at: Mapped[datetime] = stamped()


class Relay(Base):
    """A message passed between a survivor and her counsellor through the hotline's number."""

    __tablename__ = "relays"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    direction: Mapped[str] = mapped_column(String(12))  # to_survivor | to_staff
    body: Mapped[str | None] = mapped_column(Text)  # encrypted
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)  # pending | sent | refused
    at: Mapped[datetime] = stamped()
    transport_id: Mapped[str | None] = mapped_column(String(64), index=True)  # to her: the provider's id
    receipt: Mapped[str | None] = mapped_column(String(12))  # delivered | read (WhatsApp) | failed


class FollowUp(Base):
    """A case to come back to: an alert to the staff member (or the coordinator) when due."""

    __tablename__ = "followups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)  # pending | sent | cancelled
    note: Mapped[str | None] = mapped_column(Text)  # encrypted
    created_at: Mapped[datetime] = stamped()


class CaseRecord(Base):
    """The Protection Team's record against a case: an incident, an application, a protection order."""

    __tablename__ = "case_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # incident | application | protection_order
    happened_on: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD as told
    details: Mapped[str | None] = mapped_column(Text)  # encrypted
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = stamped()


class Referral(Base):
    """A service the hotline sent a survivor (by category and district; not her words)."""

    __tablename__ = "referrals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    caller_key: Mapped[str | None] = mapped_column(String(64), index=True)
    category: Mapped[str] = mapped_column(String(20))
    district: Mapped[str | None] = mapped_column(String(40))
    service: Mapped[str | None] = mapped_column(String(120))
    at: Mapped[datetime] = stamped()


class WebhookKey(Base):
    """A webhook Twilio may post again (a voicemail's RecordingSid, a status callback's sid and
    status, its I-Twilio-Idempotency-Token), as an HMAC: acted on once. Kept a day, then purged
    (hotline/store/idempotency.py), so nothing here outlives Twilio's retries or links to her."""

    __tablename__ = "webhook_keys"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True, info={"stamped": True})


# Where a caller is named: her keyed hash, and her sealed (encrypted) words and number. Erasure
# (store.erase_in) and key rotation (hotline.store.rotation) must know every one of them;
# tests/test_store.py checks that no column with a caller's key is missing here.
CALLER_KEY_COLUMNS = [(Case, "caller_key"), (Action, "caller_key"), (Outbox, "about"), (OptOut, "caller_key"),
                      (Audit, "caller_key"), (Referral, "caller_key")]
SEALED_COLUMNS = [(Case, "contact"), (Action, "contact"), (Note, "body"), (Relay, "body"),
                  (FollowUp, "note"), (CaseRecord, "details")]


# -- casework: the legal route (#18; hotline/casework/) ------------------------------------------


class DomesticIncidentReport(Base):
    """A DIR (PWDVA Form I) on a case: a draft until finalised; its sections, her words among
    them, sealed as one JSON text. A finalised DIR that was forwarded is kept, reduced, when she
    erases (hotline/casework/erasure.py): the court holds its copy."""

    __tablename__ = "dirs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    lang: Mapped[str] = mapped_column(String(10), default="en")  # the language it is written and printed in
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft | final
    content: Mapped[str | None] = mapped_column(Text)  # encrypted JSON of Form I's sections
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = stamped()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finalised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finalised_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reduced: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # kept after her erasure


class DirForwarding(Base):
    """A finalised DIR sent on: to the Protection Officer, the Magistrate, the police station, a
    service provider, or her own free copy; who, when, how."""

    __tablename__ = "dir_forwardings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dir_id: Mapped[int] = mapped_column(ForeignKey("dirs.id"), index=True)
    to: Mapped[str] = mapped_column(String(30))  # protection_officer | magistrate | police | service_provider | aggrieved
    name: Mapped[str] = mapped_column(String(200), default="")  # the office or person (not hers)
    via: Mapped[str] = mapped_column(String(20), default="hand")  # hand | post | email | other
    sent_on: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = stamped()


class CourtOrder(Base):
    """An application or order under PWDVA ss.18-22 on a case: court, dates, status, expiry; a
    follow-up is set before it lapses (casework/orders.py)."""

    __tablename__ = "court_orders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # protection | residence | monetary | custody | compensation
    status: Mapped[str] = mapped_column(String(20), default="applied")  # applied | interim | granted | refused | withdrawn | lapsed
    court: Mapped[str] = mapped_column(String(200), default="")
    applied_on: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD
    decided_on: Mapped[str | None] = mapped_column(String(10))
    expires_on: Mapped[str | None] = mapped_column(String(10), index=True)
    details: Mapped[str | None] = mapped_column(Text)  # encrypted
    followup_id: Mapped[int | None] = mapped_column(ForeignKey("followups.id", ondelete="SET NULL"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = stamped()


class OfflineContact(Base):
    """A contact outside the line: a walk-in at the station's NGO desk, a call to a counsellor's
    own phone, a home visit; recorded on her case so the record is whole."""

    __tablename__ = "offline_contacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # walk_in | own_phone | visit | other
    place: Mapped[str] = mapped_column(String(200), default="")
    happened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str | None] = mapped_column(Text)  # encrypted
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = stamped()


SEALED_COLUMNS += [(DomesticIncidentReport, "content"), (CourtOrder, "details"), (OfflineContact, "summary")]


# -- WhatsApp (#14; hotline/response/whatsapp.py) -------------------------------------------------


class ContactChannel(Base):
    """How a person (a survivor, an officer, a staff member: by the keyed hash of her number) last
    wrote to the line, and when she last wrote on WhatsApp: she is answered on that channel, and on
    WhatsApp with free text only within 24 hours of that message (templates outside it). Erased
    with her by DELETE and the safe word."""

    __tablename__ = "contact_channels"
    caller_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), default="sms")  # sms | whatsapp: the last she wrote on
    whatsapp_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # her last WhatsApp message
    template_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # a template sent since then
    at: Mapped[datetime] = stamped()


class HeldMessage(Base):
    """A WhatsApp message that could not go as free text (outside her 24-hour window): a template
    asked her to write, and this goes out the moment she does. `caller_key` is whom it is for,
    `about` the survivor it concerns (a relay of her words to a counsellor): DELETE erases both."""

    __tablename__ = "held_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    caller_key: Mapped[str] = mapped_column(String(64), index=True)
    about: Mapped[str | None] = mapped_column(String(64), index=True)
    contact: Mapped[str | None] = mapped_column(Text)  # encrypted E.164
    body: Mapped[str | None] = mapped_column(Text)  # encrypted
    relay_id: Mapped[int | None] = mapped_column(Integer)  # its read receipt goes to this relay
    at: Mapped[datetime] = stamped()


CALLER_KEY_COLUMNS += [(ContactChannel, "caller_key"), (HeldMessage, "caller_key"), (HeldMessage, "about")]
SEALED_COLUMNS += [(HeldMessage, "contact"), (HeldMessage, "body")]

# Sealed values inside JSON columns: (model, column, key), where column[key] is one sealed token or
# a list of them (a WhatsApp item, a voicemail's address; the provider's copies a forget_copies
# action is to delete). Key rotation re-seals them like the columns above; tests/test_security_30.py
# fails when a sealed value anywhere in the store is left under an old key.
SEALED_JSON = [(Escalation, "details", "media"), (Escalation, "details", "recording"),
               (Action, "payload", "copies")]


# -- the provider's records of her (#26; hotline/transport/records.py) ----------------------------


class ProviderRecord(Base):
    """A Twilio Message or Call record that holds her (her words, her counsellor's, her number):
    its kind and sid, sealed. Erasure hands them to a forget_copies action (under no key of hers),
    which deletes each at Twilio; then nothing here names them."""

    __tablename__ = "provider_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    caller_key: Mapped[str] = mapped_column(String(64), index=True)
    record: Mapped[str] = mapped_column(Text)  # encrypted {"message": sid} or {"call": sid}
    at: Mapped[datetime] = stamped()


CALLER_KEY_COLUMNS += [(ProviderRecord, "caller_key")]
SEALED_COLUMNS += [(ProviderRecord, "record")]
