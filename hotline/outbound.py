"""Sending SMS and calls: through Twilio's REST API when an account is configured, else into
the local outbox (`hotline outbox`). Nothing is sent to a number that said STOP."""

from __future__ import annotations

import logging

from sqlalchemy import select

from .config import Settings
from .phones import mask
from .store import Outbox, Store

log = logging.getLogger(__name__)


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
            message = self.client.messages.create(to=to, from_=self.settings.hotline_number, body=body,
                                                  status_callback=status_callback)
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
        if self.client is not None:
            call = self.client.calls.create(to=to, from_=self.settings.hotline_number, url=twiml_url)
            log.info("call placed to %s (%s)", mask(to), call.sid)
            return call.sid
        return f"outbox-{self._outbox(Outbox(to=to, call=twiml_url), session)}"

    def outbox(self) -> list[Outbox]:
        with self.store.session() as s:
            return list(s.scalars(select(Outbox).order_by(Outbox.id)))
