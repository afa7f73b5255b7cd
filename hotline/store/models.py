"""Tables. A caller is known by her keyed hash; her number, where the response needs it to reach
her, is kept encrypted (Fernet, keyed from SECRET_KEY) and erased with DELETE."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Outbox(Base):
    """The local outbox: what would have gone through Twilio when no account is configured."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to: Mapped[str] = mapped_column(String(20), index=True)
    body: Mapped[str | None] = mapped_column(Text)
    call: Mapped[str | None] = mapped_column(Text)  # the TwiML URL of an outbound call
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class OptOut(Base):
    """STOP: no outbound to this caller until START."""

    __tablename__ = "opt_outs"
    caller_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Audit(Base):
    """Append-only: what happened, to which keyed caller, never a number or a message body."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    event: Mapped[str] = mapped_column(String(60))
    caller_key: Mapped[str | None] = mapped_column(String(64), index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
