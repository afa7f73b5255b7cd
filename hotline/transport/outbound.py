"""Outbound: the one object the hotline sends through. It picks the provider of each channel
(HOTLINE_SMS_PROVIDER, HOTLINE_VOICE_PROVIDER: Twilio or Exotel, each when its account is
configured, else the local outbox standing in for it) and hands it the message; providers only
send (transport/twilio.py, transport/exotel.py, transport/outbox.py). Whether a person may be reached at all is
decided before anything gets here (hotline/response/reach.py)."""

from __future__ import annotations

from sqlalchemy import select

from hotline.config.settings import Settings
from hotline.store import Outbox, Store
from hotline.transport import records
from hotline.transport.dlt import registry
from hotline.transport.errors import DeliveryFailed
from hotline.transport.exotel import Exotel
from hotline.transport.outbox import LocalOutbox
from hotline.transport.twilio import Twilio

__all__ = ["DeliveryFailed", "Outbound"]


class Outbound:
    def __init__(self, settings: Settings, store: Store, twilio_client=None):
        self.settings = settings
        self.store = store
        self.local = LocalOutbox(store)
        remote = Twilio(settings, twilio_client) if (twilio_client is not None or settings.twilio_configured) else None
        # the provider of each channel; WhatsApp through Twilio only with a WhatsApp sender
        self.providers = {"sms": remote or self.local, "voice": remote or self.local}
        exotel = Exotel(settings) if settings.exotel_configured else None
        for channel, choice in (("sms", settings.sms_provider), ("voice", settings.voice_provider)):
            if choice == "exotel":  # DLT SMS: the outbox refuses what Exotel would, and names the template
                templates = (lambda: registry(settings.dlt_path)) if channel == "sms" else None
                self.providers[channel] = exotel or LocalOutbox(store, "exotel", templates)
            elif remote is None:
                self.providers[channel] = LocalOutbox(store, "twilio")
        # WhatsApp is Twilio's whatever carries SMS and calls (Exotel has none here)
        if remote is None:
            self.providers["whatsapp"] = LocalOutbox(store, "twilio")
        elif settings.whatsapp_number:
            self.providers["whatsapp"] = remote

    def sms(self, to: str, body: str, session=None, about: str | None = None) -> str:
        """Send one SMS; returns the provider's id (or the outbox's). Raises DeliveryFailed so the
        job that called it can be retried. With `session`, an outbox row is written in the caller's
        transaction. `about` names the caller (keyed hash) a message concerns, so DELETE erases the
        outbox's copy too."""
        sid = self.providers["sms"].text(to, body, channel="sms", session=session, about=about)
        self._kept(self.providers["sms"], "message", sid, session, about)
        return sid

    def whatsapp(self, to: str, body: str, session=None, about: str | None = None, template=None) -> str:
        """Send one WhatsApp message: free text, or with `template` (transport/whatsapp.py's
        TemplateSend) an approved template. Whether free text may go (her 24-hour window) is
        decided before: hotline/response/whatsapp.py."""
        sid = self.providers["whatsapp"].whatsapp(to, body, template=template, session=session, about=about)
        self._kept(self.providers["whatsapp"], "message", sid, session, about)
        return sid

    def _kept(self, provider, kind: str, sid: str, session, about: str | None) -> None:
        """Twilio's record of what went about her: its sid kept (sealed, transport/records.py)
        so her erasure deletes it there too."""
        if about is None or not isinstance(provider, Twilio):
            return
        if session is not None:
            records.keep(self.store, session, about, kind, sid)
            return
        with self.store.session() as s:
            records.keep(self.store, s, about, kind, sid)

    @property
    def twilio(self) -> Twilio | None:
        """Twilio, when it carries any channel of the line."""
        return next((p for p in self.providers.values() if isinstance(p, Twilio)), None)

    @property
    def whatsapp_ready(self) -> bool:
        """Can WhatsApp messages go out (a sender, or the local outbox)?"""
        return "whatsapp" in self.providers

    def call(self, to: str, twiml_url: str, session=None) -> str:
        """Place a call that plays `twiml_url` when answered."""
        return self.providers["voice"].call(to, twiml_url, session=session)

    def forget(self, url: str) -> bool:
        """Delete a provider's copy of her media or voicemail (after DELETE or the safe word):
        Twilio's, when Twilio carries the line; the local outbox keeps none. False: nobody here
        holds it."""
        return self.twilio.forget(url) if self.twilio is not None else False

    def forget_record(self, kind: str, sid: str) -> bool:
        """Delete Twilio's Message or Call record (kind: message | call) after her erasure."""
        return self.twilio.forget_record(kind, sid) if self.twilio is not None else False

    def outbox(self) -> list[Outbox]:
        with self.store.session() as s:
            return list(s.scalars(select(Outbox).order_by(Outbox.id)))
