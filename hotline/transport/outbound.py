"""Sending SMS and calls: through Twilio's REST API when an account is configured, else into
the local outbox (`hotline outbox`). Nothing is sent to a number that said STOP."""

from __future__ import annotations

import logging

from sqlalchemy import select

from hotline.config.settings import Settings
from hotline.privacy.phones import mask
from hotline.store import Outbox, Store

log = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """The transport refused a send or never answered. Raised out of the job, it is written to
    the audit log (`delivery.failed`, by RQ's failure callback: hotline/jobs/tasks.py), and RQ's
    Retry (and then the sweeper) tries once more. It carries no number and no body: only what
    went wrong."""

    def __init__(self, via: str, cause: Exception):
        super().__init__(f"{via} not sent: {type(cause).__name__}")
        self.via = via
        self.error = type(cause).__name__
        self.status = getattr(cause, "status", None)  # Twilio's HTTP status, when it answered
        self.code = getattr(cause, "code", None)  # Twilio's error code
        # Twilio answered with a 4xx other than 429 (21211 not a valid number, 21610 unsubscribed, ...):
        # the same request fails the same way, so it is never retried. 429, 5xx and the network are.
        self.permanent = isinstance(self.status, int) and 400 <= self.status < 500 and self.status != 429

    def detail(self) -> dict:
        return {"via": self.via, "error": self.error, "status": self.status, "code": self.code,
                "permanent": self.permanent}


class Outbound:
    def __init__(self, settings: Settings, store: Store, twilio_client=None):
        self.settings = settings
        self.store = store
        self._client = twilio_client

    @property
    def client(self):
        if self._client is None and self.settings.twilio_configured:
            from twilio.rest import Client

            self._client = Client(self.settings.twilio_account_sid, self.settings.twilio_auth_token)
        return self._client

    def sms(self, to: str, body: str, session=None, about: str | None = None) -> str:
        """Send one SMS; returns Twilio's MessageSid or the outbox id. Raises on transport errors
        so the job that called it can be retried. With `session`, the outbox row is written in
        the caller's transaction, so "sent" and "marked sent" cannot come apart. `about` names
        the caller (keyed hash) a message concerns, so DELETE erases the outbox's copy too."""
        if self.client is not None:
            status_callback = f"{self.settings.public_url}/twilio/status" if self.settings.public_url else None
            try:
                message = self.client.messages.create(to=to, from_=self.settings.hotline_number, body=body,
                                                      status_callback=status_callback)
            except Exception as exc:  # noqa: BLE001 - any transport failure: the job is retried
                log.warning("sms to %s not sent: %s", mask(to), type(exc).__name__)
                raise DeliveryFailed("sms", exc) from exc
            log.info("sms sent to %s (%s)", mask(to), message.sid)
            return message.sid
        row = self._outbox(Outbox(to=to, body=body, about=about), session)
        log.info("sms to %s put in the local outbox (#%s)", mask(to), row)
        return f"outbox-{row}"

    def _outbox(self, row: Outbox, session) -> int:
        if session is not None:
            session.add(row)
            session.flush()
            return row.id
        with self.store.session() as s:
            s.add(row)
            s.flush()
            return row.id

    def call(self, to: str, twiml_url: str, session=None) -> str:
        """Place a call; its final status (completed, busy, no-answer, failed) comes back to
        /twilio/status, where a call nobody answered moves the escalation on."""
        if self.client is not None:
            status_callback = f"{self.settings.public_url}/twilio/status" if self.settings.public_url else None
            try:
                call = self.client.calls.create(to=to, from_=self.settings.hotline_number, url=twiml_url,
                                                status_callback=status_callback)
            except Exception as exc:  # noqa: BLE001 - any transport failure: the job is retried
                log.warning("call to %s not placed: %s", mask(to), type(exc).__name__)
                raise DeliveryFailed("voice", exc) from exc
            log.info("call placed to %s (%s)", mask(to), call.sid)
            return call.sid
        return f"outbox-{self._outbox(Outbox(to=to, call=twiml_url), session)}"

    def outbox(self) -> list[Outbox]:
        with self.store.session() as s:
            return list(s.scalars(select(Outbox).order_by(Outbox.id)))
