"""The local outbox: where messages and calls go when no provider account is set (the demo, the
tests, a laptop). `hotline outbox` and the simulator show it; nothing leaves the machine."""

from __future__ import annotations

import json

from hotline.store import Outbox, Store


class LocalOutbox:
    name = "outbox"

    def __init__(self, store: Store):
        self.store = store

    def text(self, to: str, body: str, *, channel: str, session=None, about: str | None = None) -> str:
        return f"outbox-{self._add(Outbox(to=to, body=body, about=about, channel=channel), session)}"

    def whatsapp(self, to: str, body: str, *, template=None, session=None, about: str | None = None) -> str:
        """A WhatsApp message; a template is kept as such (its name and variables, sealed: they
        may carry her words), with `body` the text it stands for, as it would read on her phone."""
        row = Outbox(to=to, body=body, about=about, channel="whatsapp")
        if template is not None:
            row.template = template.name
            row.variables = self.store.seal(json.dumps(template.variables, ensure_ascii=False))
        return f"outbox-{self._add(row, session)}"

    def call(self, to: str, url: str, *, session=None) -> str:
        return f"outbox-{self._add(Outbox(to=to, call=url, channel='voice'), session)}"

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
