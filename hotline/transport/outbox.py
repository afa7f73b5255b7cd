"""The local outbox: where messages and calls go when no provider account is set (the demo, the
tests, a laptop). `hotline outbox` and the simulator show it; nothing leaves the machine.

Standing in for a provider (`provider`: twilio or exotel), it records which would have sent; for
Exotel's DLT SMS (`templates`) also the template and its variables, and it refuses a text that is
no registered template exactly as Exotel's provider does, so the demo shows what India would send."""

from __future__ import annotations

from hotline.store import Outbox, Store
from hotline.transport.dlt import NoTemplate, Registry, dlt_fields
from hotline.transport.errors import DeliveryFailed


class LocalOutbox:
    name = "outbox"

    def __init__(self, store: Store, provider: str | None = None, templates=None):
        self.store = store
        self.provider = provider
        self._templates = templates  # a callable giving the DLT registry: SMS as Exotel sends them

    @property
    def templates(self) -> Registry | None:
        return self._templates() if self._templates else None

    def text(self, to: str, body: str, *, channel: str, session=None, about: str | None = None) -> str:
        row = Outbox(to=to, body=body, about=about, channel=channel, provider=self.provider)
        if self._templates is not None and channel == "sms":
            try:
                dlt = dlt_fields(self.templates, body)
            except NoTemplate as exc:
                raise DeliveryFailed(channel, exc, permanent=True) from exc
            row.template, row.variables = dlt["template"], dlt["variables"]
        return f"outbox-{self._add(row, session)}"

    def whatsapp(self, to: str, body: str, *, template=None, session=None, about: str | None = None) -> str:
        """A WhatsApp message; a template is kept as such (its name and its variables, {"1": …}),
        with `body` the text it stands for, as it would read on her phone. Like a DLT SMS's
        variables they are no more than `body` already shows (the outbox is the local stand-in)."""
        row = Outbox(to=to, body=body, about=about, channel="whatsapp", provider=self.provider)
        if template is not None:
            row.template = template.name
            row.variables = dict(template.variables)
        return f"outbox-{self._add(row, session)}"

    def call(self, to: str, url: str, *, session=None) -> str:
        return f"outbox-{self._add(Outbox(to=to, call=url, channel='voice', provider=self.provider), session)}"

    def _add(self, row: Outbox, session) -> int:
        """In the caller's transaction when given one, so "sent" and "marked sent" cannot come apart."""
        if session is not None:
            session.add(row)
            session.flush()
            return row.id
        with self.store.session() as s:
            s.add(row)
            s.flush()
            return row.id
